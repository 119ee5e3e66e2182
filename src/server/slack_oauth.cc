#include "server/slack_oauth.h"

#include <openssl/crypto.h>

#include <charconv>
#include <map>

#include "common/logging.h"
#include "common/string_util.h"
#include "server/api_tokens.h"
#include "server/console_html.h"
#include "slack/form_decoding.h"

namespace faqbot::server {
namespace {

constexpr char kStateCookie[] = "faqbot_oauth_state";
constexpr size_t kStateNonceBytes = 16;

// A page of its own (not the console's frame): the installer may never use the console.
HttpResponse Page(int status, std::string_view title, std::string_view body_html) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      HtmlEscape(title) +
      "</title></head>\n<body style=\"font-family: sans-serif; max-width: 40em; "
      "margin: 3em auto; padding: 0 1em\">\n<h1>" +
      HtmlEscape(title) + "</h1>\n" + std::string(body_html) + "\n</body></html>\n";
  response.headers["Cache-Control"] = "no-store";
  response.headers["Referrer-Policy"] = "no-referrer";
  response.headers["X-Content-Type-Options"] = "nosniff";
  return response;
}

// When the installer had better start again: at once, or after faqbot or Slack recovers.
enum class Retry { kNow, kInAMinute };

// A failed install: `what` happened (one or more sentences, without what follows), then, said
// here once for every refusal, that nothing was installed and how to try again.
HttpResponse Failure(int status, std::string_view what, Retry retry = Retry::kNow) {
  return Page(status, "faqbot was not installed",
              "<p id=\"error\">" + HtmlEscape(what) +
                  "</p>\n<p id=\"again\">Nothing was installed. <a href=\"" + kSlackInstallPath +
                  "\">Start the installation again" +
                  (retry == Retry::kInAMinute ? " in a minute." : ".") + "</a></p>");
}

std::map<std::string, std::string> QueryOf(const HttpRequest& request) {
  std::map<std::string, std::string> out;
  const size_t q = request.target.find('?');
  if (q == std::string::npos) return out;
  auto fields = slack::ParseForm(std::string_view(request.target).substr(q + 1));
  if (fields.ok()) out.insert(fields->begin(), fields->end());
  return out;
}

// The value of cookie `name` in the request's Cookie header; empty when absent.
std::string CookieOf(const HttpRequest& request, std::string_view name) {
  std::string_view header = slack::HeaderValue(request.headers, "cookie");
  while (!header.empty()) {
    const size_t semi = header.find(';');
    const std::string pair = Trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string::npos && std::string_view(pair).substr(0, eq) == name) {
      return pair.substr(eq + 1);
    }
  }
  return {};
}

std::string Field(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

}  // namespace

SlackOAuth::SlackOAuth(store::Store& store, const SecretBox& box, slack::WebApiClient& web,
                       Installations& installations, const Clock& clock, SlackOAuthOptions options)
    : store_(store),
      box_(box),
      web_(web),
      installations_(installations),
      clock_(clock),
      options_(std::move(options)) {}

Status SlackOAuth::Register(HttpServer& http) {
  FAQBOT_RETURN_IF_ERROR(
      http.Handle("GET", kSlackInstallPath, [this](const HttpRequest& r) { return Install(r); }));
  return http.Handle("GET", kSlackOAuthRedirectPath,
                     [this](const HttpRequest& r) { return Redirect(r); });
}

Result<std::string> SlackOAuth::NewState() {
  FAQBOT_ASSIGN_OR_RETURN(std::string nonce, RandomHex(kStateNonceBytes));
  const std::string payload =
      nonce + "." + std::to_string(clock_.UnixSeconds() + options_.state_ttl.count());
  const std::string state = payload + "." + LowerHex(box_.Sign(payload));
  FAQBOT_RETURN_IF_ERROR(store_.AddOAuthState(Sha256Hex(state), options_.state_ttl));
  return state;
}

Status SlackOAuth::UseState(const std::string& state) {
  const size_t mac_dot = state.rfind('.');
  const size_t expiry_dot = mac_dot == std::string::npos ? mac_dot : state.rfind('.', mac_dot - 1);
  if (expiry_dot == std::string::npos || expiry_dot == 0) {
    return PermissionDeniedError("The installation link is not one faqbot made.");
  }
  const std::string payload = state.substr(0, mac_dot);
  const std::string mac_hex = state.substr(mac_dot + 1);
  const std::string expected = LowerHex(box_.Sign(payload));
  if (mac_hex.size() != expected.size() ||
      CRYPTO_memcmp(mac_hex.data(), expected.data(), expected.size()) != 0) {
    return PermissionDeniedError("The installation link is not one faqbot made.");
  }
  int64_t expires = 0;
  const std::string_view expiry =
      std::string_view(state).substr(expiry_dot + 1, mac_dot - expiry_dot - 1);
  std::from_chars(expiry.data(), expiry.data() + expiry.size(), expires);
  if (expires <= clock_.UnixSeconds()) {
    return PermissionDeniedError("The installation link has expired (it is good for " +
                                 std::to_string(options_.state_ttl.count() / 60) + " minutes).");
  }
  FAQBOT_ASSIGN_OR_RETURN(bool fresh, store_.ConsumeOAuthState(Sha256Hex(state)));
  if (!fresh) return PermissionDeniedError("The installation link was used already.");
  return Status::Ok();
}

