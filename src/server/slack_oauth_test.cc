// SlackOAuth over a real SQLite Store on a FakeClock: the install redirect, and every way a
// redirect back is refused before anything is stored. (The whole install against the Slack
// emulator is tests/e2e/oauth_e2e_test.cc.)
#include "server/slack_oauth.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "slack/form_decoding.h"
#include "slack_emulator.h"
#include "test_store.h"

namespace faqbot::server {
namespace {

constexpr const char* kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

class SlackOAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
    box_ = std::make_unique<SecretBox>(*SecretBox::FromText(kKey));
    slack::WebApiClientOptions web_options;
    web_options.base_url = "http://127.0.0.1:1/api/";  // nothing listens: Slack unreachable
    web_options.max_retries = 0;
    web_ = std::make_unique<slack::WebApiClient>(web_options, clock_);
    installations_ = std::make_unique<Installations>(*store_, box_.get(), clock_);
    SlackOAuthOptions options;
    options.client_id = "1111.2222";
    options.client_secret = "secret";
    options.redirect_uri = "https://faqbot.example.com/slack/oauth_redirect";
    options.authorize_url = "https://slack.example/oauth/v2/authorize";
    oauth_ = std::make_unique<SlackOAuth>(*store_, *box_, *web_, *installations_, clock_, options);
  }

  std::string State() {
    auto state = oauth_->NewState();
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *state : "";
  }

  HttpResponse Redirect(const std::string& query, const std::string& cookie_state) {
    HttpRequest request;
    request.method = "GET";
    request.path = kSlackOAuthRedirectPath;
    request.target = request.path + "?" + query;
    if (!cookie_state.empty())
      request.headers["Cookie"] = "a=b; faqbot_oauth_state=" + cookie_state;
    return oauth_->Redirect(request);
  }

  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<SecretBox> box_;
  std::unique_ptr<slack::WebApiClient> web_;
  std::unique_ptr<Installations> installations_;
  std::unique_ptr<SlackOAuth> oauth_;
};

