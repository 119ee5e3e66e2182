// The assistant end to end below the chat layer: real SQLite, the real engine and concierge
// model, a TrainingQueue on a ManualExecutor, and a Messenger that records what was said.
#include "assistant/assistant.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "assistant/assistant_internal.h"
#include "assistant/recording_messenger.h"
#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "nlu/test_support.h"
#include "test_database.h"

namespace faqbot::assistant {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

const store::UserRef kAlice{"T0001", "U0ALICE"};
const store::UserRef kBob{"T0001", "U0BOB"};
const store::UserRef kCarol{"T0001", "U0CAROL"};
const store::UserRef kDave{"T0001", "U0DAVE"};
const store::UserRef kEve{"T0001", "U0EVE"};
constexpr const char* kBot = "U0FAQBOT";

class AssistantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    messenger_.SetName(kAlice, "Alice");
    messenger_.SetName(kBob, "Bob");
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    OpenAll();
  }
  void TearDown() override { CloseAll(); }

  // Everything a process holds; CloseAll + OpenAll is a restart.
  void OpenAll() {
    auto store = store::Store::Open(database_.url(), clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    auto lexicon = nlu::testing::BuiltLexicon();
    auto concierge = ConciergeNlu::Create(lexicon);
    ASSERT_TRUE(concierge.ok());
    concierge_ = std::move(concierge).value();
    registry_ = std::make_unique<ModelRegistry>(
        lexicon, [this](const OwnerKey& owner) { return store_->LoadLiveModel(owner); });
    TrainingQueue::Callbacks callbacks;
    callbacks.published = [this](const store::Publication& p) { assistant_->OnPublished(p); };
    callbacks.failed = [this](const store::PublishJob& j, const std::string& e) {
      assistant_->OnPublishFailed(j, e);
    };
    training_ =
        std::make_unique<TrainingQueue>(*store_, *registry_, lexicon, executor_, clock_, callbacks);
    workspace_ = std::make_unique<WorkspaceIndex>(lexicon);
    ASSERT_TRUE(FollowPublications(*store_, *workspace_).ok());
    assistant_ = std::make_unique<Assistant>(*store_, messenger_, *registry_, *training_,
                                             *concierge_, clock_, options_, workspace_.get());
    // As the server wires Slack's messenger: a hand-off DM's place is kept with its question.
    messenger_.OnPosted(
        [this](const std::string& key, const std::string& channel, const std::string& ts) {
          assistant_->MessagePosted(key, channel, ts);
        });
  }
  void CloseAll() {
    training_.reset();
    assistant_.reset();
    store_.reset();
    workspace_.reset();
    registry_.reset();
    concierge_.reset();
    store_.reset();
  }

  // Sends a DM and returns what the assistant said back (all replies, joined); with
  // `thread_ts`, a reply in the DM's thread of the message posted then.
  std::string Dm(const store::UserRef& from, const std::string& text,
                 const std::string& thread_ts = "") {
    const size_t before = messenger_.sent().size();
    UserMessage m;
    m.surface = UserMessage::Surface::kDirect;
    m.from = from;
    m.text = text;
    m.channel = "D" + from.user_id;
    if (!thread_ts.empty()) {
      m.ts = "1800000000.000001";
      m.thread_ts = thread_ts;
    }
    m.bot_user_id = kBot;
    assistant_->HandleMessage(m);
    return Since(before);
  }
  std::string Press(const store::UserRef& from, const std::string& action,
                    const std::string& value = "") {
    return PressIn(from, action, value, "D" + from.user_id, "1.0");
  }
  // A press on the message `ts` in `channel` (a channel others read, or a DM).
  std::string PressIn(const store::UserRef& from, const std::string& action,
                      const std::string& value, const std::string& channel, const std::string& ts) {
    const size_t before = messenger_.sent().size();
    assistant_->HandleButton({from, action, value, channel, ts, "", ""});
    return Since(before);
  }
  std::string Since(size_t before) {
    std::string out;
    const auto sent = messenger_.sent();
    for (size_t i = before; i < sent.size(); ++i) out += sent[i].text;
    return out;
  }
  RecordingMessenger::Sent Last() { return messenger_.sent().back(); }
  // `asker` asks Alice `question`; returns Alice's newest hand-off DM ("… asked you: …") after it.
  RecordingMessenger::Sent AskAliceHandedOff(const store::UserRef& asker,
                                             const std::string& question);
  // How many hand-off DMs ("… asked you: …") `owner` got.
  int HandOffDmsTo(const store::UserRef& owner) {
    int n = 0;
    for (const auto& s : messenger_.sent()) {
      if (s.to.user == owner && s.text.find("asked you:") != std::string::npos) ++n;
    }
    return n;
  }
  // The latest replacement of a message (a pressed one-shot button's message).
  RecordingMessenger::Sent LastUpdate() {
    const auto sent = messenger_.sent();
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      if (it->to.kind == Destination::Kind::kUpdate) return *it;
    }
    ADD_FAILURE() << "no message was updated";
    return {};
  }
  // The latest message sent directly to `user`.
  RecordingMessenger::Sent LastDirectTo(const store::UserRef& user) {
    const auto sent = messenger_.sent();
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      if (it->to.kind == Destination::Kind::kDirect && it->to.user == user) return *it;
    }
    ADD_FAILURE() << "nothing was sent to " << user.user_id;
    return {};
  }
  // The value of the newest *It's …* hand-off button whose label has `words`.
  std::string ItsTopicButton(const std::string& words) {
    const auto sent = messenger_.sent();
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      for (const auto& b : it->reply.buttons) {
        if (b.action == "handoff_topic" && b.label.find(words) != std::string::npos) return b.value;
      }
    }
    return "";
  }
  // The value of the button with `action` in the last reply to `who`'s DM or direct messages.
  std::string ButtonValue(const std::string& action) {
    const auto sent = messenger_.sent();
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      for (const auto& b : it->reply.buttons) {
        if (b.action == action) return b.value;
      }
      for (const auto& item : it->reply.items) {
        for (const auto& b : item.buttons) {
          if (b.action == action) return b.value;
        }
      }
    }
    return "";
  }
  void Teach(const std::string& question, const std::string& answer) {
    EXPECT_THAT(Press(kAlice, "add_topic"), HasSubstr("What question should I expect?"));
    EXPECT_THAT(Dm(kAlice, question), HasSubstr("What answer should I provide?"));
    EXPECT_THAT(Dm(kAlice, answer), HasSubstr("Topic added, Alice"));
  }
  void Publish() {
    EXPECT_THAT(Dm(kAlice, "publish"), HasSubstr("Are you sure you want to publish"));
    EXPECT_THAT(Press(kAlice, "affirm"), HasSubstr("will be published shortly"));
    const size_t before = messenger_.sent().size();
    executor_.RunAll();
    EXPECT_THAT(Since(before), HasSubstr("topics are now published"));
  }

  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  FakeClock clock_;
  ManualExecutor executor_;
  RecordingMessenger messenger_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ConciergeNlu> concierge_;
  std::unique_ptr<ModelRegistry> registry_;
  std::unique_ptr<TrainingQueue> training_;
  std::unique_ptr<WorkspaceIndex> workspace_;
  AssistantOptions options_;
  std::unique_ptr<Assistant> assistant_;
};

TEST_F(AssistantTest, AliceTeachesListsAndPublishesThenBobGetsHerAnswers) {
  const std::string hello = Dm(kAlice, "hi");
  EXPECT_THAT(hello, HasSubstr("Hey, Alice! How can I help?"));
  EXPECT_THAT(hello, HasSubstr("[Add a topic]"));

  Teach("what is the wifi password?", "It's on the fridge.");
  // Free text starts the same flow.
  EXPECT_THAT(Dm(kAlice, "hey, add a new topic"), HasSubstr("What question should I expect?"));
  EXPECT_THAT(Dm(kAlice, "how do I set up the VPN on my laptop"), HasSubstr("What answer"));
  EXPECT_THAT(Dm(kAlice, "Install the Acme client and sign in."), HasSubstr("Topic added"));
  Teach("where can visitors park?", "Level -2 of the garage.");

  std::string list = Dm(kAlice, "show my topics");
  EXPECT_THAT(list, HasSubstr("🅾 what is the wifi password?"));
  EXPECT_THAT(list, HasSubstr("(0 of 3 live)"));

  Publish();
  const auto& published_dm = Last();
  EXPECT_EQ(published_dm.to.kind, Destination::Kind::kDirect);
  EXPECT_EQ(published_dm.to.user, kAlice);
  EXPECT_THAT(published_dm.text, HasSubstr("now answers 3 topics"));

  list = Dm(kAlice, "show my topics");
  EXPECT_THAT(list, HasSubstr("✅ what is the wifi password?"));
  EXPECT_THAT(list, HasSubstr("(3 of 3 live)"));

  // Bob, in his DM, in other words.
  std::string answer = Dm(kBob, "ask <@U0ALICE> what's the guest wifi password");
  EXPECT_THAT(answer, HasSubstr("<@U0ALICE> says - It's on the fridge."));
  EXPECT_THAT(answer, HasSubstr("[👍 Helpful]"));
  // In a channel, answered in the thread of the mention.
  UserMessage mention;
  mention.surface = UserMessage::Surface::kMention;
  mention.from = kBob;
  mention.text = "<@U0FAQBOT> ask <@U0ALICE> where do visitors park";
  mention.channel = "C0GENERAL";
  mention.ts = "1700000000.000100";
  mention.bot_user_id = kBot;
  assistant_->HandleMessage(mention);
  EXPECT_THAT(Last().text, HasSubstr("<@U0ALICE> says - Level -2 of the garage."));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kChannel);
  EXPECT_EQ(Last().to.thread_ts, "1700000000.000100");
  // By slash command, through the response URL.
  UserMessage command;
  command.surface = UserMessage::Surface::kCommand;
  command.from = kBob;
  command.text = "<@U0ALICE|alice> vpn setup on a laptop";
  command.channel = "C0GENERAL";
  command.response_url = "https://hooks.example/commands/1";
  assistant_->HandleMessage(command);
  EXPECT_THAT(Last().text, HasSubstr("Install the Acme client"));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kResponse);
  EXPECT_EQ(Last().to.response_url, "https://hooks.example/commands/1");
}

// Asks are counted by outcome and surface once their replies are handed over, and timed from the
// event's arrival when a Slack event is being handled (the router's log context says when).
TEST_F(AssistantTest, AsksAreCountedByOutcomeAndSurfaceAndTimedFromTheEventsArrival) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const metrics::FaqbotMetrics& m = metrics::Faqbot();
  auto count = [&](std::string_view outcome, std::string_view surface) {
    return m.asks.With({outcome, surface}).value();
  };
  const uint64_t answered = count("answered", "dm");
  const uint64_t handed_off = count("handed_off", "dm");
  const uint64_t declined = count("declined", "dm");
  const uint64_t everyone = count("declined", "everyone");
  const uint64_t timed = m.ask_seconds.With({"dm"}).count();
  const double seconds = m.ask_seconds.With({"dm"}).sum();

  {
    LogContext event;
    event.event_id = "Ev1";
    event.arrived = clock_.Now();
    ScopedLogContext context(event);
    clock_.Advance(std::chrono::milliseconds(250));  // waited in the inbox
    EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> what's the wifi password"), HasSubstr("fridge"));
  }
  EXPECT_EQ(count("answered", "dm"), answered + 1);
  EXPECT_EQ(m.ask_seconds.With({"dm"}).count(), timed + 1);
  EXPECT_DOUBLE_EQ(m.ask_seconds.With({"dm"}).sum(), seconds + 0.25);

  Dm(kBob, "ask <@U0ALICE> who waters the plants?");
  EXPECT_EQ(count("handed_off", "dm"), handed_off + 1);
  Dm(kAlice, "ask <@U0ALICE> who waters the plants?");  // her own bot: nobody else to ask
  EXPECT_EQ(count("declined", "dm"), declined + 1);
  Dm(kBob, "ask who won the football last night?");  // of everyone: nobody knows
  EXPECT_EQ(count("declined", "everyone"), everyone + 1);
  // Outside a Slack event (the shell) nothing says when it arrived: counted, not timed.
  EXPECT_EQ(m.ask_seconds.With({"dm"}).count(), timed + 1);
  // Not asks: the concierge dialogue.
  const uint64_t all_answered = count("answered", "dm");
  Dm(kAlice, "show my topics");
  EXPECT_EQ(count("answered", "dm"), all_answered);
}

TEST_F(AssistantTest, PublishLeavesOutImportedTopicsWithoutAnAnswerAndSaysSo) {
  Teach("what is the wifi password?", "It's on the fridge.");
  ASSERT_TRUE(
      store_->AddTopic(kAlice, {"where can visitors park?", {}, "", "visitor_parking"}).ok());
  EXPECT_THAT(Press(kAlice, "list_topics"), HasSubstr("needs an answer"));
  EXPECT_THAT(Dm(kAlice, "publish"),
              HasSubstr("publish 1 topic? 1 topic needs an answer and stays out of it."));
  EXPECT_THAT(Press(kAlice, "affirm"), HasSubstr("will be published shortly"));
  const size_t before = messenger_.sent().size();
  executor_.RunAll();
  EXPECT_THAT(Since(before), HasSubstr("Your bot now answers 1 topic instead of you. 1 topic "
                                       "needs an answer and stays out of it."));
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> where can visitors park?"), Not(HasSubstr("says -")));
}

TEST_F(AssistantTest, AnAnswerItGivenUpGivesTheHandoffDmItsButtonsBack) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> when is the company picnic this year");
  const std::string bob_question = ButtonValue("handoff_answer");
  clock_.Advance(std::chrono::seconds(11));  // each hand-off gets its own DM
  Dm(kCarol, "ask <@U0ALICE> can I bring my dog to work");
  const std::string carol_question = ButtonValue("handoff_answer");
  ASSERT_FALSE(bob_question.empty());
  ASSERT_FALSE(carol_question.empty());
  ASSERT_NE(bob_question, carol_question);
  // *Answer it* on Bob's DM, then typed *cancel*: the DM offers its buttons again.
  PressIn(kAlice, "handoff_answer", bob_question, "DU0ALICE", "1700000000.000010");
  EXPECT_THAT(LastUpdate().text, HasSubstr("is answering it"));
  EXPECT_THAT(Dm(kAlice, "cancel"), HasSubstr("Ok, cancelled."));
  RecordingMessenger::Sent restored = LastUpdate();
  EXPECT_EQ(restored.to.ts, "1700000000.000010");
  EXPECT_THAT(restored.text, HasSubstr("<@U0BOB> asked you: when is the company picnic"));
  ASSERT_FALSE(restored.reply.buttons.empty());
  EXPECT_EQ(restored.reply.buttons.front().action, "handoff_answer");
  EXPECT_EQ(restored.reply.buttons.back().action, "handoff_ignore");
  // *Answer it* on Bob's, then on Carol's: Bob's gets its buttons back; the typed answer goes
  // to Carol, and Bob's question still waits.
  EXPECT_THAT(PressIn(kAlice, "handoff_answer", bob_question, "DU0ALICE", "1700000000.000010"),
              HasSubstr("What answer should I give to when is the company picnic"));
  const size_t before = messenger_.sent().size();
  PressIn(kAlice, "handoff_answer", carol_question, "DU0ALICE", "1700000000.000011");
  bool bob_restored = false;
  const auto sent = messenger_.sent();
  for (size_t i = before; i < sent.size(); ++i) {
    const auto& s = sent[i];
    bob_restored |= s.to.kind == Destination::Kind::kUpdate && s.to.ts == "1700000000.000010" &&
                    s.text.find("when is the company picnic") != std::string::npos &&
                    !s.reply.buttons.empty();
  }
  EXPECT_TRUE(bob_restored) << Since(before);
  EXPECT_THAT(Dm(kAlice, "Only small dogs, on Fridays."), HasSubstr("Topic added"));
  EXPECT_THAT(LastDirectTo(kCarol).text, HasSubstr("Only small dogs"));
  EXPECT_THAT(Dm(kAlice, "unanswered questions"), HasSubstr("when is the company picnic"));
}

