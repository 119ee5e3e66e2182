// A failed Status as the server's HttpResponse. The mapping itself (which HTTP status, which
// JSON error body) is common/status_http.h, shared with the Slack inbound router; this adds only
// the server's response type. Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"
#include "common/status_http.h"
#include "server/http_message.h"

namespace faqbot::server {

// A complete response: HttpStatusFor(status.code()), application/json, ErrorJson(status) (faqbot's
// error fields and Rasa's, so every error of the server reads the same to both kinds of client).
HttpResponse ErrorResponse(const Status& status);
// The same with an HTTP status of the caller's choosing (405, 429) and an error name.
HttpResponse ErrorResponse(int http_status, std::string_view error, std::string_view message);

}  // namespace faqbot::server
