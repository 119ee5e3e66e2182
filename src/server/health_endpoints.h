// Health endpoints for load balancers and orchestrators, served by an HttpServer:
//   GET /healthz  200 {"ok":true} whenever the process can answer at all (liveness);
//   GET /readyz   200 {"ok":true} when every readiness check passes, else 503 with the first
//                 failing check's error as {"ok":false,"error":"<code name>","message":"<part>:
//                 …","checks":{"<part>":"ok"|"<its error message>",…}} (readiness: take the
//                 instance out of rotation, do not restart it).
// Separate from the Slack routes so that a Socket Mode deployment serves these alone.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/http_server.h"

namespace faqbot::server {

inline constexpr char kHealthzPath[] = "/healthz";
inline constexpr char kReadyzPath[] = "/readyz";

// Ok when the process can do useful work (e.g. the database answers). Runs for every GET
// /readyz, one request at a time, on a thread of the route's own (never an I/O thread): it must
// be thread-safe, and should be quick (a cached state, or a ping) or have a time limit. An
// exception counts as not ready.
using ReadinessCheck = std::function<Status()>;

// One part the process needs ("database", "slack"), and its check.
struct NamedReadinessCheck {
  std::string name;
  ReadinessCheck check;
  // > 0: the check runs on a thread of its own and /readyz waits for it at most this long; past
  // it the part is not ready (Unavailable, "no answer within N ms"). The check goes on: a
  // request meanwhile waits for that same run, never starts a second one. A load balancer
  // gives up on a probe within seconds, so a check that may wait longer (a database that does
  // not answer) should have one.
  std::chrono::milliseconds time_limit{0};
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
