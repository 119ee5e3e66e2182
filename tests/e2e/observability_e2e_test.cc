// End to end, what an operator sees of a real `faqbot serve` (SQLite, the loopback Slack
// emulator): GET /metrics checked by `promtool check metrics` and scraped by a real Prometheus
// server, JSON logs that name the event, team and user of every line about an event and hold no
// secret, and /readyz following the database and Slack (auth.test over signed HTTP, the
// connection in Socket Mode).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.h"
#include "haproxy_process.h"
#include "serve_harness.h"
#include "server/http_test_client.h"
#include "slack_emulator.h"
#include "test_database.h"

extern char** environ;

namespace faqbot {
namespace {

using server::testing::TestHttpClient;
using server::testing::TestResponse;
using slack_emulator::Fault;
using store::testing::Engine;
using store::testing::TestDatabase;
namespace fx = slack_emulator::fixtures;

constexpr const char* kAlice = "U0ALICE";
constexpr const char* kBob = "U0BOB";
constexpr const char* kTopics =
    "nlu:\n- intent: wifi_password\n  examples: |\n    - what is the wifi password?\n"
    "    - where do I find the wifi password\n"
    "- intent: vpn_setup\n  examples: |\n    - how do I set up the VPN on my laptop\n"
    "    - vpn setup\n"
    "responses:\n  utter_wifi_password:\n  - text: It's on the fridge, next to the coffee "
    "machine.\n"
    "  utter_vpn_setup:\n  - text: Install the Acme VPN client and sign in.\n";
// Looks like a console session cookie; the log must never show it.
constexpr const char* kCookieSecret = "c0ns0le-sess10n-s3cret-7f9d2a";

Result<TestResponse> Get(int port, const std::string& target, const slack::Headers& headers = {}) {
  TestHttpClient client;
  FAQBOT_RETURN_IF_ERROR(client.Connect(static_cast<uint16_t>(port)));
  return client.Send("GET", target, "", headers, /*keep_alive=*/false);
}

// Polls `probe` every 100 ms until it is true or `timeout` passes; returns its last answer.
bool WaitFor(const std::function<bool()>& probe, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return probe();
}

bool OnPath(const std::string& program) {
  return std::system(("command -v " + program + " > /dev/null 2>&1").c_str()) == 0;
}

// A child process with its output in `log`; SIGTERM and waited for at destruction.
class Child {
 public:
  bool Start(const std::vector<std::string>& args, const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) pid_ = 0;
    return rc == 0;
  }
  ~Child() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_ = 0;
};

class ObservabilityE2ETest : public ::testing::Test, protected e2e::SlackSide {
 protected:
  void SetUp() override {
    emulator_.AddUser({kAlice, "alice", "Alice Liddell", "Alice", false});
    emulator_.AddUser({kBob, "bob", "Bob Builder", "Bob", false});
    ASSERT_TRUE(emulator_.Start().ok());
    db_ = std::make_unique<TestDatabase>(Engine::kSqlite);
    ASSERT_TRUE(db_->status().ok()) << db_->status();
    database_url_ = db_->url();
    dir_ = std::string(FAQBOT_BINARY_DIR) + "/observability-" + std::to_string(getpid());
    std::filesystem::create_directories(dir_);
    log_ = dir_ + "/serve.log";
  }
  void TearDown() override {
    server_.Kill(SIGTERM);
    emulator_.Stop();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  void StartServer(const std::vector<std::string>& extra_args) {
    port_ = server_.Start(e2e::ServeEnvironment(emulator_, database_url_, kSecret, socket_mode()),
                          log_, extra_args);
    ASSERT_GT(port_, 0) << "faqbot serve did not start; see " << log_;
  }

  // GET /readyz: its status, and its body as JSON (null when unreadable).
  std::pair<int, nlohmann::json> Readyz() {
    auto res = Get(port_, "/readyz");
    if (!res.ok()) return {0, nullptr};
    return {res->status, nlohmann::json::parse(res->body, nullptr, false)};
  }

  // Polls /readyz until it answers 503 (for at most 10 s); returns that body, null if it never did.
  nlohmann::json WaitUntilNotReady() {
    nlohmann::json not_ready;
    const bool turned = WaitFor(
        [&] {
          auto [status, body] = Readyz();
          not_ready = body;
          return status == 503;
        },
        std::chrono::seconds(10));
    return turned ? not_ready : nlohmann::json();
  }

  std::string Metrics() {
    auto res = Get(port_, "/metrics");
    EXPECT_TRUE(res.ok()) << res.status();
    if (!res.ok()) return "";
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(slack::HeaderValue(res->headers, "content-type"),
              "text/plain; version=0.0.4; charset=utf-8");
    return res->body;
  }

  // Alice's topics, imported and published through her DM with the bot.
  void PublishAlicesTopics() {
    ImportTopics(kAlice, kTopics);
    Dm(kAlice, "publish");
    Posted confirm = Expect(DmChannel(kAlice), "Are you sure you want to publish all 2 topics?");
    PressIn(kAlice, "affirm#0", ButtonValue(confirm, "affirm"), DmChannel(kAlice), confirm.ts);
    Expect(DmChannel(kAlice), "now answers 2 topics");
  }

  std::unique_ptr<TestDatabase> db_;
  e2e::ServeProcess server_;
  std::string dir_;
};

TEST_F(ObservabilityE2ETest, MetricsJsonLogsAndReadinessOverSignedHttp) {
  StartServer({"--log-json", "--slack-check-interval", "1"});
  auto [ready, ready_body] = Readyz();
  EXPECT_EQ(ready, 200) << ready_body;

  PublishAlicesTopics();
  const std::string bob_dm = DmChannel(kBob);
  // The first answer to Bob cannot be delivered: the failure is logged about his event.
  emulator_.InjectFault("chat.postMessage", Fault{.kind = Fault::Kind::kSlackError,
                                                  .slack_error = "channel_not_found"});
  Dm(kBob, "ask <@U0ALICE> what is the wifi password?");
  ASSERT_TRUE(WaitFor(
      [&] {
        std::ifstream in(log_);
        std::stringstream all;
        all << in.rdbuf();
        return all.str().find("could not deliver") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << log_;
  Dm(kBob, "ask <@U0ALICE> what is the wifi password?");
  Expect(bob_dm, "next to the coffee machine");
  Dm(kBob, "ask <@U0ALICE> who waters the plants?");
  Expect(bob_dm, "I've asked");
  Slash(kBob, "<@U0ALICE> vpn setup");

  // A Rasa client's token in the query string and a console cookie: neither may reach the log.
  const std::string api_token = CreateToken(kAlice);
  ASSERT_FALSE(api_token.empty());
  auto parsed = ParseOverApi(api_token, "wifi password");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->status, 200);
  auto console =
      Get(port_, "/console/", {{"Cookie", std::string("faqbot_console=") + kCookieSecret}});
  ASSERT_TRUE(console.ok()) << console.status();

  // /metrics: the asks by outcome and surface, the Web API calls, the HTTP routes, all valid.
  std::string metrics;
  ASSERT_TRUE(WaitFor(
      [&] {
        metrics = Metrics();
        return metrics.find("faqbot_asks_total{outcome=\"answered\",surface=\"slash\"} 1") !=
               std::string::npos;
      },
      std::chrono::seconds(10)))
      << metrics;
  EXPECT_THAT(metrics,
              ::testing::HasSubstr("faqbot_asks_total{outcome=\"answered\",surface=\"dm\"} 2\n"));
  EXPECT_THAT(metrics,
              ::testing::HasSubstr("faqbot_asks_total{outcome=\"handed_off\",surface=\"dm\"} 1\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("# TYPE faqbot_ask_duration_seconds histogram\n"));
  EXPECT_THAT(metrics,
              ::testing::HasSubstr("faqbot_ask_duration_seconds_count{surface=\"dm\"} 3\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("faqbot_publish_duration_seconds_count 1\n"));
  EXPECT_THAT(metrics,
              ::testing::HasSubstr("faqbot_slack_api_calls_total{method=\"chat.postMessage\","
                                   "result=\"slack_error\"} 1\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr(
                           "faqbot_slack_api_calls_total{method=\"auth.test\",result=\"ok\"}"));
  EXPECT_THAT(metrics, ::testing::HasSubstr(
                           "faqbot_http_requests_total{route=\"/slack/events\",status=\"200\"}"));
  EXPECT_THAT(metrics, ::testing::HasSubstr(
                           "faqbot_http_requests_total{route=\"/model/parse\",status=\"200\"} 1"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("\nfaqbot_models_loaded 1\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("\nfaqbot_training_queue_depth 0\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("\nfaqbot_inbox_depth "));
  EXPECT_THAT(metrics, ::testing::HasSubstr("\nfaqbot_outbox_depth "));
  EXPECT_THAT(metrics, ::testing::HasSubstr("faqbot_replies_total{result=\"delivered\"} "));
  EXPECT_THAT(metrics, ::testing::HasSubstr("# TYPE faqbot_reply_retries_total counter\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("# TYPE faqbot_events_deduplicated_total counter\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("# TYPE faqbot_feedback_total counter\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("# TYPE faqbot_handoffs_resolved_total counter\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("# TYPE faqbot_learned_total counter\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("\nfaqbot_socket_mode_reconnects_total 0\n"));
  // No user content: neither ids nor question text.
  EXPECT_THAT(metrics, ::testing::Not(::testing::HasSubstr(kBob)));
  EXPECT_THAT(metrics, ::testing::Not(::testing::HasSubstr("wifi")));

  std::string missing;  // tools not installed: those checks are skipped
  const std::string metrics_file = dir_ + "/metrics.txt";
  std::ofstream(metrics_file) << metrics;
  if (OnPath("promtool")) {
    const std::string check =
        "promtool check metrics < '" + metrics_file + "' > '" + dir_ + "/promtool.out' 2>&1";
    EXPECT_EQ(std::system(check.c_str()), 0) << "see " << dir_ << "/promtool.out";
  } else {
    missing += " promtool";
  }

  // A real Prometheus scrapes the serve every second; its query API reads the asks back.
  if (OnPath("prometheus")) {
    const int prometheus_port = e2e::FreeLoopbackPort();
    ASSERT_GT(prometheus_port, 0);
    std::ofstream(dir_ + "/prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        << "scrape_configs:\n  - job_name: faqbot\n    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << port_ << "']\n";
    Child prometheus;
    ASSERT_TRUE(
        prometheus.Start({"prometheus", "--config.file=" + dir_ + "/prometheus.yml",
                          "--storage.tsdb.path=" + dir_ + "/tsdb",
                          "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
                         dir_ + "/prometheus.log"));
    nlohmann::json answer;
    const bool scraped = WaitFor(
        [&] {
          auto res =
              Get(prometheus_port,
                  "/api/v1/query?query=sum(faqbot_asks_total%7Boutcome%3D%22answered%22%7D)");
          if (!res.ok() || res->status != 200) return false;
          answer = nlohmann::json::parse(res->body, nullptr, false);
          return answer.is_object() && answer["status"] == "success" &&
                 !answer["data"]["result"].empty();
        },
        std::chrono::seconds(30));
    ASSERT_TRUE(scraped) << answer << "; see " << dir_ << "/prometheus.log";
    EXPECT_EQ(answer["data"]["result"][0]["value"][1], "3") << answer;
  } else {
    missing += " prometheus";
  }

  // Slack refuses the token: /readyz says so at the next check, and recovers after.
  emulator_.InjectFault("auth.test",
                        Fault{.kind = Fault::Kind::kSlackError, .slack_error = "invalid_auth"}, 3);
  const nlohmann::json not_ready = WaitUntilNotReady();
  ASSERT_TRUE(not_ready.is_object()) << "/readyz stayed ready";
  EXPECT_EQ(not_ready["checks"]["database"], "ok") << not_ready;
  EXPECT_THAT(not_ready["checks"]["slack"].get<std::string>(),
              ::testing::HasSubstr("invalid_auth"));
  EXPECT_THAT(not_ready["message"].get<std::string>(), ::testing::StartsWith("slack: "));
  EXPECT_TRUE(WaitFor([&] { return Readyz().first == 200; }, std::chrono::seconds(15)));

  ASSERT_TRUE(WEXITSTATUS(server_.Kill(SIGTERM)) == 0);

  // The log: JSON lines only; every line about an event names it, its team and its user.
  std::ifstream in(log_);
  std::string line;
  int lines = 0;
  int about_bob = 0;
  bool undelivered_named = false;
  std::string all;
  while (std::getline(in, line)) {
    all += line + "\n";
    ++lines;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not a JSON line: " << line;
    const std::string msg = j.value("msg", "");
    if (msg.starts_with("slack: handled ") || msg.starts_with("slack: could not deliver")) {
      EXPECT_TRUE(j.contains("event_id") && j.contains("team") && j.contains("user")) << line;
    }
    if (j.value("user", "") == kBob) {
      ++about_bob;
      EXPECT_EQ(j.value("team", ""), fx::kTeamId) << line;
      // Slack's event id, or the inbox row of a slash command (which has none).
      EXPECT_THAT(j.value("event_id", ""),
                  ::testing::AnyOf(::testing::StartsWith("Ev"), ::testing::StartsWith("inbox-")))
          << line;
      undelivered_named = undelivered_named || msg.starts_with("slack: could not deliver");
    }
  }
  EXPECT_GT(lines, 0);
  EXPECT_GE(about_bob, 4) << all;  // his three DMs and the slash command were handled
  EXPECT_TRUE(undelivered_named) << all;
  // No secret, whatever the level: tokens, the signing secret, the API token, the cookie.
  for (const std::string& secret :
       {std::string("xoxb-emulator-bot-token"), std::string("emulator-bot-token"),
        std::string(kSecret), api_token, api_token.substr(7), std::string(kCookieSecret)}) {
    EXPECT_EQ(all.find(secret), std::string::npos) << "the log holds " << secret;
  }
  if (!missing.empty()) {
    GTEST_SKIP() << "not installed (Debian package prometheus; make test installs it):" << missing;
  }
}

TEST_F(ObservabilityE2ETest, ReadyzFollowsTheSocketModeConnection) {
  socket_mode_ = true;
  StartServer({"--log-json"});
  ASSERT_TRUE(WaitFor([&] { return Readyz().first == 200; }, std::chrono::seconds(10)));
  EXPECT_THAT(Metrics(), ::testing::HasSubstr("\nfaqbot_socket_mode_connected 1\n"));

  // The link drops and the next connections are refused a few times.
  emulator_.InjectFault("apps.connections.open",
                        Fault{.kind = Fault::Kind::kSlackError, .slack_error = "internal_error"},
                        4);
  emulator_.DropConnections();
  const nlohmann::json not_ready = WaitUntilNotReady();
  ASSERT_TRUE(not_ready.is_object()) << "/readyz stayed ready";
  EXPECT_EQ(not_ready["checks"]["slack"], "the Socket Mode connection is down") << not_ready;
  EXPECT_EQ(not_ready["checks"]["database"], "ok") << not_ready;

  ASSERT_TRUE(WaitFor([&] { return Readyz().first == 200; }, std::chrono::seconds(30)));
  const std::string metrics = Metrics();
  EXPECT_THAT(metrics, ::testing::HasSubstr("\nfaqbot_socket_mode_connected 1\n"));
  EXPECT_THAT(metrics,
              ::testing::Not(::testing::HasSubstr("\nfaqbot_socket_mode_reconnects_total 0\n")));
  EXPECT_THAT(metrics,
              ::testing::HasSubstr("faqbot_slack_api_calls_total{method=\"apps.connections.open\","
                                   "result=\"slack_error\"}"));

  // Socket Mode turned off for the app: the client stops for good, and /readyz says so — not
  // the passing outage above.
  emulator_.SendDisconnect("link_disabled");
  const nlohmann::json stopped = WaitUntilNotReady();
  ASSERT_TRUE(stopped.is_object()) << "/readyz stayed ready";
  EXPECT_THAT(stopped["checks"]["slack"].get<std::string>(),
              ::testing::HasSubstr("Socket Mode stopped for good"))
      << stopped;
  EXPECT_THAT(stopped["checks"]["slack"].get<std::string>(), ::testing::HasSubstr("restart"));
}

}  // namespace
}  // namespace faqbot
