// OAuth end to end: one real `faqbot serve` (signed HTTP, SQLite) with no SLACK_BOT_TOKEN,
// installed by "Add to Slack" in two workspaces of the loopback Slack emulator — Alpha, a workspace
// of its own, and Bravo, a workspace of the Enterprise Grid organisation Grid, installed org-wide.
// The test plays the browser and Slack: it follows /slack/install, brings the installer back to
// /slack/oauth_redirect with a code, then has an owner teach and publish in each workspace and
// another person ask. Each workspace hears only its own topics and people, through its own token;
// the database holds no token in clear; uninstalling Alpha silences it while Bravo keeps working.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "fixtures.h"
#include "request_signer.h"
#include "serve_harness.h"
#include "server/http_test_client.h"
#include "slack/form_decoding.h"
#include "slack_emulator.h"
#include "store/store.h"
#include "test_database.h"

namespace faqbot {
namespace {

using slack_emulator::SlackEmulator;
using store::testing::Engine;
using store::testing::TestDatabase;
namespace fx = slack_emulator::fixtures;

constexpr const char* kPublicUrl = "https://faqbot.example.test";
constexpr const char* kRedirectUri = "https://faqbot.example.test/slack/oauth_redirect";
constexpr const char* kAuthorizeUrl = "https://slack.example.test/oauth/v2/authorize";
constexpr const char* kSecretKey =
    "8f1c2a3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";

// Alpha: Alice teaches, Bob asks. Bravo (in the organisation Grid): Carol teaches, Dave asks.
constexpr const char* kAlice = "U0ALICE";
constexpr const char* kBob = "U0BOB";
constexpr const char* kCarol = "U0CAROL";
constexpr const char* kDave = "U0DAVE";

struct Workspace {
  slack_emulator::EmulatedWorkspace emulated;
  bool org_wide = false;
};

const Workspace kAlpha{{"T0ALPHA", "Alpha", "", "", "xoxb-alpha-secret-token", "U0BOTA", "B0BOTA"},
                       false};
const Workspace kBravo{
    {"T0BRAVO", "Bravo", "E0GRID", "Grid", "xoxb-bravo-secret-token", "U0BOTB", "B0BOTB"}, true};

class OAuthE2ETest : public ::testing::Test, protected e2e::SlackSide {
 protected:
  void SetUp() override {
    for (const Workspace* ws : {&kAlpha, &kBravo}) emulator_.AddWorkspace(ws->emulated);
    emulator_.AddUser({kAlice, "alice", "Alice Liddell", "Alice", false}, "T0ALPHA");
    emulator_.AddUser({kBob, "bob", "Bob Builder", "Bob", false}, "T0ALPHA");
    emulator_.AddUser({kCarol, "carol", "Carol Danvers", "Carol", false}, "T0BRAVO");
    emulator_.AddUser({kDave, "dave", "Dave Bowman", "Dave", false}, "T0BRAVO");
    ASSERT_TRUE(emulator_.Start().ok());
    db_ = std::make_unique<TestDatabase>(Engine::kSqlite);
    ASSERT_TRUE(db_->status().ok()) << db_->status();
    database_url_ = db_->url();
    log_ = std::string(FAQBOT_BINARY_DIR) + "/e2e-oauth-" + std::to_string(getpid()) + ".log";

    // OAuth instead of one bot token.
    std::vector<std::string> env;
    for (auto& e : e2e::ServeEnvironment(emulator_, database_url_, kSecret, false)) {
      if (e.rfind("SLACK_BOT_TOKEN=", 0) != 0) env.push_back(e);
    }
    env.push_back("SLACK_CLIENT_ID=" + emulator_.options().client_id);
    env.push_back("SLACK_CLIENT_SECRET=" + emulator_.options().client_secret);
    env.push_back(std::string("FAQBOT_SECRET_KEY=") + kSecretKey);
    env.push_back(std::string("FAQBOT_PUBLIC_URL=") + kPublicUrl);
    env.push_back(std::string("FAQBOT_SLACK_OAUTH_URL=") + kAuthorizeUrl);
    port_ = server_.Start(env, log_);
    ASSERT_GT(port_, 0) << "faqbot serve did not start; see " << log_;
  }
  void TearDown() override {
    server_.Kill(SIGTERM);
    emulator_.Stop();
    if (!HasFailure()) std::remove(log_.c_str());
  }

  Result<server::testing::TestResponse> Get(const std::string& target,
                                            const std::string& cookie = "") {
    server::testing::TestHttpClient client;
    FAQBOT_RETURN_IF_ERROR(client.Connect(static_cast<uint16_t>(port_)));
    slack::Headers headers;
    if (!cookie.empty()) headers["Cookie"] = cookie;
    return client.Send("GET", target, "", headers, false);
  }

