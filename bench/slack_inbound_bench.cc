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
#include "signed_events.h"
#include "slack/dedup_store.h"
#include "slack/event_parser.h"
#include "slack/inbound_router.h"
#include "slack/signature_verifier.h"

namespace {

using faqbot::Executor;
using faqbot::FakeClock;
using namespace faqbot::slack;  // NOLINT(google-build-using-namespace)

using faqbot::bench::kSignedAt;
using faqbot::bench::kSignedRequests;
using faqbot::bench::kSigningSecret;
using faqbot::bench::SignedEventRequests;
using faqbot::bench::SignedRequest;

// Accepts tasks and drops them unrun.
class DiscardExecutor final : public Executor {
 public:
  bool Post(Task task) override {
    benchmark::DoNotOptimize(task);
    return true;
  }
};

void BM_Verify(benchmark::State& state) {
  FakeClock clock(kSignedAt);
  SignatureVerifier verifier(kSigningSecret, clock);
  const auto& requests = SignedEventRequests();
  size_t i = 0;
  for (auto _ : state) {
    const SignedRequest& r = requests[i++ % kSignedRequests];
    auto s = verifier.Verify(r.headers, r.body);
    if (!s.ok()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["body_bytes"] = static_cast<double>(requests[0].body.size());
}
BENCHMARK(BM_Verify);

void BM_Parse(benchmark::State& state) {
  const auto& requests = SignedEventRequests();
  size_t i = 0;
  for (auto _ : state) {
    auto parsed = ParseEventsBody(requests[i++ % kSignedRequests].body);
    if (!parsed.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Parse);

void RunRouter(benchmark::State& state, Executor& executor) {
  FakeClock clock(kSignedAt);
  SignatureVerifier verifier(kSigningSecret, clock);
  // Smaller than the request set, so every request is new again when it comes round.
  InMemoryDedupStore dedup(clock, {.max_entries = 1024});
  InboundRouter router(verifier, dedup, executor, clock,
                       [](InboundEvent e) { benchmark::DoNotOptimize(e); });
  const auto& requests = SignedEventRequests();
  size_t i = 0;
  for (auto _ : state) {
    const SignedRequest& r = requests[i++ % kSignedRequests];
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
