// WebApiClient: the bot's outbound calls to the Slack Web API (libcurl).
//
// Every call is an HTTPS POST of a JSON body to `<base_url><method>` with
// `Authorization: Bearer <token>` (the bot token; the app-level `xapp-` token for
// apps.connections.open). Slack answers HTTP 200 with `{"ok":true,...}` or
// `{"ok":false,"error":"<code>"}`; the client turns the latter into a Status whose message
// carries the code (read it back with SlackErrorCode).
//
// Failures it absorbs, each bounded by `max_retries` re-sends:
//   - HTTP 429: waits the `Retry-After` seconds Slack asks for (capped), then re-sends;
//   - HTTP 5xx and network errors (refused, reset, timeout): exponential backoff with jitter.
// Pacing: chat.postMessage / chat.postEphemeral / chat.update to one channel average one per
// `channel_interval`, with bursts of up to `channel_burst` (Slack allows about one message per
// second per channel, short bursts allowed); a caller waits for its slot, other channels are
// not held up.
//
// Every wait (backoff, Retry-After, pacing) goes through the injected Clock, so tests use a
// FakeClock. Secrets (tokens) never appear in logs or Status messages.
//
// Thread-safe: any number of threads may call at once (curl handles come from a small pool;
// curl_global_init runs once per process). Not copyable. The Clock must outlive the client.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace faqbot::slack {

