// ConsoleAuth over a real SQLite Store on a FakeClock: links are single-use and expire after 15
// minutes, sessions after 12 hours, sign-out revokes, CSRF tokens are tied to their session.
#include "server/console_auth.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "server/api_tokens.h"
#include "test_store.h"

namespace faqbot::server {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

const store::UserRef kAlice{"T0001", "U0ALICE"};

class ConsoleAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
    auth_ = std::make_unique<ConsoleAuth>(*store_);
  }

  std::string Link() {
    auto link = auth_->CreateLink(kAlice);
    EXPECT_TRUE(link.ok()) << link.status();
    return link.ok() ? *link : "";
  }
  std::optional<ConsoleSignIn> Redeem(const std::string& link) {
    auto signed_in = auth_->Redeem(link);
    EXPECT_TRUE(signed_in.ok()) << signed_in.status();
    return signed_in.ok() ? *signed_in : std::nullopt;
  }
  bool SessionOpen(const std::string& secret) {
    auto found = auth_->FindSession(secret);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() && found->has_value();
  }

  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ConsoleAuth> auth_;
};

TEST_F(ConsoleAuthTest, LinkOpensOneSessionOfItsOwnerOnly) {
  const std::string link = Link();
  EXPECT_EQ(link.size(), 64u);
  auto first = Redeem(link);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->session.owner, kAlice);
  EXPECT_NE(first->session_secret, link);
  EXPECT_TRUE(SessionOpen(first->session_secret));
  // Reused: refused, and no second session.
  EXPECT_FALSE(Redeem(link).has_value());
}

TEST_F(ConsoleAuthTest, LinkExpiresAfterFifteenMinutes) {
  const std::string fresh = Link();
  const std::string stale = Link();
  clock_.Advance(minutes(15) - milliseconds(1));
  EXPECT_TRUE(Redeem(fresh).has_value());
  clock_.Advance(milliseconds(1));
  EXPECT_FALSE(Redeem(stale).has_value());
}

TEST_F(ConsoleAuthTest, SessionLastsTwelveHours) {
  auto signed_in = Redeem(Link());
  ASSERT_TRUE(signed_in.has_value());
  EXPECT_EQ(signed_in->session.expires_at, clock_.UnixMillis() + 12 * 3'600'000);
  clock_.Advance(hours(12) - milliseconds(1));
  EXPECT_TRUE(SessionOpen(signed_in->session_secret));
  clock_.Advance(milliseconds(1));
  EXPECT_FALSE(SessionOpen(signed_in->session_secret));
}

TEST_F(ConsoleAuthTest, SignOutAndRevokeAllEndSessions) {
  auto one = Redeem(Link());
  auto two = Redeem(Link());
  auto three = Redeem(Link());
  ASSERT_TRUE(one && two && three);
  ASSERT_TRUE(auth_->SignOut(one->session_secret).ok());
  EXPECT_FALSE(SessionOpen(one->session_secret));
  EXPECT_TRUE(SessionOpen(two->session_secret));
  EXPECT_EQ(*store_->RevokeConsoleSessions(kAlice), 2);
  EXPECT_FALSE(SessionOpen(two->session_secret));
  EXPECT_FALSE(SessionOpen(three->session_secret));
}

TEST_F(ConsoleAuthTest, OnlyHashesAreStoredAndMalformedSecretsAreRefused) {
  const std::string link = Link();
  auto signed_in = Redeem(link);
  ASSERT_TRUE(signed_in.has_value());
  // The Store knows the hash, never the secret itself.
  EXPECT_TRUE(store_->FindConsoleSession(Sha256Hex(signed_in->session_secret))->has_value());
  EXPECT_FALSE(store_->FindConsoleSession(signed_in->session_secret)->has_value());
  for (const std::string& bad :
       std::vector<std::string>{"", "abc", std::string(64, 'g'), std::string(64, 'A')}) {
    EXPECT_FALSE(Redeem(bad).has_value()) << bad;
    EXPECT_FALSE(SessionOpen(bad)) << bad;
  }
}

TEST(CsrfTokenTest, BelongsToItsSessionOnly) {
  const std::string a(64, 'a'), b(64, 'b');
  const std::string token = CsrfTokenFor(a);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_NE(token, a);
  EXPECT_TRUE(CsrfTokenMatches(a, token));
  EXPECT_FALSE(CsrfTokenMatches(b, token));
  EXPECT_FALSE(CsrfTokenMatches(a, ""));
  EXPECT_FALSE(CsrfTokenMatches(a, token.substr(1)));
}

TEST(ConsoleLoginUrlTest, JoinsThePublicUrl) {
  EXPECT_EQ(ConsoleLoginUrl("https://faq.example.com/", "ab"),
            "https://faq.example.com/console/login?token=ab");
  EXPECT_EQ(ConsoleLoginUrl("http://localhost:3000", "ab"),
            "http://localhost:3000/console/login?token=ab");
}

}  // namespace
}  // namespace faqbot::server
