#include "server/inbox_dispatcher.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "slack/inbound_router.h"
#include "slack/inbound_test_support.h"
#include "store/sqlite_backend.h"
#include "test_store.h"

namespace faqbot::server {
namespace {

using slack::testing::Fixture;
using slack::testing::SignedHeaders;
using std::chrono::seconds;

constexpr int64_t kNow = 1'700'000'000;

// A DM of `user` as Slack posts it to /slack/events, with its own event id.
std::string DmBody(const std::string& event_id, const std::string& user, const std::string& text) {
  nlohmann::json body = nlohmann::json::parse(Fixture("events_message_im.json"));
  body["event_id"] = event_id;
  body["event"]["user"] = user;
  body["event"]["text"] = text;
  return body.dump();
}

// The router and the dispatcher as `faqbot serve` wires them, over a real SQLite Store.
class InboxDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
    Rebuild();
  }

  void Rebuild() {
    router_.reset();
    InboxDispatcherOptions inbox_options;
    inbox_options.worker = "test-worker";
    inbox_options.lease = seconds(30);
    dispatcher_ = std::make_unique<InboxDispatcher>(
        *store_, executor_, clock_,
        [this](slack::InboundEvent e) {
          if (during_handling_) during_handling_();
          handled_.push_back(std::get<slack::MessageEvent>(e.payload).text +
                             (e.resumed ? " (resumed)" : ""));
        },
        inbox_options);
    router_ = std::make_unique<slack::InboundRouter>(verifier_, *dispatcher_, clock_);
  }

  int Post(const std::string& body) {
    return router_->HandleHttp(slack::RequestKind::kEvents, SignedHeaders(body, kNow), body).status;
  }

  int64_t Pending() { return *store_->CountPendingInboxEvents(); }

  // Alice's "hello" (Ev1) handled over a Store whose SQLite gives up on a lock after 20 ms,
  // while another program (`other_`) takes the database: the mark that follows fails until
  // `other_` rolls back.
  void HandleWhileAnotherProgramTakesTheDatabase() {
    store::SqliteOptions options;
    options.path = database_.url().substr(std::string("sqlite:").size());
    options.busy_timeout = std::chrono::milliseconds(20);
    auto backend = store::SqliteBackend::Open(options);
    ASSERT_TRUE(backend.ok()) << backend.status();
    auto opened =
        store::Store::Open(std::unique_ptr<store::SqlBackend>(std::move(backend).value()), clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    Rebuild();
    ASSERT_EQ(sqlite3_open(options.path.c_str(), &other_), SQLITE_OK);
    ASSERT_EQ(Post(DmBody("Ev1", "U0ALICE01", "hello")), 200);
    during_handling_ = [this] {
      during_handling_ = nullptr;
      ASSERT_EQ(sqlite3_exec(other_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    };
    executor_.RunAll();
  }

  void TearDown() override {
    if (other_ != nullptr) sqlite3_close(other_);
  }

  FakeClock clock_{kNow};
  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  std::unique_ptr<store::Store> store_;
  slack::SignatureVerifier verifier_{slack::testing::kSecret, clock_};
  ManualExecutor executor_;
  std::function<void()> during_handling_;
  std::vector<std::string> handled_;
  std::unique_ptr<InboxDispatcher> dispatcher_;
  std::unique_ptr<slack::InboundRouter> router_;
  sqlite3* other_ = nullptr;  // another program on the database file
};

TEST_F(InboxDispatcherTest, AnAcknowledgedEventIsStoredThenHandledOnce) {
  const std::string body = DmBody("Ev1", "U0ALICE01", "hello");
  EXPECT_EQ(Post(body), 200);
  EXPECT_EQ(Pending(), 1);  // stored when the ack was returned, before any handling
  EXPECT_TRUE(handled_.empty());
  executor_.RunAll();
  EXPECT_EQ(handled_, std::vector<std::string>{"hello"});
  EXPECT_EQ(Pending(), 0);
  // Slack's retry, even after handling: acknowledged, dropped.
  EXPECT_EQ(Post(body), 200);
  executor_.RunAll();
  EXPECT_EQ(handled_.size(), 1u);
  EXPECT_EQ(Pending(), 0);
}

TEST_F(InboxDispatcherTest, OnePersonsEventsAreHandledInTheOrderTheyCame) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Post(DmBody("EvA" + std::to_string(i), "U0ALICE01", "a" + std::to_string(i))), 200);
    ASSERT_EQ(Post(DmBody("EvB" + std::to_string(i), "U0BOB0001", "b" + std::to_string(i))), 200);
  }
  executor_.RunAll();
  std::vector<std::string> alice, bob;
  for (const auto& text : handled_) (text[0] == 'a' ? alice : bob).push_back(text);
  EXPECT_EQ(alice, (std::vector<std::string>{"a0", "a1", "a2", "a3", "a4"}));
  EXPECT_EQ(bob, (std::vector<std::string>{"b0", "b1", "b2", "b3", "b4"}));
}

