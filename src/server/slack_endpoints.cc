#include "server/slack_endpoints.h"

#include <utility>

namespace faqbot::server {

HttpResponse ToHttpResponse(slack::AckResponse ack) {
  HttpResponse response;
  response.status = ack.status;
  response.content_type = std::move(ack.content_type);
  response.body = std::move(ack.body);
  response.headers = std::move(ack.headers);
  return response;
}

Status RegisterSlackEndpoints(HttpServer& server, slack::InboundRouter& router) {
  const std::pair<const char*, slack::RequestKind> routes[] = {
      {kSlackEventsPath, slack::RequestKind::kEvents},
      {kSlackInteractivePath, slack::RequestKind::kInteractive},
      {kSlackCommandsPath, slack::RequestKind::kCommands},
  };
  for (const auto& [path, kind] : routes) {
    FAQBOT_RETURN_IF_ERROR(
        server.Handle("POST", path, [&router, kind = kind](const HttpRequest& request) {
          return ToHttpResponse(router.HandleHttp(kind, request.headers, request.body));
        }));
  }
  return Status::Ok();
}

}  // namespace faqbot::server
