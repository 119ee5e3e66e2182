// WebApiClient parts that need no server. The HTTP behaviour (retries, Retry-After, pacing,
// Slack errors) is tested against the loopback emulator in tests/slack_emulator.
#include "slack/web_api_client.h"

#include <gtest/gtest.h>

namespace faqbot::slack {
namespace {

TEST(WebApiClientTest, SlackErrorCodeReadsTheCodeBack) {
  EXPECT_EQ(SlackErrorCode(NotFoundError("users.info: slack_error=user_not_found")),
            "user_not_found");
  EXPECT_EQ(SlackErrorCode(ResourceExhaustedError(
                "auth.test: slack_error=ratelimited (HTTP 429, Retry-After 30 s)")),
            "ratelimited");
  EXPECT_EQ(SlackErrorCode(UnavailableError("auth.test: HTTP 500")), "");
  EXPECT_EQ(SlackErrorCode(Status::Ok()), "");
}

TEST(WebApiClientTest, SlackRetryAfterReadsTheWaitBack) {
  EXPECT_EQ(SlackRetryAfter(ResourceExhaustedError(
                "chat.postMessage: slack_error=ratelimited (HTTP 429, Retry-After 120 s)")),
            std::chrono::seconds(120));
  EXPECT_EQ(SlackRetryAfter(ResourceExhaustedError(
                "reply: chat.postMessage: slack_error=ratelimited (HTTP 429, Retry-After 3 s) "
                "(after 4 attempts)")),
            std::chrono::seconds(3));
  EXPECT_EQ(SlackRetryAfter(UnavailableError("chat.postMessage: HTTP 500")), std::nullopt);
  EXPECT_EQ(SlackRetryAfter(ResourceExhaustedError("queue full")), std::nullopt);
  EXPECT_EQ(SlackRetryAfter(Status::Ok()), std::nullopt);
}

TEST(WebApiClientTest, RejectsBadArgumentsWithoutCallingSlack) {
  FakeClock clock;
  WebApiClientOptions options;
  options.base_url = "http://127.0.0.1:1/api";  // nothing listens; must not be reached
  options.max_retries = 0;
  WebApiClient client(options, clock);
  EXPECT_EQ(client.options().base_url, "http://127.0.0.1:1/api/");
  EXPECT_EQ(client.Call("chat.postMessage", nlohmann::json::array()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client.PostMessage({{"text", "no channel"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client.UpdateMessage({{"channel", "C1"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client.PostEphemeral({{"channel", "C1"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client.AppsConnectionsOpen().status().code(), StatusCode::kFailedPrecondition);
}

TEST(WebApiClientTest, UnreachableServerIsUnavailable) {
  FakeClock clock;
  WebApiClientOptions options;
  options.base_url = "http://127.0.0.1:1/api/";
  options.max_retries = 0;
  WebApiClient client(options, clock);
  auto r = client.AuthTest();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(SlackErrorCode(r.status()), "");
}

}  // namespace
}  // namespace faqbot::slack
