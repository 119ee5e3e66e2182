#include "assistant/training_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "nlu/test_support.h"
#include "test_store.h"

namespace faqbot::assistant {
namespace {

const store::UserRef kAlice{"T0001", "U0ALICE"};

class TrainingQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
    lexicon_ = nlu::testing::BuiltLexicon();
    registry_ = std::make_unique<ModelRegistry>(
        lexicon_, [this](const OwnerKey& owner) { return store_->LoadLiveModel(owner); });
    TrainingQueue::Callbacks callbacks;
    callbacks.published = [this](const store::Publication& p) { published_.push_back(p); };
    callbacks.failed = [this](const store::PublishJob&, const std::string& error) {
      failures_.push_back(error);
    };
    queue_ = std::make_unique<TrainingQueue>(*store_, *registry_, lexicon_, executor_, clock_,
                                             callbacks);
  }
  void TearDown() override {
    queue_.reset();
    registry_.reset();
    store_.reset();
  }

  store::Topic Add(std::string question, std::string answer) {
    auto topic = store_->AddTopic(kAlice, {std::move(question), {}, std::move(answer)});
    EXPECT_TRUE(topic.ok()) << topic.status();
    return *topic;
  }

  std::string Answer(const std::string& query) {
    auto model = registry_->Get(kAlice);
    if (!model.ok()) return "(" + model.status().ToString() + ")";
    return (*model)->Predict(query).intent;
  }

  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  FakeClock clock_;
  ManualExecutor executor_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const nlu::Lexicon> lexicon_;
  std::unique_ptr<ModelRegistry> registry_;
  std::unique_ptr<TrainingQueue> queue_;
  std::vector<store::Publication> published_;
  std::vector<std::string> failures_;
};

TEST_F(TrainingQueueTest, DraftsThatNeedAnAnswerStayOutOfThePublication) {
  const store::Topic wifi = Add("what is the wifi password?", "hunter2");
  Add("where can visitors park?", "");
  ASSERT_TRUE(queue_->Enqueue(kAlice).ok());
  executor_.RunAll();
  ASSERT_EQ(published_.size(), 1u);
  ASSERT_EQ(published_[0].topics.size(), 1u);
  EXPECT_EQ(published_[0].topics[0].topic_id, wifi.id);
  EXPECT_EQ(Answer("what's the wifi password"), TopicIntent(wifi.id));
}

TEST_F(TrainingQueueTest, IntentNamesAreTheTopicsNames) {
  const store::Topic wifi = Add("what is the wifi password?", "hunter2");
  const store::Topic park = Add("where can visitors park?", "level -2");
  ASSERT_TRUE(queue_->Enqueue(kAlice).ok());
  executor_.RunAll();
  ASSERT_EQ(published_.size(), 1u);
  auto model = registry_->Get(kAlice);
  ASSERT_TRUE(model.ok());
  nlu::Prediction prediction = (*model)->Predict("what's the wifi password", 5);
  ASSERT_EQ(prediction.intent, TopicIntent(wifi.id));
  IntentNames(published_[0].topics).Rename(prediction);
  EXPECT_EQ(prediction.intent, "wifi_password");
  ASSERT_FALSE(prediction.ranking.empty());
  EXPECT_EQ(prediction.ranking[0].name, "wifi_password");
  nlu::Prediction declined;
  declined.intent = nlu::kFallbackIntent;
  declined.ranking = {{TopicIntent(park.id), 0.2f}, {"topic_999", 0.1f}};
  IntentNames(published_[0].topics).Rename(declined);
  EXPECT_EQ(declined.intent, nlu::kFallbackIntent);
  EXPECT_EQ(declined.ranking[0].name, "visitors_park");
  EXPECT_EQ(declined.ranking[1].name, "topic_999");  // not in the publication: left alone
}

