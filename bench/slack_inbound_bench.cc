// Speed of the inbound Slack path on one core (docs/slack.md has the numbers and the command).
//
//   build/bench/slack_inbound_bench
//
// Input: 4096 signed Events API requests, each the app_mention fixture
// (src/slack/testdata/events_app_mention_rich_text.json, ~1.9 KB) with its own event_id.
//   Verify        SignatureVerifier::Verify (HMAC-SHA256 over the body, constant-time compare)
//   Parse         ParseEventsBody (JSON → InboundEvent)
//   Ack           InboundRouter::HandleHttp: size check, verify, parse, filter, ack; the
//                 processing task is posted to an executor that drops it (the request thread's
//                 cost only)
//   AckAndProcess the same with the task run inline: dedup in a bounded in-memory store and an
//                 empty handler
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/executor.h"
#include "common/file_util.h"
#include "slack/dedup_store.h"
#include "slack/event_parser.h"
#include "slack/inbound_router.h"
#include "slack/signature_verifier.h"

namespace {

using faqbot::Executor;
using faqbot::FakeClock;
using namespace faqbot::slack;  // NOLINT(google-build-using-namespace)

constexpr char kSecret[] = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr int64_t kNow = 1'700'000'000;
constexpr size_t kRequests = 4096;

struct Request {
  Headers headers;
  std::string body;
};

const std::vector<Request>& Requests() {
  static const std::vector<Request> requests = [] {
    auto fixture = faqbot::ReadFile(std::string(FAQBOT_SOURCE_DIR) +
                                    "/src/slack/testdata/events_app_mention_rich_text.json");
    if (!fixture.ok()) std::abort();
    auto json = nlohmann::json::parse(*fixture);
    std::vector<Request> out;
    for (size_t i = 0; i < kRequests; ++i) {
      json["event_id"] = "Ev" + std::to_string(1'000'000 + i);
      Request r;
      r.body = json.dump(2);
      r.headers = {{"X-Slack-Request-Timestamp", std::to_string(kNow)},
                   {"X-Slack-Signature", ComputeSignature(kSecret, kNow, r.body)}};
      out.push_back(std::move(r));
    }
    return out;
  }();
  return requests;
}

// Accepts tasks and drops them unrun.
class DiscardExecutor final : public Executor {
 public:
  bool Post(Task task) override {
    benchmark::DoNotOptimize(task);
    return true;
  }
};

void BM_Verify(benchmark::State& state) {
  FakeClock clock(kNow);
  SignatureVerifier verifier(kSecret, clock);
  const auto& requests = Requests();
  size_t i = 0;
  for (auto _ : state) {
    const Request& r = requests[i++ % kRequests];
    auto s = verifier.Verify(r.headers, r.body);
    if (!s.ok()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["body_bytes"] = static_cast<double>(requests[0].body.size());
}
BENCHMARK(BM_Verify);

void BM_Parse(benchmark::State& state) {
  const auto& requests = Requests();
  size_t i = 0;
  for (auto _ : state) {
    auto parsed = ParseEventsBody(requests[i++ % kRequests].body);
    if (!parsed.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Parse);

void RunRouter(benchmark::State& state, Executor& executor) {
  FakeClock clock(kNow);
  SignatureVerifier verifier(kSecret, clock);
  // Smaller than the request set, so every request is new again when it comes round.
  InMemoryDedupStore dedup(clock, {.max_entries = 1024});
  InboundRouter router(verifier, dedup, executor, clock,
                       [](InboundEvent e) { benchmark::DoNotOptimize(e); });
  const auto& requests = Requests();
  size_t i = 0;
  for (auto _ : state) {
    const Request& r = requests[i++ % kRequests];
    AckResponse ack = router.HandleHttp(RequestKind::kEvents, r.headers, r.body);
    if (ack.status != 200) state.SkipWithError("not acked");
    benchmark::DoNotOptimize(ack);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_Ack(benchmark::State& state) {
  DiscardExecutor executor;
  RunRouter(state, executor);
}
BENCHMARK(BM_Ack);

void BM_AckAndProcess(benchmark::State& state) {
  faqbot::InlineExecutor executor;
  RunRouter(state, executor);
}
BENCHMARK(BM_AckAndProcess);

}  // namespace

BENCHMARK_MAIN();