  // The browser's side of "Add to Slack": /slack/install, Slack's approval (a code), and back to
  // /slack/oauth_redirect. Returns the redirect's target (to try it again).
  // `refused`: the HTTP status the redirect is expected to answer instead of installing.
  std::string Install(const Workspace& ws, const std::string& installer, int refused = 0) {
    auto install = Get("/slack/install");
    EXPECT_TRUE(install.ok()) << install.status();
    if (!install.ok()) return "";
    EXPECT_EQ(install->status, 302);
    const std::string location(slack::HeaderValue(install->headers, "location"));
    const std::string prefix = std::string(kAuthorizeUrl) + "?";
    EXPECT_EQ(location.rfind(prefix, 0), 0u) << location;
    auto query = slack::ParseForm(location.substr(std::min(location.size(), prefix.size())));
    EXPECT_TRUE(query.ok());
    if (!query.ok()) return "";
    EXPECT_EQ((*query)["client_id"], emulator_.options().client_id);
    EXPECT_EQ((*query)["redirect_uri"], kRedirectUri);
    EXPECT_THAT((*query)["scope"], ::testing::HasSubstr("chat:write"));
    const std::string state = (*query)["state"];
    EXPECT_FALSE(state.empty());
    std::string cookie(slack::HeaderValue(install->headers, "set-cookie"));
    cookie = cookie.substr(0, cookie.find(';'));

    const std::string code =
        emulator_.NewOAuthCode(ws.emulated.team_id, kRedirectUri, installer, ws.org_wide);
    const std::string target = "/slack/oauth_redirect?code=" + slack::PercentEncode(code) +
                               "&state=" + slack::PercentEncode(state);
    auto back = Get(target, cookie);
    EXPECT_TRUE(back.ok()) << back.status();
    if (!back.ok()) return "";
    if (refused != 0) {
      EXPECT_EQ(back->status, refused) << back->body;
      EXPECT_THAT(back->body,
                  ::testing::HasSubstr("Nothing was installed. <a href=\"/slack/install\">Start "
                                       "the installation again.</a></p>"));
      return target;
    }
    EXPECT_EQ(back->status, 200) << back->body;
    EXPECT_THAT(back->body, ::testing::HasSubstr("faqbot is now installed in"));
    EXPECT_THAT(back->body,
                ::testing::HasSubstr(ws.org_wide ? ws.emulated.enterprise : ws.emulated.team));
    EXPECT_THAT(back->body, ::testing::HasSubstr("<strong>hi</strong>"));
    last_cookie_ = cookie;
    return target;
  }

