// One conformance suite, run against SQLite and against a real PostgreSQL server: both engines
// must give the Store exactly the same semantics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/limits.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store/string_list_codec.h"
#include "store/topic_name.h"
#include "test_database.h"

namespace faqbot::store {
namespace {

using ::testing::ElementsAre;
using testing::Engine;
using testing::TestDatabase;

const UserRef kAlice{"T0001", "U0ALICE"};
const UserRef kBob{"T0001", "U0BOB"};

NewQuestion Asked(std::string text, QuestionOutcome outcome = QuestionOutcome::kDeclined,
                  std::optional<int64_t> topic_id = std::nullopt) {
  NewQuestion q;
  q.asker = kBob;
  q.owner = kAlice;
  q.text = std::move(text);
  q.outcome = outcome;
  q.topic_id = topic_id;
  return q;
}

class StoreConformanceTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status();
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<Store> OpenStore() {
    auto store = Store::Open(db_->url(), clock_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  Topic Add(const UserRef& owner, std::string question, std::string answer = "an answer") {
    auto topic = store_->AddTopic(owner, {std::move(question), {}, std::move(answer)});
    EXPECT_TRUE(topic.ok()) << topic.status();
    return topic.ok() ? *topic : Topic{};
  }

  PublishJob Claim(const std::string& worker = "worker-1") {
    auto job = store_->ClaimPublishJob(worker, std::chrono::seconds(30));
    EXPECT_TRUE(job.ok()) << job.status();
    EXPECT_TRUE(job.ok() && job->has_value());
    return job.ok() && job->has_value() ? **job : PublishJob{};
  }

  NewPublication PublicationOf(const std::vector<Topic>& topics, std::string model = "MODEL") {
    NewPublication p;
    for (const auto& t : topics) p.topics.push_back({t.id, t.content});
    p.model = std::move(model);
    p.started_at = clock_.UnixMillis();
    return p;
  }

  FakeClock clock_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

// ---- schema ----

TEST_P(StoreConformanceTest, MigrationsAreAppliedOnceAndRecorded) {
  auto again = store_->Migrate();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0);
  auto version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_GE(*version, 1);
  // A second process opening the same database finds nothing to do.
  auto second = Store::Open(db_->url(), clock_);
  ASSERT_TRUE(second.ok()) << second.status();
}

TEST_P(StoreConformanceTest, RefusesASchemaNewerThanItKnows) {
  ASSERT_TRUE(store_->backend()
                  .WithTransaction(TxMode::kWrite,
                                   [](SqlTransaction& tx) {
                                     return tx
                                         .Exec(
                                             "INSERT INTO schema_migrations (version, name, "
                                             "applied_at) VALUES (999, 'future', 0)")
                                         .status();
                                   })
                  .ok());
  auto reopened = Store::Open(db_->url(), clock_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(reopened.status().message(), ::testing::HasSubstr("newer"));
}

TEST_P(StoreConformanceTest, MigrationFourNamesExistingTopicsAsClientsKnewThem) {
  // A database at schema 3 with a topic and a live publication written in the old format.
  TestDatabase old(GetParam());
  ASSERT_TRUE(old.status().ok()) << old.status();
  StoreOptions no_migrations;
  no_migrations.migrate = false;
  auto opened = Store::Open(old.url(), clock_, no_migrations);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& db = **opened;
  ASSERT_TRUE(
      db.backend()
          .WithTransaction(
              TxMode::kWrite,
              [&](SqlTransaction& tx) -> Status {
                FAQBOT_RETURN_IF_ERROR(tx.Exec("CREATE TABLE schema_migrations (version INTEGER "
                                               "PRIMARY KEY, name TEXT NOT NULL, applied_at "
                                               "BIGINT NOT NULL)")
                                           .status());
                for (const auto& m : AllMigrations()) {
                  if (m.version > 3) break;
                  for (auto statement : m.statements) {
                    FAQBOT_RETURN_IF_ERROR(tx.Exec(db.backend().TranslateDdl(statement)).status());
                  }
                  FAQBOT_RETURN_IF_ERROR(tx.Exec("INSERT INTO schema_migrations VALUES (?, ?, 0)",
                                                 {int64_t{m.version}, Text(m.name)})
                                             .status());
                }
                return Status::Ok();
              })
          .ok());
  ASSERT_EQ(*db.SchemaVersion(), 3);
  const std::string old_topics = EncodeStringList(
      {EncodeStringList({"1", "wifi?", "ask reception", EncodeStringList({"wifi pw"})})});
  ASSERT_TRUE(
      db.backend()
          .WithTransaction(
              TxMode::kWrite,
              [&](SqlTransaction& tx) -> Status {
                FAQBOT_RETURN_IF_ERROR(
                    tx.Exec("INSERT INTO workspaces VALUES ('T0001', ?, 0, 0)", {Bytes("")})
                        .status());
                FAQBOT_RETURN_IF_ERROR(
                    tx.Exec("INSERT INTO people VALUES ('T0001', 'U0ALICE', ?, 0, 0)", {Bytes("")})
                        .status());
                for (const char* q : {"wifi?", "vpn?"}) {
                  FAQBOT_RETURN_IF_ERROR(
                      tx.Exec("INSERT INTO topics (team_id, owner_id, question, phrasings, answer, "
                              "created_at, updated_at) VALUES ('T0001', 'U0ALICE', ?, ?, ?, 0, 0)",
                              {Bytes(q), Bytes(EncodeStringList({})), Bytes("an answer")})
                          .status());
                }
                return tx
                    .Exec(
                        "INSERT INTO publications (team_id, owner_id, version, status, topics, "
                        "topic_count, model, error, job_id, requested_at, started_at, "
                        "finished_at) VALUES ('T0001', 'U0ALICE', 1, 'live', ?, 1, ?, NULL, "
                        "NULL, 0, 0, 0)",
                        {Bytes(old_topics), Bytes("MODEL")})
                    .status();
              })
          .ok());

  auto applied = db.Migrate();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, static_cast<int>(AllMigrations().size()) - 3);
  auto topics = db.ListTopics(kAlice);
  ASSERT_TRUE(topics.ok()) << topics.status();
  ASSERT_EQ(topics->size(), 2u);
  for (const auto& t : *topics) EXPECT_EQ(t.content.name, "topic_" + std::to_string(t.id));
  auto live = db.GetLivePublication(kAlice, false);
  ASSERT_TRUE(live.ok() && live->has_value()) << live.status();
  ASSERT_EQ((*live)->topics.size(), 1u);
  EXPECT_EQ((*live)->topics[0].content.name, "topic_1");
  EXPECT_THAT((*live)->topics[0].content.phrasings, ElementsAre("wifi pw"));
  // New topics of the owner never take an old name.
  auto added = db.AddTopic(kAlice, {"topic 1", {}, "a"});
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->content.name, "topic_1_2");
}

// ---- people ----

TEST_P(StoreConformanceTest, PeopleAreKeyedByTeamAndUserId) {
  ASSERT_TRUE(store_->UpsertWorkspace("T0001", "Acme").ok());
  ASSERT_TRUE(store_->UpsertPerson(kAlice, "alice").ok());
  ASSERT_TRUE(store_->UpsertPerson({"T0002", "U0ALICE"}, "other alice").ok());
  ASSERT_TRUE(store_->UpsertPerson(kAlice, "Alice Liddell").ok());
  auto alice = store_->GetPerson(kAlice);
  ASSERT_TRUE(alice.ok() && alice->has_value());
  EXPECT_EQ((*alice)->display_name, "Alice Liddell");
  auto other = store_->GetPerson({"T0002", "U0ALICE"});
  ASSERT_TRUE(other.ok() && other->has_value());
  EXPECT_EQ((*other)->display_name, "other alice");
  auto nobody = store_->GetPerson(kBob);
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(nobody->has_value());
}

TEST_P(StoreConformanceTest, RejectsMalformedIds) {
  EXPECT_EQ(store_->AddTopic({"T1", ""}, {"q", {}, "a"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddTopic({"T1 OR 1=1", "U1"}, {"q", {}, "a"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListTopics({std::string(65, 'T'), "U1"}).status().code(),
            StatusCode::kInvalidArgument);
}

// ---- topics ----

TEST_P(StoreConformanceTest, AddsListsEditsAndDeletesTopics) {
  Topic vpn = Add(kAlice, "How do I connect to the VPN?", "Use the Acme client.");
  Topic wifi = Add(kAlice, "What is the wifi password?", "Ask reception.");
  Add(kBob, "Bob's own question");

  auto list = store_->ListTopics(kAlice);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, vpn.id);
  EXPECT_EQ((*list)[1].content.question, "What is the wifi password?");
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);

  clock_.Advance(std::chrono::seconds(5));
  TopicEdit edit;
  edit.answer = "Install the Acme client, then sign in.";
  edit.phrasings = std::vector<std::string>{"vpn setup", "remote access"};
  auto edited = store_->UpdateTopic(kAlice, vpn.id, edit);
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->content.question, "How do I connect to the VPN?");
  EXPECT_THAT(edited->content.phrasings, ElementsAre("vpn setup", "remote access"));
  EXPECT_GT(edited->updated_at, vpn.updated_at);
  auto fetched = store_->GetTopic(kAlice, vpn.id);
  ASSERT_TRUE(fetched.ok() && fetched->has_value());
  EXPECT_EQ((*fetched)->content, edited->content);

  ASSERT_TRUE(store_->DeleteTopic(kAlice, wifi.id).ok());
  EXPECT_EQ(store_->DeleteTopic(kAlice, wifi.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(*store_->CountTopics(kAlice), 1);
  EXPECT_EQ(*store_->DeleteAllTopics(kAlice), 1);
  EXPECT_EQ(*store_->CountTopics(kAlice), 0);
  EXPECT_EQ(*store_->CountTopics(kBob), 1);
}

TEST_P(StoreConformanceTest, TopicsAreNamedFromTheirQuestionUniquelyPerOwner) {
  Topic wifi = Add(kAlice, "What is the wifi password?");
  EXPECT_EQ(wifi.content.name, "wifi_password");
  EXPECT_EQ(Add(kAlice, "wifi password").content.name, "wifi_password_2");
  EXPECT_EQ(Add(kBob, "What's the WiFi password?").content.name, "wifi_password");
  EXPECT_EQ(Add(kAlice, "???").content.name, "topic");

  TopicContent named{"how do I reach IT", {}, "call 555", "it_helpdesk"};
  auto added = store_->AddTopic(kAlice, named);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->content.name, "it_helpdesk");
  EXPECT_EQ(store_->AddTopic(kAlice, named).status().code(), StatusCode::kAlreadyExists);
  named.name = "two\nlines";
  EXPECT_EQ(store_->AddTopic(kAlice, named).status().code(), StatusCode::kInvalidArgument);

  TopicEdit rename;
  rename.name = "it_helpdesk";
  EXPECT_EQ(store_->UpdateTopic(kAlice, wifi.id, rename).status().code(),
            StatusCode::kAlreadyExists);
  rename.name = "";
  EXPECT_EQ(store_->UpdateTopic(kAlice, wifi.id, rename).status().code(),
            StatusCode::kInvalidArgument);
  rename.name = "guest_wifi";
  auto renamed = store_->UpdateTopic(kAlice, wifi.id, rename);
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  EXPECT_EQ(store_->GetTopic(kAlice, wifi.id)->value().content.name, "guest_wifi");
  // Renaming a topic to its own name changes nothing else.
  EXPECT_TRUE(store_->UpdateTopic(kAlice, wifi.id, rename).ok());
}

TEST_P(StoreConformanceTest, KeepsDraftsThatNeedAnAnswer) {
  Topic draft = Add(kAlice, "when is the office open?", "");
  EXPECT_TRUE(NeedsAnswer(draft.content));
  EXPECT_FALSE(NeedsAnswer(Add(kAlice, "parking?", "level -2").content));
  TopicEdit answer;
  answer.answer = "9 to 5";
  auto answered = store_->UpdateTopic(kAlice, draft.id, answer);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_FALSE(NeedsAnswer(answered->content));
}

TEST_P(StoreConformanceTest, ImportKeepsTheIdsOfTopicsOfTheSameName) {
  Topic wifi = Add(kAlice, "wifi password?", "ask reception");
  Topic vpn = Add(kAlice, "vpn?", "use the client");
  const std::vector<TopicContent> incoming = {
      {"what's the wifi password?", {"wifi pw"}, "it is on the badge", wifi.content.name},
      {"vpn?", {}, "use the client", vpn.content.name},
      {"where do I park?", {}, "", "parking"},
  };
  auto merged = store_->ImportTopics(kAlice, incoming, /*replace=*/false);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(
      *merged,
      (TopicsImported{.added = 1, .updated = 1, .unchanged = 1, .deleted = 0, .needs_answer = 1}));
  auto list = store_->ListTopics(kAlice);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, wifi.id);
  EXPECT_EQ((*list)[0].content, incoming[0]);
  EXPECT_EQ((*list)[2].content, incoming[2]);

  auto replaced = store_->ImportTopics(kAlice, {incoming[2]}, /*replace=*/true);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(
      *replaced,
      (TopicsImported{.added = 0, .updated = 0, .unchanged = 1, .deleted = 2, .needs_answer = 1}));
  list = store_->ListTopics(kAlice);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].content.name, "parking");

