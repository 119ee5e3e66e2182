#include "server/status_http.h"

namespace faqbot::server {

HttpResponse ErrorResponse(int http_status, std::string_view error, std::string_view message) {
  HttpResponse response;
  response.status = http_status;
  response.content_type = "application/json";
  response.body = ErrorJson(http_status, error, message);
  return response;
}

HttpResponse ErrorResponse(const Status& status) {
  HttpResponse response;
  response.status = HttpStatusFor(status.code());
  response.content_type = "application/json";
  response.body = ErrorJson(status);
  return response;
}

}  // namespace faqbot::server
