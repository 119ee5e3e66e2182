// Installations over a real SQLite Store on a FakeClock: the token of each workspace (its own,
// its organisation's, else SLACK_BOT_TOKEN), sealed at rest, cached, and gone on uninstall.
#include "server/installations.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "test_store.h"

namespace faqbot::server {
namespace {

constexpr const char* kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kOtherKey =
    "0f0e0d0c0b0a09080706050403020100101112131415161718191a1b1c1d1e1f";

slack::OAuthAccess Access(std::string team, std::string enterprise, bool org_wide,
                          std::string token) {
  slack::OAuthAccess a;
  a.access_token = std::move(token);
  a.token_type = "bot";
  a.scope = "chat:write";
  a.bot_user_id = "U0BOT" + team;
  a.app_id = "A0FAQBOT";
  a.team_id = org_wide ? "" : std::move(team);
  a.enterprise_id = std::move(enterprise);
  a.is_enterprise_install = org_wide;
  a.authed_user_id = "U0ADMIN";
  return a;
}

class InstallationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
    box_ = std::make_unique<SecretBox>(*SecretBox::FromText(kKey));
  }

  std::string TokenOf(Installations& installations, const std::string& team) {
    auto token = installations.BotToken(team);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<SecretBox> box_;
};

TEST_F(InstallationsTest, EachWorkspaceGetsItsOwnTokenSealedAtRest) {
  Installations installations(*store_, box_.get(), clock_);
  ASSERT_TRUE(installations.Save(Access("T0001", "", false, "xoxb-team-one"), "B0001").ok());
  ASSERT_TRUE(installations.Save(Access("T0002", "", false, "xoxb-team-two"), "B0002").ok());
  EXPECT_EQ(TokenOf(installations, "T0001"), "xoxb-team-one");
  EXPECT_EQ(TokenOf(installations, "T0002"), "xoxb-team-two");
  EXPECT_EQ(installations.BotToken("T0003").status().code(), StatusCode::kNotFound);

  auto stored = store_->FindInstallation("T0001", "");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->bot_id, "B0001");
  EXPECT_EQ((*stored)->bot_user_id, "U0BOTT0001");
  EXPECT_EQ((*stored)->sealed_bot_token.find("xoxb-team-one"), std::string::npos);
}

TEST_F(InstallationsTest, AnOrgWideInstallServesTheOrganisationsWorkspaces) {
  Installations installations(*store_, box_.get(), clock_);
  ASSERT_TRUE(installations.Save(Access("T0005", "E0001", true, "xoxb-org"), "B0009").ok());
  // Unknown organisation: not installed.
  EXPECT_EQ(installations.BotToken("T0005").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(installations.NoteEnterprise("T0005", "E0001").ok());
  EXPECT_EQ(TokenOf(installations, "T0005"), "xoxb-org");
  ASSERT_TRUE(installations.NoteEnterprise("T0006", "E0001").ok());
  EXPECT_EQ(TokenOf(installations, "T0006"), "xoxb-org");

  auto removed = installations.Uninstall("T0005", "E0001", /*org_wide=*/true);
  ASSERT_TRUE(removed.ok() && *removed);
  EXPECT_EQ(installations.BotToken("T0006").status().code(), StatusCode::kNotFound);
}

// QA round 14: a reply to a workspace of an org-wide install, left in the outbox at a restart,
// was dropped as "not installed" by the new process, which had seen no event of the workspace.
TEST_F(InstallationsTest, ARestartedProcessKnowsTheOrganisationOfAWorkspace) {
  {
    Installations before(*store_, box_.get(), clock_);
    ASSERT_TRUE(before.Save(Access("T0W1", "E0ORG", true, "xoxb-org"), "B0ORG").ok());
    ASSERT_TRUE(before.NoteEnterprise("T0W1", "E0ORG").ok());
    EXPECT_EQ(TokenOf(before, "T0W1"), "xoxb-org");
  }
  // The same database, as a restarted process (or another one taking over the outbox).
  Installations after(*store_, box_.get(), clock_);
  EXPECT_EQ(TokenOf(after, "T0W1"), "xoxb-org");
  // A workspace that truly has no installation is still refused.
  auto none = after.BotToken("T0W2");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("has not installed the app"), std::string::npos);
  // Nor does the link outlive the organisation's uninstall.
  ASSERT_TRUE(*after.Uninstall("", "E0ORG", /*org_wide=*/true));
  Installations later(*store_, box_.get(), clock_);
  EXPECT_EQ(later.BotToken("T0W1").status().code(), StatusCode::kNotFound);
}

