#include "server/health_endpoints.h"

#include <exception>
#include <utility>

#include "common/logging.h"
#include "server/status_http.h"

namespace faqbot::server {
namespace {

HttpResponse OkJson() {
  HttpResponse response;
  response.content_type = "application/json";
  response.body = ErrorJson(Status::Ok());
  // Probes must see the current state, never a cached one.
  response.headers["Cache-Control"] = "no-store";
  return response;
}

Status CheckReadiness(const ReadinessCheck& readiness) {
  if (!readiness) return Status::Ok();
  try {
    return readiness();
  } catch (const std::exception& e) {
    return InternalError(std::string("readiness check failed: ") + e.what());
  } catch (...) {
    return InternalError("readiness check failed");
  }
}

}  // namespace

Status RegisterHealthEndpoints(HttpServer& server, ReadinessCheck readiness) {
  FAQBOT_RETURN_IF_ERROR(
      server.Handle("GET", kHealthzPath, [](const HttpRequest&) { return OkJson(); }));
  return server.Handle("GET", kReadyzPath, [readiness = std::move(readiness)](const HttpRequest&) {
    const Status status = CheckReadiness(readiness);
    if (status.ok()) return OkJson();
    LogDebug("not ready: {}", status.ToString());
    HttpResponse response = ErrorResponse(status);
    // Whatever the cause, "not ready" is 503 for a load balancer.
    response.status = 503;
    response.headers["Cache-Control"] = "no-store";
    return response;
  });
}

}  // namespace faqbot::server
