// Socket Mode throughput: envelopes per second from the loopback Slack emulator through
// SocketModeClient (WebSocket read, JSON parse, dedup, handler, ack write, emulator bookkeeping),
// with an app_mention event_callback payload of realistic size (~1 KB).
//
//   build/bench/socket_mode_bench --benchmark_min_time=2
//
// Arg: the emulator's window of un-acked envelopes per connection (0 = everything at once,
// 10 = one ack must come back before the 11th envelope goes out).
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "common/clock.h"
#include "fixtures.h"
#include "slack/socket_mode_client.h"
#include "slack/web_api_client.h"
#include "slack_emulator.h"

namespace {

using namespace faqbot;
using std::chrono::milliseconds;

constexpr int kBatch = 1'000;

nlohmann::json Payload(int i) {
  return slack_emulator::fixtures::EventCallback(
      slack_emulator::fixtures::AppMentionEvent(
          "U0ALICE", "C0GENERAL",
          "<@U0FAQBOT> ask <@U0BOB> where do I find the expense policy? " + std::to_string(i),
          "1700000000.000100"),
      "Ev" + std::to_string(i));
}

void BM_SocketModeEnvelopes(benchmark::State& state) {
  slack_emulator::SlackEmulatorOptions emulator_options;
  emulator_options.ack_timeout = milliseconds(30'000);
  emulator_options.max_unacked_per_connection = static_cast<int>(state.range(0));
  slack_emulator::SlackEmulator emulator(emulator_options);
  if (!emulator.Start().ok()) {
    state.SkipWithError("emulator did not start");
    return;
  }
  slack::WebApiClientOptions web_options;
  web_options.base_url = emulator.base_url();
  web_options.bot_token = emulator_options.bot_token;
  web_options.app_token = emulator_options.app_token;
  slack::WebApiClient web(web_options, SystemClock::Instance());

  std::mutex mu;
  std::condition_variable cv;
  int64_t handled = 0;
  slack::SocketModeClient client(
      slack::SocketModeClient::UrlFromWebApi(web),
      [&](const slack::SocketModeEnvelope& e) -> Result<slack::EnvelopeReply> {
        benchmark::DoNotOptimize(e.payload.size());
        {
          std::lock_guard lock(mu);
          ++handled;
        }
        cv.notify_one();
        return slack::EnvelopeReply();
      },
      SystemClock::Instance());
  if (!client.Start().ok() || !slack_emulator::SlackEmulator::WaitFor(
                                  [&] { return client.connected(); }, milliseconds(10'000))) {
    state.SkipWithError("client did not connect");
    return;
  }
  std::vector<nlohmann::json> payloads;
  for (int i = 0; i < kBatch; ++i) payloads.push_back(Payload(i));

  int64_t target = 0;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) emulator.QueueEnvelope("events_api", payloads[i]);
    target += kBatch;
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(60), [&] { return handled >= target; })) {
      state.SkipWithError("envelopes were not handled in time");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  client.Stop();
  state.counters["duplicates"] = static_cast<double>(client.stats().duplicates_skipped);
  state.counters["reconnects"] = static_cast<double>(client.stats().reconnects);
}
BENCHMARK(BM_SocketModeEnvelopes)->Arg(0)->Arg(10)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