  // A document without answers (a Rasa nlu.yml whose responses live in domain.yml) updates the
  // phrasings and keeps the answers.
  ASSERT_TRUE(
      store_->ImportTopics(kAlice, {{"where do I park?", {}, "Level -2.", "parking"}}, false).ok());
  auto again = store_->ImportTopics(
      kAlice, {{"where do I park?", {"parking spot"}, "", "parking"}, {"lunch?", {}, "", "lunch"}},
      false);
  ASSERT_TRUE(again.ok()) << again.status();
  // Only the new topic is counted as needing an answer: "parking" kept its own.
  EXPECT_EQ(
      *again,
      (TopicsImported{.added = 1, .updated = 1, .unchanged = 0, .deleted = 0, .needs_answer = 1}));
  list = store_->ListTopics(kAlice);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].content,
            (TopicContent{"where do I park?", {"parking spot"}, "Level -2.", "parking"}));
  EXPECT_TRUE(NeedsAnswer((*list)[1].content));  // a new topic without an answer stays a draft
}

TEST_P(StoreConformanceTest, ABadImportWritesNothing) {
  Topic wifi = Add(kAlice, "wifi password?", "ask reception");
  const TopicContent good{"vpn?", {}, "use the client", "vpn"};
  EXPECT_EQ(store_->ImportTopics(kAlice, {good, good}, true).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ImportTopics(kAlice, {good, {"q", {}, "a", ""}}, true).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_
                ->ImportTopics(
                    kAlice, {good, {std::string(kMaxQuestionBytes + 1, 'q'), {}, "a", "x"}}, true)
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  std::vector<TopicContent> too_many;
  for (size_t i = 0; i <= kMaxTopicsPerOwner; ++i) {
    too_many.push_back({"q" + std::to_string(i), {}, "a", "n" + std::to_string(i)});
  }
  EXPECT_EQ(store_->ImportTopics(kAlice, too_many, true).status().code(),
            StatusCode::kResourceExhausted);
  auto list = store_->ListTopics(kAlice);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].content, wifi.content);
}

TEST_P(StoreConformanceTest, AnOwnerCannotTouchAnotherOwnersTopic) {
  Topic alices = Add(kAlice, "Alice's question");
  TopicEdit edit;
  edit.answer = "hijacked";
  EXPECT_EQ(store_->UpdateTopic(kBob, alices.id, edit).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteTopic(kBob, alices.id).code(), StatusCode::kNotFound);
  auto seen_by_bob = store_->GetTopic(kBob, alices.id);
  ASSERT_TRUE(seen_by_bob.ok());
  EXPECT_FALSE(seen_by_bob->has_value());
  // The same user id in another workspace is another person.
  EXPECT_EQ(store_->DeleteTopic({"T0002", kAlice.user_id}, alices.id).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->GetTopic(kAlice, alices.id)->value().content.answer, "an answer");
}

TEST_P(StoreConformanceTest, HostileAndExoticTextRoundTripsVerbatim) {
  std::string junk;
  for (int i = 1; i < 256; ++i) junk.push_back(static_cast<char>(i));  // NUL-free binary junk
  const std::vector<std::string> texts = {
      "it's \"quoted\" `back` \\escaped\\",
      "'); DROP TABLE topics; --",
      "Robert'); DELETE FROM publications WHERE ('1'='1",
      "emoji 😀 clef 𝄞 han 漢字 rtl עברית",
      junk,
      "? placeholders ? $1 $2 %s {{BLOB}}",
  };
  for (const auto& text : texts) {
    // A topic's texts may hold anything but control characters (ValidateTypedText).
    std::string shown = text;
    std::erase_if(shown, [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return (u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7F;
    });
    TopicContent content{shown, {shown, "plain " + shown}, shown + " answer"};
    auto added = store_->AddTopic(kAlice, content);
    ASSERT_TRUE(added.ok()) << added.status();
    auto fetched = store_->GetTopic(kAlice, added->id);
    ASSERT_TRUE(fetched.ok() && fetched->has_value());
    EXPECT_TRUE(ValidateTopicName(added->content.name).ok()) << added->content.name;
    content.name = added->content.name;
    EXPECT_EQ((*fetched)->content, content);

    ASSERT_TRUE(store_->UpsertPerson(kBob, text.substr(0, kMaxNameBytes)).ok());
    EXPECT_EQ(store_->GetPerson(kBob)->value().display_name, text.substr(0, kMaxNameBytes));

    auto conversation = store_->GetConversation(kBob);
    ASSERT_TRUE(conversation.ok());
    const int64_t version = conversation->has_value() ? (*conversation)->version : 0;
    ASSERT_TRUE(store_->SaveConversation(kBob, text, version).ok());
    EXPECT_EQ(store_->GetConversation(kBob)->value().state, text);

    auto asked = store_->RecordQuestion(Asked(text));
    ASSERT_TRUE(asked.ok()) << asked.status();
    EXPECT_EQ(store_->GetQuestion(asked->id)->value().text, text);
  }
  // The tables are all still there and hold everything.
  EXPECT_EQ(*store_->CountTopics(kAlice), static_cast<int64_t>(texts.size()));
  auto topics = store_->ListTopics(kAlice);
  ASSERT_TRUE(topics.ok());
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  PublishJob job = Claim();
  std::vector<Topic> all = *topics;
  auto published = store_->CompletePublishJob(job, PublicationOf(all, junk));
  ASSERT_TRUE(published.ok()) << published.status();
  auto live = store_->GetLivePublication(kAlice, true);
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->model, junk);
  ASSERT_EQ((*live)->topics.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ((*live)->topics[i].content, all[i].content);
  }
}

TEST_P(StoreConformanceTest, OversizedTextIsRefusedAndNothingIsWritten) {
  const std::string long_question(kMaxQuestionBytes + 1, 'q');
  auto too_long = store_->AddTopic(kAlice, {long_question, {}, "a"});
  EXPECT_EQ(too_long.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(too_long.status().message(), ::testing::HasSubstr("limit"));
  EXPECT_EQ(
      store_->AddTopic(kAlice, {"q", {}, std::string(kMaxAnswerBytes + 1, 'a')}).status().code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->AddTopic(kAlice, {"q", std::vector<std::string>(kMaxPhrasings + 1, "p"), "a"})
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->AddTopic(kAlice, {"", {}, "a"}).status().code(), StatusCode::kInvalidArgument);
  // Text a reader would not see is no text: zero-width, no-break and ideographic spaces.
  const std::string blank = "\u200B\u00A0\u3000";
  EXPECT_EQ(store_->AddTopic(kAlice, {blank, {}, "a"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddTopic(kAlice, {"q", {}, blank}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddTopic(kAlice, {"q", {blank}, "a"}).status().code(),
            StatusCode::kInvalidArgument);
  for (const std::string& bad : {std::string("q\0x", 3), std::string("q\x1B[31m"),
                                std::string("q\x7F"), std::string("q\u0085")}) {
    EXPECT_EQ(store_->AddTopic(kAlice, {bad, {}, "a"}).status().code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(store_->AddTopic(kAlice, {"tabs\tand", {}, "lines\r\nfine"}).ok());
  ASSERT_TRUE(store_->DeleteAllTopics(kAlice).ok());
  EXPECT_EQ(store_->SaveConversation(kAlice, std::string(kMaxConversationStateBytes + 1, 's'), 0)
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(
      store_->RecordQuestion(Asked(std::string(kMaxAskedQuestionBytes + 1, 'x'))).status().code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(*store_->CountTopics(kAlice), 0);
  // Exactly at the limits is fine.
  EXPECT_TRUE(
      store_
          ->AddTopic(kAlice,
                     {std::string(kMaxQuestionBytes, 'q'), {}, std::string(kMaxAnswerBytes, 'a')})
          .ok());
}

TEST_P(StoreConformanceTest, EightThreadsAddingTopicsLoseNone) {
  constexpr int kThreads = 8, kPerThread = 60;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> ids;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto topic = store_->AddTopic(
            kAlice, {"thread " + std::to_string(t) + " question " + std::to_string(i), {}, "a"});
        if (!topic.ok()) {
          ++failures;
          ADD_FAILURE() << topic.status();
          continue;
        }
        std::lock_guard lock(mu);
        ids.insert(topic->id);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ids.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*store_->CountTopics(kAlice), kThreads * kPerThread);
  auto list = store_->ListTopics(kAlice);
  ASSERT_TRUE(list.ok());
  std::set<int64_t> listed;
  for (const auto& t : *list) listed.insert(t.id);
  EXPECT_EQ(listed, ids);
}

// ---- publications and jobs ----

TEST_P(StoreConformanceTest, PublishingMakesAVersionLiveAndSupersedesTheLastOne) {
  std::vector<UserRef> changed;
  std::mutex mu;
  ASSERT_TRUE(store_
                  ->SubscribePublications([&](const UserRef& owner, int64_t) {
                    std::lock_guard lock(mu);
                    changed.push_back(owner);
                  })
                  .ok());
  Topic t1 = Add(kAlice, "first");
  auto enqueued = store_->EnqueuePublish(kAlice);
  ASSERT_TRUE(enqueued.ok());
  EXPECT_FALSE(enqueued->coalesced);
  auto none_live = store_->LoadLiveModel(kAlice);
  ASSERT_TRUE(none_live.ok());
  EXPECT_FALSE(none_live->has_value());

  PublishJob job = Claim();
  EXPECT_EQ(job.id, enqueued->job.id);
  EXPECT_EQ(job.status, JobStatus::kRunning);
  EXPECT_EQ(job.attempts, 1);
  auto v1 = store_->CompletePublishJob(job, PublicationOf({t1}, "model-v1"));
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->status, PublicationStatus::kLive);

  Topic t2 = Add(kAlice, "second");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  auto v2 = store_->CompletePublishJob(Claim(), PublicationOf({t1, t2}, "model-v2"));
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->version, 2);

  auto live = store_->GetLivePublication(kAlice, false);
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->version, 2);
  EXPECT_EQ((*live)->topics.size(), 2u);
  EXPECT_TRUE((*live)->model.empty());
  EXPECT_EQ(store_->LoadLiveModel(kAlice)->value().model, "model-v2");
  EXPECT_EQ(store_->LoadLiveModel(kAlice)->value().version, 2);
  auto history = store_->ListPublications(kAlice);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].status, PublicationStatus::kSuperseded);
  EXPECT_EQ((*history)[1].topics.size(), 1u);  // what it published stays on record
  auto done = store_->GetPublishJob(job.id);
  ASSERT_TRUE(done.ok() && done->has_value());
  EXPECT_EQ((*done)->status, JobStatus::kDone);
  EXPECT_EQ((*done)->publication_id, v1->id);

  // Listeners hear about both publications (on PostgreSQL through LISTEN/NOTIFY, a moment later).
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mu);
      if (changed.size() >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(mu);
  ASSERT_GE(changed.size(), 2u);
  EXPECT_EQ(changed[0], kAlice);
}

TEST_P(StoreConformanceTest, PendingPublishesOfOneOwnerCoalesce) {
  Add(kAlice, "q");
  auto first = store_->EnqueuePublish(kAlice);
  auto second = store_->EnqueuePublish(kAlice);
  auto bobs = store_->EnqueuePublish(kBob);
  ASSERT_TRUE(first.ok() && second.ok() && bobs.ok());
  EXPECT_FALSE(first->coalesced);
  EXPECT_TRUE(second->coalesced);
  EXPECT_EQ(first->job.id, second->job.id);
  EXPECT_NE(bobs->job.id, first->job.id);
  // Once claimed, a new request is a new job: topics may have changed since training began.
  PublishJob running = Claim();
  EXPECT_EQ(running.id, first->job.id);
  auto third = store_->EnqueuePublish(kAlice);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->coalesced);
  EXPECT_NE(third->job.id, running.id);
}

TEST_P(StoreConformanceTest, AnOwnersSecondJobWaitsWhileTheFirstRuns) {
  Add(kAlice, "q");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  PublishJob running = Claim("w1");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  auto next = store_->ClaimPublishJob("w2", std::chrono::seconds(30));
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value()) << "two trainings of one owner must not run at once";
  ASSERT_TRUE(store_->CompletePublishJob(running, PublicationOf({}, "m")).ok());
  auto after = store_->ClaimPublishJob("w2", std::chrono::seconds(30));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->has_value());
}

