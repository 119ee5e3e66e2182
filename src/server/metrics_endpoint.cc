#include "server/metrics_endpoint.h"

namespace faqbot::server {

Status RegisterMetricsEndpoint(HttpServer& server, const metrics::Registry& registry) {
  return server.Handle("GET", kMetricsPath, [&registry](const HttpRequest&) {
    HttpResponse response;
    response.content_type = metrics::kExpositionContentType;
    response.body = registry.Expose();
    response.headers["Cache-Control"] = "no-store";
    return response;
  });
}

}  // namespace faqbot::server
