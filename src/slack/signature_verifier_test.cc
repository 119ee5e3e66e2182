#include "slack/signature_verifier.h"

#include <gtest/gtest.h>

#include <string>

namespace faqbot::slack {
namespace {

// The worked example of Slack's "Verifying requests from Slack" page, verbatim.
constexpr std::string_view kDocSecret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr int64_t kDocTimestamp = 1531420618;
constexpr std::string_view kDocBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
    "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
constexpr std::string_view kDocSignature =
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

Headers DocHeaders() {
  return {{"X-Slack-Request-Timestamp", std::to_string(kDocTimestamp)},
          {"X-Slack-Signature", std::string(kDocSignature)}};
}

TEST(SignatureVerifierTest, ComputesTheDocumentedSignature) {
  ASSERT_EQ(kDocBody.size(), 362u);
  EXPECT_EQ(ComputeSignature(kDocSecret, kDocTimestamp, kDocBody), kDocSignature);
}

TEST(SignatureVerifierTest, ComputesOtherVectors) {
  // Computed independently with Python's hmac and `openssl dgst` (slack-platform.md §1.3).
  EXPECT_EQ(ComputeSignature(kDocSecret, 1700000000, ""),
            "v0=e32114b39f9a22e4b8d8778478b39e6ed0677e5562e5474c3104b4074f1917e2");
  EXPECT_EQ(
      ComputeSignature("test-secret", 1700000000, "payload=%7B%22type%22%3A%22block_actions%22%7D"),
      "v0=98fc666792b53d71acd495582349fb4120943d709d6463eca07f743d2ddc726a");
}

TEST(SignatureVerifierTest, AcceptsTheDocumentedRequest) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  EXPECT_TRUE(verifier.Verify(DocHeaders(), kDocBody).ok());
}

TEST(SignatureVerifierTest, HeaderNamesAreCaseInsensitive) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  Headers lower{{"x-slack-request-timestamp", std::to_string(kDocTimestamp)},
                {"x-slack-signature", std::string(kDocSignature)}};
  EXPECT_TRUE(verifier.Verify(lower, kDocBody).ok());
  Headers upper{{"X-SLACK-REQUEST-TIMESTAMP", std::to_string(kDocTimestamp)},
                {"X-SLACK-SIGNATURE", std::string(kDocSignature)}};
  EXPECT_TRUE(verifier.Verify(upper, kDocBody).ok());
}

TEST(SignatureVerifierTest, AcceptsTheEdgesOfTheWindow) {
  FakeClock clock(kDocTimestamp - 300);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  EXPECT_TRUE(verifier.Verify(DocHeaders(), kDocBody).ok());
  clock.SetUnixSeconds(kDocTimestamp + 300);
  EXPECT_TRUE(verifier.Verify(DocHeaders(), kDocBody).ok());
}

TEST(SignatureVerifierTest, RejectsStaleTimestamp) {
  FakeClock clock(kDocTimestamp + 301);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  Status s = verifier.Verify(DocHeaders(), kDocBody);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("stale"), std::string::npos) << s;
}

TEST(SignatureVerifierTest, RejectsFutureTimestamp) {
  FakeClock clock(kDocTimestamp - 301);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  EXPECT_EQ(verifier.Verify(DocHeaders(), kDocBody).code(), StatusCode::kUnauthenticated);
}

TEST(SignatureVerifierTest, RejectsTheRealClockForAnOldRequest) {
  SignatureVerifier verifier(std::string(kDocSecret), SystemClock::Instance());
  EXPECT_EQ(verifier.Verify(DocHeaders(), kDocBody).code(), StatusCode::kUnauthenticated);
}

TEST(SignatureVerifierTest, RejectsWrongSecret) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier("8f742231b10e8888abcd99yyyzzz85a6", clock);
  Status s = verifier.Verify(DocHeaders(), kDocBody);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("does not match"), std::string::npos) << s;
}

