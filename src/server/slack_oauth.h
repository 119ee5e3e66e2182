// SlackOAuth: "Add to Slack" — one deployment installed in many workspaces by Slack's OAuth v2.
//
//   GET /slack/install         → 302 to Slack's authorize URL (client id, bot scopes, the
//                                redirect URI and a fresh `state`), with the state also in a
//                                short-lived cookie that binds the flow to this browser;
//   GET /slack/oauth_redirect  → Slack sends the installer back with `code` and `state`: the state
//                                is checked (signature, expiry, this browser's cookie) and used up
//                                in the Store (so a state works once, in any process), the code is
//                                exchanged with oauth.v2.access, the bot's id is read with
//                                auth.test, and the sealed bot token is stored per workspace (or,
//                                for an Enterprise Grid org-wide install, per organisation).
//
// A state is "<32 hex random>.<expiry, Unix s>.<hex MAC>" (the MAC from SecretBox, keyed by
// FAQBOT_SECRET_KEY). Every failure is an HTML page that says what happened and how to start
// again; nothing is stored then. Slack's `error=access_denied` (the installer cancelled) gets a
// page saying so.
//
// Thread-safe (handlers run on the HTTP server's threads). The Store, box, Web API client,
// installations and clock must outlive it.
#pragma once

#include <chrono>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "server/http_message.h"
#include "server/http_server.h"
#include "server/installations.h"
#include "server/secret_box.h"
#include "slack/web_api_client.h"
#include "store/store.h"

namespace faqbot::server {

inline constexpr char kSlackInstallPath[] = "/slack/install";
inline constexpr char kSlackOAuthRedirectPath[] = "/slack/oauth_redirect";

// The bot scopes the app asks for by default: those of examples/slack-app-manifest*.yml (a test
// compares them).
inline constexpr char kDefaultBotScopes[] =
    "app_mentions:read,channels:history,chat:write,commands,groups:history,im:history,im:read,"
    "im:write,"
    "users:read";

struct SlackOAuthOptions {
  std::string client_id;      // SLACK_CLIENT_ID
  std::string client_secret;  // SLACK_CLIENT_SECRET
  // Bot scopes, comma-separated (SLACK_SCOPES).
  std::string scopes = kDefaultBotScopes;
  // User scopes, comma-separated; the app needs none (SLACK_USER_SCOPES).
  std::string user_scopes;
  // Where Slack sends the installer back: FAQBOT_PUBLIC_URL + kSlackOAuthRedirectPath. Must be
  // one of the app's redirect URLs (manifest oauth_config.redirect_urls).
  std::string redirect_uri;
  // Slack's authorize page (FAQBOT_SLACK_OAUTH_URL, for tests).
  std::string authorize_url = "https://slack.com/oauth/v2/authorize";
  // How long an install may take from /slack/install to the redirect.
  std::chrono::seconds state_ttl{600};
};

class SlackOAuth {
 public:
  SlackOAuth(store::Store& store, const SecretBox& box, slack::WebApiClient& web,
             Installations& installations, const Clock& clock, SlackOAuthOptions options);
  SlackOAuth(const SlackOAuth&) = delete;
  SlackOAuth& operator=(const SlackOAuth&) = delete;

  // Routes GET kSlackInstallPath and kSlackOAuthRedirectPath. Errors: the server's Handle.
  Status Register(HttpServer& http);

  HttpResponse Install(const HttpRequest& request);
  HttpResponse Redirect(const HttpRequest& request);

  // A new state, recorded in the Store. Errors: Internal (no random bytes), the Store's.
  Result<std::string> NewState();
  // Checks `state` (signature, expiry) and uses it up. Errors: PermissionDenied (forged,
  // expired, or used already: the message says which, fit for the installer), the Store's.
  Status UseState(const std::string& state);

 private:
  store::Store& store_;
  const SecretBox& box_;
  slack::WebApiClient& web_;
  Installations& installations_;
  const Clock& clock_;
  SlackOAuthOptions options_;
};

}  // namespace faqbot::server
