// End to end: the durable inbox of a real `faqbot serve`. An event acknowledged and then lost to
// SIGKILL before it was handled is handled by the next process, once; and two processes on one
// PostgreSQL database handling one person's events at once lose no step of their conversation.
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

using store::testing::Engine;
using store::testing::TestDatabase;
namespace fx = slack_emulator::fixtures;
using slack_emulator::SlackEmulator;

constexpr const char* kAlice = "U0ALICE";
constexpr const char* kBusy = "U0BUSY";

class InboxE2ETest : public ::testing::Test, protected e2e::SlackSide {
 protected:
  void Open(Engine engine) {
    emulator_.AddUser({kAlice, "alice", "Alice Liddell", "Alice", false});
    emulator_.AddUser({kBusy, "busy", "Busy Bee", "Busy", false});
    for (int i = 0; i < kAttempts; ++i) {
      emulator_.AddUser({Asker(i), "asker" + std::to_string(i), "Asker", "Asker", false});
    }
    ASSERT_TRUE(emulator_.Start().ok());
    db_ = std::make_unique<TestDatabase>(engine);
    ASSERT_TRUE(db_->status().ok()) << db_->status();
    database_url_ = db_->url();
    log_ = std::string(FAQBOT_BINARY_DIR) + "/e2e-inbox-" + std::to_string(getpid()) + ".log";
    auto store = store::Store::Open(database_url_, clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    for (auto& s : servers_) s.Kill(SIGTERM);
    emulator_.Stop();
    if (!HasFailure()) std::remove(log_.c_str());
  }

  // Starts server `i` with `extra` flags and sends to it from now on.
  void Start(size_t i, const std::vector<std::string>& extra = {}) {
    const int port = servers_[i].Start(
        e2e::ServeEnvironment(emulator_, database_url_, kSecret, false), log_, extra);
    ASSERT_GT(port, 0) << "faqbot serve did not start; see " << log_;
    ports_[i] = port;
    port_ = port;
  }
  void SendTo(size_t i) { port_ = ports_[i]; }

  // POSTs an Events API body to /slack/events, as Slack does (a retry is the same body again).
  void PostEvent(const nlohmann::json& callback) {
    auto r = slack_emulator::PostSigned(Url("/slack/events"), slack_emulator::SignedKind::kEvent,
                                        callback, kSecret, SystemClock::Instance());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }

  static std::string Asker(int i) { return "U0ASKER" + std::to_string(i); }

  // Messages to `channel` containing `needle` that Slack got so far.
  size_t Count(const std::string& channel, const std::string& needle) {
    size_t n = 0;
    for (const auto& c : emulator_.Calls("chat.postMessage")) {
      if (c.args.value("channel", "") == channel &&
          c.args.dump().find(needle) != std::string::npos) {
        ++n;
      }
    }
    return n;
  }

  // The stored inbox event of `person` no process has claimed yet, as its attempt count: every
  // claimable event is claimed for a moment and given back unchanged. 0 when there is none.
  int UnclaimedAttemptsOf(const std::string& person) {
    std::vector<store::InboxEvent> claimed;
    int attempts = 0;
    for (;;) {
      auto e = store_->ClaimInboxEvent("probe", std::chrono::seconds(30));
      EXPECT_TRUE(e.ok()) << e.status();
      if (!e.ok() || !e->has_value()) break;
      if ((*e)->person_id == person) attempts = (*e)->attempts;
      claimed.push_back(**e);
    }
    for (const auto& e : claimed) EXPECT_TRUE(store_->ReleaseInboxEvent(e).ok());
    return attempts;
  }

  static constexpr int kAttempts = 8;
  SystemClock clock_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  e2e::ServeProcess servers_[2];
  int ports_[2] = {0, 0};
};

TEST_F(InboxE2ETest, AnEventKilledAfterItsAckIsHandledOnceAfterTheRestart) {
  Open(Engine::kSqlite);
  // One event thread, busy with another person's messages, so the asker's message waits in the
  // inbox when the process is killed right after its 200. Should the process have claimed it
  // anyway, the attempt does not count and is made again with another asker.
  std::string asker;
  nlohmann::json acked;  // the asker's event, as Slack sent it
  for (int i = 0; i < kAttempts && asker.empty(); ++i) {
    Start(0, {"--event-threads", "1"});
    for (int j = 0; j < 3; ++j) Dm(kBusy, "hi");
    const nlohmann::json callback = fx::EventCallback(
        fx::MessageImEvent(Asker(i), DmChannel(Asker(i)), "hi", NextTs()),
        "EvKILLED" + std::to_string(i));
    PostEvent(callback);
    servers_[0].Kill(SIGKILL);
    if (UnclaimedAttemptsOf(Asker(i)) == 1) {
      asker = Asker(i);
      acked = callback;
      EXPECT_EQ(Count(DmChannel(asker), "How can I help?"), 0u);
    }
  }
  ASSERT_FALSE(asker.empty()) << "the killed process handled the message every time";

  Start(0);
  Expect(DmChannel(asker), "How can I help?");
  // Slack's retry of the acknowledged event is dropped: the asker's next message is answered
  // next (one person's events are handled, and their replies sent, in order).
  PostEvent(acked);
  Dm(asker, "hey, add a new topic");
  Expect(DmChannel(asker), "What question should I expect?");
  EXPECT_EQ(Count(DmChannel(asker), "How can I help?"), 1u);
}

TEST_F(InboxE2ETest, TwoProcessesHandlingOnePersonAtOnceLoseNoStep) {
  Open(Engine::kPostgres);
  Start(0);
  Start(1);
  const std::string dm = DmChannel(kAlice);
  // Each topic is taught in three messages sent at once, alternately to the two processes: each
  // step needs the state the one before saved, whichever process handled it.
  const std::vector<std::pair<std::string, std::string>> topics = {
      {"where can visitors park?", "Level -2 of the garage."},
      {"what is the wifi password?", "It is on the fridge."},
      {"how do I book a meeting room?", "Use the calendar app."},
  };
  Dm(kAlice, "hi");
  Expect(dm, "How can I help?");
  size_t to = 0;
  for (const auto& [question, answer] : topics) {
    for (const std::string& text : {std::string("hey, add a new topic"), question, answer}) {
      SendTo(to++ % 2);
      Dm(kAlice, text);
    }
    Expect(dm, "Topic added");
  }
  ASSERT_TRUE(SlackEmulator::WaitFor(
      [&] { return *store_->CountPendingInboxEvents() == 0; }, std::chrono::seconds(20)));
  auto stored = store_->ListTopics({fx::kTeamId, kAlice});
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), topics.size());
  for (size_t i = 0; i < topics.size(); ++i) {
    EXPECT_EQ((*stored)[i].content.question, topics[i].first);
    EXPECT_EQ((*stored)[i].content.answer, topics[i].second);
  }
}

}  // namespace
}  // namespace faqbot
