// A failed Status as the server's HttpResponse. The mapping itself (which HTTP status, which
// JSON error body) is common/status_http.h, shared with the Slack inbound router; this adds only
// the server's response type. Pure functions; thread-safe.
#pragma once

#include "common/status.h"
#include "common/status_http.h"
#include "server/http_message.h"

namespace faqbot::server {

// A complete response: HttpStatusFor(status.code()), application/json, ErrorJson(status).
HttpResponse ErrorResponse(const Status& status);

}  // namespace faqbot::server
