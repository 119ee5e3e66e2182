#include "slack/web_api_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "slack/form_decoding.h"

namespace faqbot::slack {
namespace {

// One HTTP attempt of `method` (a Web API method name, or "response_url"), by result.
void CountCall(std::string_view method, std::string_view result) {
  metrics::Faqbot().slack_api_calls.With({method, result}).Inc();
}

constexpr std::string_view kSlackErrorMarker = "slack_error=";
// Before the seconds of a 429's Retry-After in its Status (SlackRetryAfter reads them back).
constexpr std::string_view kRetryAfterMarker = "(HTTP 429, Retry-After ";

bool IsPacedMethod(std::string_view method) {
  return method == "chat.postMessage" || method == "chat.postEphemeral" || method == "chat.update";
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Status StatusForSlackError(std::string_view method, const std::string& code) {
  std::string message = std::string(method) + ": " + std::string(kSlackErrorMarker) + code;
  if (code == "invalid_auth" || code == "not_authed" || code == "token_revoked" ||
      code == "token_expired" || code == "account_inactive") {
    return UnauthenticatedError(std::move(message));
  }
  if (code == "missing_scope" || code == "not_allowed_token_type" || code == "no_permission") {
    return PermissionDeniedError(std::move(message));
  }
  if (EndsWith(code, "_not_found")) return NotFoundError(std::move(message));
  if (code.starts_with("invalid_") || code == "no_text" || code == "msg_too_long" ||
      code == "msg_blocks_too_long" || code == "too_many_attachments") {
    return InvalidArgumentError(std::move(message));
  }
  if (code == "ratelimited" || code == "rate_limited") {
    return ResourceExhaustedError(std::move(message));
  }
  // Trouble on Slack's side that Slack itself calls transient: try again later.
  if (code == "internal_error" || code == "fatal_error" || code == "service_unavailable" ||
      code == "request_timeout" || code == "team_added_to_org") {
    return UnavailableError(std::move(message));
  }
  return FailedPreconditionError(std::move(message));
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Keeps only the Retry-After header; curl calls this once per header line.
size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i) {
      match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    }
    if (match) {
      std::string_view value = line.substr(kName.size());
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
        value.remove_prefix(1);
      }
      int64_t seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && seconds >= 0) *static_cast<int64_t*>(user) = seconds;
    }
  }
  return size * count;
}

}  // namespace

std::string SlackErrorCode(const Status& status) {
  const std::string& m = status.message();
  size_t at = m.find(kSlackErrorMarker);
  if (at == std::string::npos) return "";
  size_t begin = at + kSlackErrorMarker.size();
  size_t end = m.find_first_of(" ;,", begin);
  return m.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::optional<std::chrono::seconds> SlackRetryAfter(const Status& status) {
  if (status.code() != StatusCode::kResourceExhausted) return std::nullopt;
  const std::string& m = status.message();
  const size_t at = m.find(kRetryAfterMarker);
  if (at == std::string::npos) return std::nullopt;
  int64_t seconds = 0;
  const char* first = m.data() + at + kRetryAfterMarker.size();
  const auto [end, ec] = std::from_chars(first, m.data() + m.size(), seconds);
  if (ec != std::errc() || end == first || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

struct WebApiClient::HttpResponse {
  long status = 0;
  std::string body;
  int64_t retry_after_seconds = -1;  // -1: header absent
};

// Idle easy handles, reused so keep-alive connections to Slack survive between calls.
class WebApiClient::HandlePool {
 public:
  HandlePool() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }
  ~HandlePool() {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }
  CURL* Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void Give(CURL* h) {
    curl_easy_reset(h);
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdle) {
      idle_.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }

 private:
  static constexpr size_t kMaxIdle = 8;
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

WebApiClient::WebApiClient(WebApiClientOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock), pool_(std::make_unique<HandlePool>()) {
  if (!options_.base_url.empty() && options_.base_url.back() != '/') options_.base_url += '/';
  rng_.seed(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device()());
}

WebApiClient::~WebApiClient() = default;

Result<WebApiClient::HttpResponse> WebApiClient::PostOnce(const std::string& url,
                                                          const std::string& body,
                                                          std::string_view token, bool form) {
  CURL* h = pool_->Take();
  if (h == nullptr) return InternalError("curl_easy_init failed");
  HttpResponse response;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, form ? "Content-Type: application/x-www-form-urlencoded"
                                            : "Content-Type: application/json; charset=utf-8");
  headers = curl_slist_append(headers, "Accept: application/json");
  std::string auth;
  if (!token.empty()) {
    auth = "Authorization: Bearer " + std::string(token);
    headers = curl_slist_append(headers, auth.c_str());
  }
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: required with threads
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.retry_after_seconds);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  // Slack answers API calls directly; a redirect would be a misconfigured base URL.
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);

  CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  pool_->Give(h);
  if (rc != CURLE_OK) {
    return UnavailableError(std::string("network error: ") + curl_easy_strerror(rc));
  }
  return response;
}

