// The Slack Request URLs of HTTP mode, served by an HttpServer:
//   POST /slack/events       → InboundRouter::HandleHttp(kEvents, …)
//   POST /slack/interactive  → InboundRouter::HandleHttp(kInteractive, …)
//   POST /slack/commands     → InboundRouter::HandleHttp(kCommands, …)
// Each passes the request's headers and raw body unchanged to the router (which verifies the
// signature over exactly those bytes) and answers with the router's AckResponse unchanged:
// status, content type, body and extra headers (X-Slack-No-Retry).
#pragma once

#include "common/status.h"
#include "server/http_server.h"
#include "slack/inbound_router.h"

namespace faqbot::server {

inline constexpr char kSlackEventsPath[] = "/slack/events";
inline constexpr char kSlackInteractivePath[] = "/slack/interactive";
inline constexpr char kSlackCommandsPath[] = "/slack/commands";

// Registers the three routes on `server` (before its Start). `router` is borrowed and must
// outlive the server's Stop(); it is called from the I/O threads at once (it is thread-safe).
// Errors: those of HttpServer::Handle (AlreadyExists when a route is taken, FailedPrecondition
// after Start).
Status RegisterSlackEndpoints(HttpServer& server, slack::InboundRouter& router);

// The AckResponse as an HttpResponse, field for field.
HttpResponse ToHttpResponse(slack::AckResponse ack);

}  // namespace faqbot::server