TEST_F(AssistantTest, AnUnknownQuestionIsHandedToTheOwnerAndHerAnswerReachesTheAsker) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const std::string reply = Dm(kBob, "ask <@U0ALICE> when is the company picnic this year");
  EXPECT_THAT(reply, HasSubstr("I don't know that one yet — I've asked <@U0ALICE>"));
  const auto& handoff = LastDirectTo(kAlice);
  EXPECT_THAT(handoff.text, HasSubstr("<@U0BOB> asked you: when is the company picnic this year"));
  const std::string question_id = ButtonValue("handoff_answer");
  ASSERT_FALSE(question_id.empty());

  EXPECT_THAT(Dm(kAlice, "show unanswered questions"),
              HasSubstr("when is the company picnic this year"));
  EXPECT_THAT(Press(kBob, "handoff_answer", question_id), HasSubstr("Only the person"));
  EXPECT_THAT(Press(kAlice, "handoff_answer", question_id), HasSubstr("What answer should I give"));
  EXPECT_THAT(LastUpdate().text, HasSubstr("<@U0ALICE> is answering it"));
  EXPECT_TRUE(LastUpdate().reply.buttons.empty());
  const std::string done = Dm(kAlice, "June 12th, in the park.");
  EXPECT_THAT(done, HasSubstr("Topic added"));
  EXPECT_THAT(done, HasSubstr("<@U0ALICE> says - June 12th, in the park."));
  bool bob_told = false;
  for (const auto& s : messenger_.sent()) {
    if (s.to.user == kBob && s.text.find("June 12th") != std::string::npos) bob_told = true;
  }
  EXPECT_TRUE(bob_told);
  EXPECT_THAT(Dm(kAlice, "unanswered questions"), HasSubstr("No questions are waiting"));
  // Learning is on by default: the answer is live at once, without a publish, and the
  // hand-off DM now says what was done, without buttons.
  EXPECT_THAT(done, HasSubstr("It's live"));
  const auto& updated = LastUpdate();
  EXPECT_EQ(updated.to.ts, "1.0");
  EXPECT_THAT(updated.text, HasSubstr("<@U0ALICE> answered: June 12th, in the park."));
  EXPECT_TRUE(updated.reply.buttons.empty());
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> when's the company picnic?"),
              HasSubstr("says - June 12th, in the park."));
  // A second press of the same button, and a second answer, create nothing.
  EXPECT_THAT(Press(kAlice, "handoff_answer", question_id), HasSubstr("handled already"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
}

TEST_F(AssistantTest, TheFlowSurvivesARestartInTheMiddle) {
  EXPECT_THAT(Press(kAlice, "add_topic"), HasSubstr("What question"));
  EXPECT_THAT(Dm(kAlice, "who approves holidays?"), HasSubstr("What answer"));
  CloseAll();
  OpenAll();
  EXPECT_THAT(Dm(kAlice, "Your team lead, in the HR tool."), HasSubstr("Topic added"));
  auto topics = store_->ListTopics(kAlice);
  ASSERT_TRUE(topics.ok());
  ASSERT_EQ(topics->size(), 1u);
  EXPECT_EQ((*topics)[0].content.question, "who approves holidays?");
  EXPECT_EQ((*topics)[0].content.answer, "Your team lead, in the HR tool.");
}

TEST_F(AssistantTest, AStepLostToAnotherWriterOfTheConversationIsSaidNotDropped) {
  // Carol has no display name, so each turn looks it up: the turn below waits there, after it
  // read her conversation and before it saves it.
  const store::UserRef& carol = kCarol;
  EXPECT_THAT(Press(carol, "add_topic"), HasSubstr("What question"));
  EXPECT_THAT(Dm(carol, "who approves holidays?"), HasSubstr("What answer"));
  messenger_.HoldNames();
  std::string said;
  std::atomic<bool> finished{false};
  std::thread turn([&] {
    said = Dm(carol, "Your team lead.");
    finished = true;
  });
  while (messenger_.names_waiting() == 0 && !finished) std::this_thread::yield();
  if (finished) {
    turn.join();
    FAIL() << "the turn looked up no name; said: " << said;
  }
  // Meanwhile another writer saves her conversation.
  auto conversation = store_->GetConversation(carol);
  ASSERT_TRUE(conversation.ok() && conversation->has_value());
  ASSERT_TRUE(
      store_->SaveConversation(carol, (*conversation)->state + " ", (*conversation)->version).ok());
  messenger_.ReleaseNames();
  turn.join();
  EXPECT_THAT(said, HasSubstr("I lost track of that step"));
  EXPECT_THAT(said, Not(HasSubstr("Topic added")));
  // The other writer's state stands.
  auto now = store_->GetConversation(carol);
  ASSERT_TRUE(now.ok() && now->has_value());
  EXPECT_EQ((*now)->state, (*conversation)->state + " ");
}

TEST_F(AssistantTest, CancelLeavesAnyFlowAndChangesNothing) {
  Press(kAlice, "add_topic");
  Dm(kAlice, "a question");
  EXPECT_THAT(Dm(kAlice, "cancel"), HasSubstr("cancelled"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 0);
  // An answer that merely mentions cancelling is an answer.
  Press(kAlice, "add_topic");
  Dm(kAlice, "how do I cancel a booking?");
  EXPECT_THAT(Dm(kAlice, "Cancel it in the booking tool."), HasSubstr("Topic added"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 1);
}

TEST_F(AssistantTest, AChangeOfMindIsNotSavedAsAQuestionOrAnAnswer) {
  // Cancel words with what people say around them, and in a few languages.
  for (const char* cancel :
       {"no wait, cancel", "forget it", "Abbrechen", "cancel that please", "never mind!"}) {
    Press(kAlice, "add_topic");
    Dm(kAlice, "what time does the office open");
    EXPECT_THAT(Dm(kAlice, cancel), HasSubstr("cancelled")) << cancel;
  }
  EXPECT_EQ(*store_->CountTopics(kAlice), 0);
  // A command typed where a question or an answer is awaited: not used, the flow waits on.
  Press(kAlice, "add_topic");
  EXPECT_THAT(Dm(kAlice, "show my topics"), HasSubstr("reads like a command, so I haven't used it. "
                                                      "I'm still waiting for the question"));
  Dm(kAlice, "what time does the office open");
  EXPECT_THAT(Dm(kAlice, "actually, show my topics"),
              HasSubstr("I'm still waiting for the answer"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 0);
  // Answers that only use a command's word are answers.
  EXPECT_THAT(Dm(kAlice, "Stop by reception at 8."), HasSubstr("Topic added"));
  Press(kAlice, "add_topic");
  Dm(kAlice, "how do I share a document");
  EXPECT_THAT(Dm(kAlice, "Publish it on the wiki"), HasSubstr("Topic added"));
  Press(kAlice, "add_topic");
  Dm(kAlice, "where can I work out");
  EXPECT_THAT(Dm(kAlice, "On the fifth floor."), HasSubstr("Topic added"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 3);
  // A question of emoji alone could never be matched.
  Press(kAlice, "add_topic");
  EXPECT_THAT(Dm(kAlice, "🍕🍕🍕"), HasSubstr("I need some words in the question"));
  EXPECT_THAT(Dm(kAlice, "cancel"), HasSubstr("cancelled"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 3);
}

TEST_F(AssistantTest, APhrasingIsAddedToTheTopicTheOwnerNames) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  EXPECT_THAT(Dm(kAlice, "add a phrasing to the wifi topic"),
              HasSubstr("How else might people ask what is the wifi password?"));
  EXPECT_THAT(Dm(kAlice, "how do I get on the wireless"), HasSubstr("also asks"));
  EXPECT_EQ(store_->ListTopics(kAlice)->front().content.phrasings,
            std::vector<std::string>{"how do I get on the wireless"});
  EXPECT_THAT(Dm(kAlice, "add another way to ask the parking one"),
              HasSubstr("How else might people ask where can visitors park?"));
  EXPECT_THAT(Dm(kAlice, "cancel"), HasSubstr("cancelled"));
  // No topic named (or several): the list to pick from, never a new topic.
  const std::string which = Dm(kAlice, "add a new phrasing");
  EXPECT_THAT(which, HasSubstr("Which topic?"));
  EXPECT_THAT(which, Not(HasSubstr("What question should I expect?")));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
}

TEST_F(AssistantTest, ACommandTypedAfterAnswerItIsNotSentToTheAsker) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> is there a gym nearby?");
  const std::string question = ButtonValue("handoff_answer");
  ASSERT_FALSE(question.empty());
  Press(kAlice, "handoff_answer", question);
  const size_t before = messenger_.sent().size();
  // The commands as README and the settings put them too: the learning setting typed then is a
  // change of mind, not the answer (and not a live topic whose answer is the command).
  for (const char* command : {"show my topics", "unanswered questions",
                              "learn from my answers: off", "turn off learning",
                              "stop learning from my answers", "enable learning"}) {
    EXPECT_THAT(Dm(kAlice, command),
                HasSubstr("reads like a command, so I haven't sent it. I'm still waiting for the "
                          "answer"))
        << command;
  }
  EXPECT_TRUE(store_->GetOwnerSettings(kAlice)->learn);
  for (size_t i = before; i < messenger_.sent().size(); ++i) {
    EXPECT_FALSE(messenger_.sent()[i].to.user == kBob) << messenger_.sent()[i].text;
  }
  EXPECT_THAT(Dm(kAlice, "Yes, two blocks away."), HasSubstr("Topic added"));
  EXPECT_THAT(LastDirectTo(kBob).text, HasSubstr("Yes, two blocks away."));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
}

// An asker's control characters (kept in the question as asked) cannot stop the owner from
// settling it: the topic or phrasing learned holds spaces in their place.
TEST_F(AssistantTest, AQuestionWithControlCharactersIsSettledAndLearned) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> when is the picnic\x02 this year");
  Press(kAlice, "handoff_answer", ButtonValue("handoff_answer"));
  EXPECT_THAT(Dm(kAlice, "June 12th, in the park."), HasSubstr("Topic added"));
  EXPECT_THAT(LastDirectTo(kBob).text, HasSubstr("June 12th, in the park."));
  bool learned = false;
  const auto topics = store_->ListTopics(kAlice);
  ASSERT_TRUE(topics.ok());
  for (const auto& t : *topics) {
    learned = learned || t.content.question == "when is the picnic  this year";
  }
  EXPECT_TRUE(learned);

  clock_.Advance(std::chrono::seconds(11));  // its own hand-off DM
  Dm(kCarol, "ask <@U0ALICE> how do I get online\x07 as a guest");
  const std::string its = ItsTopicButton("wifi password");
  ASSERT_FALSE(its.empty());
  EXPECT_THAT(Press(kAlice, "handoff_topic", its), HasSubstr("as another way to ask"));
  EXPECT_THAT(LastDirectTo(kCarol).text, HasSubstr("It's on the fridge."));
}

// An answer that only speaks of learning is an answer.
TEST_F(AssistantTest, AnAnswerAboutLearningIsSentAsTheAnswer) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> are there training courses?");
  Press(kAlice, "handoff_answer", ButtonValue("handoff_answer"));
  EXPECT_THAT(Dm(kAlice, "No, we don't run learning sessions."), HasSubstr("Topic added"));
  EXPECT_THAT(LastDirectTo(kBob).text, HasSubstr("we don't run learning sessions"));
}

TEST_F(AssistantTest, EditAndDeleteOneTopicOrAllWithConfirmation) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  auto topics = *store_->ListTopics(kAlice);
  const std::string wifi = std::to_string(topics[0].id);
  const std::string parking = std::to_string(topics[1].id);

  EXPECT_THAT(Press(kAlice, "edit_topic", wifi), HasSubstr("*Answer:* It's on the fridge."));
  EXPECT_THAT(Press(kAlice, "edit_answer", wifi), HasSubstr("What should the new answer"));
  EXPECT_THAT(Dm(kAlice, "Ask reception."), HasSubstr("Updated the answer"));
  std::string list = Dm(kAlice, "list topics");
  EXPECT_THAT(list, HasSubstr("🅾 what is the wifi password? — Ask reception."));
  EXPECT_THAT(list, HasSubstr("✅ where can visitors park?"));

  EXPECT_THAT(Press(kAlice, "delete_topic", parking), HasSubstr("Delete where can visitors park?"));
  EXPECT_THAT(Press(kAlice, "deny"), HasSubstr("leaving as it is"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
  Press(kAlice, "delete_topic", parking);
  EXPECT_THAT(Press(kAlice, "affirm"), HasSubstr("Deleted"));
  list = Dm(kAlice, "list topics");
  EXPECT_THAT(list, HasSubstr("✖ where can visitors park? — live now, deleted"));
  // The live bot keeps answering until the next publish.
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> where do visitors park"), HasSubstr("says - Level -2."));

  EXPECT_THAT(Dm(kAlice, "delete all my topics"),
              HasSubstr("Are you sure you want to drop your one topic?"));
  EXPECT_THAT(Press(kAlice, "affirm", "delete_all"), HasSubstr("all topics are dropped"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 0);
  // Publishing nothing takes the bot down, after a confirmation.
  EXPECT_THAT(Dm(kAlice, "publish"), HasSubstr("Publishing now takes your bot offline"));
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> where do visitors park"), HasSubstr("says - Level -2."));
  EXPECT_THAT(Press(kAlice, "affirm", "publish"),
              HasSubstr("Ok, Alice, your bot goes offline shortly: it stops answering until you "
                        "publish topics again."));
  const size_t before = messenger_.sent().size();
  executor_.RunAll();
  EXPECT_THAT(Since(before), HasSubstr("your bot is offline now"));
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> where do visitors park"),
              HasSubstr("has not published any topics yet"));
  EXPECT_THAT(Dm(kAlice, "publish"), HasSubstr("You don't have any topics to publish yet"));
}

TEST_F(AssistantTest, EveryWrongAskGetsAHelpfulMessage) {
  EXPECT_THAT(Dm(kBob, "ask"), HasSubstr("What would you like to ask?"));
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE>"), HasSubstr("What would you like to ask <@U0ALICE>?"));
  EXPECT_THAT(Dm(kBob, "ask <@U0CAROL> where is the wiki?"),
              HasSubstr("<@U0CAROL> has not published any topics yet"));
  // Carol hears that somebody asked.
  EXPECT_THAT(LastDirectTo(kCarol).text, HasSubstr("<@U0BOB> asked you: where is the wiki?"));
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  EXPECT_THAT(Dm(kAlice, "ask <@U0ALICE> wifi password?"), HasSubstr("says - It's on the fridge."));
  EXPECT_THAT(Dm(kAlice, "ask <@U0ALICE> who won the football"),
              HasSubstr("Your bot doesn't know that one yet"));
}

// A question ending in a character of 2, 3 or 4 bytes is stored and handed off whole.
TEST_F(AssistantTest, AQuestionEndingInAMultiByteCharacterKeepsIt) {
  for (const std::string question :
       {"who runs the caf\xC3\xA9", "who runs the \xE9\xA3\x9F\xE5\xA0\x82",
        "who runs the kitchen \xF0\x9F\x8D\xB0"}) {
    SCOPED_TRACE(question);
    clock_.Advance(std::chrono::seconds(11));  // each hand-off gets its own DM
    Dm(kBob, "ask <@U0CAROL> " + question);
    EXPECT_THAT(LastDirectTo(kCarol).text, HasSubstr("asked you: " + question + "\n"));
    auto waiting = store_->ListUnanswered(kCarol);
    ASSERT_TRUE(waiting.ok()) << waiting.status();
    ASSERT_FALSE(waiting->empty());
    bool stored = false;
    for (const auto& q : *waiting) stored = stored || q.text == question;
    EXPECT_TRUE(stored);
  }
}

TEST_F(AssistantTest, ABusyOwnerGetsOneHandOffDmAtATimeAndTheRestWaitInTheList) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> when is the company picnic");
  Dm(kBob, "ask <@U0ALICE> who won the football yesterday");
  Dm(kBob, "ask <@U0ALICE> is there cake in the kitchen");
  EXPECT_EQ(HandOffDmsTo(kAlice), 1);
  EXPECT_THAT(Dm(kAlice, "unanswered questions"), HasSubstr("3 questions waiting for you"));
  clock_.Advance(std::chrono::seconds(11));
  Dm(kBob, "ask <@U0ALICE> where are the spare keys kept");
  EXPECT_EQ(HandOffDmsTo(kAlice), 2);
  EXPECT_THAT(LastDirectTo(kAlice).text, HasSubstr("and 2 more questions waiting for you"));
  // Held back questions settled meanwhile are not counted as waiting.
  const auto ignore = [&](const std::string& text) {
    const auto waiting = store_->ListUnanswered(kAlice);
    ASSERT_TRUE(waiting.ok());
    for (const auto& q : *waiting) {
      if (q.text == text) {
        ASSERT_TRUE(*store_->CloseQuestion(q.id, store::QuestionOutcome::kIgnored, std::nullopt));
      }
    }
  };
  Dm(kBob, "ask <@U0ALICE> where is the first aid kit");
  Dm(kBob, "ask <@U0ALICE> when does the office close");
  ignore("when does the office close");
  clock_.Advance(std::chrono::seconds(11));
  Dm(kBob, "ask <@U0ALICE> who waters the plants");
  EXPECT_EQ(HandOffDmsTo(kAlice), 3);
  EXPECT_THAT(LastDirectTo(kAlice).text, HasSubstr("and 1 more question waiting for you"));
  ignore("where is the first aid kit");
  Dm(kBob, "ask <@U0ALICE> is the roof terrace open");  // held back, then settled
  ignore("is the roof terrace open");
  clock_.Advance(std::chrono::seconds(11));
  Dm(kBob, "ask <@U0ALICE> where is the lost and found");
  EXPECT_EQ(HandOffDmsTo(kAlice), 4);
  EXPECT_THAT(LastDirectTo(kAlice).text, Not(HasSubstr("more question")));
}

TEST_F(AssistantTest, HeldBackQuestionsAreMentionedEvenWhenNobodyAsksAfterThem) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> when is the company picnic");
  Dm(kBob, "ask <@U0ALICE> who won the football yesterday");  // held back
  Dm(kCarol, "ask <@U0ALICE> is there cake in the kitchen");  // held back
  EXPECT_EQ(HandOffDmsTo(kAlice), 1);
  const size_t before = messenger_.sent().size();
  // Within the interval: nothing yet.
  assistant_->RemindOfHeldBackHandoffs();
  EXPECT_EQ(messenger_.sent().size(), before);
  clock_.Advance(std::chrono::seconds(11));
  assistant_->RemindOfHeldBackHandoffs();
  ASSERT_EQ(messenger_.sent().size(), before + 1);
  const auto reminder = Last();
  EXPECT_EQ(reminder.to.user, kAlice);
  EXPECT_THAT(reminder.text,
              HasSubstr("Since my last message, 2 more questions came in that I couldn't answer"));
  ASSERT_FALSE(reminder.reply.buttons.empty());
  EXPECT_EQ(reminder.reply.buttons[0].action, "unanswered");
  // Once: the next call has nothing to say.
  clock_.Advance(std::chrono::seconds(11));
  assistant_->RemindOfHeldBackHandoffs();
  EXPECT_EQ(messenger_.sent().size(), before + 1);

  // Held back, then settled before the reminder: nothing to remind of.
  Dm(kBob, "ask <@U0ALICE> where are the spare keys kept");  // a hand-off DM
  Dm(kBob, "ask <@U0ALICE> where is the first aid kit");     // held back
  const auto waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok());
  for (const auto& q : *waiting) {
    if (q.text == "where is the first aid kit") {
      ASSERT_TRUE(*store_->CloseQuestion(q.id, store::QuestionOutcome::kIgnored, std::nullopt));
    }
  }
  const size_t settled = messenger_.sent().size();
  clock_.Advance(std::chrono::seconds(11));
  assistant_->RemindOfHeldBackHandoffs();
  EXPECT_EQ(messenger_.sent().size(), settled);
  // Nor does that hold back the next question's DM.
  Dm(kCarol, "ask <@U0ALICE> who has the spare umbrella");
  EXPECT_THAT(LastDirectTo(kAlice).text, HasSubstr("who has the spare umbrella"));
  EXPECT_THAT(LastDirectTo(kAlice).text, Not(HasSubstr("more question")));
  // The same question from others is not news: the DM she has answers them all.
  Dm(kBob, "ask <@U0ALICE> Who has the spare umbrella?");
  Dm(kDave, "ask <@U0ALICE> who has the spare umbrella");
  const size_t same = messenger_.sent().size();
  clock_.Advance(std::chrono::seconds(11));
  assistant_->RemindOfHeldBackHandoffs();
  EXPECT_EQ(messenger_.sent().size(), same);
}

