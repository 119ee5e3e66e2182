// /model/parse over HTTP at a fixed request rate against a real `faqbot serve` (docs/api.md,
// "Benchmark", has the numbers and the command).
//
//   build/bench/model_parse_rate_bench [--rate 1000] [--seconds 10] [--connections 16]
//
// Setup: a SQLite database with the 8 topics of examples/office-faq.yml (imported as
// `faqbot topics import` does) and 64 API tokens of their owner; `faqbot serve` (signed HTTP
// mode, the loopback Slack emulator as Slack); POST /api/v1/publish, then GET /status until the
// model is live. Load: open loop, request i is due at start + i/rate; `connections` keep-alive
// connections (one client thread each) share the schedule round-robin, each request with the
// next of the 64 tokens (so no token passes the default 20/s rate limit at 1,000/s). Latency is
// measured from the request's due time, so a server that falls behind is charged for the wait
// (no coordinated omission). The first second is warm-up and not counted.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "assistant/topic_import.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/logging.h"
#include "fixtures.h"
#include "latency_stats.h"
#include "serve_process.h"
#include "server/api_tokens.h"
#include "server/http_test_client.h"
#include "slack_emulator.h"
#include "store/store.h"

namespace faqbot {
namespace {

using Steady = std::chrono::steady_clock;
using server::testing::TestHttpClient;

constexpr char kSecret[] = "bench-signing-secret";
constexpr size_t kTokens = 64;

struct Flags {
  double rate = 1000;
  double seconds = 10;
  double warmup = 1;
  int connections = 16;
};

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const double value = std::atof(argv[i + 1]);
    if (name == "--rate") f.rate = value;
    if (name == "--seconds") f.seconds = value;
    if (name == "--connections") f.connections = static_cast<int>(value);
  }
  return f;
}

// Imports the example topics for the owner and makes the API tokens.
Result<std::vector<std::string>> Seed(const std::string& db_url, const store::UserRef& owner) {
  FAQBOT_ASSIGN_OR_RETURN(std::string yaml,
                          ReadFile(std::string(FAQBOT_SOURCE_DIR) + "/examples/office-faq.yml",
                                   assistant::kMaxTopicsDocumentBytes));
  FAQBOT_ASSIGN_OR_RETURN(auto topics, assistant::TopicsFromNluYaml(yaml, "office-faq.yml"));
  FAQBOT_ASSIGN_OR_RETURN(auto db, store::Store::Open(db_url, SystemClock::Instance()));
  FAQBOT_RETURN_IF_ERROR(db->ImportTopics(owner, topics, /*replace=*/true).status());
  std::vector<std::string> tokens;
  for (size_t i = 0; i < kTokens; ++i) {
    FAQBOT_ASSIGN_OR_RETURN(auto created, server::CreateApiToken(*db, owner, "bench"));
    tokens.push_back(created.token);
  }
  return tokens;
}

