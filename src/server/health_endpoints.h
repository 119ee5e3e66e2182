// Health endpoints for load balancers and orchestrators, served by an HttpServer:
//   GET /healthz  200 {"ok":true} whenever the process can answer at all (liveness);
//   GET /readyz   200 {"ok":true} when every readiness check passes, else 503 with the first
//                 failing check's error as {"ok":false,"error":"<code name>","message":"<part>:
//                 …","checks":{"<part>":"ok"|"<its error message>",…}} (readiness: take the
//                 instance out of rotation, do not restart it).
// Separate from the Slack routes so that a Socket Mode deployment serves these alone.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/http_server.h"

namespace faqbot::server {

inline constexpr char kHealthzPath[] = "/healthz";
inline constexpr char kReadyzPath[] = "/readyz";

// Ok when the process can do useful work (e.g. the database answers). Runs on an I/O thread for
// every GET /readyz, several at once: it must be thread-safe and quick (a cached state, or a
// ping with a short timeout). An exception counts as not ready.
using ReadinessCheck = std::function<Status()>;

// One part the process needs ("database", "slack"), and its check.
struct NamedReadinessCheck {
  std::string name;
  ReadinessCheck check;
};

// Registers both routes on `server` (before its Start); /readyz runs every check, in order, on
// each request. No checks means always ready. Errors: those of HttpServer::Handle.
Status RegisterHealthEndpoints(HttpServer& server, std::vector<NamedReadinessCheck> checks);
// The same with one unnamed check (an empty `readiness` means always ready).
Status RegisterHealthEndpoints(HttpServer& server, ReadinessCheck readiness);

// A readiness check too slow or too costly to run per request (a call to Slack): Refresh() runs
// the probe and keeps its result, which check() answers until the next Refresh. The owner calls
// Refresh periodically (`faqbot serve`: every 30 s). Thread-safe; the probe runs on the thread
// calling Refresh, never under the lock.
class CachedReadiness {
 public:
  // `initial` is answered until the first Refresh.
  CachedReadiness(ReadinessCheck probe, Status initial);
  CachedReadiness(const CachedReadiness&) = delete;
  CachedReadiness& operator=(const CachedReadiness&) = delete;

  // Runs the probe (an exception counts as Internal) and keeps its result.
  void Refresh();
  // The last result.
  Status Get() const;
  // A ReadinessCheck answering Get(); this object must outlive it.
  ReadinessCheck check() const {
    return [this] { return Get(); };
  }

 private:
  const ReadinessCheck probe_;
  mutable std::mutex mu_;
  Status last_;
};

}  // namespace faqbot::server