TEST_F(AssistantTest, AQuestionHeldBackFromADmIsTaughtFromTheListWithItsTopic) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where do I park", "In the garage.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> when is the company picnic");
  Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest");  // held back: one DM at a time
  EXPECT_EQ(HandOffDmsTo(kAlice), 1);
  const std::string list = Dm(kAlice, "unanswered questions");
  EXPECT_THAT(list, HasSubstr("2 questions waiting for you"));
  // Each question offers the bot's nearest live topics, as the hand-off DM does.
  std::string its;
  for (const auto& item : Last().reply.items) {
    if (item.text.spans.empty() || item.text.spans[0].value != "how do I get online as a guest")
      continue;
    for (const auto& b : item.buttons) {
      if (b.label == "It's “what is the wifi password?”") its = b.value;
    }
  }
  ASSERT_FALSE(its.empty()) << list;
  const std::string pressed = Press(kAlice, "handoff_topic", its);
  EXPECT_THAT(pressed, HasSubstr("Added how do I get online as a guest as another way to ask"));
  EXPECT_THAT(LastDirectTo(kCarol).text, HasSubstr("It's on the fridge."));
  // The list, shown again in place of the pressed one, keeps only the other question.
  EXPECT_THAT(Last().text, HasSubstr("1 question waiting for you"));
  EXPECT_THAT(Last().text, Not(HasSubstr("get online")));
  EXPECT_THAT(Dm(kDave, "ask <@U0ALICE> how do I get online as a guest"),
              HasSubstr("It's on the fridge."));
}

// The newest hand-off DM to `owner` ("… asked you: …") as it was posted.
RecordingMessenger::Sent NewestHandoffDm(const std::vector<RecordingMessenger::Sent>& sent,
                                         const store::UserRef& owner) {
  for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
    if (it->to.kind == Destination::Kind::kDirect && it->to.user == owner &&
        it->text.find("asked you:") != std::string::npos) {
      return *it;
    }
  }
  ADD_FAILURE() << "no hand-off DM to " << owner.user_id;
  return {};
}

RecordingMessenger::Sent AssistantTest::AskAliceHandedOff(const store::UserRef& asker,
                                                          const std::string& question) {
  Dm(asker, "ask <@U0ALICE> " + question);
  return NewestHandoffDm(messenger_.sent(), kAlice);
}

// The replacements sent since `before` of the message posted with `ts`.
std::vector<RecordingMessenger::Sent> UpdatesOf(const std::vector<RecordingMessenger::Sent>& sent,
                                                size_t before, const std::string& ts) {
  std::vector<RecordingMessenger::Sent> updates;
  for (size_t i = before; i < sent.size(); ++i) {
    if (sent[i].to.kind == Destination::Kind::kUpdate && sent[i].to.ts == ts) {
      updates.push_back(sent[i]);
    }
  }
  return updates;
}

TEST_F(AssistantTest, AHandoffDmSaysHowItsQuestionWasSettledFromTheList) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const auto bobs = AskAliceHandedOff(kBob, "how do I get online as a guest");
  ASSERT_FALSE(bobs.ts.empty());
  clock_.Advance(std::chrono::seconds(11));  // past the DM pacing: Carol's gets a DM too
  const auto carols = AskAliceHandedOff(kCarol, "how do I get online as a guest");
  ASSERT_NE(carols.ts, bobs.ts);
  clock_.Advance(std::chrono::seconds(11));
  const auto daves = AskAliceHandedOff(kDave, "when is the company picnic");

  // Settled from the unanswered list: both DMs of the question say how, without buttons.
  Dm(kAlice, "unanswered questions");
  std::string its, ignore;
  for (const auto& item : Last().reply.items) {
    const std::string& question = item.text.spans.at(0).value;
    for (const auto& b : item.buttons) {
      if (question == "how do I get online as a guest" &&
          b.label == "It's “what is the wifi password?”") {
        its = b.value;
      }
      if (question == "when is the company picnic" && b.action == "handoff_ignore") {
        ignore = b.value;
      }
    }
  }
  ASSERT_FALSE(its.empty());
  ASSERT_FALSE(ignore.empty());
  size_t before = messenger_.sent().size();
  Press(kAlice, "handoff_topic", its);
  auto sent = messenger_.sent();
  auto updates = UpdatesOf(sent, before, carols.ts);  // the list names the latest asker's
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].to.channel, "DU0ALICE");
  EXPECT_EQ(updates[0].to.user, kAlice);
  EXPECT_THAT(updates[0].text, HasSubstr("<@U0ALICE> said it's what is the wifi password?"));
  EXPECT_TRUE(updates[0].reply.buttons.empty());
  updates = UpdatesOf(sent, before, bobs.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("<@U0BOB> asked: how do I get online as a guest"));
  EXPECT_THAT(updates[0].text, HasSubstr("✅ Answered along with how do I get online as a guest: "
                                         "<@U0ALICE> said it's what is the wifi password?"));
  EXPECT_TRUE(updates[0].reply.buttons.empty());

  before = messenger_.sent().size();
  Press(kAlice, "handoff_ignore", ignore);
  updates = UpdatesOf(messenger_.sent(), before, daves.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("Ignored by <@U0ALICE>."));
  EXPECT_TRUE(updates[0].reply.buttons.empty());
}

TEST_F(AssistantTest, AHandoffDmAnsweredFromTheListSaysWhoIsAnsweringAndThenTheAnswer) {
  const auto dm = AskAliceHandedOff(kBob, "when is the company picnic");
  Dm(kAlice, "unanswered questions");
  const std::string answer = ButtonValue("handoff_answer");
  ASSERT_FALSE(answer.empty());
  size_t before = messenger_.sent().size();
  Press(kAlice, "handoff_answer", answer);
  auto updates = UpdatesOf(messenger_.sent(), before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("✍️ <@U0ALICE> is answering it"));
  EXPECT_TRUE(updates[0].reply.buttons.empty());
  before = messenger_.sent().size();
  Dm(kAlice, "On the last Friday of June.");
  updates = UpdatesOf(messenger_.sent(), before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("✅ <@U0ALICE> answered: On the last Friday of June."));
}

// Slack takes a hand-off DM a while after it was sent (it rate-limits, or is down): a question
// settled meanwhile could not have its DM updated, so the DM is updated once its place is known.
TEST_F(AssistantTest, AHandoffDmSettledBeforeItWentOutIsUpdatedWhenItDoes) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  struct Posted {
    std::string key, channel, ts;
  };
  std::vector<Posted> late;  // the reports held back, as a slow send would
  messenger_.OnPosted(
      [&late](const std::string& key, const std::string& channel, const std::string& ts) {
        late.push_back({key, channel, ts});
      });
  const auto parking = AskAliceHandedOff(kBob, "where do I leave my car");
  const std::string pick = ButtonValue("suggestion_pick");
  ASSERT_FALSE(pick.empty());
  clock_.Advance(std::chrono::seconds(11));  // past the DM pacing
  const auto picnic = AskAliceHandedOff(kCarol, "when is the company picnic");
  ASSERT_EQ(late.size(), 2u);

  // Bob picks a suggestion; Alice ignores Carol's question from her list.
  size_t before = messenger_.sent().size();
  Press(kBob, "suggestion_pick", pick);
  Dm(kAlice, "unanswered questions");
  Press(kAlice, "handoff_ignore", ButtonValue("handoff_ignore"));
  EXPECT_TRUE(UpdatesOf(messenger_.sent(), before, parking.ts).empty());
  EXPECT_TRUE(UpdatesOf(messenger_.sent(), before, picnic.ts).empty());

  before = messenger_.sent().size();
  for (const auto& p : late) assistant_->MessagePosted(p.key, p.channel, p.ts);
  auto updates = UpdatesOf(messenger_.sent(), before, parking.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].to.channel, "DU0ALICE");
  EXPECT_THAT(updates[0].text, HasSubstr("✅ <@U0BOB> picked where can visitors park? from my "
                                         "suggestions and got its answer."));
  ASSERT_EQ(updates[0].reply.buttons.size(), 1u);  // still teaches the bot Bob's words
  EXPECT_EQ(updates[0].reply.buttons[0].label, "It's “where can visitors park?”");
  updates = UpdatesOf(messenger_.sent(), before, picnic.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("<@U0CAROL> asked: when is the company picnic"));
  EXPECT_THAT(updates[0].text, HasSubstr("Ignored meanwhile."));
  EXPECT_TRUE(updates[0].reply.buttons.empty());

  // A DM whose question is still open keeps its buttons; reported again, nothing changes.
  clock_.Advance(std::chrono::seconds(11));
  Dm(kDave, "ask <@U0ALICE> is there a gym");
  ASSERT_EQ(late.size(), 3u);
  before = messenger_.sent().size();
  assistant_->MessagePosted(late[2].key, late[2].channel, late[2].ts);
  EXPECT_EQ(messenger_.sent().size(), before);
}

// Slack shows a message before it answers the post with its ts: the owner can press a button of
// the hand-off DM first. The press updates the DM with what was done and by whom; the late
// answer must not replace that with "settled meanwhile".
TEST_F(AssistantTest, AHandoffDmPressedBeforeSlackToldItsPlaceKeepsWhatThePressDid) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  struct Posted {
    std::string key, channel, ts;
  };
  std::vector<Posted> late;
  messenger_.OnPosted(
      [&late](const std::string& key, const std::string& channel, const std::string& ts) {
        late.push_back({key, channel, ts});
      });
  const auto dm = AskAliceHandedOff(kBob, "how do I get online as a guest");
  ASSERT_EQ(late.size(), 1u);
  std::string its;
  for (const auto& b : dm.reply.buttons) {
    if (b.action == "handoff_topic") its = b.value;
  }
  ASSERT_FALSE(its.empty());
  size_t before = messenger_.sent().size();
  PressIn(kAlice, "handoff_topic", its, late[0].channel, late[0].ts);
  auto updates = UpdatesOf(messenger_.sent(), before, late[0].ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("✅ <@U0ALICE> said it's what is the wifi password?"));
  before = messenger_.sent().size();
  assistant_->MessagePosted(late[0].key, late[0].channel, late[0].ts);
  EXPECT_TRUE(UpdatesOf(messenger_.sent(), before, late[0].ts).empty());
}

// The owner answers in the hand-off DM's thread, as people answer in Slack, without a button;
// a flow in progress goes on afterwards.
TEST_F(AssistantTest, AReplyInAHandoffDmsThreadAnswersItsQuestion) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const auto dm = AskAliceHandedOff(kBob, "where can I print stuff");
  ASSERT_FALSE(dm.ts.empty());
  EXPECT_THAT(Dm(kAlice, "add a topic"), HasSubstr("What question should I expect?"));

  size_t before = messenger_.sent().size();
  const std::string said = Dm(kAlice, "The printer is on the second floor, by the kitchen.", dm.ts);
  EXPECT_THAT(said, HasSubstr("Topic added"));
  EXPECT_THAT(said, HasSubstr("I've sent your answer to 1 person who asked."));
  {
    const auto sent = messenger_.sent();
    for (size_t i = before; i < sent.size(); ++i) {
      if (sent[i].text.find("Topic added") != std::string::npos) {
        EXPECT_EQ(sent[i].to.thread_ts, dm.ts);  // in the thread Alice wrote in
      }
    }
  }
  bool bob_told = false;
  for (const auto& s : messenger_.sent()) {
    bob_told = bob_told || (s.to.user == kBob &&
                            s.text.find("The printer is on the second floor") != std::string::npos);
  }
  EXPECT_TRUE(bob_told);
  auto updates = UpdatesOf(messenger_.sent(), before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("✅ <@U0ALICE> answered: The printer is on the second"));
  EXPECT_TRUE(updates[0].reply.buttons.empty());
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
  // Live at once: Carol is answered by the bot.
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> where can I print stuff"),
              HasSubstr("The printer is on the second floor"));
  // Alice's topic in progress goes on.
  EXPECT_THAT(Dm(kAlice, "is there a gym?"), HasSubstr("What answer should I provide?"));
  Dm(kAlice, "cancel");

  // Again in the same thread: settled, nothing new.
  EXPECT_THAT(Dm(kAlice, "Second floor.", dm.ts),
              HasSubstr("That question was settled already — nothing changed."));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
  // Any other thread is the DM as usual.
  EXPECT_THAT(Dm(kAlice, "show my topics", "1700000099.000001"),
              HasSubstr("what is the wifi password?"));
}

// An owner who just got a hand-off often types the answer straight into the DM: the bot asks
// whether that is the answer instead of not understanding it.
TEST_F(AssistantTest, AnOwnersMessageSoonAfterAHandoffIsOfferedAsItsAnswer) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const auto dm = AskAliceHandedOff(kBob, "where can I print stuff");
  const std::string answer = "The printer is on the second floor, next to the kitchen.";
  EXPECT_THAT(Dm(kAlice, answer),
              HasSubstr("Is that your answer to <@U0BOB>? They asked: where can I print stuff"));
  const std::string offer = ButtonValue("affirm");
  ASSERT_FALSE(offer.empty());
  EXPECT_THAT(Press(kAlice, "deny", offer), HasSubstr("Ok, I kept it to myself."));
  EXPECT_EQ(*store_->CountTopics(kAlice), 1);

  EXPECT_THAT(Dm(kAlice, answer), HasSubstr("Is that your answer to <@U0BOB>?"));
  size_t before = messenger_.sent().size();
  const std::string sent = Press(kAlice, "affirm", ButtonValue("affirm"));
  EXPECT_THAT(sent, HasSubstr("Topic added"));
  EXPECT_THAT(sent, HasSubstr("<@U0ALICE> says - " + answer));  // to Bob
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
  auto updates = UpdatesOf(messenger_.sent(), before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("✅ <@U0ALICE> answered: The printer is on the second"));
  // The offer's buttons are one-shot.
  EXPECT_THAT(Press(kAlice, "affirm", offer), HasSubstr("answered that one already"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);

  // "It's the wifi one": the offer leads with *It's X*, which teaches the bot Dave's words.
  Dm(kDave, "ask <@U0ALICE> how do guests get online");
  EXPECT_THAT(Dm(kAlice, "it's the wifi one"), HasSubstr("Is that your answer to <@U0DAVE>?"));
  ASSERT_GE(Last().reply.buttons.size(), 3u);
  const Button its = Last().reply.buttons[0];
  EXPECT_EQ(its.label, "It's “what is the wifi password?”");
  EXPECT_EQ(Last().reply.buttons[1].label, "Send my words as the answer");
  EXPECT_THAT(Press(kAlice, its.action, its.value),
              HasSubstr("Added how do guests get online as another way to ask"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
  EXPECT_THAT(Dm(kAlice, "yes"), Not(HasSubstr("Topic added")));  // nothing left to confirm

  // Not offered: a question of the owner's own, nothing waiting, or a hand-off long ago.
  Dm(kCarol, "ask <@U0ALICE> is there a gym in the building");
  EXPECT_THAT(Dm(kAlice, "is the gym open on sundays?"), Not(HasSubstr("Is that your answer")));
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_THAT(Dm(kAlice, "Yes, on the fifth floor."), Not(HasSubstr("Is that your answer")));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
}

// An owner who types a question the concierge does not understand ("where do visitors park?")
// is most likely thinking of a topic: the bot offers to add it instead of not understanding.
TEST_F(AssistantTest, AQuestionTypedInTheDmIsOfferedAsANewTopic) {
  const std::string offer = Dm(kAlice, "where do visitors park?");
  EXPECT_THAT(offer, HasSubstr("where do visitors park? sounds like a question people ask you"));
  EXPECT_THAT(offer, HasSubstr("write *ask* <@U0ALICE> and the question"));
  EXPECT_THAT(offer, Not(HasSubstr("didn't quite understand")));
  const std::string value = ButtonValue("affirm");
  ASSERT_EQ(value.rfind("new_topic:", 0), 0u);
  const size_t before = messenger_.sent().size();
  EXPECT_THAT(Press(kAlice, "affirm", value), HasSubstr("What answer should I provide?"));
  EXPECT_THAT(Since(before), HasSubstr("Adding where do visitors park? as a topic."));
  EXPECT_THAT(Dm(kAlice, "Behind the building, spots 10 to 14."), HasSubstr("Topic added"));
  auto topics = store_->ListTopics(kAlice);
  ASSERT_TRUE(topics.ok());
  ASSERT_EQ(topics->size(), 1u);
  EXPECT_EQ((*topics)[0].content.question, "where do visitors park?");
  // One-shot: the offer's button again changes nothing.
  EXPECT_THAT(Press(kAlice, "affirm", value), HasSubstr("answered that one already"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 1);

  // "No" leaves it; typed "no" too.
  Dm(kAlice, "how do I book a meeting room?");
  EXPECT_THAT(Press(kAlice, "deny", ButtonValue("deny")), HasSubstr("Ok, I left it."));
  Dm(kAlice, "is there a gym in the building?");
  EXPECT_THAT(Dm(kAlice, "no"), HasSubstr("Ok, I left it."));
  EXPECT_EQ(*store_->CountTopics(kAlice), 1);

  // A question the live bot already answers leads to its topic.
  Publish();
  Dm(kAlice, "where can visitors park?");
  EXPECT_THAT(Press(kAlice, "affirm", ButtonValue("affirm")),
              HasSubstr("This looks like your topic"));
  Dm(kAlice, "cancel");
  // Not a question: not offered.
  EXPECT_THAT(Dm(kAlice, "purple elephants dance"), HasSubstr("didn't quite understand"));
}

// The web console settles questions through the assistant: the same rules as the DM's buttons.
TEST_F(AssistantTest, AQuestionSettledFromAnotherSurfaceAnswersEveryoneAndTeachesTheBot) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const auto dm = AskAliceHandedOff(kBob, "where can I print stuff");
  Dm(kCarol, "ask <@U0ALICE> where can I print stuff");
  Dm(kDave, "ask <@U0ALICE> how do guests get online");
  auto waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 3u);
  const int64_t printer = (*waiting)[0].id, guests = (*waiting)[2].id;

  size_t before = messenger_.sent().size();
  ASSERT_TRUE(
      assistant_->SettleWithAnswer(kAlice, printer, " Second floor, by the kitchen. ").ok());
  const std::string said = Since(before);
  EXPECT_THAT(said, HasSubstr("Topic added"));
  EXPECT_THAT(said, HasSubstr("I've sent your answer to 2 people who asked."));
  int told = 0;
  const auto sent = messenger_.sent();
  for (size_t i = before; i < sent.size(); ++i) {
    told += (sent[i].to.user == kBob || sent[i].to.user == kCarol) &&
            sent[i].text.find("Second floor, by the kitchen.") != std::string::npos;
  }
  EXPECT_EQ(told, 2);
  auto updates = UpdatesOf(messenger_.sent(), before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("✅ <@U0ALICE> answered: Second floor, by the kitchen."));
  EXPECT_THAT(Dm(kDave, "ask <@U0ALICE> where can I print stuff"),
              HasSubstr("Second floor, by the kitchen."));
  EXPECT_EQ(assistant_->SettleWithAnswer(kAlice, printer, "Again.").code(),
            StatusCode::kFailedPrecondition);

  const int64_t wifi = (*store_->ListTopics(kAlice))[0].id;
  EXPECT_EQ(assistant_->SettleAsTopic(kBob, guests, wifi).code(), StatusCode::kNotFound);
  EXPECT_EQ(assistant_->SettleWithAnswer(kAlice, guests, "  ").code(),
            StatusCode::kInvalidArgument);
  before = messenger_.sent().size();
  ASSERT_TRUE(assistant_->SettleAsTopic(kAlice, guests, wifi).ok());
  EXPECT_THAT(Since(before), HasSubstr("Added how do guests get online as another way to ask"));
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how do guests get online"),
              HasSubstr("It's on the fridge."));
  EXPECT_EQ(assistant_->SettleAsTopic(kAlice, guests, wifi).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
}

TEST_F(AssistantTest, AnAskersPickShowsInTheOwnersHandoffDmWhichStillTeachesIt) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  const auto dm = AskAliceHandedOff(kBob, "where do I leave my car");
  const std::string pick = ButtonValue("suggestion_pick");
  ASSERT_FALSE(pick.empty());
  size_t before = messenger_.sent().size();
  EXPECT_THAT(Press(kBob, "suggestion_pick", pick), HasSubstr("<@U0ALICE> says - Level -2."));
  auto updates = UpdatesOf(messenger_.sent(), before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].to.user, kAlice);
  EXPECT_THAT(updates[0].text, HasSubstr("✅ <@U0BOB> picked where can visitors park? from my "
                                         "suggestions and got its answer."));
  ASSERT_EQ(updates[0].reply.buttons.size(), 1u);
  const Button& teach = updates[0].reply.buttons[0];
  EXPECT_EQ(teach.label, "It's “where can visitors park?”");

  // Pressed on the DM itself: the bot learns the words, Bob gets nothing twice.
  before = messenger_.sent().size();
  assistant_->HandleButton({kAlice, teach.action, teach.value, "DU0ALICE", dm.ts, "", ""});
  auto sent = messenger_.sent();
  EXPECT_THAT(Since(before), HasSubstr("Added where do I leave my car as another way to ask"));
  updates = UpdatesOf(sent, before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);  // the press's own update, once
  EXPECT_THAT(updates[0].text, HasSubstr("<@U0ALICE> said it's where can visitors park?"));
  for (size_t i = before; i < sent.size(); ++i) EXPECT_FALSE(sent[i].to.user == kBob);
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> where do I leave my car"), HasSubstr("says - Level -2."));
}