Status PublishAndWait(uint16_t port, const std::string& token) {
  TestHttpClient client;
  FAQBOT_RETURN_IF_ERROR(client.Connect(port));
  const slack::Headers auth{{"Authorization", "Bearer " + token}};
  FAQBOT_ASSIGN_OR_RETURN(auto published, client.Send("POST", "/api/v1/publish", "", auth));
  if (published.status != 202) return InternalError("publish: " + published.body);
  for (int i = 0; i < 300; ++i) {
    FAQBOT_ASSIGN_OR_RETURN(auto status, client.Send("GET", "/status", "", auth));
    if (status.body.find("\"num_topics\":8") != std::string::npos) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return DeadlineExceededError("the model did not go live within 15 s");
}

const std::vector<std::string> kQueries = {
    R"({"text":"what's the guest wifi password"})",
    R"({"text":"where do visitors park their car"})",
    R"({"text":"how can I get my travel costs back"})",
    R"({"text":"how many days of holiday do I have"})",
    R"({"text":"the printer on floor 3 is jammed again"})",
    R"({"text":"is the canteen open on saturday"})",
    R"({"text":"who do I call when the vpn is down"})",
    R"({"text":"what time is the all hands meeting"})",
};

struct Sample {
  std::vector<double> latency_ms;
  size_t errors = 0;
  Steady::time_point last_done;
};

Status Run(const Flags& f) {
  InitLogging(LogFormat::kText, "warn");
  bench::RunDir dir("faqbot-parse-bench");
  slack_emulator::SlackEmulator emulator;
  FAQBOT_RETURN_IF_ERROR(emulator.Start());
  const store::UserRef owner{slack_emulator::fixtures::kTeamId, "U0BENCHOWNER"};
  FAQBOT_ASSIGN_OR_RETURN(auto tokens, Seed(dir.database_url(), owner));
  FAQBOT_ASSIGN_OR_RETURN(auto serve, bench::ServeProcess::Start(bench::ServeOptionsFor(
                                          dir, emulator.base_url(), kSecret, "2")));
  FAQBOT_RETURN_IF_ERROR(PublishAndWait(serve->port(), tokens[0]));

  const size_t total = static_cast<size_t>(f.rate * (f.warmup + f.seconds));
  const size_t warm = static_cast<size_t>(f.rate * f.warmup);
  const auto interval = std::chrono::duration<double>(1.0 / f.rate);
  std::vector<Sample> samples(static_cast<size_t>(f.connections));
  std::vector<std::thread> threads;
  const Steady::time_point start = Steady::now() + std::chrono::milliseconds(200);
  double cpu_at_measure = -1;
  for (int c = 0; c < f.connections; ++c) {
    threads.emplace_back([&, c] {
      TestHttpClient client;
      if (!client.Connect(serve->port()).ok()) std::abort();
      Sample& s = samples[static_cast<size_t>(c)];
      for (size_t i = static_cast<size_t>(c); i < total; i += static_cast<size_t>(f.connections)) {
        const auto due = start + std::chrono::duration_cast<Steady::duration>(interval * i);
        std::this_thread::sleep_until(due);
        if (c == 0 && i >= warm && cpu_at_measure < 0) cpu_at_measure = bench::CpuSeconds(serve->pid());
        const slack::Headers headers{{"Content-Type", "application/json"},
                                     {"Authorization", "Bearer " + tokens[i % kTokens]}};
        auto response = client.Send("POST", "/model/parse", kQueries[i % kQueries.size()], headers);
        const auto done = Steady::now();
        if (i < warm) continue;
        if (!response.ok() || response->status != 200) {
          ++s.errors;
          if (!response.ok()) (void)client.Connect(serve->port());
          continue;
        }
        s.latency_ms.push_back(std::chrono::duration<double, std::milli>(done - due).count());
        s.last_done = done;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double cpu = bench::CpuSeconds(serve->pid()) - cpu_at_measure;

  std::vector<double> all;
  size_t errors = 0;
  Steady::time_point last = start;
  for (const auto& s : samples) {
    all.insert(all.end(), s.latency_ms.begin(), s.latency_ms.end());
    errors += s.errors;
    last = std::max(last, s.last_done);
  }
  const auto measured_from = start + std::chrono::duration_cast<Steady::duration>(interval * warm);
  const double window = std::chrono::duration<double>(last - measured_from).count();
  std::printf("model/parse: %.0f requests/s target for %.0f s (after %.0f s warm-up), %d keep-alive "
              "connections, %zu tokens, 8 topics, %u hardware threads\n",
              f.rate, f.seconds, f.warmup, f.connections, kTokens,
              std::thread::hardware_concurrency());
  std::printf("achieved %.1f answers/s over %.2f s; %zu answered 200, %zu errors or non-200\n",
              static_cast<double>(all.size()) / window, window, all.size(), errors);
  bench::PrintSummary("due -> answer received", bench::Summarize(all));
  std::printf("serve: cpu %.2f s during the measured window (%.0f%% of one core)\n", cpu,
              100.0 * cpu / window);
  return Status::Ok();
}

}  // namespace
}  // namespace faqbot

int main(int argc, char** argv) {
  const faqbot::Status status = faqbot::Run(faqbot::ParseFlags(argc, argv));
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