TEST_P(StoreConformanceTest, TwoWorkersNeverClaimTheSameJob) {
  constexpr int kOwners = 40;
  for (int i = 0; i < kOwners; ++i) {
    ASSERT_TRUE(store_->EnqueuePublish({"T0001", "U" + std::to_string(1000 + i)}).ok());
  }
  std::mutex mu;
  std::vector<int64_t> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      while (true) {
        auto job = store_->ClaimPublishJob("worker-" + std::to_string(w), std::chrono::seconds(60));
        if (!job.ok()) {
          ADD_FAILURE() << job.status();
          return;
        }
        if (!job->has_value()) return;
        {
          std::lock_guard lock(mu);
          claimed.push_back((*job)->id);
        }
        auto done = store_->CompletePublishJob(**job, PublicationOf({}, "m"));
        if (!done.ok()) ADD_FAILURE() << done.status();
      }
    });
  }
  for (auto& t : workers) t.join();
  std::set<int64_t> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), size_t{kOwners});
  EXPECT_EQ(unique.size(), claimed.size());
}

TEST_P(StoreConformanceTest, AJobWhoseWorkerDiedIsClaimableAfterTheLease) {
  Add(kAlice, "q");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  auto first = store_->ClaimPublishJob("dead-worker", std::chrono::seconds(10));
  ASSERT_TRUE(first.ok() && first->has_value());
  auto early = store_->ClaimPublishJob("w2", std::chrono::seconds(10));
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->has_value());
  clock_.Advance(std::chrono::seconds(11));
  auto reclaimed = store_->ClaimPublishJob("w2", std::chrono::seconds(10));
  ASSERT_TRUE(reclaimed.ok() && reclaimed->has_value());
  EXPECT_EQ((*reclaimed)->id, (*first)->id);
  EXPECT_EQ((*reclaimed)->attempts, 2);
  EXPECT_EQ((*reclaimed)->worker, "w2");
  // The dead worker's late completion is refused; the new holder's is stored.
  auto late = store_->CompletePublishJob(**first, PublicationOf({}, "stale"));
  EXPECT_EQ(late.status().code(), StatusCode::kAborted);
  ASSERT_TRUE(store_->CompletePublishJob(**reclaimed, PublicationOf({}, "fresh")).ok());
  EXPECT_EQ(store_->LoadLiveModel(kAlice)->value().model, "fresh");
}

TEST_P(StoreConformanceTest, FailedAttemptsAreRetriedThenRecordedWhileTheLiveModelStays) {
  Topic t = Add(kAlice, "q");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  ASSERT_TRUE(store_->CompletePublishJob(Claim(), PublicationOf({t}, "good")).ok());

  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  for (int attempt = 1; attempt <= 3; ++attempt) {
    PublishJob job = Claim();
    EXPECT_EQ(job.attempts, attempt);
    auto failed = store_->FailPublishJob(job, "training exploded", std::chrono::seconds(5));
    ASSERT_TRUE(failed.ok()) << failed.status();
    if (attempt < 3) {
      EXPECT_EQ(failed->status, JobStatus::kPending);
      // Not before the backoff.
      EXPECT_FALSE(store_->ClaimPublishJob("w", std::chrono::seconds(30))->has_value());
      clock_.Advance(std::chrono::seconds(6));
    } else {
      EXPECT_EQ(failed->status, JobStatus::kFailed);
      EXPECT_EQ(failed->error, "training exploded");
    }
  }
  EXPECT_EQ(store_->LoadLiveModel(kAlice)->value().model, "good");
  auto history = store_->ListPublications(kAlice);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].status, PublicationStatus::kFailed);
  EXPECT_EQ((*history)[0].error, "training exploded");
  EXPECT_EQ((*history)[1].status, PublicationStatus::kLive);
}

TEST_P(StoreConformanceTest, APermanentFailureIsNotRetried) {
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  auto failed = store_->FailPublishJob(Claim(), "no topics to publish", std::nullopt);
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->status, JobStatus::kFailed);
  EXPECT_EQ(failed->attempts, 1);
  EXPECT_FALSE(store_->ClaimPublishJob("w", std::chrono::seconds(30))->has_value());
}

TEST_P(StoreConformanceTest, AReleasedJobIsPendingAgainWithoutLosingAnAttempt) {
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  PublishJob job = Claim();
  ASSERT_TRUE(store_->ReleasePublishJob(job).ok());
  auto stored = store_->GetPublishJob(job.id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->status, JobStatus::kPending);
  EXPECT_EQ((*stored)->attempts, 0);
  EXPECT_EQ(store_->ReleasePublishJob(job).code(), StatusCode::kAborted);
  EXPECT_EQ(Claim().id, job.id);
}

// ---- conversations ----

TEST_P(StoreConformanceTest, ConversationVersionsDetectConcurrentWriters) {
  auto v1 = store_->SaveConversation(kAlice, "ask_question", 0);
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(*v1, 1);
  EXPECT_EQ(store_->SaveConversation(kAlice, "other", 0).status().code(), StatusCode::kAborted);
  auto v2 = store_->SaveConversation(kAlice, "ask_answer", 1);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, 2);
  EXPECT_EQ(store_->SaveConversation(kAlice, "stale", 1).status().code(), StatusCode::kAborted);
  auto got = store_->GetConversation(kAlice);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->state, "ask_answer");
  EXPECT_EQ((*got)->version, 2);
  ASSERT_TRUE(store_->DeleteConversation(kAlice).ok());
  EXPECT_FALSE(store_->GetConversation(kAlice)->has_value());
}

TEST_P(StoreConformanceTest, ReadModifyWriteWithRetriesLosesNoUpdate) {
  constexpr int kThreads = 6, kIncrements = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        while (true) {
          auto current = store_->GetConversation(kBob);
          ASSERT_TRUE(current.ok());
          const int64_t version = current->has_value() ? (*current)->version : 0;
          const int count = current->has_value() ? std::stoi((*current)->state) : 0;
          auto saved = store_->SaveConversation(kBob, std::to_string(count + 1), version);
          if (saved.ok()) break;
          ASSERT_EQ(saved.status().code(), StatusCode::kAborted) << saved.status();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->GetConversation(kBob)->value().state, std::to_string(kThreads * kIncrements));
}

// ---- event dedup ----

