// Two `faqbot serve` processes, A and B, on one throwaway PostgreSQL, the emulator as Slack:
// over signed HTTP behind Debian's haproxy (started here on loopback, round-robin), and over
// Socket Mode, where each process opens its own connection and the emulator hands envelopes to
// them in turn. What one process does, the other sees: a conversation alternating between them
// stays coherent, a publish reaches both, a retry is handled once, a busy owner gets one hand-off
// DM, concurrent asks are each answered once, and one process dying leaves the other serving.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.h"
#include "haproxy_process.h"
#include "serve_harness.h"
#include "slack_emulator.h"
#include "test_database.h"

namespace faqbot {
namespace {

using slack_emulator::SlackEmulator;
using store::testing::Engine;
using store::testing::TestDatabase;
using ::testing::HasSubstr;
namespace fx = slack_emulator::fixtures;

enum class Transport { kHttp, kSocketMode };
constexpr const char* kAlice = "U0ALICE";
constexpr const char* kBob = "U0BOB";
constexpr int kAskers = 50;
constexpr int kAsksEach = 4;

// Alice's four topics for the load checks: an ask of one of these exact questions gets that
// answer.
const std::vector<std::pair<std::string, std::string>> kFaq = {
    {"what is the guest wifi password?", "It's on the fridge."},
    {"where can visitors park?", "On level -2 of the garage."},
    {"how do I set up the vpn?", "Install the Acme VPN client."},
    {"when is lunch served?", "From noon to two."},
};

std::string FaqYaml() {
  std::string yaml = "nlu:\n";
  for (size_t i = 0; i < kFaq.size(); ++i) {
    yaml +=
        "- intent: topic_" + std::to_string(i) + "\n  examples: |\n    - " + kFaq[i].first + "\n";
  }
  yaml += "responses:\n";
  for (size_t i = 0; i < kFaq.size(); ++i) {
    yaml += "  utter_topic_" + std::to_string(i) + ":\n  - text: " + kFaq[i].second + "\n";
  }
  return yaml;
}

std::string Asker(int i) {
  char id[16];
  std::snprintf(id, sizeof id, "U0P%02d", i);
  return id;
}

class ClusterTest : public ::testing::TestWithParam<Transport>, protected e2e::SlackSide {
 protected:
  void SetUp() override {
    socket_mode_ = GetParam() == Transport::kSocketMode;
    if (!socket_mode_ && e2e::HaproxyBinary().empty()) {
      GTEST_SKIP() << "haproxy is not installed (`make deps` installs it)";
    }
    emulator_.AddUser({kAlice, "alice", "Alice Liddell", "Alice", false});
    emulator_.AddUser({kBob, "bob", "Bob Builder", "Bob", false});
    for (int i = 0; i < kAskers; ++i) {
      emulator_.AddUser(
          {Asker(i), "asker" + std::to_string(i), "Asker " + std::to_string(i), "Asker", false});
    }
    ASSERT_TRUE(emulator_.Start().ok());
    db_ = std::make_unique<TestDatabase>(Engine::kPostgres);
    ASSERT_TRUE(db_->status().ok()) << db_->status();
    database_url_ = db_->url();
    char dir[] = "/tmp/faqbot-cluster-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    log_ = dir_ + "/a.log";  // named in failure messages; b.log and haproxy.log sit beside it
    // A short outbox lease: the replies of a killed process are sent by the other within seconds.
    const std::vector<std::string> flags = {"--outbox-lease", "3"};
    port_a_ = a_.Start(Environment(), dir_ + "/a.log", flags);
    ASSERT_GT(port_a_, 0) << "process A did not start; see " << dir_;
    port_b_ = b_.Start(Environment(), dir_ + "/b.log", flags);
    ASSERT_GT(port_b_, 0) << "process B did not start; see " << dir_;
    if (socket_mode()) {
      port_ = port_a_;
      ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_.open_connections() == 2; },
                                         std::chrono::seconds(20)))
          << "each process opens its own Socket Mode connection";
    } else {
      port_ = haproxy_.Start(dir_, {port_a_, port_b_});
      ASSERT_GT(port_, 0) << "haproxy did not start; see " << dir_ << "/haproxy.log";
    }
  }

  void TearDown() override {
    if (HasFailure() && !dir_.empty()) {
      // What Slack received, beside the processes' logs.
      std::ofstream out(dir_ + "/slack-calls.txt");
      for (const auto& c : emulator_.Calls()) out << c.method << " " << c.args.dump() << "\n";
    }
    a_.Kill(SIGTERM);
    b_.Kill(SIGTERM);
    haproxy_.Stop();
    emulator_.Stop();
    if (!dir_.empty() && !HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> Environment() const {
    return e2e::ServeEnvironment(emulator_, database_url_, kSecret, socket_mode());
  }

  // Runs `send` with the signed HTTP requests going straight to the process on `port` instead of
  // through haproxy (Socket Mode: no effect, the emulator picks the connection).
  template <class Send>
  void Through(int port, Send send) {
    const int saved = port_;
    if (!socket_mode()) port_ = port;
    send();
    port_ = saved;
  }

  // Alice's topics of kFaq, imported with the CLI and published from Slack.
  void PublishFaq() {
    ImportTopics(kAlice, FaqYaml());
    Dm(kAlice, "publish");
    Posted confirm = Expect(DmChannel(kAlice), "Are you sure you want to publish");
    PressIn(kAlice, "affirm#0", ButtonValue(confirm, "affirm"), DmChannel(kAlice), confirm.ts);
    Expect(DmChannel(kAlice), "now answers " + std::to_string(kFaq.size()) + " topics");
  }

  // Sends `asker`'s ask of kFaq[topic] as event number `seq`, as Slack does from any
  // thread: through haproxy, or queued for Socket Mode. Over HTTP, a failed delivery is retried
  // with the same event id (X-Slack-Retry-Num), as Slack would. True when it was acknowledged.
  bool Ask(const std::string& asker, size_t topic, int seq) {
    const nlohmann::json callback = fx::EventCallback(
        fx::MessageImEvent(asker, DmChannel(asker), "ask <@U0ALICE> " + kFaq[topic].first,
                           "1700000100." + std::to_string(100000 + seq)),
        "EvASK" + std::to_string(100000 + seq));
    if (socket_mode()) {
      emulator_.QueueEnvelope("events_api", callback);
      return true;
    }
    for (int retry = 0; retry <= 3; ++retry) {
      slack_emulator::SignOptions sign;
      sign.retry_num = retry;
      auto r = slack_emulator::PostSigned(Url("/slack/events"), slack_emulator::SignedKind::kEvent,
                                          callback, kSecret, SystemClock::Instance(), sign);
      if (r.ok() && r->status == 200) return true;
    }
    return false;
  }

  // chat.postMessage calls to `channel` containing `needle`, from call `from` on.
  int Posts(const std::string& channel, const std::string& needle, size_t from = 0) {
    const auto calls = emulator_.Calls("chat.postMessage");
    int n = 0;
    for (size_t i = from; i < calls.size(); ++i) {
      if (calls[i].args.value("channel", "") == channel &&
          calls[i].args.dump().find(needle) != std::string::npos) {
        ++n;
      }
    }
    return n;
  }

  // Waits until every ask in `asked` (asker → topics asked) got an answer, then checks each got
  // exactly one: the answer of its topic, once per ask.
  void ExpectEachAnsweredOnce(const std::map<std::string, std::vector<size_t>>& asked) {
    auto answered = [&] {
      for (const auto& [asker, topics] : asked) {
        if (Posts(DmChannel(asker), "<@U0ALICE> says") < static_cast<int>(topics.size())) {
          return false;
        }
      }
      return true;
    };
    EXPECT_TRUE(SlackEmulator::WaitFor(answered, std::chrono::seconds(60)))
        << "some asks were never answered; see " << dir_;
    for (const auto& [asker, topics] : asked) {
      std::map<size_t, int> expected;
      for (size_t t : topics) ++expected[t];
      for (const auto& [topic, times] : expected) {
        EXPECT_EQ(Posts(DmChannel(asker), "says - " + kFaq[topic].second), times)
            << asker << " asked " << times << "x: " << kFaq[topic].first;
      }
      EXPECT_EQ(Posts(DmChannel(asker), "<@U0ALICE> says"), static_cast<int>(topics.size()))
          << asker;
    }
  }

  // A load of asks, one after the other, with process A killed by SIGKILL after `kill_after`
  // (at most 50) of `total`; returns the asks sent (asker → topics) before and after the kill,
  // every one acknowledged. Before the kill each asker asks twice in a row, so A still holds
  // work when it dies (the second answer waits for the channel's 1 s pacing). The askers before
  // the kill (the first 25) and after (the last 25) differ, so the answers of each group can be
  // counted apart.
  struct Load {
    std::map<std::string, std::vector<size_t>> before_kill, after_kill;
  };
  Load AskWhileKillingA(int total, int kill_after) {
    Load load;
    for (int i = 0; i < total; ++i) {
      if (i == kill_after) a_.Kill(SIGKILL);
      const bool before = i < kill_after;
      const std::string asker =
          Asker(before ? i / 2 : kAskers / 2 + (i - kill_after) % (kAskers / 2));
      const size_t topic = static_cast<size_t>(i) % kFaq.size();
      EXPECT_TRUE(Ask(asker, topic, i));
      (before ? load.before_kill : load.after_kill)[asker].push_back(topic);
    }
    return load;
  }

  std::unique_ptr<TestDatabase> db_;
  std::string dir_;
  e2e::ServeProcess a_, b_;
  e2e::HaproxyProcess haproxy_;
  int port_a_ = 0;
  int port_b_ = 0;
};

// One owner's whole flow — add topics by button and by free text, publish — while haproxy (or
// Slack, in Socket Mode) alternates every message between the two processes; then a publish
// pressed on A is answered from by B within 1 s; a Slack retry sent to the other process is
// handled once; three hand-offs to one owner on both processes give one DM.
TEST_P(ClusterTest, AConversationAlternatingBetweenProcessesStaysCoherent) {
  const std::string alice_dm = DmChannel(kAlice);
  const std::string bob_dm = DmChannel(kBob);
  Dm(kAlice, "hi");
  Expect(alice_dm, "How can I help?");
  Press(kAlice, "add_topic#0", "");
  Expect(alice_dm, "What question should I expect?");
  Dm(kAlice, "what is the wifi password?");
  Expect(alice_dm, "What answer should I provide?");
  Dm(kAlice, "It's on the fridge, next to the coffee machine.");
  Expect(alice_dm, "Topic added");  // the name only once this process looked it up
  Dm(kAlice, "publish");
  Posted confirm = Expect(alice_dm, "Are you sure you want to publish");
  PressIn(kAlice, "affirm#0", ButtonValue(confirm, "affirm"), alice_dm, confirm.ts);
  Expect(alice_dm, "now answers 1 topic");
  // Both processes answer from it (B keeps the model cached from here on).
  Through(port_a_, [&] { Dm(kBob, "ask <@U0ALICE> what is the wifi password?"); });
  Expect(bob_dm, "says - It's on the fridge");
  Through(port_b_, [&] { Dm(kBob, "ask <@U0ALICE> what is the wifi password?"); });
  Expect(bob_dm, "says - It's on the fridge");

  Dm(kAlice, "hey, add a new topic");
  Expect(alice_dm, "What question should I expect?");
  Dm(kAlice, "how do I set up the VPN on my laptop");
  Expect(alice_dm, "What answer should I provide?");
  Dm(kAlice, "Install the Acme VPN client and sign in.");
  Expect(alice_dm, "Topic added");
  Dm(kAlice, "show my topics");
  Posted list = Expect(alice_dm, "Here are your current topics");
  EXPECT_THAT(list.text, HasSubstr("1 of 2 live"));
  Dm(kAlice, "publish");
  confirm = Expect(alice_dm, "Are you sure");
  Through(port_a_, [&] {
    PressIn(kAlice, "affirm#0", ButtonValue(confirm, "affirm"), alice_dm, confirm.ts);
  });
  Expect(alice_dm, "now answers 2 topics");
  // B learns of A's publication (PostgreSQL NOTIFY) and answers from it within 1 s.
  const auto published = std::chrono::steady_clock::now();
  Through(port_b_, [&] { Dm(kBob, "ask <@U0ALICE> how do I set up the VPN on my laptop"); });
  Expect(bob_dm, "says - Install the Acme VPN client", std::chrono::seconds(5));
  const auto seen_by_b = std::chrono::steady_clock::now() - published;
  std::printf("publish on A -> answer from B: %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(seen_by_b).count()));
  EXPECT_LE(seen_by_b, std::chrono::seconds(1));

  if (socket_mode()) {
    // Every envelope went to one of the two connections, each process taking its share.
    std::map<int, int> per_connection;
    for (const auto& d : emulator_.Deliveries()) ++per_connection[d.connection];
    std::string seen;
    for (const auto& d : emulator_.Deliveries()) {
      seen += d.envelope_id + "@" + std::to_string(d.connection) + " ";
    }
    EXPECT_EQ(per_connection.size(), 2u)
        << seen << " accepted " << emulator_.connections_accepted();
    for (const auto& [connection, n] : per_connection) EXPECT_GE(n, 5) << connection;
  } else {
    // haproxy alternated the requests: each process took about half.
    const std::string log = haproxy_.Log();
    int s1 = 0, s2 = 0;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("POST /slack/") == std::string::npos) continue;
      if (line.find(" faqbot/s1 ") != std::string::npos) ++s1;
      if (line.find(" faqbot/s2 ") != std::string::npos) ++s2;
    }
    EXPECT_GE(s1, 5) << log;
    EXPECT_GE(s2, 5) << log;
  }

  // Slack retries an event whose ack it did not see; the retry reaches the other process.
  size_t from = emulator_.Calls("chat.postMessage").size();
  const nlohmann::json retried = fx::EventCallback(
      fx::MessageImEvent(kBob, bob_dm, "ask <@U0ALICE> what is the wifi password?", NextTs()),
      "EvRETRIED1");
  if (socket_mode()) {
    const std::string first = emulator_.QueueEnvelope("events_api", retried);
    const std::string second = emulator_.QueueEnvelope("events_api", retried);
    ASSERT_TRUE(
        SlackEmulator::WaitFor([&] { return emulator_.unacked() == 0; }, std::chrono::seconds(10)));
    std::map<std::string, int> connection;
    for (const auto& d : emulator_.Deliveries()) connection[d.envelope_id] = d.connection;
    EXPECT_NE(connection[first], connection[second]) << "both went to one process";
  } else {
    for (const auto& [port, retry] : {std::pair{port_a_, 0}, std::pair{port_b_, 1}}) {
      slack_emulator::SignOptions sign;
      sign.retry_num = retry;
      auto r = slack_emulator::PostSigned(
          "http://127.0.0.1:" + std::to_string(port) + "/slack/events",
          slack_emulator::SignedKind::kEvent, retried, kSecret, SystemClock::Instance(), sign);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->status, 200);
    }
  }
  Expect(bob_dm, "says - It's on the fridge");
  // Bob's next messages, one to each process, are answered after any duplicate would have been.
  Through(port_a_, [&] { Dm(kBob, "hi"); });
  Through(port_b_, [&] { Dm(kBob, "hi"); });
  Expect(bob_dm, "How can I help?");
  Expect(bob_dm, "How can I help?");
  EXPECT_EQ(Posts(bob_dm, "says - It's on the fridge", from), 1);

  // Three questions Alice cannot answer, on both processes: one hand-off DM; all three wait.
  from = emulator_.Calls("chat.postMessage").size();
  Through(port_a_, [&] { Dm(kBob, "ask <@U0ALICE> when is the company picnic?"); });
  Expect(bob_dm, "I don't know that one yet");
  Through(port_b_, [&] { Dm(kBob, "ask <@U0ALICE> who won the football yesterday?"); });
  Expect(bob_dm, "I don't know that one yet");
  Through(port_a_, [&] { Dm(kBob, "ask <@U0ALICE> is there cake in the kitchen?"); });
  Expect(bob_dm, "I don't know that one yet");
  Expect(alice_dm, "asked you: when is the company picnic?");
  Dm(kAlice, "unanswered questions");
  Expect(alice_dm, "3 questions waiting for you");
  EXPECT_EQ(Posts(alice_dm, "asked you:", from), 1);
}

