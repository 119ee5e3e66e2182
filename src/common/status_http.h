// The one mapping from a Status to an HTTP answer (DESIGN.md §5, STYLE.md 5): the server's
// endpoints (server/status_http.h) and the Slack inbound router (slack/inbound_router.h) both
// answer a failed Status through here, so a code means the same HTTP status and the same error
// body everywhere. It lives in common/ because slack/ sits below server/ and must not include it.
//
//   ok                   200
//   invalid_argument     400 Bad Request
//   unauthenticated      401 Unauthorized
//   permission_denied    403 Forbidden
//   not_found            404 Not Found
//   already_exists       409 Conflict
//   aborted              409 Conflict (a concurrent change won; the client may retry)
//   failed_precondition  409 Conflict. Not 412: 412 Precondition Failed is about the request's
//                        own conditional headers (If-Match…), which faqbot does not use; its
//                        FailedPrecondition means "the state does not allow this now" (nothing
//                        published yet, schema newer than the binary), which is what 409 says.
//   resource_exhausted   413 Content Too Large. In faqbot this code comes from size limits
//                        (request bodies, texts, topics per owner, files), which resending the
//                        same request cannot fix; 429 would invite a retry. A rate limiter, if
//                        one is added, answers 429 with Retry-After itself.
//   unavailable          503 Service Unavailable
//   deadline_exceeded    504 Gateway Timeout
//   data_loss, internal  500 Internal Server Error
//
// Error bodies are JSON: {"ok":false,"error":"<StatusCodeName>","message":"<Status message>"}.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace faqbot {

// The HTTP status code for `code` (table above).
int HttpStatusFor(StatusCode code);

// {"ok":false,"error":"invalid_argument","message":"…","status":"failure",
// "reason":"invalid_argument","code":400} for a non-ok `status` — faqbot's fields, then Rasa's
// (its HTTP API's clients read "status", "reason" and "code") — and {"ok":true} for ok. The
// message is JSON-escaped; invalid UTF-8 in it is replaced, never an exception.
std::string ErrorJson(const Status& status);

// The same shape for an HTTP status of the caller's choosing and an error that has no StatusCode
// (e.g. 405 "method_not_allowed").
std::string ErrorJson(int http_status, std::string_view error, std::string_view message);

}  // namespace faqbot