TEST_F(AssistantTest, AThumbsDownAfterAPickTakesTheTopicOffTheOldHandoffDm) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  const auto dm = AskAliceHandedOff(kBob, "where do I leave my car");
  Press(kBob, "suggestion_pick", ButtonValue("suggestion_pick"));
  const std::string down = ButtonValue("feedback_down");
  ASSERT_FALSE(down.empty());
  clock_.Advance(std::chrono::seconds(11));
  const size_t before = messenger_.sent().size();
  Press(kBob, "feedback_down", down);
  const auto updates = UpdatesOf(messenger_.sent(), before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("👎 <@U0BOB> said the answer they got missed"));
  EXPECT_TRUE(updates[0].reply.buttons.empty());
  // A new hand-off DM asks again.
  EXPECT_NE(NewestHandoffDm(messenger_.sent(), kAlice).ts, dm.ts);
}

TEST_F(AssistantTest, AnAnswerStartedAndThenSettledByItsTopicLeavesTheOwnersNextMessageAlone) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> how do I get online as a guest");
  Dm(kAlice, "unanswered questions");  // pressed from the list, which keeps its buttons
  const std::string answer = ButtonValue("handoff_answer");
  const std::string its = ButtonValue("handoff_topic");
  ASSERT_FALSE(answer.empty());
  ASSERT_FALSE(its.empty());
  EXPECT_THAT(Press(kAlice, "handoff_answer", answer), HasSubstr("What answer should I give"));
  EXPECT_THAT(Press(kAlice, "handoff_topic", its), HasSubstr("as another way to ask"));
  // Not taken as the answer to the question just settled: the command it is.
  EXPECT_THAT(Dm(kAlice, "show my topics"), HasSubstr("Here are your current topics"));
}

// A process that stops (kill -9) after settling a question but before the answer went out leaves
// the event to the durable inbox, which hands it out again marked `resumed`: the question is
// settled already, and the rest is done now instead of "handled already" and nothing sent.
TEST_F(AssistantTest, APressOrAnswerCutShortByAStoppedProcessIsFinishedWhenItIsHandledAgain) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const int64_t wifi = (*store_->ListTopics(kAlice))[0].id;
  AskAliceHandedOff(kBob, "how do I get online as a guest");
  const std::string its = ButtonValue("handoff_topic");
  auto waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  const int64_t guest = (*waiting)[0].id;
  // The stopped process got as far as closing the question.
  ASSERT_TRUE(*store_->CloseQuestion(guest, store::QuestionOutcome::kResolved, wifi));
  size_t before = messenger_.sent().size();
  ButtonPress press{kAlice, "handoff_topic", its, "DU0ALICE", "1.0", "", ""};
  press.resumed = true;
  assistant_->HandleButton(press);
  const std::string said = Since(before);
  EXPECT_THAT(said, HasSubstr("as another way to ask"));
  EXPECT_THAT(said, HasSubstr("It's on the fridge."));  // to Bob
  EXPECT_THAT(LastDirectTo(kBob).text, HasSubstr("It's on the fridge."));
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest"),
              HasSubstr("It's on the fridge."));
  // Handled again without the mark (a second press): nothing more.
  EXPECT_THAT(Press(kAlice, "handoff_topic", its), HasSubstr("handled already"));

  // "Answer it" then the answer: stopped after adding the topic, before making it live.
  clock_.Advance(std::chrono::seconds(11));  // past the hand-off DMs' pacing
  AskAliceHandedOff(kDave, "where can I print stuff");
  EXPECT_THAT(Press(kAlice, "handoff_answer", ButtonValue("handoff_answer")),
              HasSubstr("What answer should I give"));
  waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  const int64_t print = (*waiting)[0].id;
  ASSERT_TRUE(*store_->CloseQuestion(print, store::QuestionOutcome::kResolved, std::nullopt));
  ASSERT_TRUE(store_->AddTopic(kAlice, {"where can I print stuff", {}, "Second floor."}).ok());
  const int64_t topics_before = *store_->CountTopics(kAlice);
  UserMessage m;
  m.surface = UserMessage::Surface::kDirect;
  m.from = kAlice;
  m.text = "Second floor.";
  m.channel = "DU0ALICE";
  m.bot_user_id = kBot;
  m.resumed = true;
  before = messenger_.sent().size();
  assistant_->HandleMessage(m);
  EXPECT_THAT(Since(before), HasSubstr("Topic added"));
  EXPECT_THAT(LastDirectTo(kDave).text, HasSubstr("Second floor."));
  EXPECT_EQ(*store_->CountTopics(kAlice), topics_before);  // the stopped process's topic, once
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> where can I print stuff"), HasSubstr("Second floor."));
}

// The stopped process may also have closed the other askers' questions along with the press and
// stopped before their answers went out: the press handled again sends them too.
TEST_F(AssistantTest, AskersClosedAlongByAStoppedProcessAreAnsweredWhenThePressIsHandledAgain) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const int64_t wifi = (*store_->ListTopics(kAlice))[0].id;
  AskAliceHandedOff(kBob, "how do I get online as a guest");
  const std::string its = ButtonValue("handoff_topic");
  Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest");
  auto waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 2u);
  // The stopped process closed both, and sent nothing.
  ASSERT_TRUE(*store_->CloseQuestion((*waiting)[0].id, store::QuestionOutcome::kResolved, wifi));
  ASSERT_TRUE(*store_->CloseQuestion((*waiting)[1].id, store::QuestionOutcome::kResolved, wifi));
  clock_.Advance(std::chrono::seconds(11));  // the inbox lease ran out
  ButtonPress press{kAlice, "handoff_topic", its, "DU0ALICE", "1.0", "", ""};
  press.resumed = true;
  const size_t before = messenger_.sent().size();
  assistant_->HandleButton(press);
  EXPECT_THAT(Since(before), HasSubstr("sent the answer to 2 people"));
  EXPECT_THAT(LastDirectTo(kBob).text, HasSubstr("It's on the fridge."));
  const auto sent = messenger_.sent();
  const auto to_carol =
      std::count_if(sent.begin() + static_cast<std::ptrdiff_t>(before), sent.end(),
                    [&](const RecordingMessenger::Sent& m) {
                      return m.to.kind == Destination::Kind::kDirect && m.to.user == kCarol;
                    });
  EXPECT_EQ(to_carol, 1);
  EXPECT_THAT(LastDirectTo(kCarol).text, HasSubstr("It's on the fridge."));
}

// The buttons of a hand-off outlive changes made elsewhere: a topic whose answer was cleared
// since sends its live answer, and one that has no answer anywhere sends nothing.
TEST_F(AssistantTest, ItsATopicWithoutAnAnswerNeverSendsAnEmptyAnswer) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const int64_t wifi = (*store_->ListTopics(kAlice))[0].id;
  AskAliceHandedOff(kBob, "how do I get online as a guest");
  const std::string its = ButtonValue("handoff_topic");
  ASSERT_TRUE(assistant_->topics().SetAnswer(kAlice, wifi, "").ok());  // the console, say
  EXPECT_THAT(Press(kAlice, "handoff_topic", its), HasSubstr("as another way to ask"));
  EXPECT_THAT(LastDirectTo(kBob).text, HasSubstr("It's on the fridge."));

  // Never published, no answer: refused, the question stays open.
  auto draft = assistant_->topics().Add(kAlice, {"where do visitors park?", {}, ""});
  ASSERT_TRUE(draft.ok());
  clock_.Advance(std::chrono::seconds(11));
  AskAliceHandedOff(kDave, "where can my guests leave their car");
  auto waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  const std::string parking = HandoffValue({(*waiting)[0].id, draft->id});
  EXPECT_THAT(Press(kAlice, "handoff_topic", parking), HasSubstr("has no answer yet"));
  EXPECT_EQ(store_->ListUnanswered(kAlice)->size(), 1u);
  EXPECT_EQ(assistant_->SettleAsTopic(kAlice, (*waiting)[0].id, draft->id).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ListUnanswered(kAlice)->size(), 1u);
}

// The pacing lives in the database: another process (here the next one after a restart) holds
// back the owner's next DM just the same and the DM after the interval counts what waited.
TEST_F(AssistantTest, HandOffPacingHoldsAcrossProcesses) {
  Dm(kBob, "ask <@U0ALICE> when is the company picnic");
  EXPECT_EQ(HandOffDmsTo(kAlice), 1);
  CloseAll();
  OpenAll();
  Dm(kBob, "ask <@U0ALICE> who won the football yesterday");
  EXPECT_EQ(HandOffDmsTo(kAlice), 1);
  clock_.Advance(std::chrono::seconds(11));
  CloseAll();
  OpenAll();
  Dm(kBob, "ask <@U0ALICE> is there cake in the kitchen");
  EXPECT_EQ(HandOffDmsTo(kAlice), 2);
  EXPECT_THAT(LastDirectTo(kAlice).text, HasSubstr("and 1 more question waiting for you"));
}

TEST_F(AssistantTest, ThumbsDownGoesToTheUnansweredList) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> guest wifi password?");
  const std::string id = ButtonValue("feedback_down");
  ASSERT_FALSE(id.empty());
  const metrics::FaqbotMetrics& m = metrics::Faqbot();
  const uint64_t unhelpful = m.feedback.With({"unhelpful"}).value();
  EXPECT_THAT(Press(kAlice, "feedback_down", id), HasSubstr("Only the person who asked"));
  EXPECT_THAT(Press(kBob, "feedback_down", id), HasSubstr("I've let <@U0ALICE> know"));
  EXPECT_EQ(HandOffDmsTo(kAlice), 1);
  // A second press (double click, another device) tells the owner nothing new.
  const size_t sent = messenger_.sent().size();
  Press(kBob, "feedback_down", id);
  EXPECT_EQ(messenger_.sent().size(), sent);
  EXPECT_EQ(HandOffDmsTo(kAlice), 1);
  EXPECT_EQ(m.feedback.With({"unhelpful"}).value(), unhelpful + 1);
  EXPECT_THAT(Dm(kAlice, "unanswered"), HasSubstr("guest wifi password? — asked by <@U0BOB> (👎"));
}

TEST_F(AssistantTest, AnAnswerToTheWordsOfATopicWhoseAnswerMissedBecomesItsAnswer) {
  Teach("what is the wifi password?", "tulip-42");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  // Asked in the topic's very words; the answer is out of date.
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> what is the wifi password?"), HasSubstr("tulip-42"));
  EXPECT_THAT(Press(kBob, "feedback_down", ButtonValue("feedback_down")),
              HasSubstr("know my answer missed"));
  const std::string told = LastDirectTo(kAlice).text;
  EXPECT_THAT(told, HasSubstr("👎 <@U0BOB> said the answer they got missed — I had answered with "
                              "your topic “what is the wifi password?”. Teach me, and I'll pass "
                              "it on."));
  EXPECT_THAT(told, Not(HasSubstr("I didn't know the answer")));
  EXPECT_THAT(told, Not(HasSubstr("[It's “what is the wifi password?”]")));
  Press(kAlice, "handoff_answer", ButtonValue("handoff_answer"));
  const std::string changed = Dm(kAlice, "tulip-43 since Monday");
  EXPECT_THAT(changed, HasSubstr("Changed the answer of what is the wifi password?, Alice"));
  EXPECT_THAT(changed, HasSubstr("I've sent your answer to 1 person who asked."));
  EXPECT_THAT(LastDirectTo(kBob).text, HasSubstr("tulip-43 since Monday"));
  // No second topic of the same words: whoever asks them next gets the new answer.
  EXPECT_EQ(store_->ListTopics(kAlice)->size(), 2u);
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> what is the wifi password?"),
              HasSubstr("tulip-43 since Monday"));
  // Nothing of its own to take back: a typed undo does not offer to delete the topic.
  EXPECT_THAT(Dm(kAlice, "undo"), HasSubstr("There's nothing for me to undo"));

  // Words that are another way to ask a topic leave it for the answer's new topic.
  clock_.Advance(std::chrono::seconds(11));  // a hand-off DM of its own
  Dm(kAlice, "add another way to ask the parking one");
  EXPECT_THAT(Dm(kAlice, "where do guests leave their cars"), HasSubstr("also asks"));
  Publish();
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> where do guests leave their cars"),
              HasSubstr("Level -2."));
  Press(kCarol, "feedback_down", ButtonValue("feedback_down"));
  Press(kAlice, "handoff_answer", ButtonValue("handoff_answer"));
  const std::string added = Dm(kAlice, "Guests park on level 1.");
  EXPECT_THAT(added, HasSubstr("Topic added"));
  EXPECT_THAT(added, HasSubstr("where do guests leave their cars is no longer a way to ask where "
                               "can visitors park?: it leads to this answer now."));
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> where do guests leave their cars"),
              HasSubstr("Guests park on level 1."));
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> where can visitors park?"), HasSubstr("Level -2."));
}

TEST_F(AssistantTest, SettledHandOffsAndWhatWentLiveAreCounted) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const metrics::FaqbotMetrics& m = metrics::Faqbot();
  auto resolved = [&](std::string_view action) {
    return m.handoffs_resolved.With({action}).value();
  };
  auto learned = [&](std::string_view kind) { return m.learned.With({kind}).value(); };
  const uint64_t its = resolved("its_topic"), answered = resolved("answered");
  const uint64_t ignored = resolved("ignored");
  const uint64_t phrasings = learned("phrasing"), topics = learned("topic");

  Dm(kBob, "ask <@U0ALICE> how do I get online as a guest");
  const std::string its_wifi = ButtonValue("handoff_topic");
  ASSERT_FALSE(its_wifi.empty());
  Press(kAlice, "handoff_topic", its_wifi);
  Press(kAlice, "handoff_topic", its_wifi);  // a second press changes nothing
  EXPECT_EQ(resolved("its_topic"), its + 1);
  EXPECT_EQ(learned("phrasing"), phrasings + 1);

  clock_.Advance(std::chrono::seconds(11));  // hand-off DMs to one owner are spaced out
  Dm(kCarol, "ask <@U0ALICE> when does the canteen open");
  Press(kAlice, "handoff_answer", ButtonValue("handoff_answer"));
  Dm(kAlice, "At noon.");
  EXPECT_EQ(resolved("answered"), answered + 1);
  EXPECT_EQ(learned("topic"), topics + 1);

  clock_.Advance(std::chrono::seconds(11));
  Dm(kBob, "ask <@U0ALICE> who won the football yesterday");
  const std::string ignore = ButtonValue("handoff_ignore");
  Press(kAlice, "handoff_ignore", ignore);
  Press(kAlice, "handoff_ignore", ignore);
  EXPECT_EQ(resolved("ignored"), ignored + 1);
  EXPECT_EQ(learned("phrasing"), phrasings + 1);
  EXPECT_EQ(learned("topic"), topics + 1);
}

TEST_F(AssistantTest, ItsTopicXGoesLiveAtOnceAndAnswersTheSameAndNearSameQuestion) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  const int64_t wifi = (*store_->ListTopics(kAlice))[0].id;
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> how do I get online as a guest"),
              HasSubstr("I don't know that one yet"));
  const std::string its_wifi = ButtonValue("handoff_topic");
  ASSERT_FALSE(its_wifi.empty());
  // The nearest topics are offered; pick the wifi one.
  std::string value;
  for (const auto& b : LastDirectTo(kAlice).reply.buttons) {
    if (b.action == "handoff_topic" && b.label.find("wifi") != std::string::npos) value = b.value;
  }
  ASSERT_FALSE(value.empty());
  const int64_t live_before = store_->GetLivePublication(kAlice, false)->value().version;

  const std::string done = Press(kAlice, "handoff_topic", value);
  EXPECT_THAT(done, HasSubstr("It's live: your bot answers it from now on."));
  EXPECT_THAT(done, HasSubstr("<@U0ALICE> says - It's on the fridge."));  // to Bob
  EXPECT_THAT(LastUpdate().text, HasSubstr("said it's what is the wifi password? — learned"));
  // Live without a publish: one new version holding only that phrasing.
  auto live = store_->GetLivePublication(kAlice, false)->value();
  EXPECT_EQ(live.version, live_before + 1);
  EXPECT_EQ(live.topics[0].content.phrasings,
            std::vector<std::string>{"how do I get online as a guest"});
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest"),
              HasSubstr("<@U0ALICE> says - It's on the fridge."));
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how can I get online as a guest?"),
              HasSubstr("<@U0ALICE> says - It's on the fridge."));

  // A second press (double click, retry) changes nothing.
  EXPECT_THAT(Press(kAlice, "handoff_topic", value), HasSubstr("handled already"));
  EXPECT_EQ(store_->GetTopic(kAlice, wifi)->value().content.phrasings.size(), 1u);
  EXPECT_EQ(store_->GetLivePublication(kAlice, false)->value().version, live.version);
  EXPECT_THAT(Dm(kAlice, "show my topics"), HasSubstr("2 of 2 live"));
}

