// Health endpoints for load balancers and orchestrators, served by an HttpServer:
//   GET /healthz  200 {"ok":true} whenever the process can answer at all (liveness);
//   GET /readyz   200 {"ok":true} when the injected readiness check passes, else 503 with the
//                 check's error as {"ok":false,"error":"<code name>","message":"…"} (readiness:
//                 take the instance out of rotation, do not restart it).
// Separate from the Slack routes so that a Socket Mode deployment serves these alone.
#pragma once

#include <functional>

#include "common/status.h"
#include "server/http_server.h"

namespace faqbot::server {

inline constexpr char kHealthzPath[] = "/healthz";
inline constexpr char kReadyzPath[] = "/readyz";

// Ok when the process can do useful work (e.g. the database answers). Runs on an I/O thread for
// every GET /readyz, several at once: it must be thread-safe and quick (a cached state, or a
// ping with a short timeout). An exception counts as not ready.
using ReadinessCheck = std::function<Status()>;

// Registers both routes on `server` (before its Start). An empty `readiness` means always ready.
// Errors: those of HttpServer::Handle.
Status RegisterHealthEndpoints(HttpServer& server, ReadinessCheck readiness);

}  // namespace faqbot::server