TEST_F(InstallationsTest, AWorkspaceMovedToAnotherOrganisationIsServedByItsInstall) {
  Installations here(*store_, box_.get(), clock_);
  ASSERT_TRUE(here.Save(Access("", "E0ONE", true, "xoxb-one"), "B0001").ok());
  ASSERT_TRUE(here.Save(Access("", "E0TWO", true, "xoxb-two"), "B0002").ok());
  ASSERT_TRUE(here.NoteEnterprise("T0W1", "E0ONE").ok());
  ASSERT_TRUE(here.NoteEnterprise("T0W1", "E0ONE").ok());  // known: no second write needed
  ASSERT_TRUE(here.NoteEnterprise("T0W1", "E0TWO").ok());
  EXPECT_EQ(TokenOf(here, "T0W1"), "xoxb-two");
  Installations elsewhere(*store_, box_.get(), clock_);
  EXPECT_EQ(TokenOf(elsewhere, "T0W1"), "xoxb-two");
}

TEST_F(InstallationsTest, UninstallDropsTheCachedTokenAtOnce) {
  Installations installations(*store_, box_.get(), clock_);
  ASSERT_TRUE(installations.Save(Access("T0001", "", false, "xoxb-team-one"), "B0001").ok());
  EXPECT_EQ(TokenOf(installations, "T0001"), "xoxb-team-one");  // now cached
  auto removed = installations.Uninstall("T0001", "", false);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  EXPECT_EQ(installations.BotToken("T0001").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(*installations.Uninstall("T0001", "", false));
}

TEST_F(InstallationsTest, WithoutAnInstallationTheSingleBotTokenIsUsed) {
  InstallationsOptions options;
  options.default_bot_token = "xoxb-single";
  Installations single(*store_, nullptr, clock_, options);
  EXPECT_EQ(TokenOf(single, "T0001"), "xoxb-single");
  EXPECT_EQ(single.Save(Access("T0001", "", false, "xoxb-x"), "B").code(),
            StatusCode::kFailedPrecondition);

  Installations both(*store_, box_.get(), clock_, options);
  ASSERT_TRUE(both.Save(Access("T0001", "", false, "xoxb-team-one"), "B0001").ok());
  EXPECT_EQ(TokenOf(both, "T0001"), "xoxb-team-one");
  EXPECT_EQ(TokenOf(both, "T0002"), "xoxb-single");
}

TEST_F(InstallationsTest, AnotherKeyIsAClearErrorNotAGarbageToken) {
  {
    Installations installations(*store_, box_.get(), clock_);
    ASSERT_TRUE(installations.Save(Access("T0001", "", false, "xoxb-team-one"), "B0001").ok());
  }
  const SecretBox other = *SecretBox::FromText(kOtherKey);
  Installations installations(*store_, &other, clock_);
  auto token = installations.BotToken("T0001");
  EXPECT_EQ(token.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(token.status().message().find("FAQBOT_SECRET_KEY"), std::string::npos);
  // Checked at start: a key that opens none of the stored tokens is refused.
  const Status checked = installations.CheckKey();
  EXPECT_EQ(checked.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(checked.message().find("any of the 1 stored installation(s)"), std::string::npos)
      << checked;
  EXPECT_TRUE(Installations(*store_, box_.get(), clock_).CheckKey().ok());
  EXPECT_TRUE(Installations(*store_, nullptr, clock_).CheckKey().ok());
  // One that opens some of them (one sealed under another key, say) starts, and logs the rest.
  ASSERT_TRUE(installations.Save(Access("T0002", "", false, "xoxb-team-two"), "B0002").ok());
  EXPECT_TRUE(installations.CheckKey().ok());
}

TEST_F(InstallationsTest, AReinstallIsSeenBeforeTheCacheExpires) {
  Installations installations(*store_, box_.get(), clock_);
  ASSERT_TRUE(installations.Save(Access("T0001", "", false, "xoxb-old"), "B0001").ok());
  EXPECT_EQ(TokenOf(installations, "T0001"), "xoxb-old");
  ASSERT_TRUE(installations.Save(Access("T0001", "", false, "xoxb-new"), "B0001").ok());
  EXPECT_EQ(TokenOf(installations, "T0001"), "xoxb-new");
}

}  // namespace
}  // namespace faqbot::server