TEST_F(TrainingQueueTest, PublishesTheOwnersTopicsAndSwapsTheModel) {
  store::Topic wifi = Add("what is the wifi password", "It is on the fridge.");
  store::Topic vpn = Add("how do I set up the vpn", "Install the client.");
  auto enqueued = queue_->Enqueue(kAlice);
  ASSERT_TRUE(enqueued.ok()) << enqueued.status();
  EXPECT_FALSE(registry_->Get(kAlice).ok()) << "nothing is live before the training ran";
  EXPECT_EQ(executor_.RunAll(), 1u);

  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].version, 1);
  EXPECT_EQ(published_[0].topics.size(), 2u);
  EXPECT_EQ(registry_->cached_version(kAlice), 1);
  EXPECT_EQ(Answer("wifi password please"), "topic_" + std::to_string(wifi.id));
  EXPECT_EQ(Answer("vpn setup on my laptop"), "topic_" + std::to_string(vpn.id));

  // A republish swaps the model; a holder of the old one keeps a working model.
  auto old_model = registry_->Get(kAlice);
  ASSERT_TRUE(old_model.ok());
  store::Topic parking = Add("where can visitors park", "Level -2.");
  ASSERT_TRUE(queue_->Enqueue(kAlice).ok());
  executor_.RunAll();
  ASSERT_EQ(published_.size(), 2u);
  EXPECT_EQ(published_[1].version, 2);
  EXPECT_EQ(registry_->cached_version(kAlice), 2);
  EXPECT_EQ(Answer("where do visitors park"), "topic_" + std::to_string(parking.id));
  EXPECT_NE((*old_model)->Predict("where do visitors park").intent,
            "topic_" + std::to_string(parking.id));
}

TEST_F(TrainingQueueTest, RepeatedRequestsCoalesceIntoOneTraining) {
  Add("what is the wifi password", "It is on the fridge.");
  ASSERT_FALSE(queue_->Enqueue(kAlice)->coalesced);
  ASSERT_TRUE(queue_->Enqueue(kAlice)->coalesced);
  ASSERT_TRUE(queue_->Enqueue(kAlice)->coalesced);
  executor_.RunAll();
  EXPECT_EQ(published_.size(), 1u);
}

TEST_F(TrainingQueueTest, PublishingNoTopicsTakesTheBotDown) {
  Add("what is the wifi password", "It is on the fridge.");
  ASSERT_TRUE(queue_->Enqueue(kAlice).ok());
  executor_.RunAll();
  ASSERT_EQ(published_.size(), 1u);
  ASSERT_TRUE(registry_->Get(kAlice).ok());
  ASSERT_TRUE(store_->DeleteAllTopics(kAlice).ok());
  ASSERT_TRUE(queue_->Enqueue(kAlice).ok());
  executor_.RunAll();
  EXPECT_TRUE(failures_.empty());
  ASSERT_EQ(published_.size(), 2u);
  EXPECT_TRUE(published_[1].topics.empty());
  EXPECT_EQ(store_->GetLivePublication(kAlice, false)->value().version, 2);
  // Nothing is served any more, in this process or after a reload.
  EXPECT_EQ(registry_->Get(kAlice).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(TrainingQueueTest, AnAmendmentGoesLiveAloneAndDraftsStayDrafts) {
  const int64_t wifi = Add("what is the wifi password", "It is on the fridge.").id;
  ASSERT_TRUE(queue_->Enqueue(kAlice).ok());
  executor_.RunAll();
  Add("a draft question about parking", "A draft answer.");
  auto amended = queue_->Amend(kAlice, [&](const std::vector<store::PublishedTopic>& live) {
    std::vector<store::PublishedTopic> next = live;
    next[0].content.phrasings.push_back("how do I get online as a guest");
    return Result<std::vector<store::PublishedTopic>>(next);
  });
  ASSERT_TRUE(amended.ok()) << amended.status();
  EXPECT_EQ(amended->version, 2);
  ASSERT_EQ(amended->topics.size(), 1u);
  EXPECT_EQ(amended->topics[0].topic_id, wifi);
  // The registry serves the amended model at once.
  auto model = registry_->Get(kAlice);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)->Predict("how do I get online as a guest").intent,
            "topic_" + std::to_string(wifi));
  // A change that fails leaves everything as it was.
  auto refused = queue_->Amend(kAlice, [](const std::vector<store::PublishedTopic>&) {
    return Result<std::vector<store::PublishedTopic>>(FailedPreconditionError("no"));
  });
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetLivePublication(kAlice, false)->value().version, 2);
}

