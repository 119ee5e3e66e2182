// End to end: the outbox of a real `faqbot serve`. A reply Slack could not take (HTTP 500 for
// as long as the process lived) is kept in the database and sent, once, by the next process —
// whether the first one was stopped (SIGTERM) or killed (SIGKILL).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.h"
#include "serve_harness.h"
#include "slack_emulator.h"
#include "store/store.h"
#include "test_database.h"

namespace faqbot {
namespace {

using slack_emulator::Fault;
using store::testing::Engine;
using store::testing::TestDatabase;

constexpr const char* kAlice = "U0ALICE";
constexpr const char* kGreeting = "How can I help?";

class OutboxE2ETest : public ::testing::Test, protected e2e::SlackSide {
 protected:
  void SetUp() override {
    emulator_.AddUser({kAlice, "alice", "Alice Liddell", "Alice", false});
    ASSERT_TRUE(emulator_.Start().ok());
    db_ = std::make_unique<TestDatabase>(Engine::kSqlite);
    ASSERT_TRUE(db_->status().ok()) << db_->status();
    database_url_ = db_->url();
    log_ = std::string(FAQBOT_BINARY_DIR) + "/e2e-outbox-" + std::to_string(getpid()) + ".log";
    auto store = store::Store::Open(database_url_, clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    server_.Kill(SIGTERM);
    emulator_.Stop();
    if (!HasFailure()) std::remove(log_.c_str());
  }

  void Start(const std::vector<std::string>& extra = {}) {
    port_ =
        server_.Start(e2e::ServeEnvironment(emulator_, database_url_, kSecret, false), log_, extra);
    ASSERT_GT(port_, 0) << "faqbot serve did not start; see " << log_;
  }

  // Slack answers every chat.postMessage with HTTP 500 until ClearFaults.
  void SlackDown() {
    Fault down;
    down.kind = Fault::Kind::kServerError;
    emulator_.InjectFault("chat.postMessage", down, 100'000);
  }

  // chat.postMessage calls to `channel` containing `needle`: those Slack refused, those it took.
  struct Posts {
    size_t refused = 0;
    size_t taken = 0;
  };
  Posts PostsOf(const std::string& channel, const std::string& needle) {
    Posts p;
    for (const auto& c : emulator_.Calls("chat.postMessage")) {
      if (c.args.value("channel", "") != channel ||
          c.args.dump().find(needle) == std::string::npos) {
        continue;
      }
      const bool ok =
          c.http_status == 200 && c.response.is_object() && c.response.value("ok", false);
      (ok ? p.taken : p.refused) += 1;
    }
    return p;
  }

  // Waits up to `timeout` for `done`.
  template <typename F>
  bool WaitFor(F done, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
  }

  // Alice says hi while Slack is down; waits until the bot has tried to answer `tries` times.
  void GreetingRefused(size_t tries = 2) {
    SlackDown();
    Dm(kAlice, "hi");
    ASSERT_TRUE(WaitFor([&] { return PostsOf(DmChannel(kAlice), kGreeting).refused >= tries; }))
        << "the bot never tried to answer; see " << log_;
    EXPECT_EQ(*store_->CountOutgoingReplies(), 1);
  }

  SystemClock clock_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  e2e::ServeProcess server_;
};

TEST_F(OutboxE2ETest, AReplyUnsentAtAStopIsSentByTheNextStart) {
  Start();
  GreetingRefused();
  server_.Kill(SIGTERM);  // drains for up to 10 s, then keeps what Slack did not take
  EXPECT_EQ(*store_->CountOutgoingReplies(), 1);
  EXPECT_EQ(PostsOf(DmChannel(kAlice), kGreeting).taken, 0u);

  emulator_.ClearFaults();
  Start();
  EXPECT_TRUE(WaitFor([&] { return PostsOf(DmChannel(kAlice), kGreeting).taken == 1; }))
      << "the greeting was not sent after the restart; see " << log_;
  EXPECT_TRUE(WaitFor([&] { return *store_->CountOutgoingReplies() == 0; }));
  // Alice's conversation goes on from there.
  Dm(kAlice, "add a new topic");
  Expect(DmChannel(kAlice), "What question should I expect?");
  EXPECT_EQ(PostsOf(DmChannel(kAlice), kGreeting).taken, 1u);
}

TEST_F(OutboxE2ETest, AReplyOfAKilledProcessIsSentByTheNextOneAfterItsLease) {
  Start({"--outbox-lease", "2"});
  GreetingRefused();
  server_.Kill(SIGKILL);
  EXPECT_EQ(*store_->CountOutgoingReplies(), 1);

  emulator_.ClearFaults();
  Start({"--outbox-lease", "2"});
  EXPECT_TRUE(WaitFor([&] { return PostsOf(DmChannel(kAlice), kGreeting).taken == 1; }))
      << "the greeting was not sent after the restart; see " << log_;
  EXPECT_TRUE(WaitFor([&] { return *store_->CountOutgoingReplies() == 0; }));
  std::this_thread::sleep_for(std::chrono::seconds(3));  // longer than a lease: no second copy
  EXPECT_EQ(PostsOf(DmChannel(kAlice), kGreeting).taken, 1u);
}

TEST_F(OutboxE2ETest, SlackBackWithinTheProcesssLifeGetsTheReplyFromTheSameProcess) {
  Start();
  // The Web API client's own retries (four tries) are spent: the reply waits in the outbox.
  GreetingRefused(5);
  emulator_.ClearFaults();
  EXPECT_TRUE(WaitFor([&] { return PostsOf(DmChannel(kAlice), kGreeting).taken == 1; }))
      << "the greeting was not sent once Slack was back; see " << log_;
  EXPECT_TRUE(WaitFor([&] { return *store_->CountOutgoingReplies() == 0; }));
}

// Slack's rate limit outlasts the Web API client's own waits (four 429s with Retry-After): the
// reply is not dropped but kept and sent later, and the conversation's next reply after it.
TEST_F(OutboxE2ETest, ARateLimitLongerThanTheClientWaitsDelaysRepliesAndDropsNone) {
  Start();
  Fault limited;
  limited.kind = Fault::Kind::kRateLimited;
  limited.retry_after_seconds = 1;
  emulator_.InjectFault("chat.postMessage", limited, 6);
  Dm(kAlice, "hi");
  Dm(kAlice, "add a new topic");
  EXPECT_TRUE(WaitFor([&] { return PostsOf(DmChannel(kAlice), kGreeting).taken == 1; }))
      << "the greeting was dropped; see " << log_;
  Expect(DmChannel(kAlice), "What question should I expect?");
  EXPECT_GE(PostsOf(DmChannel(kAlice), kGreeting).refused, 5u);
  EXPECT_TRUE(WaitFor([&] { return *store_->CountOutgoingReplies() == 0; }));
  // In order: the greeting was taken before the next reply was first tried.
  size_t greeting = 0, question = 0;
  const auto calls = emulator_.Calls("chat.postMessage");
  for (size_t i = 0; i < calls.size(); ++i) {
    const std::string args = calls[i].args.dump();
    if (args.find(kGreeting) != std::string::npos && calls[i].http_status == 200) greeting = i + 1;
    if (args.find("What question should I expect?") != std::string::npos && question == 0) {
      question = i + 1;
    }
  }
  EXPECT_GT(greeting, 0u);
  EXPECT_GT(question, greeting);
}

}  // namespace
}  // namespace faqbot
