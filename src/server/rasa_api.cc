#include "server/rasa_api.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "common/json_limits.h"
#include "common/logging.h"
#include "common/string_util.h"
#include "nlu/rasa_json.h"
#include "server/api_tokens.h"
#include "server/status_http.h"
#include "slack/form_decoding.h"

namespace faqbot::server {
namespace {

using Json = nlohmann::ordered_json;

HttpResponse JsonResponse(std::string body) {
  HttpResponse response;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

// "Bearer TOKEN" (scheme case-insensitive, RFC 9110 §11.1), else the query's token=; empty
// when neither is given. A malformed query string is an error either way.
Result<std::string> TokenOf(const HttpRequest& request) {
  std::string from_query;
  if (const size_t query = request.target.find('?'); query != std::string::npos) {
    auto fields = slack::ParseForm(std::string_view(request.target).substr(query + 1));
    if (!fields.ok()) return fields.status().WithContext("query string");
    if (const auto it = fields->find("token"); it != fields->end()) from_query = it->second;
  }
  const std::string authorization = Trim(slack::HeaderValue(request.headers, "authorization"));
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.size() > kBearer.size()) {
    if (AsciiLower(std::string_view(authorization).substr(0, kBearer.size())) == kBearer)
      return Trim(std::string_view(authorization).substr(kBearer.size()));
  }
  return from_query;
}

// The "text" of a /model/parse body.
Result<std::string> TextOf(const std::string& body) {
  FAQBOT_RETURN_IF_ERROR(CheckJsonNesting(body, "the body"));
  const Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgumentError("the body is not JSON");
  if (!parsed.is_object()) return InvalidArgumentError("the body is not a JSON object");
  const auto it = parsed.find("text");
  if (it == parsed.end()) return InvalidArgumentError("the body has no \"text\"");
  if (!it->is_string()) return InvalidArgumentError("\"text\" is not a string");
  std::string text = it->get<std::string>();
  // Matching runs on an I/O thread: a text no question is near stays cheap to refuse.
  if (text.size() > nlu::kMaxExampleBytes) {
    return ResourceExhaustedError("\"text\" is longer than " +
                                  std::to_string(nlu::kMaxExampleBytes) + " bytes");
  }
  return text;
}

}  // namespace

RasaApi::RasaApi(store::Store& store, assistant::ModelRegistry& registry, const Clock& clock,
                 RasaApiOptions options)
    : store_(store),
      registry_(registry),
      clock_(clock),
      options_(options),
      limiter_(clock, options.rate) {}

Status RasaApi::Register(HttpServer& server) {
  FAQBOT_RETURN_IF_ERROR(server.Handle(
      "POST", kModelParsePath, [this](const HttpRequest& request) { return Parse(request); }));
  return server.Handle("GET", kRasaStatusPath,
                       [this](const HttpRequest& request) { return GetStatus(request); });
}

std::variant<store::ApiToken, HttpResponse> RasaApi::Authorize(const HttpRequest& request) {
  auto token = TokenOf(request);
  if (!token.ok()) return ErrorResponse(token.status());
  if (token->empty()) {
    return ErrorResponse(UnauthenticatedError(
        "an API token is required: \"Authorization: Bearer TOKEN\" or ?token=TOKEN "
        "(`faqbot token create` makes one)"));
  }
  auto found = FindApiToken(store_, *token);
  if (!found.ok()) return ErrorResponse(found.status());
  if (!found->has_value()) {
    return ErrorResponse(UnauthenticatedError("unknown or revoked API token"));
  }
  const store::ApiToken& known = **found;
  if (const auto wait = limiter_.Acquire(known.id)) {
    // The mapping's 413 is for sizes; a rate limiter answers 429 itself (status_http.h).
    HttpResponse response = ErrorResponse(429, StatusCodeName(StatusCode::kResourceExhausted),
                                          "too many requests with this API token");
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(*wait).count();
    response.headers["Retry-After"] = std::to_string(std::max<int64_t>(1, seconds));
    return response;
  }
  const int64_t now = clock_.UnixMillis();
  if (now - known.last_used_at >= options_.touch_interval.count()) {
    // Bookkeeping only: a failure here must not refuse the request.
    if (Status s = store_.TouchApiToken(known.id, now); !s.ok()) {
      LogWarn("api: cannot record the use of token {}: {}", known.id, s.ToString());
    }
  }
  return known;
}

HttpResponse RasaApi::Parse(const HttpRequest& request) {
  auto authorized = Authorize(request);
  if (auto* error = std::get_if<HttpResponse>(&authorized)) return std::move(*error);
  const store::ApiToken& token = std::get<store::ApiToken>(authorized);
  auto text = TextOf(request.body);
  if (!text.ok()) return ErrorResponse(text.status());
  auto model = registry_.Get(token.owner);
  if (!model.ok()) {
    if (model.status().code() == StatusCode::kFailedPrecondition) {
      // Never published, or taken offline (a publish of no topics): told apart for the client.
      auto live = store_.GetLivePublication(token.owner, /*with_model=*/false);
      const bool offline = live.ok() && live->has_value();
      return ErrorResponse(FailedPreconditionError(
          "no model loaded: " + token.owner.user_id +
          (offline ? " took their bot offline (published no topics; publish topics to answer "
                     "again)"
                   : " has published nothing yet (publish your topics first)")));
    }
    return ErrorResponse(model.status());
  }
  nlu::Prediction prediction = (*model)->Predict(*text, options_.ranking);
  const auto names = NamesOf(token.owner, registry_.cached_version(token.owner));
  if (!names) return ErrorResponse(UnavailableError("cannot read the published topics"));
  names->Rename(prediction);
  return JsonResponse(nlu::RasaJson(*text, prediction, options_.ranking));
}

std::shared_ptr<const assistant::IntentNames> RasaApi::NamesOf(const store::UserRef& owner,
                                                               std::optional<int64_t> version) {
  {
    std::lock_guard lock(names_mu_);
    auto it = names_.find(owner);
    if (it != names_.end() && version && it->second.version == *version) return it->second.names;
  }
  // Read outside the lock. A publication newer than the model only names more topics; a
  // topic it dropped keeps its internal name until the model catches up on the next request.
  auto live = store_.GetLivePublication(owner, /*with_model=*/false);
  if (!live.ok()) return nullptr;
  auto names = std::make_shared<const assistant::IntentNames>(
      live->has_value() ? (*live)->topics : std::vector<store::PublishedTopic>{});
  const int64_t live_version = live->has_value() ? (*live)->version : 0;
  std::lock_guard lock(names_mu_);
  CachedNames& cached = names_[owner];
  if (cached.version <= live_version) cached = {live_version, names};
  return names;
}

HttpResponse RasaApi::GetStatus(const HttpRequest& request) {
  auto authorized = Authorize(request);
  if (auto* error = std::get_if<HttpResponse>(&authorized)) return std::move(*error);
  const store::UserRef& owner = std::get<store::ApiToken>(authorized).owner;
  auto live = store_.GetLivePublication(owner, /*with_model=*/true);
  if (!live.ok()) return ErrorResponse(live.status());
  auto jobs = store_.CountActivePublishJobs(owner);
  if (!jobs.ok()) return ErrorResponse(jobs.status());

  Json body;
  // Nothing live (never published, or taken down): Rasa's answer with no model loaded.
  const bool serving = live->has_value() && !(*live)->topics.empty() && !(*live)->model.empty();
  if (serving) {
    const store::Publication& p = **live;
    const std::string digest = Sha256Hex(p.model);
    body["fingerprint"] = {{"model_sha256", digest},
                           {"trained_at", static_cast<double>(p.finished_at) / 1000.0},
                           {"version", p.version}};
    body["model_file"] =
        p.owner.team_id + "-" + p.owner.user_id + "-v" + std::to_string(p.version) + ".faqbot";
    body["model_id"] = digest.substr(0, 32);
  } else {
    body["fingerprint"] = Json::object();
    body["model_file"] = nullptr;
    body["model_id"] = nullptr;
  }
  body["num_active_training_jobs"] = *jobs;
  body["num_topics"] = serving ? (*live)->topics.size() : size_t{0};
  return JsonResponse(body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace faqbot::server