// A learned phrasing extends the model this process serves (nlu::Model::Extend): a bot that
// learns its decline centre from its held-out mistakes keeps that centre, so the press does not
// pay for learning it again; the stored model keeps it too (other processes load the same); a
// publish learns it anew. Without the live model at hand the amendment trains from scratch.
TEST_F(TrainingQueueTest, ALearnedPhrasingExtendsTheLiveModelAndKeepsItsCentre) {
  const std::vector<std::string> keys = {"invoice", "refund", "password", "parcel", "meeting"};
  const std::vector<std::string> shared = {"help",  "need", "today", "please", "problem",
                                           "issue", "work", "again", "urgent", "question"};
  std::vector<int64_t> ids;
  for (size_t k = 0; k < keys.size(); ++k) {
    store::TopicContent content{"a question about my " + keys[k], {}, "About " + keys[k] + "."};
    for (size_t i = 0; i < 11; ++i) {
      content.phrasings.push_back(shared[(i + k) % shared.size()] + " " +
                                  shared[(3 * i + 2 * k + 1) % shared.size()] +
                                  (i % 3 == 0 ? " " + keys[k] : std::string()));
    }
    auto added = store_->AddTopic(kAlice, content);
    ASSERT_TRUE(added.ok()) << added.status();
    ids.push_back(added->id);
  }
  ASSERT_TRUE(queue_->Enqueue(kAlice).ok());
  executor_.RunAll();
  auto published = registry_->Get(kAlice);
  ASSERT_TRUE(published.ok());
  ASSERT_TRUE((*published)->has_head());
  ASSERT_EQ((*published)->decline_center_examples(), 60u);
  const auto learn = [&](const std::string& phrasing) {
    return queue_->Amend(kAlice, [&](const std::vector<store::PublishedTopic>& live) {
      std::vector<store::PublishedTopic> next = live;
      next[1].content.phrasings.push_back(phrasing);
      return Result<std::vector<store::PublishedTopic>>(next);
    });
  };
  ASSERT_TRUE(learn("my money back for the broken kettle").ok());
  auto extended = registry_->Get(kAlice);
  ASSERT_TRUE(extended.ok());
  EXPECT_EQ((*extended)->decline_center_examples(), 60u);
  EXPECT_EQ((*extended)->decline_center(), (*published)->decline_center());
  EXPECT_EQ((*extended)->Predict("my money back for the broken kettle").intent,
            TopicIntent(ids[1]));
  auto stored = store_->LoadLiveModel(kAlice);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  auto loaded = nlu::Model::Load((*stored)->model, lexicon_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->decline_center_examples(), 60u);
  EXPECT_EQ((*loaded)->Serialize(), (*extended)->Serialize());
  // Not served here (another process amended, or the cache let it go): trained from scratch.
  registry_->Invalidate(kAlice);
  ASSERT_TRUE(learn("a refund for the late train").ok());
  auto trained = registry_->Get(kAlice);
  ASSERT_TRUE(trained.ok());
  EXPECT_EQ((*trained)->decline_center_examples(), 62u);
  // A publish learns the centre from every example (the topics as the owner has them: here,
  // with what was learned).
  auto learned = learn("refund of my ticket please");
  ASSERT_TRUE(learned.ok());
  ASSERT_EQ(registry_->Get(kAlice).value()->decline_center_examples(), 62u);
  store::TopicEdit edit;
  edit.phrasings = learned->topics[1].content.phrasings;
  ASSERT_TRUE(store_->UpdateTopic(kAlice, ids[1], edit).ok());
  ASSERT_TRUE(queue_->Enqueue(kAlice).ok());
  executor_.RunAll();
  EXPECT_EQ(registry_->Get(kAlice).value()->decline_center_examples(), 63u);
}

