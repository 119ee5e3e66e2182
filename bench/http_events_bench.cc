// Signed Events API requests per second through the real HTTP front door on loopback
// (docs/slack.md, "HTTP front door", has the numbers and the command).
//
//   build/bench/http_events_bench
//
// Server: HttpServer (default options: 2 I/O threads) with RegisterSlackEndpoints over an
// InboundRouter (SignatureVerifier, InMemoryDedupStore, a 1-thread ThreadPool running an empty
// handler), in this process. Input: 4096 signed app_mention requests (the rich-text fixture,
// ~1.9 KB, each with its own event_id), signed once up front on a fixed clock.
//   KeepAlive    each client thread holds one connection and sends request after request, each
//                waiting for its 200 ack (what a busy Slack delivery looks like)
//   NewConnection  the same with a fresh TCP connection per request (Connection: close)
// Client threads, server threads and the pool share the machine's cores: this is the whole
// round trip as seen from the client, not the server's CPU time alone.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/executor.h"
#include "server/http_server.h"
#include "server/http_test_client.h"
#include "server/slack_endpoints.h"
#include "signed_events.h"
#include "slack/dedup_store.h"
#include "slack/inbound_router.h"
#include "slack/signature_verifier.h"

namespace {

using faqbot::FakeClock;
using faqbot::ThreadPool;
using faqbot::server::HttpServer;
using faqbot::server::testing::TestHttpClient;
namespace slack = faqbot::slack;

using faqbot::bench::kSignedAt;
using faqbot::bench::kSignedRequests;
using faqbot::bench::kSigningSecret;
using faqbot::bench::SignedEventRequests;
using faqbot::bench::SignedRequest;

// The server and everything behind it, started once for every benchmark.
struct Server {
  Server() : server(faqbot::server::testing::LoopbackServerOptions()) {
    if (!faqbot::server::RegisterSlackEndpoints(server, router).ok()) std::abort();
    if (!server.Start().ok()) std::abort();
  }

  FakeClock clock{kSignedAt};
  slack::SignatureVerifier verifier{kSigningSecret, clock};
  slack::InMemoryDedupStore dedup{clock};
  ThreadPool pool{1, "bench-events"};
  slack::InboundRouter router{verifier, dedup, pool, clock,
                              [](slack::InboundEvent event) { benchmark::DoNotOptimize(event); }};
  HttpServer server;  // last: stopped first
};

Server& SharedServer() {
  static Server server;
  return server;
}

void BM_SignedEventsKeepAlive(benchmark::State& state) {
  const uint16_t port = SharedServer().server.port();
  const auto& requests = SignedEventRequests();
  TestHttpClient client;
  if (!client.Connect(port).ok()) return state.SkipWithError("connect failed");
  size_t i = static_cast<size_t>(state.thread_index()) * 1031;
  for (auto _ : state) {
    const SignedRequest& r = requests[i++ % kSignedRequests];
    auto res = client.Send("POST", "/slack/events", r.body, r.headers);
    if (!res.ok() || res->status != 200) {
      state.SkipWithError("request failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignedEventsKeepAlive)->Threads(1)->Threads(2)->UseRealTime();

void BM_SignedEventsNewConnection(benchmark::State& state) {
  const uint16_t port = SharedServer().server.port();
  const auto& requests = SignedEventRequests();
  size_t i = static_cast<size_t>(state.thread_index()) * 1031;
  for (auto _ : state) {
    const SignedRequest& r = requests[i++ % kSignedRequests];
    TestHttpClient client;
    if (!client.Connect(port).ok()) {
      state.SkipWithError("connect failed");
      break;
    }
    auto res = client.Send("POST", "/slack/events", r.body, r.headers, /*keep_alive=*/false);
    if (!res.ok() || res->status != 200) {
      state.SkipWithError("request failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignedEventsNewConnection)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
