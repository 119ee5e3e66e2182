#include "common/status_http.h"

#include <nlohmann/json.hpp>

namespace faqbot {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;  // a code added to StatusCode but not here: fail loudly, not as success
}

std::string ErrorJson(const Status& status) {
  if (status.ok()) return R"({"ok":true})";
  return ErrorJson(HttpStatusFor(status.code()), StatusCodeName(status.code()), status.message());
}

std::string ErrorJson(int http_status, std::string_view error, std::string_view message) {
  // ordered_json keeps the documented field order.
  const nlohmann::ordered_json body = {{"ok", false},        {"error", error},
                                       {"message", message}, {"status", "failure"},
                                       {"reason", error},    {"code", http_status}};
  // Messages may quote user input; replace invalid UTF-8 rather than throw.
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace faqbot