TEST_F(InboxDispatcherTest, AStoppedProcessLeavesItsEventsToTheNext) {
  dispatcher_->Shutdown();  // e.g. killed right after the ack: stored, never handled
  ASSERT_EQ(Post(DmBody("Ev1", "U0ALICE01", "first")), 200);
  ASSERT_EQ(Post(DmBody("Ev2", "U0ALICE01", "second")), 200);
  executor_.RunAll();
  EXPECT_TRUE(handled_.empty());
  EXPECT_EQ(Pending(), 2);
  Rebuild();            // the next process
  dispatcher_->Tick();  // what serve does on start
  executor_.RunAll();
  EXPECT_EQ(handled_, (std::vector<std::string>{"first", "second"}));
}

TEST_F(InboxDispatcherTest, AnEventWhoseWorkerDiedBeforeSavingItsStepIsHandledAgain) {
  dispatcher_->Shutdown();
  ASSERT_EQ(Post(DmBody("Ev1", "U0ALICE01", "half done")), 200);
  ASSERT_EQ(Post(DmBody("Ev2", "U0ALICE01", "next")), 200);
  ASSERT_EQ(Post(DmBody("Ev3", "U0BOB0001", "bob's")), 200);
  auto dead = store_->ClaimInboxEvent("dead-worker", seconds(30));
  ASSERT_TRUE(dead.ok() && dead->has_value());
  ASSERT_EQ((*dead)->dedup_key, "Ev1");
  Rebuild();
  dispatcher_->Tick();
  executor_.RunAll();
  EXPECT_EQ(handled_, std::vector<std::string>{"bob's"});  // Alice waits for the lease
  clock_.Advance(seconds(31));
  dispatcher_->Tick();
  executor_.RunAll();
  // Marked resumed: the assistant finishes what the dead worker may have started.
  EXPECT_EQ(handled_, (std::vector<std::string>{"bob's", "half done (resumed)", "next"}));
  EXPECT_EQ(Pending(), 0);
}

TEST_F(InboxDispatcherTest, AnEventWhoseWorkerDiedAfterSavingItsStepIsNotHandledTwice) {
  dispatcher_->Shutdown();
  ASSERT_EQ(Post(DmBody("Ev1", "U0ALICE01", "half done")), 200);
  ASSERT_EQ(Post(DmBody("Ev2", "U0ALICE01", "next")), 200);
  auto dead = store_->ClaimInboxEvent("dead-worker", seconds(30));
  ASSERT_TRUE(dead.ok() && dead->has_value());
  ASSERT_EQ((*dead)->dedup_key, "Ev1");
  // The dead worker applied the step: it saved Alice's conversation.
  ASSERT_TRUE(store_->SaveConversation({"T0FAQTEAM1", "U0ALICE01"}, "step 2", 0).ok());
  Rebuild();
  clock_.Advance(seconds(31));
  dispatcher_->Tick();
  executor_.RunAll();
  EXPECT_EQ(handled_, std::vector<std::string>{"next"});
  EXPECT_EQ(Pending(), 0);
}