// 200 asks from 50 askers at once, from 8 threads: each is answered exactly once.
TEST_P(ClusterTest, ConcurrentAsksAreEachAnsweredExactlyOnce) {
  PublishFaq();
  std::mutex mu;
  std::map<std::string, std::vector<size_t>> asked;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kAskers * kAsksEach; i += 8) {
        const std::string asker = Asker(i % kAskers);
        const size_t topic = static_cast<size_t>(i / kAskers) % kFaq.size();
        EXPECT_TRUE(Ask(asker, topic, i));
        std::lock_guard lock(mu);
        asked[asker].push_back(topic);
      }
    });
  }
  for (auto& t : threads) t.join();
  ExpectEachAnsweredOnce(asked);
}

// SIGKILL of A under load: B keeps serving; every ask sent after the kill is answered once.
TEST_P(ClusterTest, WhenOneProcessIsKilledTheOtherKeepsServing) {
  PublishFaq();
  const Load load = AskWhileKillingA(60, 20);
  ExpectEachAnsweredOnce(load.after_kill);
}

// Every event acknowledged by the killed process is still handled (by B): the durable inbox;
// and every answer A accepted and had not sent yet (one waiting for the channel's pacing) is
// sent by B once A's outbox lease ran out. An ask A was handling when it died is handled again
// by B (server/inbox_dispatcher.h), so its answer may come twice — from A, or from A's outbox,
// and from B: at most one duplicate per event A was handling (its --event-threads, 4), never a
// missing one.
TEST_P(ClusterTest, EveryEventAcknowledgedByAKilledProcessIsStillHandled) {
  PublishFaq();
  const Load load = AskWhileKillingA(60, 20);
  std::map<std::string, std::vector<size_t>> all = load.before_kill;
  for (const auto& [asker, topics] : load.after_kill) {
    all[asker].insert(all[asker].end(), topics.begin(), topics.end());
  }
  // Every ask's own answer, counted per topic: a duplicate of one answer must not stand in for
  // another that is still on its way (a reply A accepted and did not send comes from B once A's
  // outbox lease ran out).
  auto answered = [&] {
    for (const auto& [asker, topics] : all) {
      std::map<size_t, int> expected;
      for (size_t t : topics) ++expected[t];
      for (const auto& [topic, times] : expected) {
        if (Posts(DmChannel(asker), "says - " + kFaq[topic].second) < times) return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(SlackEmulator::WaitFor(answered, std::chrono::seconds(60)))
      << "some asks were never answered; see " << dir_;
  int duplicates = 0;
  for (const auto& [asker, topics] : all) {
    std::map<size_t, int> expected;
    for (size_t t : topics) ++expected[t];
    for (const auto& [topic, times] : expected) {
      const int got = Posts(DmChannel(asker), "says - " + kFaq[topic].second);
      EXPECT_GE(got, times) << asker << " asked " << times << "x: " << kFaq[topic].first;
      duplicates += std::max(0, got - times);
    }
  }
  EXPECT_LE(duplicates, 4) << "see " << dir_;
}

// A reply the killed process could not send (Slack answered HTTP 500) is sent by the other
// process once the killed one's lease ran out, exactly once: the outbox.
TEST_P(ClusterTest, RepliesAKilledProcessCouldNotSendAreSentByTheOther) {
  if (socket_mode()) GTEST_SKIP() << "over HTTP the message goes to A; Socket Mode may pick B";
  slack_emulator::Fault down;
  down.kind = slack_emulator::Fault::Kind::kServerError;
  emulator_.InjectFault("chat.postMessage", down, 100'000);
  Through(port_a_, [&] { Dm(kBob, "hi"); });
  auto greetings = [&](bool taken) {
    int n = 0;
    for (const auto& c : emulator_.Calls("chat.postMessage")) {
      if (c.args.value("channel", "") == DmChannel(kBob) &&
          c.args.dump().find("How can I help?") != std::string::npos &&
          (c.http_status == 200) == taken) {
        ++n;
      }
    }
    return n;
  };
  ASSERT_TRUE(
      SlackEmulator::WaitFor([&] { return greetings(false) >= 2; }, std::chrono::seconds(20)))
      << "A never tried to answer; see " << dir_;
  a_.Kill(SIGKILL);
  emulator_.ClearFaults();
  EXPECT_TRUE(
      SlackEmulator::WaitFor([&] { return greetings(true) == 1; }, std::chrono::seconds(30)))
      << "B did not send A's reply; see " << dir_;
  std::this_thread::sleep_for(std::chrono::seconds(4));  // over a lease: no second copy
  EXPECT_EQ(greetings(true), 1);
  // Bob's conversation goes on, on B.
  Dm(kBob, "add a new topic");
  Expect(DmChannel(kBob), "What question should I expect?");
}

INSTANTIATE_TEST_SUITE_P(Transports, ClusterTest,
                         ::testing::Values(Transport::kHttp, Transport::kSocketMode),
                         [](const auto& info) {
                           return info.param == Transport::kHttp ? "Http" : "SocketMode";
                         });

}  // namespace
}  // namespace faqbot