TEST_F(AssistantTest, AWrongItsXIsUndoneAtOnceAndTheQuestionHandedBack) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  const auto topics = *store_->ListTopics(kAlice);
  const int64_t parking =
      topics[0].content.question == "where can visitors park?" ? topics[0].id : topics[1].id;
  Dm(kBob, "ask <@U0ALICE> how do I get online as a guest");
  std::string wrong;
  for (const auto& b : LastDirectTo(kAlice).reply.buttons) {
    if (b.action == "handoff_topic" && b.label.find("park") != std::string::npos) wrong = b.value;
  }
  ASSERT_FALSE(wrong.empty());
  EXPECT_THAT(Press(kAlice, "handoff_topic", wrong), HasSubstr("It's live"));
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest"),
              HasSubstr("says - Level -2."));  // the mistake is live
  const int64_t live_before = store_->GetLivePublication(kAlice, false)->value().version;

  const std::string undo = ButtonValue("handoff_undo");
  ASSERT_FALSE(undo.empty());
  const std::string undone = Press(kAlice, "handoff_undo", undo);
  EXPECT_THAT(undone, HasSubstr("Undone: how do I get online as a guest is no longer a way to "
                                "ask where can visitors park? — your bot has forgotten it."));
  EXPECT_THAT(undone, HasSubstr("<@U0BOB> asked you: how do I get online as a guest"));
  EXPECT_THAT(undone, HasSubstr("<@U0BOB> was sent the answer of where can visitors park? and "
                                "has been told it was not for them."));
  EXPECT_THAT(LastDirectTo(kBob).text,
              HasSubstr("Sorry — the answer I sent you was for another question (where can "
                        "visitors park?). I've handed yours back to <@U0ALICE>."));
  // Carol asked the same words after the press and the live bot answered her from the mistake.
  EXPECT_THAT(LastDirectTo(kCarol).text, HasSubstr("the answer I sent you was for another"));
  EXPECT_THAT(undone, HasSubstr("Told too, and waiting with it again: <@U0CAROL>"));
  // Handed back with the other topics offered, not the wrong one.
  Reply handed;
  for (const auto& m : messenger_.sent()) {
    if (m.text.find("asked you") != std::string::npos) handed = m.reply;
  }
  bool offers_wifi = false, offers_parking = false;
  for (const auto& b : handed.buttons) {
    offers_wifi |= b.action == "handoff_topic" && b.label.find("wifi") != std::string::npos;
    offers_parking |= b.action == "handoff_topic" && b.label.find("park") != std::string::npos;
  }
  EXPECT_TRUE(offers_wifi);
  EXPECT_FALSE(offers_parking);
  // Forgotten at once, live and draft; the owner's other words stay.
  const auto live = store_->GetLivePublication(kAlice, false)->value();
  EXPECT_EQ(live.version, live_before + 1);
  for (const auto& t : live.topics) EXPECT_TRUE(t.content.phrasings.empty()) << t.content.question;
  EXPECT_TRUE(store_->GetTopic(kAlice, parking)->value().content.phrasings.empty());
  EXPECT_THAT(Dm(kDave, "ask <@U0ALICE> how do I get online as a guest"),
              Not(HasSubstr("Level -2.")));
  EXPECT_THAT(Dm(kDave, "ask <@U0ALICE> where can visitors park?"), HasSubstr("Level -2."));

  // A second press changes nothing and hands nothing over twice; the pressed message keeps
  // saying what was undone (the note is a message of its own).
  const size_t sent = messenger_.sent().size();
  EXPECT_THAT(Press(kAlice, "handoff_undo", undo), HasSubstr("Undone already"));
  for (size_t i = sent; i < messenger_.sent().size(); ++i) {
    EXPECT_NE(messenger_.sent()[i].to.kind, Destination::Kind::kUpdate)
        << messenger_.sent()[i].text;
  }
  EXPECT_EQ(store_->GetLivePublication(kAlice, false)->value().version, live.version);
  for (size_t i = sent; i < messenger_.sent().size(); ++i) {
    EXPECT_THAT(messenger_.sent()[i].text, Not(HasSubstr("asked you")));
  }
  // The right topic now.
  std::string right;
  for (const auto& b : handed.buttons) {
    if (b.action == "handoff_topic" && b.label.find("wifi") != std::string::npos) right = b.value;
  }
  EXPECT_THAT(Press(kAlice, "handoff_topic", right), HasSubstr("says - It's on the fridge."));
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest"),
              HasSubstr("says - It's on the fridge."));
}

TEST_F(AssistantTest, AnUndoneItsXIsCorrectedForEveryAskerItAnswered) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  for (const auto& asker : {kBob, kCarol, kDave}) {
    Dm(asker, "ask <@U0ALICE> how do I get online as a guest?");
  }
  // Alice presses *It's …* for the topic with `words`: all three askers get `answer`.
  const auto its = [&](const std::string& words, const std::string& answer) {
    const std::string value = ItsTopicButton(words);
    ASSERT_FALSE(value.empty()) << words;
    EXPECT_THAT(Press(kAlice, "handoff_topic", value),
                HasSubstr("I've sent the answer to 3 people who asked."));
    for (const auto& asker : {kBob, kCarol, kDave}) {
      EXPECT_THAT(LastDirectTo(asker).text, HasSubstr("says - " + answer)) << asker.user_id;
    }
  };
  its("park", "Level -2.");

  const std::string undo = ButtonValue("handoff_undo");
  const std::string undone = Press(kAlice, "handoff_undo", undo);
  EXPECT_THAT(undone, HasSubstr("Told too, and waiting with it again: <@U0DAVE>, <@U0CAROL> — "
                                "your answer reaches them all."));  // newest first
  for (const auto& asker : {kBob, kCarol, kDave}) {
    EXPECT_THAT(LastDirectTo(asker).text,
                HasSubstr("Sorry — the answer I sent you was for another question"))
        << asker.user_id;
  }
  EXPECT_THAT(Dm(kAlice, "unanswered questions"), HasSubstr("×3"));

  // A second press tells nobody anything twice.
  const size_t sent = messenger_.sent().size();
  Press(kAlice, "handoff_undo", undo);
  for (size_t i = sent; i < messenger_.sent().size(); ++i) {
    EXPECT_FALSE(messenger_.sent()[i].to.user == kBob) << messenger_.sent()[i].text;
    EXPECT_FALSE(messenger_.sent()[i].to.user == kCarol) << messenger_.sent()[i].text;
  }
  its("wifi", "It's on the fridge.");  // the right topic then reaches all three
}

// "undo" typed in the DM takes back the latest *It's X* as its button does, for every asker it
// answered; once, and only within the hour.
TEST_F(AssistantTest, ATypedUndoTakesBackTheLatestItsX) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  EXPECT_THAT(Dm(kAlice, "undo"), HasSubstr("There's nothing for me to undo"));
  for (const auto& asker : {kBob, kCarol, kDave}) {
    Dm(asker, "ask <@U0ALICE> how do I get online as a guest?");
  }
  const std::string wrong = ItsTopicButton("park");
  ASSERT_FALSE(wrong.empty());
  EXPECT_THAT(Press(kAlice, "handoff_topic", wrong),
              HasSubstr("I've sent the answer to 3 people who asked."));
  clock_.Advance(std::chrono::minutes(5));

  const std::string undone = Dm(kAlice, "oops, undo that");
  EXPECT_THAT(undone, HasSubstr("Undone: how do I get online as a guest? is no longer a way to "
                                "ask where can visitors park?"));
  EXPECT_THAT(undone, HasSubstr("Told too, and waiting with it again: "));
  EXPECT_THAT(undone, HasSubstr("<@U0CAROL>"));
  EXPECT_THAT(undone, HasSubstr("<@U0DAVE>"));
  for (const auto& asker : {kBob, kCarol, kDave}) {
    EXPECT_THAT(LastDirectTo(asker).text,
                HasSubstr("Sorry — the answer I sent you was for another question"))
        << asker.user_id;
  }
  EXPECT_THAT(Dm(kAlice, "unanswered questions"), HasSubstr("×3"));
  EXPECT_THAT(Dm(kEve, "ask <@U0ALICE> how do I get online as a guest?"),
              Not(HasSubstr("Level -2.")));
  // Nothing left to take back; the button of the press says so too.
  EXPECT_THAT(Dm(kAlice, "undo"), HasSubstr("There's nothing for me to undo"));
  EXPECT_THAT(Press(kAlice, "handoff_undo", ButtonValue("handoff_undo")),
              HasSubstr("Undone already"));

  // The right topic; an hour later "undo" no longer reaches back to it.
  EXPECT_THAT(Press(kAlice, "handoff_topic", ItsTopicButton("wifi")),
              HasSubstr("says - It's on the fridge."));
  clock_.Advance(std::chrono::minutes(61));
  EXPECT_THAT(Dm(kAlice, "undo"), HasSubstr("There's nothing for me to undo"));
  EXPECT_THAT(Dm(kEve, "ask <@U0ALICE> how do I get online as a guest?"),
              HasSubstr("It's on the fridge."));
}

// Two presses for the same topic a moment apart: "undo" takes back the latest only, then nothing.
TEST_F(AssistantTest, ATypedUndoTakesBackOnlyTheLatestPress) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  const int64_t wifi = (*store_->ListTopics(kAlice))[0].id;
  AskAliceHandedOff(kBob, "how do I get online as a guest");
  EXPECT_THAT(Press(kAlice, "handoff_topic", ItsTopicButton("wifi")), HasSubstr("It's live"));
  Dm(kCarol, "ask <@U0ALICE> what is the door code");  // held back: the list has it
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_THAT(Dm(kAlice, "unanswered questions"), HasSubstr("what is the door code"));
  EXPECT_THAT(Press(kAlice, "handoff_topic", ButtonValue("handoff_topic")), HasSubstr("It's live"));
  clock_.Advance(std::chrono::seconds(1));
  const std::string undone = Dm(kAlice, "undo");
  EXPECT_THAT(undone, HasSubstr("Undone: what is the door code is no longer a way to ask"));
  EXPECT_THAT(LastDirectTo(kCarol).text, HasSubstr("the answer I sent you was for another"));
  EXPECT_THAT(LastDirectTo(kBob).text, Not(HasSubstr("the answer I sent you was for another")));
  const auto phrasings = store_->GetTopic(kAlice, wifi)->value().content.phrasings;
  EXPECT_THAT(phrasings, testing::ElementsAre("how do I get online as a guest"));
  EXPECT_THAT(Dm(kAlice, "undo"), HasSubstr("There's nothing for me to undo"));
}

// An undo names every question it hands back and updates the DMs that said they were settled;
// no "another question came in" follows for them.
TEST_F(AssistantTest, AnUndoIsAHandoffDmOfItsOwn) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  const auto dm = AskAliceHandedOff(kBob, "how do I get online as a guest");
  Dm(kCarol, "ask <@U0ALICE> how do I get online, as a guest");  // held back
  EXPECT_THAT(Press(kAlice, "handoff_topic", ItsTopicButton("park")),
              HasSubstr("sent the answer to 2 people"));
  clock_.Advance(std::chrono::seconds(3));
  const size_t before = messenger_.sent().size();
  EXPECT_THAT(Dm(kAlice, "undo"), HasSubstr("Told too, and waiting with it again: <@U0CAROL>"));
  const auto updates = UpdatesOf(messenger_.sent(), before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("took back “It's where can visitors park?” — the "
                                         "question waits for you again."));
  EXPECT_TRUE(updates[0].reply.buttons.empty());
  clock_.Advance(std::chrono::seconds(11));
  const size_t after = messenger_.sent().size();
  assistant_->RemindOfHeldBackHandoffs();
  EXPECT_EQ(messenger_.sent().size(), after) << Last().text;

  // *Answer it* on the handed-back DM, then *cancel*: it comes back still without the undone topic.
  EXPECT_THAT(Press(kAlice, "handoff_answer", ButtonValue("handoff_answer")),
              HasSubstr("What answer should I give"));
  Dm(kAlice, "cancel");
  const auto restored = LastUpdate();
  EXPECT_THAT(restored.text, HasSubstr("asked you: how do I get online as a guest"));
  bool offers_wifi = false;
  for (const auto& b : restored.reply.buttons) {
    EXPECT_EQ(b.label.find("park"), std::string::npos) << b.label;
    offers_wifi |= b.label.find("wifi") != std::string::npos;
  }
  EXPECT_TRUE(offers_wifi);
}

// Command words in a flow or a hand-off DM's thread never reach an asker unasked.
TEST_F(AssistantTest, UndoOrCancelTypedAsAnAnswerIsNotSentToTheAsker) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  const auto dm = AskAliceHandedOff(kBob, "where can I print stuff");
  EXPECT_THAT(Press(kAlice, "handoff_answer", ButtonValue("handoff_answer")),
              HasSubstr("What answer should I give"));
  EXPECT_THAT(Dm(kAlice, "oops, wrong topic"), HasSubstr("reads like a command"));
  EXPECT_THAT(Dm(kAlice, "cancel"), HasSubstr("cancelled"));
  for (const std::string words : {"undo", "cancel"}) {
    const std::string said = Dm(kAlice, words, dm.ts);
    EXPECT_THAT(said, HasSubstr("reads like a command. Is it your answer to <@U0BOB>?"));
    EXPECT_THAT(Press(kAlice, "deny", ButtonValue("deny")), HasSubstr("nothing was sent"));
  }
  for (const auto& m : messenger_.sent()) {
    if (m.to.user == kBob) {
      EXPECT_THAT(m.text, Not(HasSubstr("says -"))) << m.text;
    }
  }
  // Meant as the answer after all: sent.
  Dm(kAlice, "cancel", dm.ts);
  Press(kAlice, "affirm", ButtonValue("affirm"));
  EXPECT_THAT(LastDirectTo(kBob).text, HasSubstr("says - cancel"));
}

// After *Answer it* the question is a topic of its own: "undo" shows it, to delete.
TEST_F(AssistantTest, ATypedUndoAfterAnswerItShowsTheTopicItMade) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  AskAliceHandedOff(kBob, "where can I print stuff");
  EXPECT_THAT(Press(kAlice, "handoff_answer", ButtonValue("handoff_answer")),
              HasSubstr("What answer should I give"));
  EXPECT_THAT(Dm(kAlice, "Second floor."), HasSubstr("Topic added"));
  const std::string said = Dm(kAlice, "undo");
  EXPECT_THAT(said, HasSubstr("Your latest answer became a topic of its own"));
  EXPECT_THAT(said, HasSubstr("where can I print stuff"));
  EXPECT_THAT(said, HasSubstr("Second floor."));  // its card
  EXPECT_THAT(Dm(kAlice, "delete it"), HasSubstr("where can I print stuff"));
}

// The owner's word can miss too: the asker's 👎 under it hands the question back, and the
// owner's *Undo* still takes the wrong words back from the topic.
TEST_F(AssistantTest, AnAskerSaysTheOwnersAnswerMissedAndTheQuestionWaitsAgain) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> how do I get online as a guest");
  EXPECT_THAT(Press(kAlice, "handoff_topic", ItsTopicButton("park")), HasSubstr("It's live"));
  const std::string undo = ButtonValue("handoff_undo");
  const auto answered = LastDirectTo(kBob);
  EXPECT_THAT(answered.text, HasSubstr("Level -2."));
  std::string down;
  for (const auto& b : answered.reply.buttons) {
    if (b.action == "feedback_down") down = b.value;
  }
  ASSERT_FALSE(down.empty());
  EXPECT_TRUE(store_->ListUnanswered(kAlice)->empty());

  // A moment after the hand-off DM (within its pacing): told at once all the same.
  const size_t pressed = messenger_.sent().size();
  EXPECT_THAT(Press(kBob, "feedback_down", down),
              HasSubstr("Thanks — I've let <@U0ALICE> know their answer missed."));
  int new_dms = 0;
  const auto after_press = messenger_.sent();
  for (size_t i = pressed; i < after_press.size(); ++i) {
    const auto& m = after_press[i];
    new_dms += m.to.kind == Destination::Kind::kDirect && m.to.user == kAlice &&
               m.text.find("asked you:") != std::string::npos;
  }
  EXPECT_EQ(new_dms, 1);
  EXPECT_THAT(LastDirectTo(kAlice).text,
              HasSubstr("<@U0BOB> asked you: how do I get online as a guest"));
  ASSERT_EQ(store_->ListUnanswered(kAlice)->size(), 1u);
  const size_t sent = messenger_.sent().size();
  Press(kBob, "feedback_down", down);  // twice: nothing more
  for (size_t i = sent; i < messenger_.sent().size(); ++i) {
    EXPECT_FALSE(messenger_.sent()[i].to.user == kAlice) << messenger_.sent()[i].text;
  }
  // Then 👍 after all: the question still waits for Alice, and her Undo still works.
  std::string up;
  for (const auto& b : answered.reply.buttons) {
    if (b.action == "feedback_up") up = b.value;
  }
  EXPECT_THAT(Press(kBob, "feedback_up", up), HasSubstr("Glad it helped"));
  ASSERT_EQ(store_->ListUnanswered(kAlice)->size(), 1u);

  // Alice's Undo still takes the words back from the wrong topic.
  EXPECT_THAT(Press(kAlice, "handoff_undo", undo),
              HasSubstr("Undone: how do I get online as a guest is no longer a way to ask where "
                        "can visitors park?"));
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest"),
              Not(HasSubstr("Level -2.")));
  EXPECT_THAT(Press(kAlice, "handoff_undo", undo), HasSubstr("Undone already"));
  // The right topic reaches Bob; a 👎 of that answer hands it back again, once.
  EXPECT_THAT(Press(kAlice, "handoff_topic", ItsTopicButton("wifi")),
              HasSubstr("says - It's on the fridge."));
  const auto second = LastDirectTo(kBob);
  EXPECT_THAT(second.text, HasSubstr("It's on the fridge."));
  EXPECT_TRUE(store_->ListUnanswered(kAlice)->empty());
  // The first answer's 👎 again says nothing of the second.
  EXPECT_THAT(Press(kBob, "feedback_down", down),
              HasSubstr("<@U0ALICE> has answered your question since"));
  EXPECT_TRUE(store_->ListUnanswered(kAlice)->empty());
  std::string second_down;
  for (const auto& b : second.reply.buttons) {
    if (b.action == "feedback_down") second_down = b.value;
  }
  EXPECT_NE(second_down, down);
  EXPECT_THAT(Press(kBob, "feedback_down", second_down),
              HasSubstr("Thanks — I've let <@U0ALICE> know their answer missed."));
  EXPECT_EQ(store_->ListUnanswered(kAlice)->size(), 1u);
  EXPECT_THAT(Press(kBob, "feedback_down", second_down), Not(HasSubstr("Thanks")));
}

