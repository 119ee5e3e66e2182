// GET /metrics: the Prometheus text exposition of a metrics::Registry (faqbot serve: the global
// one), for a Prometheus server to scrape.
//
// Served without authentication, on the same port as everything else, as Prometheus scrapes by
// default: the page holds counts and durations only, with labels from fixed sets (outcomes,
// route patterns, Slack method names), never user text, ids or secrets. An operator who does not
// want it exposed turns it off (`faqbot serve --no-metrics` / FAQBOT_METRICS=0) or keeps the port
// private.
#pragma once

#include "common/metrics.h"
#include "common/status.h"
#include "server/http_server.h"

namespace faqbot::server {

inline constexpr char kMetricsPath[] = "/metrics";

// Registers GET /metrics on `server` (before its Start), answering registry.Expose() with the
// Content-Type text/plain; version=0.0.4; charset=utf-8. `registry` must outlive the server.
// Errors: those of HttpServer::Handle.
Status RegisterMetricsEndpoint(HttpServer& server, const metrics::Registry& registry);

}  // namespace faqbot::server
