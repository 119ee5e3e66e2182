// Test-only: what the API tests need to serve real published models — a real SQLite Store in a
// temporary folder, the lexicon the build compiled, a ModelRegistry loading from the Store and a
// TrainingQueue on a ManualExecutor, so a test publishes synchronously with Publish(owner).
// Used by src/server/rasa_api_test.cc and tests/server/rasa_api_integration_test.cc.
// Not thread-safe; not copyable.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "assistant/model_registry.h"
#include "assistant/training_queue.h"
#include "common/clock.h"
#include "common/executor.h"
#include "nlu/test_support.h"
#include "store/store.h"
#include "test_store.h"

namespace faqbot::server::testing {

class PublishedModelsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
    auto lexicon = nlu::testing::BuiltLexicon();
    registry_ = std::make_unique<assistant::ModelRegistry>(
        lexicon, [this](const assistant::OwnerKey& o) { return store_->LoadLiveModel(o); });
    training_ = std::make_unique<assistant::TrainingQueue>(
        *store_, *registry_, lexicon, executor_, clock_, assistant::TrainingQueue::Callbacks{});
  }
  void TearDown() override {
    if (training_) training_->Shutdown();
  }

  // Adds a topic of `owner` with one phrasing; returns its id.
  int64_t AddTopic(const store::UserRef& owner, std::string question, std::string answer) {
    auto topic = store_->AddTopic(owner, {std::move(question), {}, std::move(answer)});
    EXPECT_TRUE(topic.ok()) << topic.status();
    return topic.ok() ? topic->id : 0;
  }
  // Publishes the owner's topics and waits for the model to be live.
  void Publish(const store::UserRef& owner) {
    ASSERT_TRUE(training_->Enqueue(owner).ok());
    executor_.RunAll();
    ASSERT_TRUE(registry_->Get(owner).ok());
  }

  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  FakeClock clock_;
  ManualExecutor executor_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<assistant::ModelRegistry> registry_;
  std::unique_ptr<assistant::TrainingQueue> training_;
};

}  // namespace faqbot::server::testing