// The bot's answer rated 👎 and then 👍 after all: the question leaves the owner's list, and the
// hand-off DM the 👎 sent says so instead of waiting with buttons.
TEST_F(AssistantTest, ABotAnswerRatedDownThenUpLeavesTheOwnerNothingToDo) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> what is the wifi password?"), HasSubstr("on the fridge"));
  const std::string down = ButtonValue("feedback_down");
  const std::string up = ButtonValue("feedback_up");
  EXPECT_THAT(Press(kBob, "feedback_down", down), HasSubstr("know my answer missed"));
  const auto dm = NewestHandoffDm(messenger_.sent(), kAlice);
  ASSERT_FALSE(dm.ts.empty());
  ASSERT_EQ(store_->ListUnanswered(kAlice)->size(), 1u);
  const size_t before = messenger_.sent().size();
  EXPECT_THAT(Press(kBob, "feedback_up", up), HasSubstr("Glad it helped"));
  EXPECT_TRUE(store_->ListUnanswered(kAlice)->empty());
  const auto updates = UpdatesOf(messenger_.sent(), before, dm.ts);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0].text, HasSubstr("👍 <@U0BOB> said my answer helped after all"));
  EXPECT_TRUE(updates[0].reply.buttons.empty());

  // Alice had pressed *Answer it* before that 👍: her words are shown, not dropped unsaid.
  EXPECT_THAT(Press(kBob, "feedback_down", down), HasSubstr("know my answer missed"));
  EXPECT_THAT(Press(kAlice, "handoff_answer", ButtonValue("handoff_answer")),
              HasSubstr("What answer should I give"));
  EXPECT_THAT(Press(kBob, "feedback_up", up), HasSubstr("Glad it helped"));
  EXPECT_THAT(Dm(kAlice, "Ask the front desk."),
              HasSubstr("<@U0BOB> said my answer helped after all, so I didn't send yours: “Ask "
                        "the front desk.”"));
}

// An answer the owner took back (*Undo*) has nothing left to rate: its 👍 / 👎 say so and change
// nothing, not even the hand-off DM that went with the undo.
TEST_F(AssistantTest, ATakenBackAnswerCannotBeRated) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  Dm(kDave, "ask <@U0ALICE> how do I get online as a guest");
  EXPECT_THAT(Press(kAlice, "handoff_topic", ItsTopicButton("park")), HasSubstr("It's live"));
  std::string down;
  for (const auto& b : LastDirectTo(kDave).reply.buttons) {
    if (b.action == "feedback_down") down = b.value;
  }
  ASSERT_FALSE(down.empty());
  EXPECT_THAT(Dm(kAlice, "undo"), HasSubstr("Undone"));
  const int dms = HandOffDmsTo(kAlice);
  const size_t before = messenger_.sent().size();
  EXPECT_THAT(Press(kDave, "feedback_down", down),
              HasSubstr("That answer was taken back — <@U0ALICE> has your question again"));
  EXPECT_THAT(Press(kDave, "feedback_up", down), HasSubstr("That answer was taken back"));
  EXPECT_EQ(HandOffDmsTo(kAlice), dms);
  for (size_t i = before; i < messenger_.sent().size(); ++i) {
    EXPECT_NE(messenger_.sent()[i].to.kind, Destination::Kind::kUpdate)
        << messenger_.sent()[i].text;
  }
  EXPECT_EQ(store_->GetQuestion((*store_->ListUnanswered(kAlice))[0].id)->value().feedback,
            store::Feedback::kNone);
}

TEST_F(AssistantTest, AHandoffButtonValueCarriesTheAskersAnsweredAlong) {
  const HandoffRef ref{12, 5, true, {13, 14}};
  EXPECT_EQ(HandoffValue(ref), "12:5+13,14/list");
  const auto parsed = ParseHandoffValue(HandoffValue(ref));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->question_id, 12);
  EXPECT_EQ(parsed->topic_id, 5);
  EXPECT_TRUE(parsed->from_list);
  EXPECT_EQ(parsed->along, (std::vector<int64_t>{13, 14}));
  EXPECT_EQ(HandoffValue({12}), "12");
  for (const char* bad : {"12:5+", "12:5+13,", "12:5+x", "12:5+0", "+13", "12:5+13,,14"}) {
    EXPECT_FALSE(ParseHandoffValue(bad).has_value()) << bad;
  }
  std::string many = "12:5+1";
  for (int i = 2; i <= 51; ++i) many += "," + std::to_string(i);
  EXPECT_FALSE(ParseHandoffValue(many).has_value());  // more than were ever sent along
}

TEST_F(AssistantTest, ADeclinedAskerPicksASuggestedTopicAndGetsItsAnswerAtOnce) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  const double picked_before = metrics::Faqbot().suggestions_picked.With().value();
  const std::string declined = Dm(kBob, "ask <@U0ALICE> where do I leave my car");
  EXPECT_THAT(declined, HasSubstr("I don't know that one yet — I've asked <@U0ALICE>"));
  EXPECT_THAT(declined, HasSubstr("Meanwhile — is it one of these?"));
  EXPECT_THAT(declined, HasSubstr("[“where can visitors park?”]"));
  EXPECT_THAT(declined, Not(HasSubstr("[“what is the wifi password?”]")));  // not near enough
  const std::string pick = ButtonValue("suggestion_pick");
  ASSERT_FALSE(pick.empty());

  EXPECT_THAT(Press(kCarol, "suggestion_pick", pick), HasSubstr("Only the person who asked"));
  const std::string answered = Press(kBob, "suggestion_pick", pick);
  EXPECT_THAT(answered, HasSubstr("<@U0ALICE> says - Level -2."));
  EXPECT_THAT(answered, HasSubstr("You picked where can visitors park?"));
  EXPECT_FALSE(ButtonValue("feedback_down").empty());  // 👎 hands it back to Alice
  EXPECT_EQ(metrics::Faqbot().suggestions_picked.With().value(), picked_before + 1);
  EXPECT_THAT(Press(kBob, "suggestion_pick", pick), HasSubstr("settled already"));
  EXPECT_EQ(metrics::Faqbot().suggestions_picked.With().value(), picked_before + 1);
  EXPECT_THAT(Dm(kAlice, "unanswered questions"), Not(HasSubstr("where do I leave my car")));
  // Not a guess shown to someone asking about something else entirely.
  EXPECT_THAT(Dm(kDave, "ask <@U0ALICE> who won the football"), Not(HasSubstr("Meanwhile")));

  // Alice confirms Bob's pick from her hand-off: the bot learns it; Bob gets nothing twice.
  const size_t sent = messenger_.sent().size();
  const std::string confirmed = Press(kAlice, "handoff_topic", ItsTopicButton("park"));
  EXPECT_THAT(confirmed, HasSubstr("Added where do I leave my car as another way to ask where "
                                   "can visitors park?"));
  EXPECT_THAT(confirmed, HasSubstr("<@U0BOB> had already picked it from my suggestions."));
  for (size_t i = sent; i < messenger_.sent().size(); ++i) {
    EXPECT_FALSE(messenger_.sent()[i].to.user == kBob) << messenger_.sent()[i].text;
  }
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> where do I leave my car"), HasSubstr("says - Level -2."));

  // Taken back, by the button or typed: Bob chose it himself, so he is not told the bot sent
  // him another question's answer.
  const std::string undo = ButtonValue("handoff_undo");
  ASSERT_THAT(undo, EndsWith("/picked"));
  const size_t before_undo = messenger_.sent().size();
  const std::string undone = Dm(kAlice, "undo");
  EXPECT_THAT(undone, HasSubstr("<@U0BOB> had picked where can visitors park? from my "
                                "suggestions and has been told it is not the answer."));
  std::string to_bob;
  for (size_t i = before_undo; i < messenger_.sent().size(); ++i) {
    if (messenger_.sent()[i].to.user == kBob) to_bob += messenger_.sent()[i].text;
  }
  EXPECT_THAT(to_bob, HasSubstr("<@U0ALICE> says the topic you picked from my suggestions (where "
                                "can visitors park?) isn't the answer to it."));
  EXPECT_THAT(to_bob, Not(HasSubstr("Sorry")));
}

TEST_F(AssistantTest, AnOwnerTryingTheirBotTeachesItByPickingASuggestion) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  const std::string declined = Dm(kAlice, "ask <@U0ALICE> where do I leave my car");
  EXPECT_THAT(declined, HasSubstr("Your bot doesn't know that one yet — add it as a topic?"));
  EXPECT_THAT(declined, HasSubstr("Or is it one of these? Pick one to teach your bot"));
  const std::string pick = ButtonValue("suggestion_pick");
  ASSERT_FALSE(pick.empty());
  EXPECT_THAT(Press(kBob, "suggestion_pick", pick), HasSubstr("Only the person who asked"));
  const std::string taught = Press(kAlice, "suggestion_pick", pick);
  EXPECT_THAT(taught, HasSubstr("Added where do I leave my car as another way to ask where can "
                                "visitors park?"));
  EXPECT_THAT(taught, HasSubstr("It's live"));
  EXPECT_THAT(Press(kAlice, "suggestion_pick", pick), HasSubstr("settled that one already"));
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> where do I leave my car"), HasSubstr("says - Level -2."));
}

TEST_F(AssistantTest, AMalformedOrStaleSuggestionIsRefusedPlainly) {
  Teach("where can visitors park?", "Level -2.");
  Publish();
  const std::vector<std::string> values = {"",
                                           ":",
                                           "q1:",
                                           "q1:x",
                                           "q1:0",
                                           "no such key:5",
                                           std::string(200, 'q') + ":5",
                                           "q0000000000000000:5"};
  for (const std::string& value : values) {
    EXPECT_THAT(Press(kBob, "suggestion_pick", value), HasSubstr("I can't find that question"))
        << value;
  }
}

TEST_F(AssistantTest, TheOwnersWordOverridesTheAskersPick) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> where do I leave my car");
  const std::string its_wifi = ItsTopicButton("wifi");
  const std::string answer_it = ButtonValue("handoff_answer");
  Press(kBob, "suggestion_pick", ButtonValue("suggestion_pick"));
  EXPECT_THAT(Press(kAlice, "handoff_answer", answer_it),
              HasSubstr("The asker picked where can visitors park? from my suggestions meanwhile"));
  // Alice says it is another topic: Bob gets that one's answer, and the bot learns it.
  ASSERT_FALSE(its_wifi.empty());
  EXPECT_THAT(Press(kAlice, "handoff_topic", its_wifi), HasSubstr("I've sent the answer to 1"));
  EXPECT_THAT(LastDirectTo(kBob).text, HasSubstr("<@U0ALICE> says - It's on the fridge."));
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> where do I leave my car"),
              HasSubstr("says - It's on the fridge."));
}

TEST_F(AssistantTest, OnlyTheLearnedPhrasingGoesLiveTheDraftsStayDrafts) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Teach("who waters the plants?", "Dana.");  // a draft
  Dm(kBob, "ask <@U0ALICE> how do I get online as a guest");
  const std::string value = ButtonValue("handoff_topic");
  ASSERT_FALSE(value.empty());
  Press(kAlice, "handoff_topic", value);
  auto live = store_->GetLivePublication(kAlice, false)->value();
  ASSERT_EQ(live.topics.size(), 1u);
  EXPECT_EQ(live.topics[0].content.question, "what is the wifi password?");
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> who waters the plants?"), HasSubstr("I don't know"));
  EXPECT_THAT(Dm(kAlice, "show my topics"), HasSubstr("🅾 who waters the plants?"));
}

TEST_F(AssistantTest, OneAnswerReachesEveryAskerWaitingOnTheQuestion) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Dm(kBob, "ask <@U0ALICE> when is the company picnic?");
  Dm(kCarol, "ask <@U0ALICE> When is the company picnic");
  Dm(kDave, "ask <@U0ALICE> when is the company picnic?");
  EXPECT_THAT(Dm(kAlice, "unanswered questions"), HasSubstr("×3"));
  EXPECT_THAT(Press(kAlice, "handoff_answer", ButtonValue("handoff_answer")),
              HasSubstr("What answer should I give"));
  const std::string done = Dm(kAlice, "June 12th, in the park.");
  EXPECT_THAT(done, HasSubstr("I've sent your answer to 3 people who asked."));
  for (const auto& asker : {kBob, kCarol, kDave}) {
    EXPECT_THAT(LastDirectTo(asker).text, HasSubstr("<@U0ALICE> says - June 12th, in the park."))
        << asker.user_id;
  }
  // The pressed list was refreshed.
  EXPECT_THAT(LastUpdate().text, HasSubstr("No questions are waiting"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
  // A second answer to the same question makes no second topic.
  EXPECT_THAT(Press(kAlice, "handoff_answer", ButtonValue("handoff_answer")),
              HasSubstr("handled already"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
}

// "Would you like to add anything else?" answered in words, not with its buttons.
TEST_F(AssistantTest, AYesAfterATopicWasAddedStartsAnotherOne) {
  Dm(kAlice, "add a topic");
  Dm(kAlice, "what is the wifi password?");
  EXPECT_THAT(Dm(kAlice, "It's on the fridge."), HasSubstr("Would you like to add anything else?"));
  EXPECT_THAT(Dm(kAlice, "yes"), HasSubstr("What question should I expect?"));
  Dm(kAlice, "where can visitors park?");
  EXPECT_THAT(Dm(kAlice, "Level -2."), HasSubstr("Would you like to add anything else?"));
  EXPECT_THAT(Dm(kAlice, "no"), HasSubstr("That's fine, leaving as it is."));
  EXPECT_THAT(Dm(kAlice, "yes"), Not(HasSubstr("What question should I expect?")));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
  // "another phrasing" is *Another phrasing of this one*.
  Dm(kAlice, "add a topic");
  Dm(kAlice, "is there a gym?");
  Dm(kAlice, "Yes, on the fifth floor.");
  EXPECT_THAT(Dm(kAlice, "add another way to ask it"),
              HasSubstr("How else might people ask is there a gym?"));
  EXPECT_THAT(Dm(kAlice, "where can I work out"),
              HasSubstr("Got it — where can I work out also asks"));
  EXPECT_EQ(store_->ListTopics(kAlice)->back().content.phrasings,
            std::vector<std::string>{"where can I work out"});
}

TEST_F(AssistantTest, TheLearningSettingIsChangedInTheOwnersOwnWords) {
  struct Case {
    const char* text;
    bool learn;  // the setting after it
  };
  for (const Case c :
       {Case{"learn from my answers: off", false}, Case{"learn from my answers: on", true},
        Case{"turn off learning", false}, Case{"Turn learning on again.", true},
        Case{"stop learning from my answers", false}, Case{"enable learning", true},
        Case{"don't learn from my answers", false}, Case{"learning on", true}}) {
    const std::string said = Dm(kAlice, c.text);
    EXPECT_THAT(said, HasSubstr(c.learn ? "Learning is on" : "Learning is off")) << c.text;
    EXPECT_EQ(store_->GetOwnerSettings(kAlice)->learn, c.learn) << c.text;
  }
  // Not a change: a question about it, no direction, or another subject.
  Dm(kAlice, "learning off");
  for (const char* text :
       {"what happens when learning is off?", "learning", "learn how to turn on the projector"}) {
    EXPECT_THAT(Dm(kAlice, text), Not(HasSubstr("Learning is on"))) << text;
    EXPECT_FALSE(store_->GetOwnerSettings(kAlice)->learn) << text;
  }
}

TEST_F(AssistantTest, WithLearningOffAnswersWaitForAPublish) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  EXPECT_THAT(Dm(kAlice, "settings"), HasSubstr("*Learn from my answers:* on"));
  EXPECT_THAT(Dm(kAlice, "learn from my answers: off"), HasSubstr("Learning is off"));
  EXPECT_FALSE(store_->GetOwnerSettings(kAlice)->learn);
  const int64_t version = store_->GetLivePublication(kAlice, false)->value().version;
  Dm(kBob, "ask <@U0ALICE> how do I get online as a guest");
  const std::string done = Press(kAlice, "handoff_topic", ButtonValue("handoff_topic"));
  EXPECT_THAT(done, HasSubstr("It goes live when you publish."));
  EXPECT_THAT(done, HasSubstr("says - It's on the fridge."));  // Bob still hears it
  EXPECT_EQ(store_->GetLivePublication(kAlice, false)->value().version, version);
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest"),
              HasSubstr("I don't know that one yet"));
  EXPECT_THAT(Dm(kAlice, "show my topics"), HasSubstr("🅾 what is the wifi password?"));
  Publish();
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest"),
              HasSubstr("says - It's on the fridge."));
  // Published since: an Undo takes it out of the live bot at once, learning off or not.
  EXPECT_THAT(Press(kAlice, "handoff_undo", ButtonValue("handoff_undo")),
              HasSubstr("your bot has forgotten it"));
  EXPECT_THAT(Dm(kCarol, "ask <@U0ALICE> how do I get online as a guest"),
              HasSubstr("I don't know that one yet"));
  EXPECT_THAT(Press(kAlice, "learn_on"), HasSubstr("Learning is on"));
}