TEST(SignatureVerifierTest, RejectsAlteredBody) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  EXPECT_EQ(verifier.Verify(DocHeaders(), std::string(kDocBody) + "------").code(),
            StatusCode::kUnauthenticated);
  std::string flipped(kDocBody);
  flipped[10] ^= 1;
  EXPECT_EQ(verifier.Verify(DocHeaders(), flipped).code(), StatusCode::kUnauthenticated);
}

TEST(SignatureVerifierTest, RejectsAlteredTimestampWithinTheWindow) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  Headers h = DocHeaders();
  h["X-Slack-Request-Timestamp"] = std::to_string(kDocTimestamp + 1);
  EXPECT_EQ(verifier.Verify(h, kDocBody).code(), StatusCode::kUnauthenticated);
}

TEST(SignatureVerifierTest, RejectsOtherVersionPrefix) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  Headers h = DocHeaders();
  h["X-Slack-Signature"] = "v1=" + std::string(kDocSignature.substr(3));
  Status s = verifier.Verify(h, kDocBody);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("version"), std::string::npos) << s;
}

TEST(SignatureVerifierTest, RejectsWrongLength) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  Headers h = DocHeaders();
  h["X-Slack-Signature"] = std::string(kDocSignature.substr(0, kDocSignature.size() - 1));
  EXPECT_EQ(verifier.Verify(h, kDocBody).code(), StatusCode::kUnauthenticated);
  h["X-Slack-Signature"] = std::string(kDocSignature) + "0";
  EXPECT_EQ(verifier.Verify(h, kDocBody).code(), StatusCode::kUnauthenticated);
  h["X-Slack-Signature"] = "v0=";
  EXPECT_EQ(verifier.Verify(h, kDocBody).code(), StatusCode::kUnauthenticated);
}

TEST(SignatureVerifierTest, RejectsUpperCaseHex) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  Headers h = DocHeaders();
  std::string upper(kDocSignature);
  for (size_t i = 3; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  h["X-Slack-Signature"] = upper;
  EXPECT_EQ(verifier.Verify(h, kDocBody).code(), StatusCode::kUnauthenticated);
}

TEST(SignatureVerifierTest, RejectsNonNumericTimestamp) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  for (const char* bad : {"abc", "1531420618.5", " 1531420618", "1531420618x", "-1531420618",
                          "99999999999999999999999"}) {
    Headers h = DocHeaders();
    h["X-Slack-Request-Timestamp"] = bad;
    EXPECT_EQ(verifier.Verify(h, kDocBody).code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SignatureVerifierTest, RejectsMissingTimestampHeader) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  Headers h = DocHeaders();
  h.erase("x-slack-request-timestamp");
  Status s = verifier.Verify(h, kDocBody);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("X-Slack-Request-Timestamp"), std::string::npos) << s;
}

TEST(SignatureVerifierTest, RejectsMissingSignatureHeader) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  Headers h = DocHeaders();
  h.erase("x-slack-signature");
  Status s = verifier.Verify(h, kDocBody);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("X-Slack-Signature"), std::string::npos) << s;
}

TEST(SignatureVerifierTest, WithoutASecretRejectsEverything) {
  FakeClock clock(1700000000);
  SignatureVerifier verifier("", clock);
  Headers h{{"X-Slack-Request-Timestamp", "1700000000"},
            {"X-Slack-Signature", ComputeSignature("", 1700000000, "{}")}};
  EXPECT_EQ(verifier.Verify(h, "{}").code(), StatusCode::kUnauthenticated);
}

TEST(SignatureVerifierTest, ErrorMessagesNeverContainTheExpectedSignature) {
  FakeClock clock(kDocTimestamp);
  SignatureVerifier verifier(std::string(kDocSecret), clock);
  Headers h = DocHeaders();
  h["X-Slack-Signature"] = "v0=" + std::string(64, '0');
  Status s = verifier.Verify(h, kDocBody);
  EXPECT_EQ(s.message().find(kDocSignature.substr(3)), std::string::npos);
  EXPECT_EQ(s.message().find(kDocSecret), std::string::npos);
}

}  // namespace
}  // namespace faqbot::slack
