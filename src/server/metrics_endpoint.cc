#include "server/metrics_endpoint.h"

namespace faqbot::server {

Status RegisterMetricsEndpoint(HttpServer& server, const metrics::Registry& registry) {
  // On a thread of its own, as the readiness check (health_endpoints.cc): a scrape is answered
  // while every handler thread waits on the database, which is when it matters most; its
  // database gauges may wait themselves, so not on an I/O thread.
  return server.Handle(
      "GET", kMetricsPath,
      [&registry](const HttpRequest&) {
        HttpResponse response;
        response.content_type = metrics::kExpositionContentType;
        response.body = registry.Expose();
        response.headers["Cache-Control"] = "no-store";
        return response;
      },
      RouteOptions{.thread = RouteThread::kOwn});
}

}  // namespace faqbot::server
