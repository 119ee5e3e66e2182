#include "server/topics_api.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "assistant/reply.h"
#include "assistant/topic_import.h"
#include "common/string_util.h"
#include "server/status_http.h"
#include "slack/form_decoding.h"

namespace faqbot::server {
namespace {

using Json = nlohmann::ordered_json;

HttpResponse JsonResponse(const Json& body, int status = 200) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

// The request's ?format= ("yaml", "json"), else what `header` (Accept or Content-Type) names;
// empty when neither says.
Result<std::string> FormatOf(const HttpRequest& request, std::string_view header) {
  if (const size_t query = request.target.find('?'); query != std::string::npos) {
    auto fields = slack::ParseForm(std::string_view(request.target).substr(query + 1));
    if (!fields.ok()) return fields.status().WithContext("query string");
    if (auto it = fields->find("format"); it != fields->end()) {
      if (it->second != "yaml" && it->second != "json") {
        return InvalidArgumentError("format must be yaml or json");
      }
      return it->second;
    }
  }
  // Media types are case-insensitive (RFC 9110 §8.3.1): "Application/JSON" is JSON.
  const std::string value = AsciiLower(slack::HeaderValue(request.headers, header));
  if (value.find("application/json") != std::string::npos) return std::string("json");
  if (value.find("yaml") != std::string::npos) return std::string("yaml");
  return std::string();
}

}  // namespace

TopicsApi::TopicsApi(RasaApi& auth, assistant::Topics& topics) : auth_(auth), topics_(topics) {}

Status TopicsApi::Register(HttpServer& server) {
  FAQBOT_RETURN_IF_ERROR(
      server.Handle("GET", kTopicsPath, [this](const HttpRequest& r) { return GetTopics(r); }));
  FAQBOT_RETURN_IF_ERROR(
      server.Handle("PUT", kTopicsPath, [this](const HttpRequest& r) { return PutTopics(r); }));
  FAQBOT_RETURN_IF_ERROR(
      server.Handle("POST", kPublishPath, [this](const HttpRequest& r) { return Publish(r); }));
  return server.Handle("GET", kOpenApiPath, [this](const HttpRequest& r) { return OpenApi(r); });
}

HttpResponse TopicsApi::GetTopics(const HttpRequest& request) {
  auto authorized = auth_.Authorize(request);
  if (auto* error = std::get_if<HttpResponse>(&authorized)) return std::move(*error);
  const store::UserRef& owner = std::get<store::ApiToken>(authorized).owner;
  auto format = FormatOf(request, "accept");
  if (!format.ok()) return ErrorResponse(format.status());
  auto topics = topics_.List(owner);
  if (!topics.ok()) return ErrorResponse(topics.status());
  HttpResponse response;
  if (*format == "json") {
    response.content_type = "application/json";
    response.body = assistant::TopicsAsJson(*topics);
  } else {
    response.content_type = "application/x-yaml; charset=utf-8";
    response.body = assistant::TopicsAsNluYaml(*topics);
  }
  return response;
}

HttpResponse TopicsApi::PutTopics(const HttpRequest& request) {
  auto authorized = auth_.Authorize(request);
  if (auto* error = std::get_if<HttpResponse>(&authorized)) return std::move(*error);
  const store::UserRef& owner = std::get<store::ApiToken>(authorized).owner;
  auto format = FormatOf(request, "content-type");
  if (!format.ok()) return ErrorResponse(format.status());
  auto topics = *format == "json" ? assistant::TopicsFromJson(request.body)
                                  : assistant::TopicsFromNluYaml(request.body, "body");
  if (!topics.ok()) return ErrorResponse(topics.status());
  auto done = topics_.Import(owner, *topics, /*replace=*/true);
  if (!done.ok()) return ErrorResponse(done.status());
  return JsonResponse({{"ok", true},
                       {"added", done->added},
                       {"updated", done->updated},
                       {"unchanged", done->unchanged},
                       {"deleted", done->deleted},
                       {"topics", topics->size()},
                       {"needs_answer", done->needs_answer}});
}

HttpResponse TopicsApi::Publish(const HttpRequest& request) {
  auto authorized = auth_.Authorize(request);
  if (auto* error = std::get_if<HttpResponse>(&authorized)) return std::move(*error);
  const store::UserRef& owner = std::get<store::ApiToken>(authorized).owner;
  auto published = topics_.Publish(owner);
  if (!published.ok()) return ErrorResponse(published.status());
  const std::string message =
      (published->topics == 0 ? std::string("publishing no topics: the bot goes offline.")
                              : "publishing " + assistant::Count(published->topics, "topic") +
                                    ".") +
      assistant::LeftOut(published->needs_answer);
  return JsonResponse({{"ok", true},
                       {"job_id", published->enqueued.job.id},
                       {"coalesced", published->enqueued.coalesced},
                       {"topics", published->topics},
                       {"needs_answer", published->needs_answer},
                       {"message", message}},
                      202);
}

HttpResponse TopicsApi::OpenApi(const HttpRequest&) {
  HttpResponse response;
  response.content_type = "application/json";
  response.body = OpenApiDocument();
  return response;
}

}  // namespace faqbot::server