struct WebApiClientOptions {
  // Prefix every method name is appended to. The app reads FAQBOT_SLACK_API_URL to point it at
  // the loopback emulator ("http://127.0.0.1:PORT/api/"). A missing trailing '/' is added.
  std::string base_url = "https://slack.com/api/";
  // Bot token (`xoxb-…`) for every method except apps.connections.open.
  std::string bot_token;
  // App-level token (`xapp-…`, scope connections:write) for apps.connections.open only.
  std::string app_token;
  // TCP + TLS connect limit per attempt.
  std::chrono::milliseconds connect_timeout{5'000};
  // Whole-request limit per attempt (connect, send, wait, receive).
  std::chrono::milliseconds request_timeout{15'000};
  // Re-sends after the first attempt (429, 5xx, network errors). 0 = no retry.
  int max_retries = 3;
  // Backoff before retry k (k = 1, 2, ...) is drawn from [d/2, d] with
  // d = min(backoff_cap, backoff_base * 2^(k-1)).
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{30'000};
  // Longest Retry-After honoured; a larger value fails the call with ResourceExhausted instead
  // of parking the caller for minutes. Missing or unparsable Retry-After counts as 1 s.
  std::chrono::seconds max_retry_after{60};
  // Average spacing of message posts to one channel; 0 disables pacing.
  std::chrono::milliseconds channel_interval{1'000};
  // Posts to one channel that may go out back to back before the spacing applies (a reply and
  // the notification right after it); 1 spaces every post.
  int channel_burst = 3;
  // Seed for the backoff jitter; 0 = seeded from std::random_device.
  uint64_t jitter_seed = 0;
  // Sent as the User-Agent header.
  std::string user_agent = "faqbot/0.1";
};

// Identity of the token's bot (auth.test).
struct AuthIdentity {
  std::string user_id;  // the bot's user id (U…/W…): events from it are our own
  std::string bot_id;   // B…: messages carrying it are our own
  std::string team_id;
  std::string team;  // workspace name
  std::string url;   // workspace URL
};

// What oauth.v2.access gives for an installation (the bot token and where it belongs).
struct OAuthAccess {
  std::string access_token;  // the bot token (xoxb-…): a secret
  std::string token_type;    // "bot"
  std::string scope;         // granted bot scopes, comma-separated
  std::string bot_user_id;   // the bot's user in that workspace
  std::string app_id;
  std::string team_id;  // empty for an org-wide (Enterprise Grid) install
  std::string team_name;
  std::string enterprise_id;  // empty outside Enterprise Grid
  std::string enterprise_name;
  bool is_enterprise_install = false;
  std::string authed_user_id;  // who installed it
};

// A message Slack accepted (chat.postMessage / chat.update).
struct PostedMessage {
  std::string channel;
  std::string ts;  // the message's id within the channel, e.g. "1700000000.000100"
};

// The fields of users.info the assistant shows.
struct SlackUser {
  std::string id;
  std::string name;          // legacy handle
  std::string real_name;     // profile.real_name, falling back to user.real_name
  std::string display_name;  // profile.display_name (often empty; callers fall back)
  bool is_bot = false;
  bool deleted = false;
};

// The Slack error code in a Status returned for an `ok:false` answer ("channel_not_found"),
// or for HTTP 429 that ran out of retries ("ratelimited"); empty for every other Status.
std::string SlackErrorCode(const Status& status);
// The wait Slack asked for in a Status returned for HTTP 429 (its Retry-After, e.g. one over
// max_retry_after that the client did not wait out itself); nullopt for every other Status.
std::optional<std::chrono::seconds> SlackRetryAfter(const Status& status);

class WebApiClient {
 public:
  WebApiClient(WebApiClientOptions options, Clock& clock);
  ~WebApiClient();
  WebApiClient(const WebApiClient&) = delete;
  WebApiClient& operator=(const WebApiClient&) = delete;

  // Every bot method takes the bot token to use last (`token`: the token of the workspace the
  // reply is for); an empty `token` means options().bot_token (one workspace, SLACK_BOT_TOKEN).
  //
  // Calls `method` (e.g. "chat.postMessage") with `args` (a JSON object) using the bot token
  // and returns Slack's whole JSON answer when `ok` is true.
  // Errors: `ok:false` → a Status by error code (invalid_auth/not_authed/token_revoked →
  // Unauthenticated; missing_scope/not_allowed_token_type → PermissionDenied;
  // *_not_found → NotFound; invalid_*/no_text/msg_too_long → InvalidArgument; ratelimited →
  // ResourceExhausted; anything else → FailedPrecondition), message "<method>:
  // slack_error=<code>"; 429 or 5xx or network failures after the last retry → ResourceExhausted
  // or Unavailable; a body that is not a JSON object (a proxy's error page) → Unavailable (not
  // retried here; a caller may try again later); other HTTP statuses →
  // Unavailable (no retry). `args` must be an object (InvalidArgument otherwise).
  Result<nlohmann::json> Call(std::string_view method, const nlohmann::json& args,
                              std::string_view token = {});

  // auth.test: who the bot token belongs to.
  Result<AuthIdentity> AuthTest(std::string_view token = {});
  // chat.postMessage. `message` holds the method's arguments and must name a "channel"
  // (C…/G…/D… or a user id) plus "text" and/or "blocks". Paced per channel.
  Result<PostedMessage> PostMessage(const nlohmann::json& message, std::string_view token = {});
  // chat.update. `message` must name "channel" and "ts". Paced per channel.
  Result<PostedMessage> UpdateMessage(const nlohmann::json& message, std::string_view token = {});
  // chat.postEphemeral. `message` must name "channel" and "user". Returns the message_ts
  // (which chat.update cannot use). Paced per channel.
  Result<std::string> PostEphemeral(const nlohmann::json& message, std::string_view token = {});
  // conversations.open with one user: the id of the DM channel (D…) between bot and user.
  Result<std::string> OpenConversation(std::string_view user_id, std::string_view token = {});
  // users.info. Errors: NotFound (user_not_found) and the Call errors.
  Result<SlackUser> UsersInfo(std::string_view user_id, std::string_view token = {});
  // views.publish: sets the user's App Home tab to `view` (type "home").
  Status ViewsPublish(std::string_view user_id, const nlohmann::json& view,
                      std::string_view token = {});
  // views.open: opens modal `view` for a trigger_id (valid 3 s, single use). Returns the view.
  Result<nlohmann::json> ViewsOpen(std::string_view trigger_id, const nlohmann::json& view,
                                   std::string_view token = {});
  // oauth.v2.access: exchanges the `code` Slack gave the redirect for the installation's bot
  // token. Sent form-encoded with the app's client id and secret (no bearer token); the same
  // `redirect_uri` as the authorize request must be given. Errors: as Call (invalid_code,
  // bad_redirect_uri, invalid_client_id → InvalidArgument or FailedPrecondition), and Internal
  // when the answer holds no bot token.
  Result<OAuthAccess> OAuthV2Access(std::string_view client_id, std::string_view client_secret,
                                    std::string_view code, std::string_view redirect_uri);
  // apps.connections.open with the app-level token: a fresh single-use Socket Mode URL
  // (wss://…). Errors: FailedPrecondition when no app token is configured, and the Call errors.
  Result<std::string> AppsConnectionsOpen();
  // POSTs `message` as JSON to a response_url from an interaction or slash command (no token;
  // the URL is the credential). Same retry rules as Call. A 2xx answer whose body is
  // `{"ok":false,...}` becomes an error; a plain "ok" body is success. Another answer (4xx) is
  // final: the URL expired (Slack keeps it 30 minutes), was used up (5 posts) or never existed —
  // FailedPrecondition with its Slack error code (SlackErrorCode: "expired_url", "used_url")
  // when the answer names one, else NotFound for 404 and FailedPrecondition for the rest.
  Status PostToResponseUrl(std::string_view url, const nlohmann::json& message);

  const WebApiClientOptions& options() const { return options_; }

  // For shutdown: calls from now on make one attempt and no retry, and a call waiting to retry
  // stops within a second with its last error. Thread-safe; irreversible.
  void StopRetrying() { stop_retrying_ = true; }

 private:
  struct HttpResponse;
  class HandlePool;

  // One method call with retries, using `token`.
  // `body` is JSON unless `form` (application/x-www-form-urlencoded).
  Result<nlohmann::json> CallWithToken(std::string_view method, const nlohmann::json& args,
                                       std::string_view token);
  // The answer of `method` to the request `body` as a Status or the JSON answer.
  Result<nlohmann::json> SendCall(std::string_view method, const std::string& body,
                                  std::string_view token, bool form);
  // POST with the retry policy; returns the final response (2xx or non-retryable) or an error.
  Result<HttpResponse> PostWithRetries(const std::string& url, const std::string& body,
                                       std::string_view token, std::string_view what,
                                       bool form = false);
  // One attempt; network failures come back as an error Status.
  Result<HttpResponse> PostOnce(const std::string& url, const std::string& body,
                                std::string_view token, bool form);
  // Waits for `channel`'s next free slot when `method` is paced.
  void Pace(std::string_view method, const nlohmann::json& args);
  Clock::Duration BackoffDelay(int retry);

  WebApiClientOptions options_;
  Clock& clock_;
  std::unique_ptr<HandlePool> pool_;

  std::atomic<bool> stop_retrying_{false};
  std::mutex mu_;  // guards rng_ and next_slot_
  std::mt19937_64 rng_;
  // Earliest time the next paced message to a channel may go out.
  std::map<std::string, Clock::TimePoint, std::less<>> next_slot_;
};

}  // namespace faqbot::slack
