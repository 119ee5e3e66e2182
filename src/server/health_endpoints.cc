#include "server/health_endpoints.h"

#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/logging.h"
#include "common/status_http.h"
#include "common/timed_call.h"
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

Status Run(const ReadinessCheck& check) {
  if (!check) return Status::Ok();
  try {
    return check();
  } catch (const std::exception& e) {
    return InternalError(std::string("readiness check failed: ") + e.what());
  } catch (...) {
    return InternalError("readiness check failed");
  }
}

// `check` as Readyz runs it: within `limit` when there is one.
ReadinessCheck Bounded(ReadinessCheck check, std::chrono::milliseconds limit) {
  if (limit.count() <= 0 || !check) return check;
  auto timed =
      std::make_shared<TimedCall<Status>>([check = std::move(check)] { return Run(check); }, limit);
  return [timed] {
    return (*timed)().value_or(
        UnavailableError("no answer within " + std::to_string(timed->limit().count()) + " ms"));
  };
}

HttpResponse Readyz(const std::vector<NamedReadinessCheck>& checks) {
  Status first;
  nlohmann::ordered_json parts = nlohmann::ordered_json::object();
  for (const NamedReadinessCheck& c : checks) {
    const Status status = Run(c.check);
    if (!c.name.empty()) parts[c.name] = status.ok() ? std::string("ok") : status.message();
    if (!status.ok() && first.ok()) {
      first = c.name.empty() ? status : Status(status.code(), c.name + ": " + status.message());
    }
  }
  if (first.ok()) return OkJson();
  LogDebug("not ready: {}", first.ToString());
  HttpResponse response;
  // Whatever the cause, "not ready" is 503 for a load balancer.
  response.status = 503;
  response.content_type = "application/json";
  // The documented /readyz body: what is not ready and why (not the API's error fields).
  nlohmann::ordered_json body = {
      {"ok", false}, {"error", StatusCodeName(first.code())}, {"message", first.message()}};
  if (!parts.empty()) body["checks"] = std::move(parts);
  // Replace invalid UTF-8 rather than throw: a driver's message may hold anything.
  response.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  response.headers["Cache-Control"] = "no-store";
  return response;
}

}  // namespace

Status RegisterHealthEndpoints(HttpServer& server, std::vector<NamedReadinessCheck> checks) {
  // Liveness on the I/O threads: it answers while every other thread waits on a database that
  // does not answer. Readiness on a thread of its own: its checks read the database, so it must
  // not hold up an I/O thread, nor wait behind the Slack events that hold the handler threads.
  FAQBOT_RETURN_IF_ERROR(server.Handle(
      "GET", kHealthzPath, [](const HttpRequest&) { return OkJson(); },
      RouteOptions{.thread = RouteThread::kIo}));
  for (NamedReadinessCheck& c : checks) c.check = Bounded(std::move(c.check), c.time_limit);
  return server.Handle(
      "GET", kReadyzPath,
      [checks = std::move(checks)](const HttpRequest&) { return Readyz(checks); },
      RouteOptions{.thread = RouteThread::kOwn});
}

Status RegisterHealthEndpoints(HttpServer& server, ReadinessCheck readiness) {
  std::vector<NamedReadinessCheck> checks;
  if (readiness) checks.push_back({"", std::move(readiness)});
  return RegisterHealthEndpoints(server, std::move(checks));
}

CachedReadiness::CachedReadiness(ReadinessCheck probe, Status initial)
    : probe_(std::move(probe)), last_(std::move(initial)) {}

void CachedReadiness::Refresh() {
  Status now = Run(probe_);
  std::lock_guard lock(mu_);
  last_ = std::move(now);
}

Status CachedReadiness::Get() const {
  std::lock_guard lock(mu_);
  return last_;
}

}  // namespace faqbot::server