TEST_F(SlackOAuthTest, InstallRedirectsToSlackWithAStateBoundToTheBrowser) {
  HttpRequest request;
  request.method = "GET";
  request.target = request.path = kSlackInstallPath;
  HttpResponse response = oauth_->Install(request);
  EXPECT_EQ(response.status, 302);
  const std::string location(slack::HeaderValue(response.headers, "location"));
  const std::string prefix = "https://slack.example/oauth/v2/authorize?";
  ASSERT_EQ(location.rfind(prefix, 0), 0u) << location;
  auto fields = slack::ParseForm(location.substr(prefix.size()));
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ((*fields)["client_id"], "1111.2222");
  EXPECT_EQ((*fields)["scope"], kDefaultBotScopes);
  EXPECT_EQ((*fields)["redirect_uri"], "https://faqbot.example.com/slack/oauth_redirect");
  EXPECT_EQ(fields->count("user_scope"), 0u);
  const std::string state = (*fields)["state"];
  const std::string cookie(slack::HeaderValue(response.headers, "set-cookie"));
  EXPECT_EQ(cookie.rfind("faqbot_oauth_state=" + state + ";", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
  EXPECT_TRUE(oauth_->UseState(state).ok());
}

TEST_F(SlackOAuthTest, AStateWorksOnce) {
  const std::string state = State();
  EXPECT_TRUE(oauth_->UseState(state).ok());
  Status again = oauth_->UseState(state);
  EXPECT_EQ(again.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(again.message().find("used already"), std::string::npos);
}

TEST_F(SlackOAuthTest, ForgedOrExpiredStatesAreRefused) {
  const std::string state = State();
  std::string forged = state;
  forged[0] = forged[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(oauth_->UseState(forged).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(oauth_->UseState("no-dots").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(oauth_->UseState("").code(), StatusCode::kPermissionDenied);
  clock_.Advance(std::chrono::minutes(11));
  Status expired = oauth_->UseState(state);
  EXPECT_EQ(expired.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(expired.message().find("expired"), std::string::npos);
}

TEST_F(SlackOAuthTest, RefusedRedirectsShowAPageAndStoreNothing) {
  // The installer cancelled in Slack.
  HttpResponse denied = Redirect("error=access_denied&state=" + State(), "");
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.body.find("cancelled"), std::string::npos);
  EXPECT_EQ(denied.content_type, "text/html; charset=utf-8");

  // Another browser (no cookie, or another state's cookie).
  const std::string state = State();
  EXPECT_EQ(Redirect("code=c1&state=" + state, "").status, 400);
  EXPECT_EQ(Redirect("code=c1&state=" + state, State()).status, 400);
  EXPECT_EQ(Redirect("state=" + state, state).status, 400);  // no code

  // Slack unreachable for the code exchange: the state is used up, nothing is installed.
  HttpResponse failed = Redirect("code=c1&state=" + slack::PercentEncode(state), state);
  EXPECT_EQ(failed.status, 502);
  EXPECT_NE(failed.body.find("Start the installation again"), std::string::npos);
  HttpResponse reused = Redirect("code=c1&state=" + slack::PercentEncode(state), state);
  EXPECT_EQ(reused.status, 400);
  EXPECT_NE(reused.body.find("used already"), std::string::npos);
  EXPECT_TRUE(store_->ListInstallations()->empty());
}

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// QA round 14: the page said "nothing was installed. Start the installation again." twice.
// Every refusal says it once, as its last sentence, with the link, and nothing else says it.
void ExpectSaysNothingWasInstalledOnce(const HttpResponse& page, bool in_a_minute = false) {
  const std::string again = std::string("<p id=\"again\">Nothing was installed. <a href=\"") +
                            kSlackInstallPath + "\">Start the installation again" +
                            (in_a_minute ? " in a minute." : ".") + "</a></p>";
  EXPECT_EQ(Count(page.body, again), 1u) << page.body;
  EXPECT_EQ(Count(page.body, "othing was installed"), 1u) << page.body;
  EXPECT_EQ(Count(page.body, "tart the installation again"), 1u) << page.body;
  EXPECT_EQ(Count(page.body, "tart it again"), 0u) << page.body;
  EXPECT_EQ(Count(page.body, " ."), 0u) << page.body;
  EXPECT_EQ(Count(page.body, ">."), 0u) << page.body;  // no full stop set apart by a tag
}

TEST_F(SlackOAuthTest, EveryRefusalSaysOnceThatNothingWasInstalled) {
  ExpectSaysNothingWasInstalledOnce(Redirect("error=access_denied&state=" + State(), ""));
  ExpectSaysNothingWasInstalledOnce(Redirect("error=invalid_scope&state=" + State(), ""));
  const std::string state = State();
  ExpectSaysNothingWasInstalledOnce(Redirect("state=" + state, state));
  ExpectSaysNothingWasInstalledOnce(Redirect("code=c1&state=" + state, ""));
  std::string forged = state;
  forged[0] = forged[0] == 'a' ? 'b' : 'a';
  ExpectSaysNothingWasInstalledOnce(Redirect("code=c1&state=" + forged, forged));
  // Slack unreachable for the code exchange.
  ExpectSaysNothingWasInstalledOnce(
      Redirect("code=c1&state=" + slack::PercentEncode(state), state));
  // Used already.
  ExpectSaysNothingWasInstalledOnce(
      Redirect("code=c1&state=" + slack::PercentEncode(state), state));
}

TEST_F(SlackOAuthTest, ATokenThatFailsAuthTestIsRefusedSayingSoOnce) {
  slack_emulator::SlackEmulator emulator;
  ASSERT_TRUE(emulator.Start().ok());
  slack_emulator::EmulatedWorkspace ws;
  ws.team_id = "T0TWO";
  ws.team = "Two";
  ws.bot_token = "xoxb-two";
  ws.bot_user_id = "U0BOTTWO";
  ws.bot_id = "B0BOTTWO";
  emulator.AddWorkspace(ws);
  slack::WebApiClientOptions web_options;
  web_options.base_url = emulator.base_url();
  web_options.max_retries = 0;
  slack::WebApiClient web(web_options, clock_);
  SlackOAuthOptions options;
  options.client_id = emulator.options().client_id;
  options.client_secret = emulator.options().client_secret;
  options.redirect_uri = "https://faqbot.example.com/slack/oauth_redirect";
  SlackOAuth oauth(*store_, *box_, web, *installations_, clock_, options);
  const auto redirect = [&] {
    auto state = oauth.NewState();
    EXPECT_TRUE(state.ok());
    const std::string code = emulator.NewOAuthCode("T0TWO", options.redirect_uri, "U0ADMIN");
    HttpRequest request;
    request.method = "GET";
    request.path = kSlackOAuthRedirectPath;
    request.target = request.path + "?code=" + slack::PercentEncode(code) +
                     "&state=" + slack::PercentEncode(*state);
    request.headers["Cookie"] = "faqbot_oauth_state=" + *state;
    return oauth.Redirect(request);
  };

  slack_emulator::Fault invalid;
  invalid.kind = slack_emulator::Fault::Kind::kSlackError;
  invalid.slack_error = "invalid_auth";
  emulator.InjectFault("auth.test", invalid);
  HttpResponse refused = redirect();
  EXPECT_EQ(refused.status, 502);
  EXPECT_EQ(Count(refused.body, "Slack gave faqbot a token that does not work (invalid_auth).</p>"),
            1u)
      << refused.body;
  ExpectSaysNothingWasInstalledOnce(refused);

  emulator.InjectFault("auth.test", slack_emulator::Fault{}, 10);  // HTTP 500
  HttpResponse unwell = redirect();
  EXPECT_EQ(unwell.status, 503);
  EXPECT_EQ(Count(unwell.body, "Slack could not confirm the installation just now.</p>"), 1u)
      << unwell.body;
  ExpectSaysNothingWasInstalledOnce(unwell, /*in_a_minute=*/true);
  EXPECT_TRUE(store_->ListInstallations()->empty());

  emulator.ClearFaults();
  EXPECT_EQ(redirect().status, 200);
  emulator.Stop();
}

// The scopes "Add to Slack" asks for are the scopes the example manifests give the app: a scope
// added to one and not the other would install an app that cannot do what its manifest says.
std::vector<std::string> ManifestBotScopes(const std::string& file) {
  std::ifstream in(std::string(FAQBOT_SOURCE_DIR) + "/examples/" + file);
  EXPECT_TRUE(in) << file;
  std::vector<std::string> scopes;
  bool in_bot = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "    bot:") {
      in_bot = true;
    } else if (in_bot && line.rfind("      - ", 0) == 0) {
      scopes.push_back(line.substr(8));
    } else if (in_bot) {
      break;
    }
  }
  std::sort(scopes.begin(), scopes.end());
  return scopes;
}

TEST(SlackOAuthScopesTest, DefaultScopesAreThoseOfTheManifests) {
  std::vector<std::string> defaults;
  std::stringstream all(kDefaultBotScopes);
  for (std::string scope; std::getline(all, scope, ',');) defaults.push_back(scope);
  std::sort(defaults.begin(), defaults.end());
  ASSERT_FALSE(defaults.empty());
  EXPECT_EQ(ManifestBotScopes("slack-app-manifest.yml"), defaults);
  EXPECT_EQ(ManifestBotScopes("slack-app-manifest-http.yml"), defaults);
}

}  // namespace
}  // namespace faqbot::server