// A publish that read the topics before a learned phrasing went live must not take it off the
// live set: the store refuses the stale publication and the worker trains again. The publish
// trains many new drafts, the amendment one live topic, so the amendment usually lands while
// the publish is training.
TEST_F(TrainingQueueTest, APublishRacingALearnedPhrasingKeepsIt) {
  for (int round = 0; round < 5; ++round) {
    const store::UserRef owner{"T0001", "U0OWNER" + std::to_string(round)};
    auto wifi = store_->AddTopic(owner, {"what is the wifi password", {}, "On the fridge."});
    ASSERT_TRUE(wifi.ok()) << wifi.status();
    ASSERT_TRUE(queue_->Enqueue(owner).ok());
    executor_.RunAll();
    for (int i = 0; i < 60; ++i) {
      const std::string n = std::to_string(i);
      ASSERT_TRUE(store_
                      ->AddTopic(owner, {"draft question number " + n + " about printers",
                                         {"printer " + n + " is jammed", "toner " + n},
                                         "answer " + n})
                      .ok());
    }
    const std::string phrasing = "how do I get online as a guest";
    auto job = queue_->Enqueue(owner);
    ASSERT_TRUE(job.ok()) << job.status();
    std::thread publisher([&] { executor_.RunAll(); });
    // Once the worker has claimed the job it reads the topics at once, then trains for a while.
    for (;;) {
      auto claimed = store_->GetPublishJob(job->job.id);
      ASSERT_TRUE(claimed.ok() && claimed->has_value());
      if ((*claimed)->status != store::JobStatus::kPending) break;
      std::this_thread::yield();
    }
    // What Topics::LearnPhrasing does: the draft first, then the live amendment.
    store::TopicEdit edit;
    edit.phrasings = std::vector<std::string>{phrasing};
    ASSERT_TRUE(store_->UpdateTopic(owner, wifi->id, edit).ok());
    auto amended = queue_->Amend(owner, [&](const std::vector<store::PublishedTopic>& live) {
      std::vector<store::PublishedTopic> next = live;
      for (auto& t : next) {
        if (t.topic_id == wifi->id) t.content.phrasings = *edit.phrasings;
      }
      return Result<std::vector<store::PublishedTopic>>(next);
    });
    publisher.join();
    ASSERT_TRUE(amended.ok()) << amended.status();
    auto live = store_->GetLivePublication(owner, false);
    ASSERT_TRUE(live.ok() && live->has_value());
    EXPECT_EQ((*live)->topics.size(), 61u) << "round " << round;
    for (const auto& t : (*live)->topics) {
      if (t.topic_id != wifi->id) continue;
      EXPECT_EQ(t.content.phrasings, *edit.phrasings)
          << "round " << round << ": live version " << (*live)->version
          << " lost the learned phrasing";
    }
  }
  EXPECT_TRUE(failures_.empty());
}

TEST_F(TrainingQueueTest, AJobOfADeadWorkerIsPickedUpAfterItsLease) {
  Add("what is the wifi password", "It is on the fridge.");
  ASSERT_TRUE(store_->EnqueuePublish(kAlice).ok());
  auto dead = store_->ClaimPublishJob("dead-process", std::chrono::seconds(60));
  ASSERT_TRUE(dead.ok() && dead->has_value());
  queue_->Poke();
  executor_.RunAll();
  EXPECT_TRUE(published_.empty()) << "the lease is still valid";
  clock_.Advance(std::chrono::seconds(61));
  queue_->Poke();
  executor_.RunAll();
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].job_id, (*dead)->id);
}

TEST_F(TrainingQueueTest, AfterShutdownRequestsAreRefusedAndStayInTheStore) {
  Add("what is the wifi password", "It is on the fridge.");
  ASSERT_TRUE(queue_->Enqueue(kAlice).ok());
  queue_->Shutdown();
  EXPECT_EQ(executor_.RunAll(), 1u);  // the scheduled worker sees the shutdown and stops
  EXPECT_TRUE(published_.empty());
  EXPECT_EQ(queue_->Enqueue(kAlice).status().code(), StatusCode::kFailedPrecondition);
  // The request survives for the next process.
  auto job = store_->ClaimPublishJob("next-process", std::chrono::seconds(60));
  ASSERT_TRUE(job.ok() && job->has_value());
}

}  // namespace
}  // namespace faqbot::assistant