TEST_F(AssistantTest, ANewTopicTheBotAlreadyAnswersIsOfferedAsAPhrasing) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Press(kAlice, "add_topic");
  const std::string offer = Dm(kAlice, "what's the wifi password");
  EXPECT_THAT(offer, HasSubstr("This looks like your topic what is the wifi password?"));
  const std::string value = ButtonValue("affirm");
  EXPECT_EQ(value.rfind("similar:", 0), 0u);
  EXPECT_THAT(Press(kAlice, "affirm", value), HasSubstr("It's live"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 1);
  EXPECT_EQ((*store_->ListTopics(kAlice))[0].content.phrasings,
            std::vector<std::string>{"what's the wifi password"});
  // Keeping it as a new topic asks for the answer.
  Press(kAlice, "add_topic");
  Dm(kAlice, "what is the wifi password");
  EXPECT_THAT(Press(kAlice, "deny", ButtonValue("deny")),
              HasSubstr("What answer should I provide?"));
  EXPECT_THAT(Dm(kAlice, "Ask reception."), HasSubstr("Topic added"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
}

// An older offer's button pressed after a newer offer of other words (a second device, a late
// click) confirms nothing: the words it offered are not the ones waiting.
TEST_F(AssistantTest, AnOlderOffersButtonDoesNotConfirmANewerOffersWords) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Publish();
  Press(kAlice, "add_topic");
  EXPECT_THAT(Dm(kAlice, "what's the wifi password"), HasSubstr("This looks like your topic"));
  const std::string older = ButtonValue("affirm");
  Press(kAlice, "add_topic");
  EXPECT_THAT(Dm(kAlice, "the wifi password please"), HasSubstr("This looks like your topic"));
  const std::string newer = ButtonValue("affirm");
  ASSERT_NE(older, newer);
  EXPECT_THAT(Press(kAlice, "affirm", older), HasSubstr("nothing changed"));
  EXPECT_TRUE((*store_->ListTopics(kAlice))[0].content.phrasings.empty());
  // The newer offer still waits, and its own button adds its own words.
  EXPECT_THAT(Press(kAlice, "affirm", newer), HasSubstr("It's live"));
  EXPECT_EQ((*store_->ListTopics(kAlice))[0].content.phrasings,
            std::vector<std::string>{"the wifi password please"});
  EXPECT_THAT(Press(kAlice, "affirm", newer), HasSubstr("nothing changed"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 1);
}

TEST_F(AssistantTest, APublishOfTopicsWithOnlyOneWayOfAskingSuggestsAddingPhrasings) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where do I park", "In the garage.");
  Teach("when is lunch", "At noon.");
  EXPECT_THAT(Dm(kAlice, "publish"), HasSubstr("Are you sure you want to publish"));
  Press(kAlice, "affirm");
  size_t before = messenger_.sent().size();
  executor_.RunAll();
  std::string dm = Since(before);
  EXPECT_THAT(dm, HasSubstr("Tip: 3 of your 3 topics have only one way of asking."));
  bool shows_topics = false;
  for (const auto& b : Last().reply.buttons) shows_topics |= b.action == "list_topics";
  EXPECT_TRUE(shows_topics);
  // With most topics phrased more than one way, no tip.
  const auto topics = *store_->ListTopics(kAlice);
  for (const auto& t : topics) {
    if (t.content.question == "when is lunch") continue;
    Press(kAlice, "add_phrasing", std::to_string(t.id));
    Dm(kAlice, "another way to ask " + t.content.question);
  }
  EXPECT_THAT(Dm(kAlice, "publish"), HasSubstr("Are you sure you want to publish"));
  Press(kAlice, "affirm");
  before = messenger_.sent().size();
  executor_.RunAll();
  dm = Since(before);
  EXPECT_THAT(dm, HasSubstr("topics are now published"));
  EXPECT_THAT(dm, Not(HasSubstr("Tip:")));
}

TEST_F(AssistantTest, EditOrDeleteNamingATopicOpensThatTopic) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where do I park", "In the garage.");
  Teach("what is the vpn password?", "Ask IT.");
  EXPECT_THAT(Dm(kAlice, "edit the wifi topic"),
              HasSubstr("*Question:* what is the wifi password?"));
  EXPECT_THAT(Dm(kAlice, "I'd like to delete the parking question"),
              AllOf(HasSubstr("Delete where do I park?"), Not(HasSubstr("Which one?"))));
  Dm(kAlice, "cancel");
  EXPECT_EQ(*store_->CountTopics(kAlice), 3);
  // Words that name no topic, or two of them, or none at all: the list to pick from.
  EXPECT_THAT(Dm(kAlice, "edit the password topic"), HasSubstr("Which one?"));
  EXPECT_THAT(Dm(kAlice, "edit the lunch topic"), HasSubstr("Which one?"));  // no such topic
  EXPECT_THAT(Dm(kAlice, "change the vpn answer"),
              HasSubstr("*Question:* what is the vpn password?"));
  EXPECT_THAT(Dm(kAlice, "delete a topic"), HasSubstr("Which one?"));
}

TEST_F(AssistantTest, WhatIsTypedUnderATopicsCardChangesThatTopic) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where do I park", "In the garage.");
  const auto card = [&] {
    EXPECT_THAT(Dm(kAlice, "edit the wifi topic"),
                HasSubstr("*Question:* what is the wifi password?"));
  };
  card();
  EXPECT_THAT(Dm(kAlice, "change the answer"), HasSubstr("What should the new answer"));
  EXPECT_THAT(Dm(kAlice, "Ask reception."), HasSubstr("Updated the answer"));
  card();
  EXPECT_THAT(Dm(kAlice, "rename it"), HasSubstr("name"));
  Dm(kAlice, "cancel");
  card();
  EXPECT_THAT(Dm(kAlice, "add a phrasing"),
              HasSubstr("How else might people ask what is the wifi password?"));
  Dm(kAlice, "cancel");
  card();
  EXPECT_THAT(Dm(kAlice, "delete it"), HasSubstr("Delete what is the wifi password?"));
  Dm(kAlice, "cancel");
  // Words about any topic, or naming another, are not about this one.
  card();
  EXPECT_THAT(Dm(kAlice, "delete a topic"), HasSubstr("Which one?"));
  card();
  EXPECT_THAT(Dm(kAlice, "change the parking answer"), HasSubstr("*Question:* where do I park"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
  EXPECT_EQ(store_->ListTopics(kAlice)->front().content.answer, "Ask reception.");
}

TEST_F(AssistantTest, AnOwnersQuestionThatEndsWithItsMarkGetsNoSecondOne) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where do I park", "In the garage.");
  const auto topics = *store_->ListTopics(kAlice);
  const std::string wifi = std::to_string(topics[0].id);
  const std::string park = std::to_string(topics[1].id);
  const std::string ask = Press(kAlice, "add_phrasing", wifi);
  EXPECT_THAT(ask, HasSubstr("How else might people ask what is the wifi password?"));
  EXPECT_THAT(ask, Not(HasSubstr("??")));
  const std::string got = Dm(kAlice, "guest wifi");
  EXPECT_THAT(got, HasSubstr("also asks what is the wifi password? Publish to make it live."));
  EXPECT_THAT(got, Not(HasSubstr("?.")));
  // A question typed without its mark gets one.
  EXPECT_THAT(Press(kAlice, "add_phrasing", park),
              HasSubstr("How else might people ask where do I park?"));
  EXPECT_THAT(Dm(kAlice, "parking"),
              HasSubstr("also asks where do I park. Publish to make it live."));
  // The same wherever the owner's question ends a sentence of the bot's.
  const std::string del = Press(kAlice, "delete_topic", wifi);
  EXPECT_THAT(del, HasSubstr("Delete what is the wifi password?"));
  EXPECT_THAT(del, Not(HasSubstr("??")));
  Dm(kAlice, "cancel");
  const std::string edit = Press(kAlice, "edit_question", wifi);
  EXPECT_THAT(edit, HasSubstr("instead of what is the wifi password?"));
  EXPECT_THAT(edit, Not(HasSubstr("??")));
  const std::string updated = Dm(kAlice, "what's the guest wifi password?");
  EXPECT_THAT(updated,
              HasSubstr("Updated the question to what's the guest wifi password? It goes"));
  EXPECT_THAT(updated, Not(HasSubstr("?.")));
}

TEST_F(AssistantTest, EditingChangesTheQuestionAndRemovesPhrasings) {
  Teach("what is the wifi password?", "It's on the fridge.");
  const std::string id = std::to_string((*store_->ListTopics(kAlice))[0].id);
  Press(kAlice, "add_phrasing", id);
  Dm(kAlice, "guest wifi");
  Press(kAlice, "add_phrasing", id);
  Dm(kAlice, "network password");
  const std::string card = Press(kAlice, "edit_topic", id);
  EXPECT_THAT(card, HasSubstr("Also asked as (2 phrasings):"));
  std::string first;  // the Remove button of "guest wifi"
  for (const auto& item : Last().reply.items) {
    if (item.text.spans[0].value == "guest wifi") first = item.buttons[0].value;
  }
  ASSERT_FALSE(first.empty());
  EXPECT_THAT(Press(kAlice, "remove_phrasing", first), HasSubstr("Removed guest wifi"));
  // Pressed again (its list has changed): nothing else is removed.
  EXPECT_THAT(Press(kAlice, "remove_phrasing", first), HasSubstr("gone already"));
  EXPECT_EQ((*store_->ListTopics(kAlice))[0].content.phrasings,
            std::vector<std::string>{"network password"});
  EXPECT_THAT(Press(kAlice, "edit_question", id), HasSubstr("What should the question be"));
  EXPECT_THAT(Dm(kAlice, "what's the guest wifi password?"), HasSubstr("Updated the question"));
  EXPECT_EQ((*store_->ListTopics(kAlice))[0].content.question, "what's the guest wifi password?");
}

TEST_F(AssistantTest, AStaleConfirmationChangesNothing) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  auto topics = *store_->ListTopics(kAlice);
  Press(kAlice, "delete_topic", std::to_string(topics[0].id));
  const std::string old_yes = ButtonValue("affirm");
  Press(kAlice, "delete_topic", std::to_string(topics[1].id));
  // The first question's Yes does not confirm the second.
  EXPECT_THAT(Press(kAlice, "affirm", old_yes), HasSubstr("answered that one already"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);
  EXPECT_THAT(Press(kAlice, "affirm", ButtonValue("affirm")), HasSubstr("Deleted"));
  EXPECT_THAT(LastUpdate().text, HasSubstr("Deleted where can visitors park?"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 1);
  // Its second press (a double click, a second device) does nothing either, and leaves the
  // message saying what the first press did.
  const auto updates = [&] {
    const auto sent = messenger_.sent();
    return std::count_if(sent.begin(), sent.end(),
                         [](const auto& m) { return m.to.kind == Destination::Kind::kUpdate; });
  };
  const auto updated = updates();
  EXPECT_THAT(Press(kAlice, "affirm", "delete:" + std::to_string(topics[1].id)),
              HasSubstr("answered that one already"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 1);
  EXPECT_EQ(updates(), updated);
  EXPECT_THAT(LastUpdate().text, HasSubstr("Deleted where can visitors park?"));
  // The same for the publish confirmation.
  Dm(kAlice, "publish");
  EXPECT_THAT(Press(kAlice, "affirm", "publish"), HasSubstr("will be published shortly"));
  EXPECT_THAT(LastUpdate().text, HasSubstr("Publishing — confirmed by you"));
  const auto published = updates();
  EXPECT_THAT(Press(kAlice, "affirm", "publish"), HasSubstr("answered that one already"));
  EXPECT_EQ(updates(), published);
  EXPECT_THAT(LastUpdate().text, HasSubstr("Publishing — confirmed by you"));
}

TEST_F(AssistantTest, AnOwnerRenamesATopicInTheDm) {
  Teach("what is the wifi password?", "It's on the fridge.");
  Teach("where can visitors park?", "Level -2.");
  const auto topics = *store_->ListTopics(kAlice);
  const std::string wifi = std::to_string(topics[0].id);
  EXPECT_THAT(Press(kAlice, "edit_topic", wifi), HasSubstr("wifi_password"));
  EXPECT_THAT(Press(kAlice, "edit_name", wifi), HasSubstr("What should the name of"));
  // Taken and invalid names are refused and the step stays, so the owner can try again.
  EXPECT_THAT(Dm(kAlice, topics[1].content.name), HasSubstr("I couldn't change that name"));
  EXPECT_THAT(Dm(kAlice, "guest_wifi"),
              HasSubstr("Renamed what is the wifi password? to guest_wifi"));
  EXPECT_EQ(store_->GetTopic(kAlice, topics[0].id)->value().content.name, "guest_wifi");
  // A name is kept whatever the owner writes next.
  EXPECT_THAT(Dm(kAlice, "hi"), Not(HasSubstr("Renamed")));
  EXPECT_EQ(store_->GetTopic(kAlice, topics[0].id)->value().content.name, "guest_wifi");
}

TEST_F(AssistantTest, CountsAreSaidInWordsThatAgree) {
  Teach("what is the wifi password?", "It's on the fridge.");
  EXPECT_THAT(Dm(kAlice, "publish"), HasSubstr("publish your one topic?"));
  Press(kAlice, "affirm", "publish");
  const size_t before = messenger_.sent().size();
  executor_.RunAll();
  EXPECT_THAT(Since(before), HasSubstr("Your bot now answers 1 topic instead of you."));
  EXPECT_THAT(Dm(kAlice, "publish"), HasSubstr("exactly these 1 topic"));
  Dm(kBob, "ask <@U0ALICE> when is the company picnic");
  EXPECT_THAT(Dm(kAlice, "unanswered questions"), HasSubstr("1 question waiting for you"));
}

TEST_F(AssistantTest, UserTextIsNeverTreatedAsMarkup) {
  Press(kAlice, "add_topic");
  Dm(kAlice, "how do I reach everyone?");
  Dm(kAlice, "<!channel> <@U0BOB> <https://evil.example|click>");
  Publish();
  Dm(kBob, "ask <@U0ALICE> how do I reach everyone");
  const Reply reply = Last().reply;
  bool found = false;
  for (const auto& p : reply.paragraphs) {
    for (const auto& span : p.spans) {
      if (span.value.find("<!channel>") != std::string::npos) {
        EXPECT_EQ(span.kind, Span::Kind::kUserText);
        found = true;
      }
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(AssistantTest, OpenTheWebConsoleDmsAOneTimeLink) {
  // Without a console (the terminal shell): how to get a link instead.
  EXPECT_THAT(Dm(kAlice, "open the web console"),
              HasSubstr("`faqbot console link --owner U0ALICE`"));

  std::vector<store::UserRef> asked_for;
  AssistantOptions options;
  options.console_link = [&](const store::UserRef& owner) -> Result<std::string> {
    asked_for.push_back(owner);
    return "https://faq.example.com/console/login?token=" + std::to_string(asked_for.size());
  };
  assistant_ = std::make_unique<Assistant>(*store_, messenger_, *registry_, *training_, *concierge_,
                                           clock_, options);
  EXPECT_THAT(Dm(kAlice, "open the web console"),
              HasSubstr("https://faq.example.com/console/login?token=1"));
  // The App Home's button (action_id "open_console"), pressed outside the DM: the link still
  // goes to the owner's DM only.
  const size_t before = messenger_.sent().size();
  assistant_->HandleButton({kBob, "open_console", "", "", "", "", ""});
  ASSERT_EQ(messenger_.sent().size(), before + 1);
  const auto sent = messenger_.sent().back();
  EXPECT_EQ(sent.to.kind, Destination::Kind::kDirect);
  EXPECT_EQ(sent.to.user, kBob);
  EXPECT_THAT(sent.text, HasSubstr("token=2"));
  EXPECT_EQ(asked_for, (std::vector<store::UserRef>{kAlice, kBob}));

  options.console_link = [](const store::UserRef&) -> Result<std::string> {
    return UnavailableError("database down");
  };
  assistant_ = std::make_unique<Assistant>(*store_, messenger_, *registry_, *training_, *concierge_,
                                           clock_, options);
  EXPECT_THAT(Dm(kAlice, "web console"), HasSubstr("cannot make a sign-in link"));
}

// ---- asking everyone ----

class AskingEveryoneTest : public AssistantTest {
 protected:
  // `owner`'s topics, published at once.
  void PublishAs(const store::UserRef& owner, std::vector<store::TopicContent> topics) {
    for (const auto& t : topics) ASSERT_TRUE(store_->AddTopic(owner, t).ok());
    ASSERT_TRUE(training_->Enqueue(owner).ok());
    executor_.RunAll();
  }
  std::string Mention(const store::UserRef& from, const std::string& text) {
    const size_t before = messenger_.sent().size();
    UserMessage m;
    m.surface = UserMessage::Surface::kMention;
    m.from = from;
    m.text = text;
    m.channel = "C0GENERAL";
    m.ts = "100.1";
    m.bot_user_id = kBot;
    assistant_->HandleMessage(m);
    return Since(before);
  }
  std::string Slash(const store::UserRef& from, const std::string& text,
                    const std::string& command = "/ask", const std::string& channel = "C0GENERAL") {
    const size_t before = messenger_.sent().size();
    UserMessage m;
    m.surface = UserMessage::Surface::kCommand;
    m.command = command;
    m.from = from;
    m.text = text;
    m.channel = channel;
    m.response_url = "https://hooks.slack.test/commands/1";
    assistant_->HandleMessage(m);
    return Since(before);
  }
  // Restarts with workspace asks that are never sure, so the owners of the nearest topics (one
  // shared word is near enough) are suggested: "Nobody has taught me this yet", *Ask @X*.
  void NobodyIsEverSure() {
    options_.workspace.min_confidence = 1.1f;
    options_.workspace.min_choice_confidence = 1.1f;
    options_.workspace.min_suggest_score = 0.1f;
    CloseAll();
    OpenAll();
  }
  void SetUp() override {
    AssistantTest::SetUp();
    PublishAs(kAlice, {{"what is the guest wifi password",
                        {"how do visitors get online", "wifi code for guests"},
                        "It's on the fridge."},
                       {"where do visitors park", {"parking for guests"}, "Level -2."}});
    PublishAs(kCarol, {{"when is the team lunch", {"lunch time on friday"}, "Noon on Fridays."},
                       {"who orders pizza for the party", {}, "Carol does."}});
  }
};

TEST_F(AskingEveryoneTest, AnUnaddressedQuestionIsAnsweredFromTheOwnerWhoKnows) {
  const std::string reply = Dm(kBob, "ask what's the wifi password for guests?");
  EXPECT_THAT(reply, HasSubstr("From <@U0ALICE>'s FAQ: It's on the fridge."));
  EXPECT_THAT(reply, HasSubstr("Matched what is the guest wifi password"));
  const std::string question_id = ButtonValue("feedback_up");
  ASSERT_FALSE(question_id.empty());
  auto asked = store_->GetQuestion(std::stoll(question_id));
  ASSERT_TRUE(asked.ok() && asked->has_value());
  EXPECT_EQ((*asked)->owner, kAlice);
  EXPECT_EQ((*asked)->asker, kBob);
  EXPECT_EQ((*asked)->outcome, store::QuestionOutcome::kAnswered);
  // The same from a channel mention, with or without "ask", and from /ask.
  EXPECT_THAT(Mention(kBob, "<@U0FAQBOT> when is the team lunch?"),
              HasSubstr("From <@U0CAROL>'s FAQ: Noon on Fridays."));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kChannel);
  EXPECT_EQ(Last().to.thread_ts, "100.1");
  EXPECT_THAT(Mention(kBob, "<@U0FAQBOT> ask where do visitors park?"),
              HasSubstr("From <@U0ALICE>'s FAQ: Level -2."));
  EXPECT_THAT(Slash(kBob, "who orders the pizza for the party?"),
              HasSubstr("From <@U0CAROL>'s FAQ: Carol does."));
  // Asking one owner keeps working as before.
  EXPECT_THAT(Dm(kBob, "ask <@U0ALICE> where do visitors park"), HasSubstr("says - Level -2."));
}

TEST_F(AskingEveryoneTest, NothingNearSaysSoAndSuggestsAskingAPerson) {
  const std::string reply = Dm(kBob, "ask who won the football last night?");
  EXPECT_THAT(reply, HasSubstr("Nobody has taught me anything close to that yet"));
  EXPECT_THAT(reply, HasSubstr("ask @person"));
  EXPECT_TRUE(store_->ListUnanswered(kAlice)->empty());
}

TEST_F(AskingEveryoneTest, NearEqualAnswersOfSeveralOwnersAreAllShownAttributed) {
  PublishAs(kBob, {{"what is the guest wifi password",
                    {"how do visitors get online", "wifi code for guests"},
                    "Ask reception."}});
  const auto reply = Dm(kCarol, "ask what is the guest wifi password");
  EXPECT_THAT(reply, HasSubstr("More than one person has taught me this"));
  EXPECT_THAT(reply, HasSubstr("From <@U0ALICE>'s FAQ: It's on the fridge."));
  EXPECT_THAT(reply, HasSubstr("From <@U0BOB>'s FAQ: Ask reception."));
  // Each answer has its own feedback.
  size_t feedback = 0;
  for (const auto& item : Last().reply.items) feedback += item.buttons.size();
  EXPECT_EQ(feedback, 4u);
}

TEST_F(AskingEveryoneTest, WhenNobodyIsSureTheNearestOwnerCanBeAskedWithAPress) {
  NobodyIsEverSure();
  const std::string reply = Dm(kBob, "ask can visitors bring their dog?");
  EXPECT_THAT(reply, HasSubstr("Nobody has taught me this yet"));
  EXPECT_THAT(reply, HasSubstr("<@U0ALICE>"));
  const std::string value = ButtonValue("ask_owner");
  ASSERT_THAT(value, HasSubstr(" U0ALICE can visitors bring their dog?"));
  EXPECT_THAT(Last().reply.buttons[0].label, HasSubstr("Ask @Alice"));

  Press(kBob, "ask_owner", value);
  // The pressed message loses its buttons; Alice's bot is asked directly and, not sure of a
  // question its topics do not cover, hands it to her.
  EXPECT_THAT(LastUpdate().text, HasSubstr("You asked <@U0ALICE>: can visitors bring their dog?"));
  EXPECT_TRUE(LastUpdate().reply.buttons.empty());
  auto waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->back().text, "can visitors bring their dog?");
  EXPECT_THAT(LastDirectTo(kAlice).text, HasSubstr("<@U0BOB> asked you"));
  EXPECT_THAT(Press(kBob, "ask_owner", "garbage"), HasSubstr("no longer valid"));
}

// An *Ask @X* button's value for the same message as `value`, naming `owner` instead: what the
// message's other *Ask @…* button carries.
std::string OtherAskButton(const std::string& value, const std::string& owner) {
  const size_t mark = value.find(' ');
  const size_t question = value.find(' ', mark + 1);
  return value.substr(0, mark) + " " + owner + value.substr(question);
}

TEST_F(AskingEveryoneTest, AskButtonsAreTheAskersAndAskOnceAcrossPressesAndRestarts) {
  NobodyIsEverSure();
  EXPECT_THAT(Mention(kBob, "<@U0FAQBOT> can visitors bring their dog?"),
              HasSubstr("Nobody has taught me this yet"));
  const std::string value = ButtonValue("ask_owner");
  ASSERT_THAT(value, HasSubstr(" U0ALICE can visitors bring their dog?"));
  auto asked_of_alice = [&] {
    auto waiting = store_->ListUnanswered(kAlice);
    EXPECT_TRUE(waiting.ok());
    return waiting.ok() ? waiting->size() : 0u;
  };

  // In a channel anyone sees the buttons; only the asker may press them, and the others are told
  // privately.
  EXPECT_THAT(PressIn(kDave, "ask_owner", value, "C0GENERAL", "100.2"),
              HasSubstr("Only the person who asked can choose whom to ask"));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kEphemeral);
  EXPECT_EQ(Last().to.user, kDave);
  EXPECT_EQ(asked_of_alice(), 0u);

  PressIn(kBob, "ask_owner", value, "C0GENERAL", "100.2");
  EXPECT_THAT(LastUpdate().text, HasSubstr("You asked <@U0ALICE>: can visitors bring their dog?"));
  EXPECT_EQ(asked_of_alice(), 1u);
  EXPECT_EQ(HandOffDmsTo(kAlice), 1);

  // The same button again (a double click, another device), the message's other button, and
  // either after a restart: done already, nobody is asked.
  const size_t updates_before = messenger_.sent().size();
  EXPECT_THAT(PressIn(kBob, "ask_owner", value, "C0GENERAL", "100.2"),
              HasSubstr("You chose whom to ask already"));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kEphemeral);
  EXPECT_THAT(PressIn(kBob, "ask_owner", OtherAskButton(value, "U0CAROL"), "C0GENERAL", "100.2"),
              HasSubstr("You chose whom to ask already"));
  CloseAll();
  OpenAll();
  EXPECT_THAT(PressIn(kBob, "ask_owner", value, "C0GENERAL", "100.2"),
              HasSubstr("You chose whom to ask already"));
  EXPECT_EQ(asked_of_alice(), 1u);
  EXPECT_EQ(HandOffDmsTo(kAlice), 1);
  auto carol = store_->ListUnanswered(kCarol);
  ASSERT_TRUE(carol.ok());
  EXPECT_TRUE(carol->empty());
  const auto all = messenger_.sent();
  for (size_t i = updates_before; i < all.size(); ++i) {
    EXPECT_NE(all[i].to.kind, Destination::Kind::kUpdate) << "rewritten again";
  }
  // A button of an earlier release (no mark) still asks, as it did then.
  EXPECT_THAT(Press(kBob, "ask_owner", "U0ALICE can visitors bring their dog?"),
              HasSubstr("You asked <@U0ALICE>: can visitors bring their dog?"));
  EXPECT_EQ(asked_of_alice(), 2u);
  EXPECT_THAT(Press(kBob, "ask_owner", "ask:T0001:U0BOB:1234 "), HasSubstr("no longer valid"));
}

TEST_F(AskingEveryoneTest, APressInAChannelThreadIsAnsweredInThatThread) {
  NobodyIsEverSure();
  EXPECT_THAT(Mention(kBob, "<@U0FAQBOT> can visitors bring their dog?"),
              HasSubstr("Nobody has taught me this yet"));
  EXPECT_EQ(Last().to.thread_ts, "100.1");
  const std::string value = ButtonValue("ask_owner");
  // The bot's reply "100.2" sits in the thread of the mention "100.1".
  auto press = [&](const store::UserRef& from) {
    ButtonPress p{from, "ask_owner", value, "C0GENERAL", "100.2", "", ""};
    p.thread_ts = "100.1";
    const size_t before = messenger_.sent().size();
    assistant_->HandleButton(p);
    return before;
  };

  // A refusal, private, still belongs to the thread.
  size_t before = press(kDave);
  ASSERT_EQ(messenger_.sent().size(), before + 1);
  EXPECT_EQ(Last().to.kind, Destination::Kind::kEphemeral);
  EXPECT_EQ(Last().to.thread_ts, "100.1");

  before = press(kBob);
  bool replied = false;
  const auto all = messenger_.sent();
  for (size_t i = before; i < all.size(); ++i) {
    const auto& sent = all[i];
    if (sent.to.kind == Destination::Kind::kUpdate) {
      EXPECT_EQ(sent.to.ts, "100.2");  // the pressed message is replaced where it is
    } else if (sent.to.channel == "C0GENERAL") {
      replied = true;
      EXPECT_EQ(sent.to.kind, Destination::Kind::kChannel) << sent.text;
      EXPECT_EQ(sent.to.thread_ts, "100.1") << sent.text;
      EXPECT_THAT(sent.text, HasSubstr("I've asked <@U0ALICE>"));
    }
  }
  EXPECT_TRUE(replied);
  // Alice's answer, when it comes, goes to the same thread.
  auto waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->back().channel, "C0GENERAL");
  EXPECT_EQ(waiting->back().thread_ts, "100.1");
}