Clock::Duration WebApiClient::BackoffDelay(int retry) {
  using std::chrono::milliseconds;
  const int shift = std::min(retry - 1, 30);
  const double full = std::min<double>(static_cast<double>(options_.backoff_cap.count()),
                                       static_cast<double>(options_.backoff_base.count()) *
                                           static_cast<double>(int64_t{1} << shift));
  double fraction;
  {
    std::lock_guard lock(mu_);
    fraction = std::uniform_real_distribution<double>(0.5, 1.0)(rng_);
  }
  return std::chrono::duration_cast<Clock::Duration>(
      std::chrono::duration<double, std::milli>(full * fraction));
}

Result<WebApiClient::HttpResponse> WebApiClient::PostWithRetries(const std::string& url,
                                                                 const std::string& body,
                                                                 std::string_view token,
                                                                 std::string_view what, bool form) {
  Status last;
  for (int attempt = 0;; ++attempt) {
    Result<HttpResponse> response = PostOnce(url, body, token, form);
    Clock::Duration wait{0};
    if (!response.ok()) {
      CountCall(what, "network");
      last = response.status().WithContext(std::string(what));
      wait = BackoffDelay(attempt + 1);
    } else if (response->status == 429) {
      CountCall(what, "429");
      const int64_t seconds =
          response->retry_after_seconds >= 0 ? response->retry_after_seconds : 1;
      last = ResourceExhaustedError(std::string(what) + ": " + std::string(kSlackErrorMarker) +
                                    "ratelimited " + std::string(kRetryAfterMarker) +
                                    std::to_string(seconds) + " s)");
      if (std::chrono::seconds(seconds) > options_.max_retry_after) return last;
      wait = std::chrono::seconds(seconds);
    } else if (response->status >= 500) {
      CountCall(what, "5xx");
      last = UnavailableError(std::string(what) + ": HTTP " + std::to_string(response->status));
      wait = BackoffDelay(attempt + 1);
    } else {
      return response;
    }
    if (attempt >= options_.max_retries || stop_retrying_) {
      return Status(last.code(),
                    last.message() + " (after " + std::to_string(attempt + 1) + " attempts)");
    }
    metrics::Faqbot().slack_api_retries.With({what}).Inc();
    LogWarn("slack: {}; retrying in {} ms", last.message(),
            std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
    // In slices of at most a second, so StopRetrying ends the wait soon.
    for (Clock::Duration left = wait; left.count() > 0 && !stop_retrying_;) {
      const Clock::Duration slice = std::min<Clock::Duration>(left, std::chrono::seconds(1));
      clock_.SleepFor(slice);
      left -= slice;
    }
    if (stop_retrying_) {
      return Status(last.code(), last.message() + " (stopped retrying after " +
                                     std::to_string(attempt + 1) + " attempts)");
    }
  }
}

void WebApiClient::Pace(std::string_view method, const nlohmann::json& args) {
  if (options_.channel_interval.count() <= 0 || !IsPacedMethod(method)) return;
  auto it = args.find("channel");
  if (it == args.end() || !it->is_string()) return;
  const std::string& channel = it->get_ref<const std::string&>();
  Clock::Duration wait{0};
  {
    std::lock_guard lock(mu_);
    const Clock::TimePoint now = clock_.Now();
    if (next_slot_.size() > 4096) {
      std::erase_if(next_slot_, [&](const auto& entry) { return entry.second <= now; });
    }
    // Generic cell rate algorithm: `tat` is when the channel's bucket would be empty again; a
    // post may go `burst - 1` intervals ahead of it.
    Clock::TimePoint& tat = next_slot_[channel];
    const Clock::TimePoint base = std::max(tat, now);
    const Clock::Duration allowance =
        options_.channel_interval * (std::max(1, options_.channel_burst) - 1);
    const Clock::TimePoint start = std::max(now, base - allowance);
    wait = start - now;
    // Reserve the slot before sleeping so concurrent callers queue up behind each other.
    tat = base + options_.channel_interval;
  }
  if (wait.count() > 0) clock_.SleepFor(wait);
}

Result<nlohmann::json> WebApiClient::CallWithToken(std::string_view method,
                                                   const nlohmann::json& args,
                                                   std::string_view token) {
  if (!args.is_object()) {
    return InvalidArgumentError(std::string(method) + ": arguments must be a JSON object");
  }
  std::string body;
  try {
    body = args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string(method) + ": " + e.what());
  }
  Pace(method, args);
  return SendCall(method, body, token, /*form=*/false);
}