HttpResponse SlackOAuth::Install(const HttpRequest& request) {
  auto state = NewState();
  if (!state.ok()) {
    LogError("slack oauth: no state for an install: {}", state.status().ToString());
    return Failure(503, "faqbot cannot start an installation right now.", Retry::kInAMinute);
  }
  std::string location = options_.authorize_url +
                         "?client_id=" + slack::PercentEncode(options_.client_id) +
                         "&scope=" + slack::PercentEncode(options_.scopes);
  if (!options_.user_scopes.empty()) {
    location += "&user_scope=" + slack::PercentEncode(options_.user_scopes);
  }
  location += "&redirect_uri=" + slack::PercentEncode(options_.redirect_uri) +
              "&state=" + slack::PercentEncode(*state);
  HttpResponse response = Page(
      302, "Continue to Slack",
      "<p><a href=\"" + HtmlEscape(location) + "\">Continue to Slack</a> to install faqbot.</p>");
  response.headers["Location"] = location;
  // Binds the flow to this browser: the redirect must come back with the same state.
  const bool secure = options_.redirect_uri.starts_with("https://");
  response.headers["Set-Cookie"] =
      std::string(kStateCookie) + "=" + *state +
      "; Path=/slack; Max-Age=" + std::to_string(options_.state_ttl.count()) +
      "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
  (void)request;
  return response;
}

HttpResponse SlackOAuth::Redirect(const HttpRequest& request) {
  const auto query = QueryOf(request);
  const std::string error = Field(query, "error");
  if (!error.empty()) {
    LogInfo("slack oauth: Slack answered the install with error={}", error);
    if (error == "access_denied") {
      return Failure(403,
                     "The installation was cancelled in Slack: faqbot was not allowed "
                     "into the workspace.");
    }
    return Failure(400, "Slack did not complete the installation (" + error + ").");
  }
  const std::string state = Field(query, "state");
  const std::string code = Field(query, "code");
  if (state.empty() || code.empty()) {
    return Failure(400,
                   "The request is missing Slack's code or state: open this page only "
                   "from Slack's installation screen.");
  }
  if (CookieOf(request, kStateCookie) != state) {
    return Failure(400,
                   "The installation was started in another browser (or this browser lost its "
                   "cookie).");
  }
  if (Status used = UseState(state); !used.ok()) {
    LogInfo("slack oauth: state refused: {}", used.ToString());
    if (used.code() == StatusCode::kPermissionDenied) return Failure(400, used.message());
    return Failure(503, "faqbot cannot check the installation link right now.", Retry::kInAMinute);
  }
  auto access =
      web_.OAuthV2Access(options_.client_id, options_.client_secret, code, options_.redirect_uri);
  if (!access.ok()) {
    LogWarn("slack oauth: oauth.v2.access failed: {}", access.status().ToString());
    const std::string slack_error = slack::SlackErrorCode(access.status());
    return Failure(502, "Slack refused to complete the installation" +
                            (slack_error.empty() ? std::string(".") : " (" + slack_error + ")."));
  }
  // The bot id (B…) is not in the OAuth answer; auth.test with the new token gives it and
  // checks the token works: one that does not is not stored, and the installer is told.
  std::string bot_id;
  if (auto identity = web_.AuthTest(access->access_token); identity.ok()) {
    bot_id = identity->bot_id;
  } else {
    LogWarn("slack oauth: auth.test with the new token failed: {}", identity.status().ToString());
    if (identity.status().code() == StatusCode::kUnauthenticated) {
      return Failure(502, "Slack gave faqbot a token that does not work (" +
                              slack::SlackErrorCode(identity.status()) + ").");
    }
    return Failure(503, "Slack could not confirm the installation just now.", Retry::kInAMinute);
  }
  if (Status saved = installations_.Save(*access, bot_id); !saved.ok()) {
    LogError("slack oauth: the installation could not be stored: {}", saved.ToString());
    return Failure(503, "faqbot could not store the installation.", Retry::kInAMinute);
  }
  const std::string where =
      access->is_enterprise_install
          ? "every workspace of the organisation " +
                (access->enterprise_name.empty() ? access->enterprise_id : access->enterprise_name)
          : "the workspace " + (access->team_name.empty() ? access->team_id : access->team_name);
  LogInfo("slack oauth: installed in {} (team {}, enterprise {}) by {}", where, access->team_id,
          access->enterprise_id, access->authed_user_id);
  return Page(200, "faqbot is installed",
              "<p id=\"installed\">faqbot is now installed in " + HtmlEscape(where) +
                  ".</p>\n<p>To start, open Slack and send the bot a direct message: "
                  "<strong>hi</strong>. It will show you how to teach it your answers; "
                  "colleagues ask with <strong>/ask</strong>.</p>");
}

}  // namespace faqbot::server