TEST_P(StoreConformanceTest, EventIdsAreProcessedOnceUntilTheyExpire) {
  EXPECT_TRUE(*store_->MarkEventIfNew("Ev01ABC", std::chrono::minutes(60)));
  EXPECT_FALSE(*store_->MarkEventIfNew("Ev01ABC", std::chrono::minutes(60)));
  EXPECT_TRUE(*store_->MarkEventIfNew("Ev02DEF", std::chrono::minutes(60)));
  clock_.Advance(std::chrono::minutes(61));
  EXPECT_TRUE(*store_->MarkEventIfNew("Ev01ABC", std::chrono::minutes(60)));
  EXPECT_EQ(*store_->PurgeExpiredEvents(), 1);  // Ev02DEF
  EXPECT_EQ(store_->MarkEventIfNew("bad id!", std::chrono::minutes(1)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ExactlyOneOfManyConcurrentDeliveriesIsNew) {
  for (int round = 0; round < 5; ++round) {
    const std::string id = "EvRACE" + std::to_string(round);
    std::atomic<int> fresh{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        auto is_new = store_->MarkEventIfNew(id, std::chrono::minutes(10));
        ASSERT_TRUE(is_new.ok()) << is_new.status();
        if (*is_new) ++fresh;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(fresh.load(), 1);
  }
}

// ---- hand-off pacing ----

TEST_P(StoreConformanceTest, HandOffDmsArePacedPerOwnerAcrossProcesses) {
  const auto interval = std::chrono::seconds(10);
  // A second Store on the same database stands for a second process.
  std::unique_ptr<Store> other = OpenStore();
  ASSERT_NE(other, nullptr);
  auto first = store_->ClaimHandoffDm(kAlice, interval);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, std::optional<Store::HandoffClaim>({0, std::nullopt}));
  const int64_t first_at = clock_.UnixMillis();
  EXPECT_EQ(*other->ClaimHandoffDm(kAlice, interval), std::nullopt);
  EXPECT_EQ(*store_->ClaimHandoffDm(kAlice, interval), std::nullopt);
  EXPECT_EQ((*other->ClaimHandoffDm(kBob, interval))->held_back, 0);  // another owner
  clock_.Advance(std::chrono::seconds(9));
  EXPECT_EQ(*other->ClaimHandoffDm(kAlice, interval), std::nullopt);
  clock_.Advance(std::chrono::seconds(1));
  // The next DM says how many waited in between, whichever process held them back.
  EXPECT_EQ(*other->ClaimHandoffDm(kAlice, interval),
            std::optional<Store::HandoffClaim>({3, first_at}));
  const int64_t second_at = clock_.UnixMillis();
  EXPECT_EQ(*store_->ClaimHandoffDm(kAlice, interval), std::nullopt);
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(*store_->ClaimHandoffDm(kAlice, interval),
            std::optional<Store::HandoffClaim>({1, second_at}));
  EXPECT_EQ(store_->ClaimHandoffDm({"T0001", "bad id"}, interval).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, OwnersWithHeldBackHandOffsAreListedUntilTheirNextDm) {
  const auto interval = std::chrono::seconds(10);
  const auto before = [&](std::chrono::seconds ago) {
    return clock_.UnixMillis() - std::chrono::duration_cast<std::chrono::milliseconds>(ago).count();
  };
  const int64_t dm_at = clock_.UnixMillis();
  ASSERT_TRUE((*store_->ClaimHandoffDm(kAlice, interval)).has_value());
  ASSERT_TRUE((*store_->ClaimHandoffDm(kBob, interval)).has_value());
  EXPECT_TRUE(store_->ListHeldBackHandoffs(clock_.UnixMillis() + 1, 10)->empty());  // none held
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(*store_->ClaimHandoffDm(kAlice, interval), std::nullopt);  // held back
  using Held = Store::HeldBackHandoffs;
  const std::vector<Held> alice_held = {Held{kAlice, 1, dm_at}};
  EXPECT_EQ(*store_->ListHeldBackHandoffs(clock_.UnixMillis(), 10), alice_held);
  // Not before the DM that held it back is older than asked.
  EXPECT_TRUE(store_->ListHeldBackHandoffs(before(std::chrono::seconds(5)), 10)->empty());
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(store_->ListHeldBackHandoffs(before(interval), 10)->size(), 1u);
  EXPECT_TRUE(store_->ListHeldBackHandoffs(before(interval), 0)->empty());
  // The next DM tells of them: no longer listed.
  ASSERT_EQ((*store_->ClaimHandoffDm(kAlice, interval))->held_back, 1);
  EXPECT_TRUE(store_->ListHeldBackHandoffs(clock_.UnixMillis() + 1, 10)->empty());

  // Forgotten (settled without a DM): not listed, and the next DM counts none — unless a DM
  // went meanwhile, whose grant counted them.
  const int64_t second_dm_at = clock_.UnixMillis();
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(*store_->ClaimHandoffDm(kAlice, interval), std::nullopt);
  ASSERT_TRUE(store_->ForgetHeldBackHandoffs(kAlice, second_dm_at - 1).ok());  // not that DM
  EXPECT_EQ(store_->ListHeldBackHandoffs(clock_.UnixMillis(), 10)->size(), 1u);
  ASSERT_TRUE(store_->ForgetHeldBackHandoffs(kAlice, second_dm_at).ok());
  EXPECT_TRUE(store_->ListHeldBackHandoffs(clock_.UnixMillis(), 10)->empty());
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ((*store_->ClaimHandoffDm(kAlice, interval))->held_back, 0);
  EXPECT_EQ(store_->ForgetHeldBackHandoffs({"T0001", "bad id"}, 0).code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ExactlyOneOfManyConcurrentHandOffsGetsTheDm) {
  std::unique_ptr<Store> other = OpenStore();
  ASSERT_NE(other, nullptr);
  for (int round = 0; round < 3; ++round) {
    clock_.Advance(std::chrono::minutes(1));
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        Store& store = t % 2 == 0 ? *store_ : *other;
        auto claimed = store.ClaimHandoffDm(kAlice, std::chrono::seconds(10));
        ASSERT_TRUE(claimed.ok()) << claimed.status();
        if (claimed->has_value()) {
          ++granted;
          EXPECT_EQ((*claimed)->held_back,
                    round == 0 ? 0 : 7);  // the other 7 of the previous round
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(granted.load(), 1);
  }
}

// ---- durable inbox ----

NewInboxEvent InboxOf(std::string key, std::string person, std::string payload = "{}") {
  return {std::move(key), "T0001", std::move(person), "events", std::move(payload)};
}

TEST_P(StoreConformanceTest, InboxDropsADuplicateKeyUntilTheHandledEventIsPurged) {
  EXPECT_TRUE(*store_->AddInboxEvent(InboxOf("Ev01", "U0ALICE")));
  EXPECT_FALSE(*store_->AddInboxEvent(InboxOf("Ev01", "U0ALICE", "another body")));
  // Events without a key are never duplicates.
  EXPECT_TRUE(*store_->AddInboxEvent(InboxOf("", "U0BOB")));
  EXPECT_TRUE(*store_->AddInboxEvent(InboxOf("", "U0BOB")));
  EXPECT_EQ(*store_->CountPendingInboxEvents(), 3);

  auto claimed = store_->ClaimInboxEvent("worker-1", std::chrono::seconds(30));
  ASSERT_TRUE(claimed.ok() && claimed->has_value()) << claimed.status();
  EXPECT_EQ((*claimed)->dedup_key, "Ev01");
  EXPECT_EQ((*claimed)->payload, "{}");
  EXPECT_EQ((*claimed)->kind, "events");
  EXPECT_EQ((*claimed)->attempts, 1);
  EXPECT_EQ((*claimed)->received_at, clock_.UnixMillis());
  ASSERT_TRUE(store_->CompleteInboxEvent(**claimed, std::chrono::minutes(15)).ok());
  EXPECT_EQ(*store_->CountPendingInboxEvents(), 2);
  // Handled but kept: a late retry is still a duplicate.
  EXPECT_FALSE(*store_->AddInboxEvent(InboxOf("Ev01", "U0ALICE")));
  EXPECT_EQ(*store_->PurgeInboxEvents(), 0);
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_EQ(*store_->PurgeInboxEvents(), 1);  // unfinished events are never purged
  EXPECT_TRUE(*store_->AddInboxEvent(InboxOf("Ev01", "U0ALICE")));
  EXPECT_EQ(*store_->CountPendingInboxEvents(), 3);

  EXPECT_EQ(store_->AddInboxEvent(InboxOf("bad key!", "U0ALICE")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddInboxEvent({"Ev09", "T0001", "U0ALICE", "", "{}"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store_->AddInboxEvent(InboxOf("Ev10", "U0ALICE", std::string(kMaxInboxPayloadBytes + 1, 'x')))
          .status()
          .code(),
      StatusCode::kResourceExhausted);
}

TEST_P(StoreConformanceTest, InboxHandsOutOnePersonsEventsOneAtATimeOldestFirst) {
  ASSERT_TRUE(*store_->AddInboxEvent(InboxOf("EvA1", "U0ALICE")));
  ASSERT_TRUE(*store_->AddInboxEvent(InboxOf("EvA2", "U0ALICE")));
  ASSERT_TRUE(*store_->AddInboxEvent(InboxOf("EvB1", "U0BOB")));
  const auto lease = std::chrono::seconds(30);
  auto first = store_->ClaimInboxEvent("worker-1", lease);
  auto second = store_->ClaimInboxEvent("worker-2", lease);
  ASSERT_TRUE(first.ok() && first->has_value() && second.ok() && second->has_value());
  EXPECT_EQ((*first)->dedup_key, "EvA1");
  EXPECT_EQ((*second)->dedup_key, "EvB1");  // not EvA2: Alice's EvA1 is being handled
  auto none = store_->ClaimInboxEvent("worker-3", lease);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store_->CompleteInboxEvent(**first, std::chrono::minutes(15)).ok());
  auto third = store_->ClaimInboxEvent("worker-3", lease);
  ASSERT_TRUE(third.ok() && third->has_value());
  EXPECT_EQ((*third)->dedup_key, "EvA2");
  // Given back unhandled: claimable again at once, the attempt not counted.
  ASSERT_TRUE(store_->ReleaseInboxEvent(**third).ok());
  auto again = store_->ClaimInboxEvent("worker-1", lease);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->dedup_key, "EvA2");
  EXPECT_EQ((*again)->attempts, 1);
  EXPECT_EQ(store_->CompleteInboxEvent(**third, lease).code(), StatusCode::kAborted);
}

TEST_P(StoreConformanceTest, InboxEventOfADeadWorkerIsClaimedAfterItsLease) {
  ASSERT_TRUE(*store_->AddInboxEvent(InboxOf("EvA1", "U0ALICE")));
  ASSERT_TRUE(*store_->AddInboxEvent(InboxOf("EvA2", "U0ALICE")));
  const auto lease = std::chrono::seconds(30);
  auto dead = store_->ClaimInboxEvent("worker-1", lease);
  ASSERT_TRUE(dead.ok() && dead->has_value());
  clock_.Advance(std::chrono::seconds(20));
  ASSERT_TRUE(store_->RenewInboxLease(**dead, lease).ok());
  clock_.Advance(std::chrono::seconds(20));  // within the renewed lease
  EXPECT_FALSE(store_->ClaimInboxEvent("worker-2", lease)->has_value());
  clock_.Advance(std::chrono::seconds(11));  // the renewed lease has passed
  auto taken = store_->ClaimInboxEvent("worker-2", lease);
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->dedup_key, "EvA1");  // still before EvA2
  EXPECT_EQ((*taken)->attempts, 2);
  EXPECT_EQ(store_->RenewInboxLease(**dead, lease).code(), StatusCode::kAborted);
  EXPECT_EQ(store_->CompleteInboxEvent(**dead, lease).code(), StatusCode::kAborted);
  ASSERT_TRUE(store_->CompleteInboxEvent(**taken, lease).ok());
  EXPECT_EQ(*store_->CountPendingInboxEvents(), 1);
}

TEST_P(StoreConformanceTest, InboxNeverHandlesOnePersonTwiceAtOnceAcrossStores) {
  // Two Stores on one database stand for two processes; four workers claim from them at once.
  auto other = OpenStore();
  ASSERT_NE(other, nullptr);
  constexpr int kPerPerson = 15;
  const std::vector<std::string> persons = {"U0ALICE", "U0BOB", "U0CAROL"};
  for (int i = 0; i < kPerPerson; ++i) {
    for (const auto& p : persons) {
      ASSERT_TRUE(
          *store_->AddInboxEvent(InboxOf("Ev" + p + std::to_string(i), p, std::to_string(i))));
    }
  }
  std::mutex mu;
  std::map<std::string, int> busy;               // person → workers handling them now
  std::map<std::string, std::vector<int>> seen;  // person → payloads in handling order
  std::atomic<bool> overlap{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    Store& store = w % 2 == 0 ? *store_ : *other;
    workers.emplace_back([&, w] {
      for (;;) {
        auto e = store.ClaimInboxEvent("worker-" + std::to_string(w), std::chrono::minutes(1));
        ASSERT_TRUE(e.ok()) << e.status();
        if (!e->has_value()) {
          std::lock_guard lock(mu);
          size_t done = 0;
          for (const auto& [p, v] : seen) done += v.size();
          if (done == persons.size() * kPerPerson) return;
          std::this_thread::yield();
          continue;
        }
        {
          std::lock_guard lock(mu);
          if (++busy[(*e)->person_id] > 1) overlap = true;
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mu);
          --busy[(*e)->person_id];
          seen[(*e)->person_id].push_back(std::stoi((*e)->payload));
        }
        ASSERT_TRUE(store.CompleteInboxEvent(**e, std::chrono::minutes(15)).ok());
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap.load());
  std::vector<int> in_order(kPerPerson);
  for (int i = 0; i < kPerPerson; ++i) in_order[i] = i;
  for (const auto& p : persons) EXPECT_EQ(seen[p], in_order) << p;
  EXPECT_EQ(*store_->CountPendingInboxEvents(), 0);
}

// ---- outbox ----

std::vector<std::string> PayloadsOf(const Result<std::vector<OutgoingReply>>& claimed) {
  std::vector<std::string> payloads;
  if (claimed.ok()) {
    for (const auto& r : *claimed) payloads.push_back(r.payload);
  }
  return payloads;
}

TEST_P(StoreConformanceTest, OutboxKeepsAReplyUntilItIsDeleted) {
  const auto lease = std::chrono::seconds(30);
  auto id = store_->AddOutgoingReply("C0HELP", "hello", "worker-1", lease);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*store_->CountOutgoingReplies(), 1);
  // Held by its worker: nobody else takes it.
  EXPECT_THAT(PayloadsOf(store_->ClaimOutgoingReplies("worker-2", lease, 10)), ElementsAre());
  ASSERT_TRUE(store_->DeleteOutgoingReply(id->id).ok());
  ASSERT_TRUE(store_->DeleteOutgoingReply(id->id).ok());  // twice: nothing to delete, no error
  EXPECT_EQ(*store_->CountOutgoingReplies(), 0);
  clock_.Advance(std::chrono::minutes(5));
  EXPECT_THAT(PayloadsOf(store_->ClaimOutgoingReplies("worker-2", lease, 10)), ElementsAre());
}

TEST_P(StoreConformanceTest, OutboxRepliesOfADeadWorkerAreClaimedAfterTheirLease) {
  const auto lease = std::chrono::seconds(30);
  ASSERT_TRUE(store_->AddOutgoingReply("C0HELP", "first", "worker-1", lease).ok());
  ASSERT_TRUE(store_->AddOutgoingReply("D:T0001/U0BOB", "second", "worker-1", lease).ok());
  clock_.Advance(std::chrono::seconds(20));
  EXPECT_EQ(*store_->RenewOutgoingReplies("worker-1", lease), 2);
  clock_.Advance(std::chrono::seconds(20));  // within the renewed lease
  EXPECT_THAT(PayloadsOf(store_->ClaimOutgoingReplies("worker-2", lease, 10)), ElementsAre());
  clock_.Advance(std::chrono::seconds(11));  // worker-1 stopped renewing: it died
  auto claimed = store_->ClaimOutgoingReplies("worker-2", lease, 10);
  EXPECT_THAT(PayloadsOf(claimed), ElementsAre("first", "second"));
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ((*claimed)[0].conversation, "C0HELP");
  EXPECT_EQ((*claimed)[0].attempts, 1);
  EXPECT_EQ((*claimed)[1].created_at, (*claimed)[0].created_at);
  // Now worker-2's: its renewals keep them, worker-1's find none.
  EXPECT_EQ(*store_->RenewOutgoingReplies("worker-1", lease), 0);
  EXPECT_EQ(*store_->RenewOutgoingReplies("worker-2", lease), 2);
  EXPECT_THAT(PayloadsOf(store_->ClaimOutgoingReplies("worker-3", lease, 10)), ElementsAre());
}

TEST_P(StoreConformanceTest, OutboxRepliesGivenBackAreClaimedAtOnceInTheirConversationsOrder) {
  const auto lease = std::chrono::seconds(30);
  std::vector<int64_t> ids;
  for (const char* text : {"a1", "a2", "b1", "a3"}) {
    auto id = store_->AddOutgoingReply(text[0] == 'a' ? "C0A" : "C0B", text, "worker-1", lease);
    ASSERT_TRUE(id.ok()) << id.status();
    ids.push_back(id->id);
  }
  // a2 and a3 given back while a1 is still held: they wait for it; b1 is still held.
  ASSERT_TRUE(store_->ReleaseOutgoingReplies({ids[1], ids[3]}).ok());
  EXPECT_THAT(PayloadsOf(store_->ClaimOutgoingReplies("worker-2", lease, 10)), ElementsAre());
  ASSERT_TRUE(store_->ReleaseOutgoingReplies({ids[0], ids[2]}).ok());
  EXPECT_THAT(PayloadsOf(store_->ClaimOutgoingReplies("worker-2", lease, 2)),
              ElementsAre("a1", "a2"));
  auto rest = store_->ClaimOutgoingReplies("worker-2", lease, 10);
  EXPECT_THAT(PayloadsOf(rest), ElementsAre("b1", "a3"));
  ASSERT_TRUE(rest.ok() && rest->size() == 2);
  EXPECT_EQ((*rest)[0].attempts, 1);  // a release does not count the attempt it ended
  EXPECT_EQ(*store_->CountOutgoingReplies(), 4);
}

// Two processes replying in one conversation: while one holds an older reply (waiting out
// Slack's rate limit), the other's newer reply is left to it, so they go out in order.
TEST_P(StoreConformanceTest, OutboxLeavesANewerReplyToTheHolderOfAnOlderOne) {
  const auto lease = std::chrono::seconds(30);
  auto older = store_->AddOutgoingReply("D0ALICE", "first", "worker-1", lease);
  ASSERT_TRUE(older.ok() && older->held);
  auto newer = store_->AddOutgoingReply("D0ALICE", "second", "worker-2", lease);
  ASSERT_TRUE(newer.ok());
  EXPECT_FALSE(newer->held);
  auto elsewhere = store_->AddOutgoingReply("D0BOB", "other", "worker-2", lease);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_TRUE(elsewhere->held);  // another conversation: its own
  auto own = store_->AddOutgoingReply("D0ALICE", "third", "worker-1", lease);
  ASSERT_TRUE(own.ok());
  EXPECT_FALSE(own->held);  // behind "second", which waits to be claimed: claimed after it
  // worker-2 may not take them; worker-1, holding the older one, does, in order.
  EXPECT_THAT(PayloadsOf(store_->ClaimOutgoingReplies("worker-2", lease, 10)), ElementsAre());
  EXPECT_THAT(PayloadsOf(store_->ClaimOutgoingReplies("worker-1", lease, 10)),
              ElementsAre("second", "third"));
  auto next = store_->AddOutgoingReply("D0ALICE", "next", "worker-1", lease);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->held);  // everything before it is worker-1's own: it sends them in order
  // Once the older ones are gone, a reply is its writer's again.
  ASSERT_TRUE(store_->DeleteOutgoingReply(older->id).ok());
  ASSERT_TRUE(store_->DeleteOutgoingReply(newer->id).ok());
  ASSERT_TRUE(store_->DeleteOutgoingReply(own->id).ok());
  ASSERT_TRUE(store_->DeleteOutgoingReply(next->id).ok());
  auto later = store_->AddOutgoingReply("D0ALICE", "fourth", "worker-2", lease);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->held);
}

TEST_P(StoreConformanceTest, OutboxRefusesMalformedAndOversizedReplies) {
  const auto lease = std::chrono::seconds(30);
  EXPECT_EQ(store_->AddOutgoingReply("", "x", "worker-1", lease).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddOutgoingReply("C0HELP", "x", "bad worker", lease).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store_
          ->AddOutgoingReply(std::string(kMaxConversationKeyBytes + 1, 'c'), "x", "worker-1", lease)
          .status()
          .code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(store_
                ->AddOutgoingReply("C0HELP", std::string(kMaxOutgoingReplyBytes + 1, 'x'),
                                   "worker-1", lease)
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(*store_->CountOutgoingReplies(), 0);
  // Any bytes round-trip: the payload is the sender's own encoding.
  const std::string bytes("\0\xff{\"text\":\"\xe2\x9c\x93\"}", 14);
  ASSERT_TRUE(store_
                  ->ReleaseOutgoingReplies(
                      {store_->AddOutgoingReply("C0HELP", bytes, "worker-1", lease)->id})
                  .ok());
  EXPECT_THAT(PayloadsOf(store_->ClaimOutgoingReplies("worker-2", lease, 1)), ElementsAre(bytes));
}

TEST_P(StoreConformanceTest, OutboxNeverHandsOneReplyToTwoWorkersAcrossStores) {
  auto other = OpenStore();
  ASSERT_NE(other, nullptr);
  constexpr int kReplies = 60;
  std::vector<int64_t> ids;
  for (int i = 0; i < kReplies; ++i) {
    auto id = store_->AddOutgoingReply("C0" + std::to_string(i % 7), std::to_string(i), "worker-0",
                                       std::chrono::seconds(30));
    ASSERT_TRUE(id.ok()) << id.status();
    ids.push_back(id->id);
  }
  ASSERT_TRUE(store_->ReleaseOutgoingReplies(ids).ok());
  std::mutex mu;
  std::multiset<std::string> taken;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    Store& store = w % 2 == 0 ? *store_ : *other;
    workers.emplace_back([&, w] {
      for (int round = 0; round < 30; ++round) {
        auto claimed = store.ClaimOutgoingReplies("worker-" + std::to_string(w + 1),
                                                  std::chrono::minutes(1), 3);
        ASSERT_TRUE(claimed.ok()) << claimed.status();
        std::lock_guard lock(mu);
        for (const auto& r : *claimed) taken.insert(r.payload);
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(taken.size(), static_cast<size_t>(kReplies));
  for (const auto& payload : taken) EXPECT_EQ(taken.count(payload), 1u) << payload;
}

// ---- asked questions ----

TEST_P(StoreConformanceTest, AQuestionRecordedWithAKeyIsFoundByIt) {
  auto keyed = store_->RecordQuestion(Asked("wifi?", QuestionOutcome::kAnswered, 3), "k3f9a0c1");
  ASSERT_TRUE(keyed.ok()) << keyed.status();
  ASSERT_TRUE(store_->RecordQuestion(Asked("vpn?")).ok());  // no key
  ASSERT_TRUE(store_->RecordQuestion(Asked("lunch?")).ok());
  auto found = store_->FindQuestionByKey("k3f9a0c1");
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status();
  EXPECT_EQ((*found)->id, keyed->id);
  EXPECT_EQ((*found)->text, "wifi?");
  EXPECT_FALSE(store_->FindQuestionByKey("k0000000")->has_value());
  EXPECT_EQ(store_->RecordQuestion(Asked("again?"), "k3f9a0c1").status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->RecordQuestion(Asked("bad?"), "not a key").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, AQuestionKeepsWhereItsHandoffMessageWasPosted) {
  auto asked = store_->RecordQuestion(Asked("vpn?", QuestionOutcome::kHandedOff));
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_TRUE((*store_->GetQuestion(asked->id))->handoff_ts.empty());
  ASSERT_TRUE(store_->SetHandoffMessage(asked->id, "D0ALICE", "1700000000.000100").ok());
  auto found = store_->GetQuestion(asked->id);
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status();
  EXPECT_EQ((*found)->handoff_channel, "D0ALICE");
  EXPECT_EQ((*found)->handoff_ts, "1700000000.000100");
  // Every read of questions carries it.
  auto waiting = store_->ListUnanswered(asked->owner);
  ASSERT_TRUE(waiting.ok() && waiting->size() == 1u) << waiting.status();
  EXPECT_EQ((*waiting)[0].handoff_ts, "1700000000.000100");
  // A later hand-off's message replaces it.
  ASSERT_TRUE(store_->SetHandoffMessage(asked->id, "D0ALICE", "1700000099.000200").ok());
  EXPECT_EQ((*store_->GetQuestion(asked->id))->handoff_ts, "1700000099.000200");
  // Found again by that message: a reply in its thread answers the question.
  auto by_message =
      store_->FindQuestionByHandoffMessage(asked->owner, "D0ALICE", "1700000099.000200");
  ASSERT_TRUE(by_message.ok() && by_message->has_value()) << by_message.status();
  EXPECT_EQ((*by_message)->id, asked->id);
  EXPECT_FALSE(store_->FindQuestionByHandoffMessage(asked->owner, "D0ALICE", "1700000000.000100")
                   ->has_value());  // replaced
  EXPECT_FALSE(store_->FindQuestionByHandoffMessage(asked->owner, "D0OTHER", "1700000099.000200")
                   ->has_value());
  EXPECT_FALSE(
      store_->FindQuestionByHandoffMessage(kBob, "D0ALICE", "1700000099.000200")->has_value());
  EXPECT_FALSE(store_->FindQuestionByHandoffMessage(asked->owner, "D0ALICE", "")->has_value());
  EXPECT_EQ(store_->SetHandoffMessage(asked->id, "", "1.2").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetHandoffMessage(asked->id + 1000, "D0ALICE", "1.2").code(),
            StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, OwnerActivityCountsQuestionsSinceATime) {
  auto old = store_->RecordQuestion(Asked("old?", QuestionOutcome::kAnswered, 3));
  ASSERT_TRUE(old.ok());
  clock_.Advance(std::chrono::hours(24 * 8));
  const int64_t since = clock_.UnixMillis() - 7LL * 24 * 3600 * 1000;
  auto answered = store_->RecordQuestion(Asked("wifi?", QuestionOutcome::kAnswered, 3));
  auto liked = store_->RecordQuestion(Asked("vpn?", QuestionOutcome::kAnswered, 4));
  auto declined = store_->RecordQuestion(Asked("parking?"));
  auto handed = store_->RecordQuestion(Asked("lunch?", QuestionOutcome::kHandedOff));
  auto other = store_->RecordQuestion(
      {kAlice, kBob, "bob's?", QuestionOutcome::kAnswered, 1, 0.9, "D0ALICE", ""});
  ASSERT_TRUE(answered.ok() && liked.ok() && declined.ok() && handed.ok() && other.ok());
  ASSERT_TRUE(store_->SetQuestionFeedback(answered->id, kBob, Feedback::kDown).ok());
  ASSERT_TRUE(store_->SetQuestionFeedback(liked->id, kBob, Feedback::kUp).ok());
  ASSERT_TRUE(store_->SetQuestionOutcome(handed->id, QuestionOutcome::kResolved, 12).ok());

  auto activity = store_->GetOwnerActivity(kAlice, since);
  ASSERT_TRUE(activity.ok()) << activity.status().ToString();
  EXPECT_EQ(*activity, (OwnerActivity{.asked = 4,
                                      .answered = 2,
                                      .handed_off = 2,
                                      .resolved = 1,
                                      .thumbs_up = 1,
                                      .thumbs_down = 1}));
  EXPECT_EQ(store_->GetOwnerActivity(kAlice, 0)->asked, 5);
  EXPECT_EQ(*store_->GetOwnerActivity({"T0001", "U0NOBODY"}, 0), OwnerActivity{});
}

TEST_P(StoreConformanceTest, UnansweredListsDeclinedHandedOffAndThumbsDown) {
  auto answered = store_->RecordQuestion(
      {kBob, kAlice, "vpn?", QuestionOutcome::kAnswered, 7, 0.91, "D0BOB", ""});
  auto declined = store_->RecordQuestion(Asked("parking?"));
  auto handed = store_->RecordQuestion(Asked("lunch?", QuestionOutcome::kHandedOff));
  auto disliked = store_->RecordQuestion(Asked("wifi?", QuestionOutcome::kAnswered, 3));
  ASSERT_TRUE(answered.ok() && declined.ok() && handed.ok() && disliked.ok());
  EXPECT_EQ(answered->topic_id, 7);
  EXPECT_DOUBLE_EQ(answered->confidence, 0.91);
  EXPECT_EQ(answered->channel, "D0BOB");

  EXPECT_EQ(store_->SetQuestionFeedback(disliked->id, kAlice, Feedback::kDown).status().code(),
            StatusCode::kPermissionDenied);
  // The first press changes the feedback, the same press again does not; another vote does.
  auto changed = [&](int64_t id, Feedback feedback) {
    auto set = store_->SetQuestionFeedback(id, kBob, feedback);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return set.ok() && *set;
  };
  EXPECT_TRUE(changed(disliked->id, Feedback::kDown));
  EXPECT_FALSE(changed(disliked->id, Feedback::kDown));
  EXPECT_TRUE(changed(answered->id, Feedback::kUp));
  EXPECT_TRUE(changed(answered->id, Feedback::kDown));
  EXPECT_TRUE(changed(answered->id, Feedback::kUp));
  EXPECT_EQ(store_->SetQuestionFeedback(12345, kBob, Feedback::kUp).status().code(),
            StatusCode::kNotFound);

  auto unanswered = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(unanswered.ok());
  std::vector<std::string> texts;
  for (const auto& q : *unanswered) texts.push_back(q.text);
  EXPECT_THAT(texts, ElementsAre("parking?", "lunch?", "wifi?"));

  ASSERT_TRUE(store_->SetQuestionOutcome(handed->id, QuestionOutcome::kResolved, 12).ok());
  auto resolved = store_->GetQuestion(handed->id);
  ASSERT_TRUE(resolved.ok() && resolved->has_value());
  EXPECT_EQ((*resolved)->outcome, QuestionOutcome::kResolved);
  EXPECT_EQ((*resolved)->topic_id, 12);
  EXPECT_EQ(store_->ListUnanswered(kAlice)->size(), 2u);
  EXPECT_TRUE(store_->ListUnanswered(kBob)->empty());
  EXPECT_EQ(store_->SetQuestionOutcome(999999, QuestionOutcome::kIgnored, std::nullopt).code(),
            StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ASettledQuestionIsReopenedOnceAndOnlyFromItsTopic) {
  auto handed = store_->RecordQuestion(Asked("where is the wiki", QuestionOutcome::kHandedOff));
  ASSERT_TRUE(handed.ok()) << handed.status();
  // Not settled yet: nothing to reopen.
  EXPECT_FALSE(*store_->ReopenQuestion(handed->id, 7));
  ASSERT_TRUE(*store_->CloseQuestion(handed->id, QuestionOutcome::kResolved, 7));
  EXPECT_FALSE(*store_->ReopenQuestion(handed->id, 8));  // settled as another topic
  auto first = store_->ReopenQuestion(handed->id, 7);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*store_->ReopenQuestion(handed->id, 7));  // a second press changes nothing
  auto stored = store_->GetQuestion(handed->id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->outcome, QuestionOutcome::kHandedOff);
  EXPECT_EQ((*stored)->topic_id, std::nullopt);
  ASSERT_EQ(store_->ListUnanswered(kAlice)->size(), 1u);
  // Back in the queue, it can be settled again.
  EXPECT_TRUE(*store_->CloseQuestion(handed->id, QuestionOutcome::kResolved, 8));
  EXPECT_EQ(store_->ReopenQuestion(999999, 7).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, WhatTheBotAnsweredAsATopicSinceAMomentIsListedAndCanBeReopened) {
  ASSERT_TRUE(store_->RecordQuestion(Asked("guest wifi", QuestionOutcome::kAnswered, 7)).ok());
  clock_.Advance(std::chrono::seconds(5));
  const int64_t since = clock_.UnixMillis();
  auto later = store_->RecordQuestion(Asked("guest wifi?", QuestionOutcome::kAnswered, 7));
  ASSERT_TRUE(later.ok()) << later.status();
  ASSERT_TRUE(store_->RecordQuestion(Asked("parking", QuestionOutcome::kAnswered, 8)).ok());
  auto settled = store_->RecordQuestion(Asked("guest wifi", QuestionOutcome::kHandedOff));
  ASSERT_TRUE(settled.ok());
  ASSERT_TRUE(*store_->CloseQuestion(settled->id, QuestionOutcome::kResolved, 7));
  NewQuestion elsewhere = Asked("guest wifi", QuestionOutcome::kAnswered, 7);
  elsewhere.owner = {"T0001", "U0CAROL"};
  ASSERT_TRUE(store_->RecordQuestion(elsewhere).ok());

  // Only the bot's answers as that topic, of that owner, from then on.
  auto listed = store_->ListAnsweredAs(kAlice, 7, since, 50);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, later->id);
  EXPECT_EQ((*listed)[0].text, "guest wifi?");
  EXPECT_EQ(store_->ListAnsweredAs(kAlice, 7, 0, 50)->size(), 2u);
  EXPECT_EQ(store_->ListAnsweredAs(kAlice, 7, 0, 1)->size(), 1u);

  // Reopened once, as a settled question is; then it waits for the owner.
  EXPECT_FALSE(*store_->ReopenQuestion(later->id, 8));
  EXPECT_TRUE(*store_->ReopenQuestion(later->id, 7));
  EXPECT_FALSE(*store_->ReopenQuestion(later->id, 7));
  EXPECT_TRUE(store_->ListAnsweredAs(kAlice, 7, since, 50)->empty());
  auto unanswered = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(unanswered.ok()) << unanswered.status();
  EXPECT_TRUE(std::any_of(unanswered->begin(), unanswered->end(),
                          [&](const AskedQuestion& q) { return q.id == later->id; }));
}

TEST_P(StoreConformanceTest, QuestionsSettledAsATopicWithinAPeriodAreListed) {
  auto before = store_->RecordQuestion(Asked("guest wifi", QuestionOutcome::kHandedOff));
  auto first = store_->RecordQuestion(Asked("guest wifi?", QuestionOutcome::kHandedOff));
  auto second = store_->RecordQuestion(Asked("wifi for guests", QuestionOutcome::kDeclined));
  auto other = store_->RecordQuestion(Asked("parking", QuestionOutcome::kHandedOff));
  auto answered = store_->RecordQuestion(Asked("wifi", QuestionOutcome::kAnswered, 7));
  ASSERT_TRUE(before.ok() && first.ok() && second.ok() && other.ok() && answered.ok());
  ASSERT_TRUE(*store_->CloseQuestion(before->id, QuestionOutcome::kResolved, 7));
  clock_.Advance(std::chrono::seconds(5));
  const int64_t from = clock_.UnixMillis();
  ASSERT_TRUE(*store_->CloseQuestion(first->id, QuestionOutcome::kResolved, 7));
  ASSERT_TRUE(*store_->CloseQuestion(other->id, QuestionOutcome::kResolved, 8));
  clock_.Advance(std::chrono::seconds(1));
  ASSERT_TRUE(*store_->CloseQuestion(second->id, QuestionOutcome::kResolved, 7));
  const int64_t to = clock_.UnixMillis();
  clock_.Advance(std::chrono::seconds(5));
  auto after = store_->RecordQuestion(Asked("guest network", QuestionOutcome::kHandedOff));
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(*store_->CloseQuestion(after->id, QuestionOutcome::kResolved, 7));

  auto listed = store_->ListSettledAs(kAlice, 7, from, to, 50);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, first->id);
  EXPECT_EQ((*listed)[1].id, second->id);
  EXPECT_EQ(store_->ListSettledAs(kAlice, 7, from, to, 1)->size(), 1u);
  EXPECT_EQ(store_->ListSettledAs(kAlice, 7, 0, clock_.UnixMillis(), 50)->size(), 4u);
  EXPECT_TRUE(store_->ListSettledAs({"T0001", "U0CAROL"}, 7, 0, clock_.UnixMillis(), 50)->empty());
  // Reopened, it is no longer settled.
  ASSERT_TRUE(*store_->ReopenQuestion(first->id, 7));
  EXPECT_EQ(store_->ListSettledAs(kAlice, 7, from, to, 50)->size(), 1u);
}

TEST_P(StoreConformanceTest, AQuestionClosesOnceWhoeverClosesItFirst) {
  auto handed = store_->RecordQuestion(Asked("where is the wiki", QuestionOutcome::kHandedOff));
  ASSERT_TRUE(handed.ok()) << handed.status();
  auto first = store_->CloseQuestion(handed->id, QuestionOutcome::kResolved, 7);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  // A second press, or another process, finds it closed and changes nothing.
  auto second = store_->CloseQuestion(handed->id, QuestionOutcome::kIgnored, 9);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(*second);
  auto stored = store_->GetQuestion(handed->id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->outcome, QuestionOutcome::kResolved);
  EXPECT_EQ((*stored)->topic_id, 7);

  // An answer rated 👎 is open; a plain answered one is not.
  auto answered = store_->RecordQuestion(Asked("hours", QuestionOutcome::kAnswered, 3));
  ASSERT_TRUE(answered.ok());
  EXPECT_FALSE(*store_->CloseQuestion(answered->id, QuestionOutcome::kResolved, 4));
  ASSERT_TRUE(store_->SetQuestionFeedback(answered->id, kBob, Feedback::kDown).ok());
  EXPECT_TRUE(*store_->CloseQuestion(answered->id, QuestionOutcome::kResolved, 4));
  EXPECT_EQ(store_->CloseQuestion(999999, QuestionOutcome::kIgnored, std::nullopt).status().code(),
            StatusCode::kNotFound);

  // Eight concurrent closers: exactly one wins.
  auto contested = store_->RecordQuestion(Asked("parking", QuestionOutcome::kDeclined));
  ASSERT_TRUE(contested.ok());
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto closed = store_->CloseQuestion(contested->id, QuestionOutcome::kResolved, 1);
      if (closed.ok() && *closed) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
}

// What a publish or an amendment returns is what the store holds: the caller installs the model
// it returns and tells askers of its topics without reading them back.
TEST_P(StoreConformanceTest, AStoredPublicationIsWhatReadingItBackGives) {
  Topic wifi = Add(kAlice, "wifi password");
  wifi.content.phrasings = {"how do I get online", "réseau sans fil 🛜"};
  Topic vpn = Add(kAlice, "vpn");
  const auto expect_as_read = [&](const Publication& returned) {
    auto live = store_->GetLivePublication(kAlice, /*with_model=*/true);
    ASSERT_TRUE(live.ok() && live->has_value()) << live.status();
    EXPECT_EQ(returned, **live);
  };
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  NewPublication published = PublicationOf({wifi, vpn}, std::string("model\0bytes", 11));
  published.started_at = 1234;
  auto v1 = store_->CompletePublishJob(Claim(), published);
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_NE(v1->job_id, 0);
  EXPECT_EQ(v1->topics.size(), 2u);
  expect_as_read(*v1);

  wifi.content.phrasings.push_back("can't connect");
  auto v2 = store_->AmendLivePublication(kAlice, 1, PublicationOf({wifi, vpn}, "amended"));
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->job_id, 0);
  expect_as_read(*v2);
}

TEST_P(StoreConformanceTest, AnAmendmentGoesLiveOnlyOnTheVersionItWasBuiltOn) {
  Topic wifi = Add(kAlice, "wifi password");
  Topic draft = Add(kAlice, "a draft nobody publishes");
  // Nothing live yet: an amendment on version 0 makes the first publication.
  NewPublication first = PublicationOf({wifi}, "model-a");
  auto v1 = store_->AmendLivePublication(kAlice, 0, first);
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->job_id, 0);
  EXPECT_EQ(store_->LoadLiveModel(kAlice)->value().model, "model-a");

  // Built on version 1: goes live as version 2; the draft stays out of it.
  Topic learned = wifi;
  learned.content.phrasings.push_back("how do I get online");
  auto v2 = store_->AmendLivePublication(kAlice, 1, PublicationOf({learned}, "model-b"));
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->version, 2);
  auto live = store_->GetLivePublication(kAlice, false);
  ASSERT_TRUE(live.ok() && live->has_value());
  ASSERT_EQ((*live)->topics.size(), 1u);
  EXPECT_EQ((*live)->topics[0].content.phrasings, std::vector<std::string>{"how do I get online"});
  EXPECT_NE((*live)->topics[0].topic_id, draft.id);

  // A stale base (another publish got there first) is refused and stores nothing.
  auto stale = store_->AmendLivePublication(kAlice, 1, PublicationOf({wifi}, "model-c"));
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
  EXPECT_EQ(store_->LoadLiveModel(kAlice)->value().model, "model-b");
  EXPECT_EQ(store_->ListPublications(kAlice)->size(), 2u);
  // An amendment needs a model unless it is empty.
  EXPECT_FALSE(store_->AmendLivePublication(kAlice, 2, PublicationOf({wifi}, "")).ok());
}

// A bot that learns at every press publishes at every press: the history keeps the newest
// kPublicationsKept, versions go on counting, and the live model is the newest.
TEST_P(StoreConformanceTest, OnlyTheNewestPublicationsAreKept) {
  Topic wifi = Add(kAlice, "wifi password");
  Topic bob_topic = Add(kBob, "bob's question");
  ASSERT_TRUE(store_->AmendLivePublication(kBob, 0, PublicationOf({bob_topic}, "bob-1")).ok());
  const int64_t presses = kPublicationsKept + 5;
  for (int64_t v = 1; v <= presses; ++v) {
    auto amended =
        store_->AmendLivePublication(kAlice, v - 1, PublicationOf({wifi}, "m" + std::to_string(v)));
    ASSERT_TRUE(amended.ok()) << amended.status();
    EXPECT_EQ(amended->version, v);
  }
  auto history = store_->ListPublications(kAlice, 100);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(static_cast<int64_t>(history->size()), kPublicationsKept);
  EXPECT_EQ(history->front().version, presses);
  EXPECT_EQ(history->front().status, PublicationStatus::kLive);
  EXPECT_EQ(history->back().version, presses - kPublicationsKept + 1);
  EXPECT_EQ(history->back().topics.size(), 1u);
  EXPECT_EQ(store_->LoadLiveModel(kAlice)->value().model, "m" + std::to_string(presses));
  // Another owner's history is theirs.
  EXPECT_EQ(store_->ListPublications(kBob, 100)->size(), 1u);
  EXPECT_EQ(store_->LoadLiveModel(kBob)->value().model, "bob-1");
}

TEST_P(StoreConformanceTest, APublishBuiltBeforeAnAmendmentIsRefusedAndItsJobStaysClaimed) {
  Topic wifi = Add(kAlice, "wifi password");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  PublishJob job = Claim();
  // The worker read live version 0 and the topics; meanwhile a learned phrasing goes live.
  Topic learned = wifi;
  learned.content.phrasings.push_back("how do I get online");
  ASSERT_TRUE(store_->AmendLivePublication(kAlice, 0, PublicationOf({learned}, "amended")).ok());

  auto late = store_->CompletePublishJob(job, PublicationOf({wifi}, "stale"), 0);
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->LoadLiveModel(kAlice)->value().model, "amended");
  EXPECT_EQ((*store_->GetPublishJob(job.id))->status, JobStatus::kRunning);
  // Retried from the new live version, it goes live.
  auto retried = store_->CompletePublishJob(job, PublicationOf({learned}, "fresh"), 1);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->version, 2);
  EXPECT_EQ(store_->LoadLiveModel(kAlice)->value().model, "fresh");
}

TEST_P(StoreConformanceTest, AnEmptyPublicationTakesTheBotDown) {
  Topic t = Add(kAlice, "first");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  ASSERT_TRUE(store_->CompletePublishJob(Claim(), PublicationOf({t}, "model-v1")).ok());
  ASSERT_TRUE(store_->DeleteAllTopics(kAlice).ok());
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  auto empty = store_->CompletePublishJob(Claim(), PublicationOf({}, ""));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->version, 2);
  EXPECT_TRUE(empty->topics.empty());
  auto model = store_->LoadLiveModel(kAlice);
  ASSERT_TRUE(model.ok());
  EXPECT_FALSE(model->has_value());
}

TEST_P(StoreConformanceTest, OwnerSettingsDefaultToLearningAndPersist) {
  auto defaults = store_->GetOwnerSettings(kAlice);
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_TRUE(defaults->learn);
  ASSERT_TRUE(store_->SetOwnerSettings(kAlice, {.learn = false}).ok());
  EXPECT_FALSE(store_->GetOwnerSettings(kAlice)->learn);
  EXPECT_TRUE(store_->GetOwnerSettings(kBob)->learn);
  ASSERT_TRUE(store_->SetOwnerSettings(kAlice, {.learn = true}).ok());
  auto reopened = OpenStore();
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(reopened->GetOwnerSettings(kAlice)->learn);
  EXPECT_EQ(store_->SetOwnerSettings({"T0001", "not an id!"}, {}).code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ApiTokensAreFoundByHashListedAndRevoked) {
  auto first = store_->AddApiToken(kAlice, "hash-1", "ci");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->owner, kAlice);
  EXPECT_EQ(first->name, "ci");
  EXPECT_EQ(first->created_at, clock_.UnixMillis());
  EXPECT_EQ(first->last_used_at, 0);
  auto second = store_->AddApiToken(kAlice, "hash-2", "");
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(store_->AddApiToken(kBob, "hash-3", "bob").ok());
  EXPECT_EQ(store_->AddApiToken(kBob, "hash-1", "again").status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->AddApiToken(kAlice, "", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store_->AddApiToken(kAlice, "hash-4", std::string(kMaxNameBytes + 1, 'n')).status().code(),
      StatusCode::kInvalidArgument);
  // A form's one-time value makes one token per owner; other owners' keys and no key never
  // collide.
  auto formed = store_->AddApiToken(kAlice, "hash-5", "form", "once-1");
  ASSERT_TRUE(formed.ok()) << formed.status();
  EXPECT_EQ(store_->AddApiToken(kAlice, "hash-6", "form", "once-1").status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_FALSE(store_->FindApiToken("hash-6")->has_value());
  EXPECT_TRUE(store_->AddApiToken(kBob, "hash-7", "form", "once-1").ok());
  EXPECT_EQ(store_->AddApiToken(kAlice, "hash-8", "", std::string(kMaxNameBytes + 1, 'k'))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->RevokeApiToken(kAlice, formed->id).ok());
  ASSERT_TRUE(store_->RevokeApiToken(kBob, store_->FindApiToken("hash-7")->value().id).ok());

  auto found = store_->FindApiToken("hash-1");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, *first);
  EXPECT_FALSE(store_->FindApiToken("hash-9")->has_value());

  ASSERT_TRUE(store_->TouchApiToken(first->id, 1'234).ok());
  auto listed = store_->ListApiTokens(kAlice);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, first->id);
  EXPECT_EQ((*listed)[0].last_used_at, 1'234);
  EXPECT_EQ((*listed)[1], *second);

  // Only the owner revokes, and a revoked token is no longer found.
  EXPECT_EQ(store_->RevokeApiToken(kBob, first->id).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->RevokeApiToken(kAlice, first->id).ok());
  EXPECT_FALSE(store_->FindApiToken("hash-1")->has_value());
  EXPECT_EQ(store_->RevokeApiToken(kAlice, first->id).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListApiTokens(kAlice)->size(), 1u);
}

TEST_P(StoreConformanceTest, ConsoleLinksAreUsedOnceAndOpenSessionsThatExpire) {
  using std::chrono::hours;
  using std::chrono::minutes;
  ASSERT_TRUE(store_->AddConsoleLink(kAlice, "link-1", minutes(15)).ok());
  ASSERT_TRUE(store_->AddConsoleLink(kAlice, "link-2", minutes(15)).ok());
  EXPECT_EQ(store_->AddConsoleLink(kBob, "link-1", minutes(15)).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->AddConsoleLink(kAlice, "", minutes(15)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddConsoleLink(kAlice, "link-3", minutes(0)).code(),
            StatusCode::kInvalidArgument);

  auto opened = store_->RedeemConsoleLink("link-1", "session-1", hours(12));
  ASSERT_TRUE(opened.ok()) << opened.status();
  ASSERT_TRUE(opened->has_value());
  EXPECT_EQ((*opened)->owner, kAlice);
  EXPECT_EQ((*opened)->expires_at, clock_.UnixMillis() + 12 * 3'600'000);
  // Used once: a second redemption opens nothing; nor does an unknown link.
  EXPECT_FALSE(store_->RedeemConsoleLink("link-1", "session-2", hours(12))->has_value());
  EXPECT_FALSE(store_->RedeemConsoleLink("link-9", "session-2", hours(12))->has_value());
  EXPECT_FALSE(store_->FindConsoleSession("session-2")->has_value());

  auto found = store_->FindConsoleSession("session-1");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, (*opened)->id);

  // link-2 expires unused after 15 minutes; session-1 after 12 hours.
  clock_.Advance(minutes(15));
  EXPECT_FALSE(store_->RedeemConsoleLink("link-2", "session-3", hours(12))->has_value());
  clock_.Advance(hours(12) - minutes(15) - std::chrono::milliseconds(1));
  EXPECT_TRUE(store_->FindConsoleSession("session-1")->has_value());
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(store_->FindConsoleSession("session-1")->has_value());
  EXPECT_EQ(*store_->PurgeExpiredConsoleSignIns(), 3);  // two links, one session
}

TEST_P(StoreConformanceTest, ExactlyOneOfManyConcurrentRedeemersOfALinkSignsIn) {
  for (int round = 0; round < 3; ++round) {
    const std::string link = "race-link-" + std::to_string(round);
    ASSERT_TRUE(store_->AddConsoleLink(kAlice, link, std::chrono::minutes(15)).ok());
    std::atomic<int> signed_in{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        auto opened = store_->RedeemConsoleLink(link, link + "-session-" + std::to_string(t),
                                                std::chrono::hours(12));
        ASSERT_TRUE(opened.ok()) << opened.status();
        if (opened->has_value()) ++signed_in;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(signed_in.load(), 1);
  }
}

TEST_P(StoreConformanceTest, ConsoleSessionsAreRevokedOneOrAllOfAnOwner) {
  using std::chrono::hours;
  for (const char* n : {"1", "2", "3"}) {
    ASSERT_TRUE(store_->AddConsoleLink(kAlice, std::string("link-") + n, hours(1)).ok());
    ASSERT_TRUE(
        store_->RedeemConsoleLink(std::string("link-") + n, std::string("alice-") + n, hours(12))
            ->has_value());
  }
  ASSERT_TRUE(store_->AddConsoleLink(kBob, "link-bob", hours(1)).ok());
  ASSERT_TRUE(store_->RedeemConsoleLink("link-bob", "bob-1", hours(12))->has_value());
  ASSERT_TRUE(store_->AddConsoleLink(kAlice, "link-unused", hours(1)).ok());

  ASSERT_TRUE(store_->RevokeConsoleSession("alice-1").ok());
  EXPECT_FALSE(store_->FindConsoleSession("alice-1")->has_value());
  EXPECT_TRUE(store_->FindConsoleSession("alice-2")->has_value());
  EXPECT_TRUE(store_->RevokeConsoleSession("nobody").ok());

  EXPECT_EQ(*store_->RevokeConsoleSessions(kAlice), 2);
  EXPECT_FALSE(store_->FindConsoleSession("alice-2")->has_value());
  EXPECT_FALSE(store_->FindConsoleSession("alice-3")->has_value());
  EXPECT_FALSE(store_->RedeemConsoleLink("link-unused", "alice-4", hours(12))->has_value());
  EXPECT_TRUE(store_->FindConsoleSession("bob-1")->has_value());
}

TEST_P(StoreConformanceTest, CountsAnOwnersActivePublishJobs) {
  EXPECT_EQ(*store_->CountActivePublishJobs(kAlice), 0);
  const Topic topic = Add(kAlice, "where is the wifi password?");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  EXPECT_EQ(*store_->CountActivePublishJobs(kAlice), 1);
  EXPECT_EQ(*store_->CountActivePublishJobs(kBob), 0);
  const PublishJob job = Claim();
  EXPECT_EQ(*store_->CountActivePublishJobs(kAlice), 1);  // running
  ASSERT_TRUE(store_->CompletePublishJob(job, PublicationOf({topic})).ok());
  EXPECT_EQ(*store_->CountActivePublishJobs(kAlice), 0);
}

TEST_P(StoreConformanceTest, CountsEveryOwnersActivePublishJobs) {
  EXPECT_EQ(*store_->CountActivePublishJobs(), 0);
  const Topic topic = Add(kAlice, "where is the wifi password?");
  const Topic bob_topic = Add(kBob, "where is the printer?");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());  // coalesced: still one job
  ASSERT_TRUE(store_->EnqueuePublish(kBob).ok());
  EXPECT_EQ(*store_->CountActivePublishJobs(), 2);
  const PublishJob job = Claim();
  EXPECT_EQ(*store_->CountActivePublishJobs(), 2);  // one running, one pending
  ASSERT_TRUE(
      store_->CompletePublishJob(job, PublicationOf({job.owner == kAlice ? topic : bob_topic}))
          .ok());
  EXPECT_EQ(*store_->CountActivePublishJobs(), 1);
}

TEST_P(StoreConformanceTest, WatchedChannelsAreAddedListedAndRemoved) {
  auto added = store_->WatchChannel(kAlice, "C0HELP");
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_TRUE(*added);
  const int64_t first_at = clock_.UnixMillis();
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(*store_->WatchChannel(kBob, "C0HELP"));  // already watched: kept as it was
  ASSERT_TRUE(*store_->WatchChannel(kBob, "G0PRIVATE"));
  ASSERT_TRUE(*store_->WatchChannel({"T0002", "U0CAROL"}, "C0HELP"));

  auto got = store_->GetWatchedChannel("T0001", "C0HELP");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, (WatchedChannel{"T0001", "C0HELP", "U0ALICE", first_at}));
  EXPECT_FALSE(store_->GetWatchedChannel("T0001", "C0OTHER")->has_value());

  auto listed = store_->ListWatchedChannels("T0001");
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].channel, "C0HELP");
  EXPECT_EQ((*listed)[1].channel, "G0PRIVATE");
  EXPECT_EQ((*listed)[1].watched_by, "U0BOB");

  EXPECT_TRUE(*store_->UnwatchChannel("T0001", "C0HELP"));
  EXPECT_FALSE(*store_->UnwatchChannel("T0001", "C0HELP"));
  EXPECT_FALSE(store_->GetWatchedChannel("T0001", "C0HELP")->has_value());
  // Another workspace's channel of the same id stays watched.
  EXPECT_TRUE(store_->GetWatchedChannel("T0002", "C0HELP")->has_value());
  EXPECT_EQ(store_->WatchChannel(kAlice, "not a channel!").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, QuestionsAreFoundByTheirThread) {
  EXPECT_FALSE(*store_->HasQuestionInThread("T0001", "C0HELP", "1700000000.000100"));
  NewQuestion q = Asked("where is the wiki?", QuestionOutcome::kAnswered);
  q.channel = "C0HELP";
  q.thread_ts = "1700000000.000100";
  ASSERT_TRUE(store_->RecordQuestion(q).ok());
  auto found = store_->HasQuestionInThread("T0001", "C0HELP", "1700000000.000100");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(*found);
  EXPECT_FALSE(*store_->HasQuestionInThread("T0001", "C0HELP", "1700000000.000200"));
  EXPECT_FALSE(*store_->HasQuestionInThread("T0001", "C0OTHER", "1700000000.000100"));
  EXPECT_FALSE(*store_->HasQuestionInThread("T0002", "C0HELP", "1700000000.000100"));
}

// ---- Slack installations ----

Installation Installed(std::string team, std::string enterprise, bool org_wide, std::string token) {
  Installation i;
  i.team_id = std::move(team);
  i.enterprise_id = std::move(enterprise);
  i.is_enterprise_install = org_wide;
  i.app_id = "A0FAQBOT";
  i.bot_user_id = "U0BOT" + i.team_id;
  i.bot_id = "B0BOT";
  i.scopes = "chat:write,commands";
  i.sealed_bot_token = std::move(token);
  i.installer_id = "U0ADMIN";
  i.installed_at = 1700000000000;
  return i;
}

TEST_P(StoreConformanceTest, InstallationsAreFoundByTeamThenByOrganisation) {
  // Sealed tokens are bytes, not text.
  const std::string sealed_a("\x00\xff sealed-a", 11);
  ASSERT_TRUE(store_->SaveInstallation(Installed("T0001", "", false, sealed_a)).ok());
  ASSERT_TRUE(store_->SaveInstallation(Installed("", "E0001", true, "sealed-org")).ok());
  ASSERT_TRUE(store_->SaveInstallation(Installed("T0003", "E0001", false, "sealed-c")).ok());

  auto a = store_->FindInstallation("T0001", "");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(**a, Installed("T0001", "", false, sealed_a));
  // A workspace of the organisation without an install of its own: the org-wide one.
  auto b = store_->FindInstallation("T0002", "E0001");
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->sealed_bot_token, "sealed-org");
  EXPECT_TRUE((*b)->is_enterprise_install);
  EXPECT_EQ((*b)->team_id, "");
  // Its own install wins over the organisation's.
  EXPECT_EQ((*store_->FindInstallation("T0003", "E0001"))->sealed_bot_token, "sealed-c");
  EXPECT_FALSE(store_->FindInstallation("T0002", "")->has_value());
  EXPECT_FALSE(store_->FindInstallation("T0009", "E0009")->has_value());
  EXPECT_EQ(store_->ListInstallations()->size(), 3u);

  // Installing again replaces.
  ASSERT_TRUE(store_->SaveInstallation(Installed("T0001", "", false, "sealed-a2")).ok());
  EXPECT_EQ((*store_->FindInstallation("T0001", ""))->sealed_bot_token, "sealed-a2");
  EXPECT_EQ(store_->ListInstallations()->size(), 3u);

  EXPECT_EQ(store_->SaveInstallation(Installed("", "", false, "x")).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SaveInstallation(Installed("", "", true, "x")).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SaveInstallation(Installed("T0004", "", false, "")).code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, AWorkspacesOrganisationIsRecordedForEveryProcess) {
  ASSERT_TRUE(store_->SaveInstallation(Installed("", "E0001", true, "sealed-org")).ok());
  ASSERT_TRUE(store_->SaveInstallation(Installed("", "E0002", true, "sealed-org-2")).ok());
  EXPECT_FALSE(store_->FindInstallation("T0002", "")->has_value());

  ASSERT_TRUE(store_->NoteWorkspaceEnterprise("T0002", "E0001").ok());
  // Another process on the same database, which has seen no event of T0002.
  auto other = Store::Open(db_->url(), clock_);
  ASSERT_TRUE(other.ok()) << other.status();
  auto found = (*other)->FindInstallation("T0002", "");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->sealed_bot_token, "sealed-org");
  // An organisation named by the caller wins over the recorded one.
  EXPECT_EQ((*(*other)->FindInstallation("T0002", "E0002"))->sealed_bot_token, "sealed-org-2");

  // Recorded again: replaced.
  ASSERT_TRUE(store_->NoteWorkspaceEnterprise("T0002", "E0002").ok());
  EXPECT_EQ((*store_->FindInstallation("T0002", ""))->sealed_bot_token, "sealed-org-2");
  // Without an installation of the organisation: none.
  ASSERT_TRUE(store_->NoteWorkspaceEnterprise("T0003", "E0009").ok());
  EXPECT_FALSE(store_->FindInstallation("T0003", "")->has_value());
  EXPECT_FALSE(store_->FindInstallation("T0004", "")->has_value());

  EXPECT_EQ(store_->NoteWorkspaceEnterprise("", "E0001").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->NoteWorkspaceEnterprise("T0002", "").code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, UninstallDeletesTheInstallationButKeepsTopics) {
  const UserRef owner{"T0001", "U0ALICE"};
  Add(owner, "where is the wiki?");
  ASSERT_TRUE(store_->SaveInstallation(Installed("T0001", "", false, "sealed-a")).ok());
  ASSERT_TRUE(store_->SaveInstallation(Installed("", "E0001", true, "sealed-org")).ok());

  EXPECT_TRUE(*store_->DeleteInstallation("T0001", ""));
  EXPECT_FALSE(*store_->DeleteInstallation("T0001", ""));
  EXPECT_FALSE(store_->FindInstallation("T0001", "")->has_value());
  EXPECT_EQ(*store_->CountTopics(owner), 1);
  // The organisation's install is deleted by the organisation, not by one of its workspaces.
  EXPECT_FALSE(*store_->DeleteInstallation("T0002", "E0001"));
  EXPECT_TRUE(store_->FindInstallation("T0002", "E0001")->has_value());
  EXPECT_TRUE(*store_->DeleteInstallation("", "E0001"));
  EXPECT_FALSE(store_->FindInstallation("T0002", "E0001")->has_value());
  EXPECT_TRUE(store_->ListInstallations()->empty());
}

TEST_P(StoreConformanceTest, OAuthStatesAreGoodOnceAndExpire) {
  using std::chrono::minutes;
  ASSERT_TRUE(store_->AddOAuthState("state-1", minutes(10)).ok());
  ASSERT_TRUE(store_->AddOAuthState("state-2", minutes(10)).ok());
  EXPECT_EQ(store_->AddOAuthState("state-1", minutes(10)).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->AddOAuthState("", minutes(10)).code(), StatusCode::kInvalidArgument);

  auto first = store_->ConsumeOAuthState("state-1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*store_->ConsumeOAuthState("state-1"));  // used
  EXPECT_FALSE(*store_->ConsumeOAuthState("state-9"));  // never issued

  clock_.Advance(minutes(11));
  EXPECT_FALSE(*store_->ConsumeOAuthState("state-2"));  // expired
}

TEST_P(StoreConformanceTest, ExactlyOneOfManyConcurrentCallersConsumesAState) {
  ASSERT_TRUE(store_->AddOAuthState("state-race", std::chrono::minutes(10)).ok());
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto consumed = store_->ConsumeOAuthState("state-race");
      EXPECT_TRUE(consumed.ok()) << consumed.status();
      if (consumed.ok() && *consumed) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreConformanceTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const auto& info) { return testing::EngineName(info.param); });

}  // namespace
}  // namespace faqbot::store