TEST_F(AskingEveryoneTest, APublicationReachesTheWorkspaceAtOnce) {
  EXPECT_THAT(Dm(kBob, "ask where is the printer on the third floor?"),
              HasSubstr("Nobody has taught me"));
  PublishAs(kCarol, {{"where is the printer", {"printer on the third floor"}, "Next to 3.14."}});
  EXPECT_THAT(Dm(kBob, "ask where is the printer on the third floor?"),
              HasSubstr("From <@U0CAROL>'s FAQ: Next to 3.14."));
  // Taking the bot down takes it out of the workspace too.
  ASSERT_TRUE(store_->DeleteAllTopics(kCarol).ok());
  ASSERT_TRUE(training_->Enqueue(kCarol).ok());
  executor_.RunAll();
  EXPECT_THAT(Dm(kBob, "ask where is the printer on the third floor?"), Not(HasSubstr("U0CAROL")));
}

TEST_F(AskingEveryoneTest, WhatARatingInAChannelSaysBackIsForThePresserOnly) {
  ASSERT_THAT(Mention(kBob, std::string("<@") + kBot + "> ask <@U0ALICE> where do visitors park?"),
              HasSubstr("Level -2."));
  const std::string value = ButtonValue("feedback_down");
  ASSERT_FALSE(value.empty());
  const auto press = [&](const store::UserRef& from, const std::string& action) {
    PressIn(from, action, value, "C0GENERAL", "100.2");
    return Last();
  };
  // Someone else's press: refused, privately.
  auto said = press(kCarol, "feedback_down");
  EXPECT_THAT(said.text, HasSubstr("Only the person who asked"));
  EXPECT_EQ(said.to.kind, Destination::Kind::kEphemeral);
  EXPECT_EQ(said.to.user, kCarol);
  said = press(kCarol, "feedback_up");
  EXPECT_EQ(said.to.kind, Destination::Kind::kEphemeral);
  // The asker's thanks are for them too, not a new message in the channel.
  said = press(kBob, "feedback_up");
  EXPECT_THAT(said.text, HasSubstr("Glad it helped"));
  EXPECT_EQ(said.to.kind, Destination::Kind::kEphemeral);
  EXPECT_EQ(said.to.user, kBob);
}

// Help channels: `/faqbot watch` and the answers of a watched channel.
class HelpChannelsTest : public AskingEveryoneTest {
 protected:
  std::string Faqbot(const store::UserRef& from, const std::string& text,
                     const std::string& channel = "C0HELP") {
    return Slash(from, text, "/faqbot", channel);
  }
  // A top-level message `ts` in `channel`, not addressed to the bot.
  std::string Post(const store::UserRef& from, const std::string& text, const std::string& ts,
                   const std::string& channel = "C0HELP") {
    const size_t before = messenger_.sent().size();
    UserMessage m;
    m.surface = UserMessage::Surface::kChannel;
    m.from = from;
    m.text = text;
    m.channel = channel;
    m.ts = ts;
    m.bot_user_id = kBot;
    assistant_->HandleMessage(m);
    return Since(before);
  }
};

TEST_F(HelpChannelsTest, WatchIsAnnouncedListedAndRevocable) {
  EXPECT_THAT(Faqbot(kBob, "status"), HasSubstr("not answering questions in any channel"));
  EXPECT_THAT(Faqbot(kBob, "watch"), HasSubstr("<@U0BOB> asked me to answer questions"));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kChannel);  // announced to the whole channel
  EXPECT_EQ(Last().to.channel, "C0HELP");
  EXPECT_THAT(Faqbot(kAlice, "watch"), HasSubstr("already answering"));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kResponse);  // only to the caller
  Faqbot(kAlice, "watch", "G0PRIVATE");
  EXPECT_THAT(Faqbot(kCarol, "status"),
              HasSubstr("I answer questions in <#C0HELP> and <#G0PRIVATE>."));
  EXPECT_THAT(Faqbot(kCarol, "unwatch"), HasSubstr("<@U0CAROL> asked me to stop"));
  EXPECT_EQ(Last().to.channel, "C0HELP");
  EXPECT_THAT(Faqbot(kCarol, "unwatch"), HasSubstr("not answering questions in this channel"));
  EXPECT_THAT(Faqbot(kCarol, "status"), HasSubstr("I answer questions in <#G0PRIVATE>."));
  EXPECT_THAT(Faqbot(kBob, "watch", "D0BOB"), HasSubstr("in a channel I'm in"));
  EXPECT_THAT(Faqbot(kBob, ""), HasSubstr("`/faqbot watch`"));
  EXPECT_THAT(Faqbot(kBob, "help"), HasSubstr("`/faqbot unwatch`"));
  // `/ask` stays an ask.
  EXPECT_THAT(Slash(kBob, "watch"), Not(HasSubstr("asked me to answer")));
}

TEST_F(HelpChannelsTest, AChannelTheBotCannotPostInStopsBeingWatchedAndItsWatcherIsTold) {
  Faqbot(kBob, "watch");  // the announcement is refused: the bot was never added to C0HELP
  Faqbot(kCarol, "watch", "C0GONE");
  const size_t before = messenger_.sent().size();
  assistant_->ChannelUnreachable(kBob.team_id, "C0HELP", "not_in_channel");
  const std::string told = Since(before);
  EXPECT_THAT(told, HasSubstr("I can't post in <#C0HELP>"));
  EXPECT_THAT(told, HasSubstr("then `/faqbot watch` again"));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kDirect);
  EXPECT_EQ(Last().to.user, kBob);  // who turned the watch on
  EXPECT_THAT(Faqbot(kAlice, "status"), HasSubstr("I answer questions in <#C0GONE>."));
  // Told once: a second refusal (another reply to that channel) changes nothing.
  const size_t after = messenger_.sent().size();
  assistant_->ChannelUnreachable(kBob.team_id, "C0HELP", "not_in_channel");
  EXPECT_EQ(messenger_.sent().size(), after);
  // Archived: said so; a channel nobody watches: nothing.
  assistant_->ChannelUnreachable(kCarol.team_id, "C0GONE", "is_archived");
  EXPECT_THAT(Since(after),
              HasSubstr("I stopped answering questions in <#C0GONE>: it is archived."));
  EXPECT_EQ(Last().to.user, kCarol);
  const size_t last = messenger_.sent().size();
  assistant_->ChannelUnreachable(kCarol.team_id, "C0NEVER", "channel_not_found");
  EXPECT_EQ(messenger_.sent().size(), last);
  EXPECT_THAT(Faqbot(kAlice, "status"), HasSubstr("not answering questions in any channel"));
}

TEST_F(HelpChannelsTest, AWatchedChannelAnswersSureQuestionsOnceInTheirThread) {
  // Not watched: nothing is said, nothing is recorded.
  EXPECT_EQ(Post(kBob, "what is the guest wifi password?", "200.1"), "");
  Faqbot(kCarol, "watch");
  // Chatter, a question nobody taught and a mention of the bot (answered as a mention) get
  // nothing; no "nobody knows", no suggestions.
  EXPECT_EQ(Post(kBob, "thanks all, see you tomorrow", "200.2"), "");
  EXPECT_EQ(Post(kBob, "lunch?", "200.3"), "");
  EXPECT_EQ(Post(kBob, "who won the football last night?", "200.4"), "");
  EXPECT_EQ(Post(kBob, "<@U0FAQBOT> what is the guest wifi password?", "200.5"), "");
  EXPECT_EQ(Post(kBob, "what is the guest wifi password?", "200.1", "C0OTHER"), "");

  const std::string reply = Post(kBob, "what is the guest wifi password?", "200.6");
  EXPECT_THAT(reply, HasSubstr("From <@U0ALICE>'s FAQ: It's on the fridge."));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kChannel);
  EXPECT_EQ(Last().to.channel, "C0HELP");
  EXPECT_EQ(Last().to.thread_ts, "200.6");
  EXPECT_TRUE(*store_->HasQuestionInThread("T0001", "C0HELP", "200.6"));
  // The same message again (a redelivery) is not answered twice.
  EXPECT_EQ(Post(kBob, "what is the guest wifi password?", "200.6"), "");
  // Stricter than a direct ask: what a DM would answer, a watched channel may not.
  options_.watched_min_confidence = 1.1f;
  CloseAll();
  OpenAll();
  EXPECT_EQ(Post(kBob, "what is the guest wifi password?", "200.7"), "");
  EXPECT_THAT(Dm(kBob, "ask what is the guest wifi password?"), HasSubstr("It's on the fridge."));
}

TEST_F(HelpChannelsTest, AThumbsDownFromThePosterHidesTheAnswerAndTellsTheOwner) {
  Faqbot(kCarol, "watch");
  ASSERT_THAT(Post(kBob, "where do visitors park?", "300.1"), HasSubstr("Level -2."));
  const std::string answer_ts = Last().ts;  // the buttons are on the answer in the thread
  const std::string value = ButtonValue("feedback_down");
  ASSERT_THAT(value, HasSubstr("/watched"));
  // Only the poster rates it; the refusal is for the presser's eyes only.
  EXPECT_THAT(PressIn(kCarol, "feedback_down", value, "C0HELP", answer_ts),
              HasSubstr("Only the person who asked"));
  EXPECT_EQ(Last().to.kind, Destination::Kind::kEphemeral);
  EXPECT_TRUE(store_->ListUnanswered(kAlice)->empty());

  PressIn(kBob, "feedback_down", value, "C0HELP", answer_ts);
  EXPECT_THAT(LastUpdate().text, HasSubstr("I hid my answer here"));
  EXPECT_TRUE(LastUpdate().reply.buttons.empty());
  auto waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->back().text, "where do visitors park?");
  EXPECT_THAT(LastDirectTo(kAlice).text, HasSubstr("where do visitors park?"));
}

TEST(LooksLikeQuestionTest, QuestionsButNotChatter) {
  EXPECT_TRUE(LooksLikeQuestion("where do visitors park?"));
  EXPECT_TRUE(LooksLikeQuestion("how do I reset my password"));
  EXPECT_TRUE(LooksLikeQuestion("Anyone know the wifi code"));
  EXPECT_TRUE(LooksLikeQuestion("the build is red again?  "));
  EXPECT_FALSE(LooksLikeQuestion("lunch?"));
  EXPECT_FALSE(LooksLikeQuestion("thanks all, see you tomorrow"));
  EXPECT_FALSE(LooksLikeQuestion("deploy is done"));
  EXPECT_FALSE(LooksLikeQuestion(""));
  // Other languages: their question marks, and scripts without spaces.
  EXPECT_TRUE(LooksLikeQuestion("¿Dónde aparcan los visitantes"));
  EXPECT_TRUE(LooksLikeQuestion("Wo parken die Besucher?"));
  EXPECT_TRUE(LooksLikeQuestion("访客在哪里停车？"));
  EXPECT_TRUE(LooksLikeQuestion("أين يركن الزوار؟"));
  EXPECT_FALSE(LooksLikeQuestion("午饭？"));
  EXPECT_FALSE(LooksLikeQuestion("访客在哪里停车。"));
}

}  // namespace
}  // namespace faqbot::assistant
