// AssistantRuntime on PostgreSQL, where the Store's LISTEN/NOTIFY brings every publication back
// to every process — this one's own included.
#include "app/runtime.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "assistant/recording_messenger.h"
#include "common/clock.h"
#include "test_database.h"

namespace faqbot::app {
namespace {

using store::testing::Engine;
using store::testing::TestDatabase;

const store::UserRef kAlice{"T0001", "U0ALICE"};

// The process's own NOTIFY for the model it has just installed must not evict it.
TEST(RuntimeIntegrationTest, OwnPublicationNoticeKeepsTheInstalledModel) {
  TestDatabase database(Engine::kPostgres);
  ASSERT_TRUE(database.status().ok()) << database.status();
  assistant::RecordingMessenger messenger;
  RuntimeOptions options;
  options.database_url = database.url();
  options.lexicon_path = std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn";
  auto runtime = AssistantRuntime::Create(options, messenger, SystemClock::Instance());
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  AssistantRuntime& rt = **runtime;

  // Told after the runtime's own listener, which was subscribed first.
  std::mutex mu;
  std::condition_variable cv;
  int64_t announced = 0;
  ASSERT_TRUE(rt.store()
                  .SubscribePublications([&](const store::UserRef& owner, int64_t version) {
                    std::lock_guard lock(mu);
                    if (owner == kAlice) announced = version;
                    cv.notify_all();
                  })
                  .ok());

  ASSERT_TRUE(rt.store().AddTopic(kAlice, {"what is the wifi password", {}, "On the fridge."}).ok());
  ASSERT_TRUE(rt.training().Enqueue(kAlice).ok());
  ASSERT_TRUE(messenger.WaitForSent(1, std::chrono::seconds(60)));  // "now published"
  EXPECT_NE(messenger.sent().front().text.find("now published"), std::string::npos);
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return announced == 1; }));
  }
  EXPECT_EQ(rt.registry().cached_version(kAlice), 1);
  EXPECT_EQ(rt.registry().cached_models(), 1u);
}

}  // namespace
}  // namespace faqbot::app
