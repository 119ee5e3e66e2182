#include "server/metrics_endpoint.h"

#include <gtest/gtest.h>

#include "common/faqbot_metrics.h"
#include "server/http_test_client.h"

namespace faqbot::server {
namespace {

using testing::TestHttpClient;

TEST(MetricsEndpointTest, ServesTheRegistryInTheTextFormat) {
  metrics::Registry registry;
  registry.AddCounter("faqbot_things_total", "Things.", {"kind"}).With({"a"}).Inc(4);
  HttpServer server(testing::LoopbackServerOptions());
  ASSERT_TRUE(RegisterMetricsEndpoint(server, registry).ok());
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client;
  ASSERT_TRUE(client.Connect(server.port()).ok());
  auto res = client.Send("GET", "/metrics");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(slack::HeaderValue(res->headers, "content-type"),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(res->body,
            "# HELP faqbot_things_total Things.\n# TYPE faqbot_things_total counter\n"
            "faqbot_things_total{kind=\"a\"} 4\n");
  EXPECT_EQ(client.Send("POST", "/metrics")->status, 405);
}

// The HTTP server counts every request under its route pattern, never the raw path.
TEST(MetricsEndpointTest, RequestsAreCountedByRouteAndStatus) {
  auto& requests = metrics::Faqbot().http_requests;
  const uint64_t ok_before = requests.With({"/metrics", "200"}).value();
  const uint64_t unmatched_before = requests.With({"unmatched", "404"}).value();
  const uint64_t wrong_method_before = requests.With({"/metrics", "405"}).value();
  HttpServer server(testing::LoopbackServerOptions());
  ASSERT_TRUE(RegisterMetricsEndpoint(server, metrics::Registry::Global()).ok());
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client;
  ASSERT_TRUE(client.Connect(server.port()).ok());
  ASSERT_EQ(client.Send("GET", "/metrics?x=1")->status, 200);
  ASSERT_EQ(client.Send("GET", "/no/such/U0SECRET")->status, 404);
  ASSERT_EQ(client.Send("PUT", "/metrics")->status, 405);
  auto res = client.Send("GET", "/metrics");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(requests.With({"/metrics", "200"}).value(), ok_before + 2);
  EXPECT_EQ(requests.With({"unmatched", "404"}).value(), unmatched_before + 1);
  EXPECT_EQ(requests.With({"/metrics", "405"}).value(), wrong_method_before + 1);
  EXPECT_NE(res->body.find("faqbot_http_requests_total{route=\"unmatched\",status=\"404\"}"),
            std::string::npos);
  EXPECT_EQ(res->body.find("U0SECRET"), std::string::npos);
}

// A body over the limit is counted under the route its header named (an operator sees which
// endpoint gets oversized requests: Slack events, the parse API); with no such route, unmatched.
// Both ways a body is refused: by its Content-Length once the header is read (under a limit
// another route's larger one lets through), and by the parser past the largest limit of all.
TEST(MetricsEndpointTest, OversizedBodiesAreCountedUnderTheirRoute) {
  auto& requests = metrics::Faqbot().http_requests;
  const uint64_t route_before = requests.With({"/metrics", "413"}).value();
  const uint64_t unmatched_before = requests.With({"unmatched", "413"}).value();
  HttpServerOptions options = testing::LoopbackServerOptions();
  options.max_body_bytes = 64;
  HttpServer server(options);
  ASSERT_TRUE(RegisterMetricsEndpoint(server, metrics::Registry::Global()).ok());
  ASSERT_TRUE(server
                  .Handle(
                      "POST", "/upload", [](const HttpRequest&) { return HttpResponse{}; },
                      RouteOptions{.max_body_bytes = 1024})
                  .ok());
  ASSERT_TRUE(server.Start().ok());
  for (const size_t size : {size_t{512}, size_t{4096}}) {
    for (const char* target : {"/metrics?x=1", "/no/such/U0SECRET"}) {
      TestHttpClient client;  // a 413 closes its connection
      ASSERT_TRUE(client.Connect(server.port()).ok());
      auto res = client.Send("POST", target, std::string(size, 'x'));
      ASSERT_TRUE(res.ok()) << res.status();
      EXPECT_EQ(res->status, 413) << target << " " << size;
    }
  }
  EXPECT_EQ(requests.With({"/metrics", "413"}).value(), route_before + 2);
  EXPECT_EQ(requests.With({"unmatched", "413"}).value(), unmatched_before + 2);
}

}  // namespace
}  // namespace faqbot::server