  // ---- acting as Slack in one workspace ----
  void SendEventIn(const Workspace& ws, nlohmann::json event) {
    event["team"] = ws.emulated.team_id;
    nlohmann::json callback = fx::EventCallback(event, "Ev" + std::to_string(++event_));
    callback["team_id"] = ws.emulated.team_id;
    nlohmann::json authorization = {{"enterprise_id", nullptr},
                                    {"team_id", ws.emulated.team_id},
                                    {"user_id", ws.emulated.bot_user_id},
                                    {"is_bot", true},
                                    {"is_enterprise_install", ws.org_wide}};
    if (!ws.emulated.enterprise_id.empty()) {
      callback["enterprise_id"] = ws.emulated.enterprise_id;
      authorization["enterprise_id"] = ws.emulated.enterprise_id;
    }
    if (ws.org_wide) authorization["team_id"] = nullptr;
    callback["authorizations"] = nlohmann::json::array({authorization});
    auto r = slack_emulator::PostSigned(Url("/slack/events"), slack_emulator::SignedKind::kEvent,
                                        callback, kSecret, SystemClock::Instance());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  void DmIn(const Workspace& ws, const std::string& user, const std::string& text) {
    SendEventIn(ws, fx::MessageImEvent(user, DmChannel(user), text, NextTs()));
  }
  void PressInWorkspace(const Workspace& ws, const std::string& user, const Posted& message,
                        const std::string& action) {
    nlohmann::json payload =
        fx::BlockActionsButton(action + "#0", ButtonValue(message, action), user, message.channel,
                               message.ts, emulator_.NewResponseUrl());
    payload["team"]["id"] = ws.emulated.team_id;
    payload["user"]["team_id"] = ws.emulated.team_id;
    if (!ws.emulated.enterprise_id.empty()) {
      payload["enterprise"] = {{"id", ws.emulated.enterprise_id}, {"name", "Grid"}};
    }
    auto r = slack_emulator::PostSigned(Url("/slack/interactive"),
                                        slack_emulator::SignedKind::kInteraction, payload, kSecret,
                                        SystemClock::Instance());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  // Waits for a message to `channel` containing `needle`, and checks it was sent with the bot
  // token of `ws`.
  Posted ExpectFrom(const Workspace& ws, const std::string& channel, const std::string& needle) {
    Posted p = Expect(channel, needle);
    bool found = false;
    for (const auto& c : emulator_.Calls("chat.postMessage")) {
      if (c.response.value("ts", "") == p.ts && !p.ts.empty()) {
        EXPECT_EQ(c.team_id, ws.emulated.team_id) << "sent with another workspace's token";
        EXPECT_EQ(c.headers.at("authorization"), "Bearer " + ws.emulated.bot_token);
        found = true;
      }
    }
    EXPECT_TRUE(found) << needle;
    return p;
  }
  void TeachAndPublish(const Workspace& ws, const std::string& owner, const std::string& yaml) {
    ImportTopics(owner, yaml, ws.emulated.team_id);
    DmIn(ws, owner, "publish");
    Posted confirm = ExpectFrom(ws, DmChannel(owner), "Are you sure you want to publish");
    PressInWorkspace(ws, owner, confirm, "affirm");
    ExpectFrom(ws, DmChannel(owner), "now answers");
  }

  std::unique_ptr<TestDatabase> db_;
  e2e::ServeProcess server_;
  std::string last_cookie_;
};

TEST_F(OAuthE2ETest, TwoWorkspacesInstalledByOAuthNeverSeeEachOther) {
  // A token Slack hands out that does not work (auth.test refuses it) is not installed.
  slack_emulator::Fault invalid;
  invalid.kind = slack_emulator::Fault::Kind::kSlackError;
  invalid.slack_error = "invalid_auth";
  emulator_.InjectFault("auth.test", invalid);
  Install(kAlpha, kAlice, 502);
  {
    FakeClock clock;
    auto db = store::Store::Open(database_url_, clock);
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_TRUE((*db)->ListInstallations()->empty());
  }

  const std::string alpha_redirect = Install(kAlpha, kAlice);
  Install(kBravo, kCarol);

  // The same redirect again (a reload, or a replay): refused, nothing changes.
  auto replay = Get(alpha_redirect, last_cookie_);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->status, 400);
  EXPECT_THAT(replay->body, ::testing::HasSubstr("faqbot was not installed"));

  // The database holds both installations, and neither token in clear.
  {
    FakeClock clock;
    auto db = store::Store::Open(database_url_, clock);
    ASSERT_TRUE(db.ok()) << db.status();
    auto installed = (*db)->ListInstallations();
    ASSERT_TRUE(installed.ok()) << installed.status();
    ASSERT_EQ(installed->size(), 2u);
    EXPECT_EQ((*installed)[0].team_id, "T0ALPHA");
    EXPECT_EQ((*installed)[0].bot_user_id, "U0BOTA");
    EXPECT_EQ((*installed)[0].bot_id, "B0BOTA");
    EXPECT_EQ((*installed)[1].team_id, "");
    EXPECT_EQ((*installed)[1].enterprise_id, "E0GRID");
    EXPECT_TRUE((*installed)[1].is_enterprise_install);
    for (const auto& i : *installed) {
      EXPECT_EQ(i.sealed_bot_token.find("xoxb"), std::string::npos);
      EXPECT_EQ(i.sealed_bot_token.find("secret-token"), std::string::npos);
    }
  }

  // An owner teaches and publishes in each workspace, hearing back through its own token.
  TeachAndPublish(kAlpha, kAlice,
                  "nlu:\n- intent: wifi_password\n  examples: |\n    - what is the wifi "
                  "password?\n    - guest wifi password\nresponses:\n  utter_wifi_password:\n"
                  "  - text: It's on the fridge.\n");
  TeachAndPublish(kBravo, kCarol,
                  "nlu:\n- intent: team_lunch\n  examples: |\n    - when is the team lunch?\n"
                  "    - what time is lunch on friday?\nresponses:\n  utter_team_lunch:\n"
                  "  - text: Noon on Fridays.\n");

  // Each asker asks their own owner, then everyone: answers come from their own workspace.
  DmIn(kAlpha, kBob, "ask <@U0ALICE> what's the guest wifi password");
  ExpectFrom(kAlpha, DmChannel(kBob), "<@U0ALICE> says - It's on the fridge.");
  DmIn(kBravo, kDave, "ask <@U0CAROL> what time is the team lunch?");
  ExpectFrom(kBravo, DmChannel(kDave), "<@U0CAROL> says - Noon on Fridays.");
  DmIn(kBravo, kDave, "ask when is the team lunch?");
  ExpectFrom(kBravo, DmChannel(kDave), "From <@U0CAROL>'s FAQ: Noon on Fridays.");
  DmIn(kAlpha, kBob, "ask what is the wifi password for guests?");
  ExpectFrom(kAlpha, DmChannel(kBob), "From <@U0ALICE>'s FAQ: It's on the fridge.");

  // Neither workspace sees the other's topics or owners.
  DmIn(kBravo, kDave, "ask what is the wifi password for guests?");
  Posted nothing_b = ExpectFrom(kBravo, DmChannel(kDave), "Nobody has taught me");
  EXPECT_THAT(nothing_b.text, ::testing::Not(::testing::HasSubstr("U0ALICE")));
  EXPECT_THAT(nothing_b.text, ::testing::Not(::testing::HasSubstr("fridge")));
  DmIn(kAlpha, kBob, "ask when is the team lunch?");
  Posted nothing_a = ExpectFrom(kAlpha, DmChannel(kBob), "Nobody has taught me");
  EXPECT_THAT(nothing_a.text, ::testing::Not(::testing::HasSubstr("U0CAROL")));
  EXPECT_THAT(nothing_a.text, ::testing::Not(::testing::HasSubstr("Noon")));

  // Every Web API call went out with the token of the workspace it was about: people are
  // looked up in their own workspace only.
  for (const auto& c : emulator_.Calls()) {
    if (c.method == "response_url" || c.method == "oauth.v2.access") continue;
    if (c.method == "auth.test" && c.response.value("error", "") == "invalid_auth") continue;
    EXPECT_TRUE(c.response.value("ok", false)) << c.method << " " << c.response.dump();
    if (c.method != "users.info") continue;
    const std::string user = c.args.value("user", "");
    const bool in_alpha = user == kAlice || user == kBob;
    EXPECT_EQ(c.team_id, in_alpha ? "T0ALPHA" : "T0BRAVO") << user;
  }

  // Alpha uninstalls the app: its token is deleted, its people get no reply any more; Bravo
  // keeps working. Alpha's topics stay until an admin deletes them.
  SendEventIn(kAlpha, {{"type", "app_uninstalled"}, {"event_ts", NextTs()}});
  FakeClock clock;
  auto db = store::Store::Open(database_url_, clock);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(SlackEmulator::WaitFor(
      [&] {
        auto found = (*db)->FindInstallation("T0ALPHA", "");
        return found.ok() && !found->has_value();
      },
      std::chrono::seconds(20)));
  EXPECT_EQ(*(*db)->CountTopics({"T0ALPHA", kAlice}), 1);
  const size_t calls_before = emulator_.Calls("chat.postMessage").size();
  DmIn(kAlpha, kBob, "hi");
  DmIn(kBravo, kDave, "hi");
  ExpectFrom(kBravo, DmChannel(kDave), "How can I help?");
  // Bob's reply was refused for want of a token (the serve log says so), and never sent.
  ASSERT_TRUE(SlackEmulator::WaitFor(
      [&] {
        std::ifstream in(log_);
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        return text.find("workspace T0ALPHA has not installed the app") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << "see " << log_;
  const auto posts = emulator_.Calls("chat.postMessage");
  for (size_t i = calls_before; i < posts.size(); ++i) {
    EXPECT_NE(posts[i].args.value("channel", ""), DmChannel(kBob)) << posts[i].args.dump();
    EXPECT_EQ(posts[i].team_id, "T0BRAVO");
  }
}

// OAuth configured without a usable key: serve refuses to start, saying what to set.
TEST(OAuthServeStartTest, RefusesToStartWithoutAUsableSecretKey) {
  const std::string log =
      std::string(FAQBOT_BINARY_DIR) + "/e2e-oauth-start-" + std::to_string(getpid()) + ".log";
  const std::string database = "sqlite:" + log + ".db";
  for (const auto& [key, needle] : std::vector<std::pair<std::string, std::string>>{
           {"", "FAQBOT_SECRET_KEY is not"}, {"0123abcd", "openssl rand -hex 32"}}) {
    std::remove(log.c_str());
    std::vector<std::string> env = {
        "SLACK_CLIENT_ID=1111.2222", "SLACK_CLIENT_SECRET=secret",
        "FAQBOT_DATABASE_URL=" + database,
        "FAQBOT_LEXICON=" + std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn", "PATH=/usr/bin:/bin"};
    if (!key.empty()) env.push_back("FAQBOT_SECRET_KEY=" + key);
    for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"}) {
      if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
    }
    e2e::ServeProcess server;
    EXPECT_EQ(server.Start(env, log), 0) << "started with FAQBOT_SECRET_KEY=" << key;
    const int status = server.Kill(SIGKILL);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
    std::ifstream in(log);
    const std::string output((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
    EXPECT_THAT(output, ::testing::HasSubstr(needle));
  }
  std::remove(log.c_str());
  std::remove((log + ".db").c_str());
}

}  // namespace
}  // namespace faqbot