Result<nlohmann::json> WebApiClient::SendCall(std::string_view method, const std::string& body,
                                              std::string_view token, bool form) {
  FAQBOT_ASSIGN_OR_RETURN(
      HttpResponse response,
      PostWithRetries(options_.base_url + std::string(method), body, token, method, form));
  if (response.status != 200) {
    CountCall(method, "http_error");
    return UnavailableError(std::string(method) + ": unexpected HTTP " +
                            std::to_string(response.status));
  }
  nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    // Slack's API always answers JSON: this is a proxy's error page or a broken answer on the
    // way, which a later try may not meet.
    CountCall(method, "http_error");
    return UnavailableError(std::string(method) + ": response is not a JSON object (" +
                            std::to_string(response.body.size()) +
                            " bytes: " + response.body.substr(0, 80) + ")");
  }
  auto ok = answer.find("ok");
  if (ok != answer.end() && ok->is_boolean() && ok->get<bool>()) {
    CountCall(method, "ok");
    return answer;
  }
  CountCall(method, "slack_error");
  std::string code = "unknown_error";
  if (auto e = answer.find("error"); e != answer.end() && e->is_string())
    code = e->get<std::string>();
  return StatusForSlackError(method, code);
}

Result<nlohmann::json> WebApiClient::Call(std::string_view method, const nlohmann::json& args,
                                          std::string_view token) {
  return CallWithToken(method, args, token.empty() ? options_.bot_token : token);
}

