#include "server/status_http.h"

namespace faqbot::server {

HttpResponse ErrorResponse(const Status& status) {
  HttpResponse response;
  response.status = HttpStatusFor(status.code());
  response.content_type = "application/json";
  response.body = ErrorJson(status);
  return response;
}

}  // namespace faqbot::server