TEST_F(InboxDispatcherTest, TicksRenewTheLeaseOfAnEventBeingHandled) {
  ASSERT_EQ(Post(DmBody("Ev1", "U0ALICE01", "slow")), 200);
  ASSERT_EQ(Post(DmBody("Ev2", "U0ALICE01", "after")), 200);
  bool other_got_one = true;
  during_handling_ = [&] {
    during_handling_ = nullptr;
    EXPECT_EQ(dispatcher_->handling(), 1u);
    clock_.Advance(seconds(20));
    dispatcher_->Tick();
    clock_.Advance(seconds(20));  // past the first lease, within the renewed one
    auto other = store_->ClaimInboxEvent("other-process", seconds(30));
    ASSERT_TRUE(other.ok());
    other_got_one = other->has_value();
  };
  executor_.RunAll();
  EXPECT_FALSE(other_got_one);
  EXPECT_EQ(handled_, (std::vector<std::string>{"slow", "after"}));
  EXPECT_EQ(dispatcher_->handling(), 0u);
}

// Handled, then the store refuses to mark it (another program holds the database, the disk is
// full): the event stays this process's, under a renewed lease, until a tick marks it — no other
// process takes it over and answers it a second time.
TEST_F(InboxDispatcherTest, AHandledEventTheStoreCannotMarkYetIsNotHandledTwice) {
  ASSERT_NO_FATAL_FAILURE(HandleWhileAnotherProgramTakesTheDatabase());
  EXPECT_EQ(handled_, std::vector<std::string>{"hello"});
  EXPECT_EQ(dispatcher_->handling(), 1u);  // handled, not marked: still held
  // Not ready meanwhile (/readyz), saying why.
  const Status health = dispatcher_->MarkingHealth();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable) << health;
  EXPECT_NE(health.message().find("1 handled event cannot be marked handled"), std::string::npos)
      << health;
  ASSERT_EQ(sqlite3_exec(other_, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);

  clock_.Advance(seconds(20));
  dispatcher_->Tick();
  EXPECT_EQ(dispatcher_->handling(), 0u);
  EXPECT_TRUE(dispatcher_->MarkingHealth().ok());
  EXPECT_EQ(Pending(), 0);
  clock_.Advance(seconds(60));  // past any lease: nothing is left to take over
  auto taken = store_->ClaimInboxEvent("other-process", seconds(30));
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_FALSE(taken->has_value());
  executor_.RunAll();
  EXPECT_EQ(handled_.size(), 1u);
}

TEST_F(InboxDispatcherTest, AnEventHandledHereWhoseLeaseRanOutBeforeItWasMarkedIsNotHandledAgain) {
  ASSERT_NO_FATAL_FAILURE(HandleWhileAnotherProgramTakesTheDatabase());
  ASSERT_EQ(handled_, std::vector<std::string>{"hello"});
  // The outage outlasts the lease (30 s): the mark and the renewal both fail meanwhile.
  clock_.Advance(seconds(40));
  dispatcher_->Tick();
  EXPECT_EQ(dispatcher_->handling(), 1u);
  ASSERT_EQ(sqlite3_exec(other_, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);

  // The next claim may be that event again (its lease is over): it is marked, not answered twice.
  ASSERT_EQ(Post(DmBody("Ev2", "U0BOB0001", "second")), 200);
  executor_.RunAll();
  EXPECT_EQ(handled_, (std::vector<std::string>{"hello", "second"}));
  EXPECT_EQ(dispatcher_->handling(), 0u);
  EXPECT_TRUE(dispatcher_->MarkingHealth().ok());
  EXPECT_EQ(Pending(), 0);
}

}  // namespace
}  // namespace faqbot::server