namespace {

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool BoolField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

Result<AuthIdentity> WebApiClient::AuthTest(std::string_view token) {
  FAQBOT_ASSIGN_OR_RETURN(nlohmann::json r, Call("auth.test", nlohmann::json::object(), token));
  return AuthIdentity{StringField(r, "user_id"), StringField(r, "bot_id"),
                      StringField(r, "team_id"), StringField(r, "team"), StringField(r, "url")};
}

Result<PostedMessage> WebApiClient::PostMessage(const nlohmann::json& message,
                                                std::string_view token) {
  if (!message.is_object() || !message.contains("channel")) {
    return InvalidArgumentError("chat.postMessage: a channel is required");
  }
  FAQBOT_ASSIGN_OR_RETURN(nlohmann::json r, Call("chat.postMessage", message, token));
  return PostedMessage{StringField(r, "channel"), StringField(r, "ts")};
}

Result<PostedMessage> WebApiClient::UpdateMessage(const nlohmann::json& message,
                                                  std::string_view token) {
  if (!message.is_object() || !message.contains("channel") || !message.contains("ts")) {
    return InvalidArgumentError("chat.update: a channel and a ts are required");
  }
  FAQBOT_ASSIGN_OR_RETURN(nlohmann::json r, Call("chat.update", message, token));
  return PostedMessage{StringField(r, "channel"), StringField(r, "ts")};
}

Result<std::string> WebApiClient::PostEphemeral(const nlohmann::json& message,
                                                std::string_view token) {
  if (!message.is_object() || !message.contains("channel") || !message.contains("user")) {
    return InvalidArgumentError("chat.postEphemeral: a channel and a user are required");
  }
  FAQBOT_ASSIGN_OR_RETURN(nlohmann::json r, Call("chat.postEphemeral", message, token));
  return StringField(r, "message_ts");
}

Result<std::string> WebApiClient::OpenConversation(std::string_view user_id,
                                                   std::string_view token) {
  FAQBOT_ASSIGN_OR_RETURN(nlohmann::json r,
                          Call("conversations.open", {{"users", std::string(user_id)}}, token));
  auto channel = r.find("channel");
  if (channel == r.end() || !channel->is_object() || StringField(*channel, "id").empty()) {
    return InternalError("conversations.open: answer has no channel id");
  }
  return StringField(*channel, "id");
}

Result<SlackUser> WebApiClient::UsersInfo(std::string_view user_id, std::string_view token) {
  FAQBOT_ASSIGN_OR_RETURN(nlohmann::json r,
                          Call("users.info", {{"user", std::string(user_id)}}, token));
  auto user = r.find("user");
  if (user == r.end() || !user->is_object()) return InternalError("users.info: answer has no user");
  SlackUser out;
  out.id = StringField(*user, "id");
  out.name = StringField(*user, "name");
  out.real_name = StringField(*user, "real_name");
  out.is_bot = BoolField(*user, "is_bot");
  out.deleted = BoolField(*user, "deleted");
  if (auto profile = user->find("profile"); profile != user->end() && profile->is_object()) {
    out.display_name = StringField(*profile, "display_name");
    if (std::string real = StringField(*profile, "real_name"); !real.empty()) out.real_name = real;
  }
  return out;
}

Status WebApiClient::ViewsPublish(std::string_view user_id, const nlohmann::json& view,
                                  std::string_view token) {
  return Call("views.publish", {{"user_id", std::string(user_id)}, {"view", view}}, token).status();
}

Result<nlohmann::json> WebApiClient::ViewsOpen(std::string_view trigger_id,
                                               const nlohmann::json& view, std::string_view token) {
  FAQBOT_ASSIGN_OR_RETURN(
      nlohmann::json r,
      Call("views.open", {{"trigger_id", std::string(trigger_id)}, {"view", view}}, token));
  auto v = r.find("view");
  return v != r.end() ? *v : nlohmann::json::object();
}

Result<OAuthAccess> WebApiClient::OAuthV2Access(std::string_view client_id,
                                                std::string_view client_secret,
                                                std::string_view code,
                                                std::string_view redirect_uri) {
  const std::string body =
      "client_id=" + PercentEncode(client_id) + "&client_secret=" + PercentEncode(client_secret) +
      "&code=" + PercentEncode(code) + "&redirect_uri=" + PercentEncode(redirect_uri);
  FAQBOT_ASSIGN_OR_RETURN(nlohmann::json r,
                          SendCall("oauth.v2.access", body, /*token=*/"", /*form=*/true));
  OAuthAccess out;
  out.access_token = StringField(r, "access_token");
  out.token_type = StringField(r, "token_type");
  out.scope = StringField(r, "scope");
  out.bot_user_id = StringField(r, "bot_user_id");
  out.app_id = StringField(r, "app_id");
  out.is_enterprise_install = BoolField(r, "is_enterprise_install");
  if (auto team = r.find("team"); team != r.end() && team->is_object()) {
    out.team_id = StringField(*team, "id");
    out.team_name = StringField(*team, "name");
  }
  if (auto e = r.find("enterprise"); e != r.end() && e->is_object()) {
    out.enterprise_id = StringField(*e, "id");
    out.enterprise_name = StringField(*e, "name");
  }
  if (auto user = r.find("authed_user"); user != r.end() && user->is_object()) {
    out.authed_user_id = StringField(*user, "id");
  }
  if (out.access_token.empty() || out.token_type != "bot") {
    return InternalError("oauth.v2.access: the answer holds no bot token (is a bot scope asked?)");
  }
  if (out.team_id.empty() && !(out.is_enterprise_install && !out.enterprise_id.empty())) {
    return InternalError("oauth.v2.access: the answer names no workspace");
  }
  return out;
}

Result<std::string> WebApiClient::AppsConnectionsOpen() {
  if (options_.app_token.empty()) {
    return FailedPreconditionError("apps.connections.open: no app-level token configured");
  }
  FAQBOT_ASSIGN_OR_RETURN(
      nlohmann::json r,
      CallWithToken("apps.connections.open", nlohmann::json::object(), options_.app_token));
  std::string url = StringField(r, "url");
  if (url.empty()) return InternalError("apps.connections.open: answer has no url");
  return url;
}

Status WebApiClient::PostToResponseUrl(std::string_view url, const nlohmann::json& message) {
  std::string body;
  try {
    body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("response_url: ") + e.what());
  }
  FAQBOT_ASSIGN_OR_RETURN(HttpResponse response,
                          PostWithRetries(std::string(url), body, "", "response_url"));
  nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status < 200 || response.status >= 300) {
    // Not retried (PostWithRetries retries 429 and 5xx): the URL expired (30 minutes), was
    // used up (5 posts) or never existed, and will not come back.
    CountCall("response_url", "http_error");
    std::string code;
    if (!answer.is_discarded() && answer.is_object()) code = StringField(answer, "error");
    for (const char* known : {"expired_url", "used_url"}) {
      if (code.empty() && response.body.find(known) != std::string::npos) code = known;
    }
    if (!code.empty()) return StatusForSlackError("response_url", code);
    return response.status == 404
               ? NotFoundError("response_url: HTTP 404")
               : FailedPreconditionError("response_url: HTTP " + std::to_string(response.status));
  }
  if (!answer.is_discarded() && answer.is_object() && answer.contains("ok") &&
      answer["ok"].is_boolean() && !answer["ok"].get<bool>()) {
    CountCall("response_url", "slack_error");
    return StatusForSlackError("response_url", StringField(answer, "error"));
  }
  CountCall("response_url", "ok");
  return Status::Ok();
}

}  // namespace faqbot::slack
