#include "server/slack_endpoints.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/clock.h"
#include "common/executor.h"
#include "server/http_test_client.h"
#include "server/status_http.h"
#include "slack/dedup_store.h"
#include "slack/inbound_test_support.h"
#include "slack/signature_verifier.h"

namespace faqbot::server {
namespace {

using slack::HeaderValue;
using slack::InboundEvent;
using slack::testing::Fixture;
using slack::testing::InteractionFormBody;
using slack::testing::SignedHeaders;
using testing::TestHttpClient;

constexpr int64_t kNow = 1'700'000'000;

// A real server with the Slack routes over a router whose processing runs only when the test
// says so (ManualExecutor), on a fixed clock.
class SlackEndpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(testing::LoopbackServerOptions());
    ASSERT_TRUE(RegisterSlackEndpoints(*server_, router_).ok());
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(client_.Connect(server_->port()).ok());
  }

  void TearDown() override { server_->Stop(); }

  Result<testing::TestResponse> PostSigned(const std::string& path, const std::string& body,
                                           const std::string& content_type) {
    slack::Headers headers = SignedHeaders(body, kNow);
    headers["Content-Type"] = content_type;
    return client_.Send("POST", path, body, headers);
  }

  std::vector<InboundEvent> Processed() {
    executor_.RunAll();
    std::lock_guard lock(mu_);
    return events_;
  }

  FakeClock clock_{kNow};
  slack::SignatureVerifier verifier_{slack::testing::kSecret, clock_};
  slack::InMemoryDedupStore dedup_{clock_};
  ManualExecutor executor_;
  std::mutex mu_;
  std::vector<InboundEvent> events_;
  slack::InboundRouter router_{verifier_, dedup_, executor_, clock_, [this](InboundEvent event) {
                                 std::lock_guard lock(mu_);
                                 events_.push_back(std::move(event));
                               }};
  std::unique_ptr<HttpServer> server_;
  TestHttpClient client_;
};

TEST_F(SlackEndpointsTest, EventsRouteAcksAndPostsTheEvent) {
  auto res = PostSigned(kSlackEventsPath, Fixture("events_message_im.json"), "application/json");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "");
  auto events = Processed();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<slack::MessageEvent>(events[0].payload));
}

TEST_F(SlackEndpointsTest, UrlVerificationEchoesTheChallenge) {
  auto res =
      PostSigned(kSlackEventsPath, Fixture("events_url_verification.json"), "application/json");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(HeaderValue(res->headers, "content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(res->body)["challenge"],
            "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  EXPECT_TRUE(Processed().empty());
}

TEST_F(SlackEndpointsTest, InteractiveRouteTakesThePayloadForm) {
  auto res =
      PostSigned(kSlackInteractivePath, InteractionFormBody("interaction_block_actions.json"),
                 "application/x-www-form-urlencoded");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  auto events = Processed();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<slack::BlockAction>(events[0].payload));
}

TEST_F(SlackEndpointsTest, CommandsRouteAnswersWithTheRoutersAckBody) {
  auto res = PostSigned(kSlackCommandsPath, Fixture("command_ask.form"),
                        "application/x-www-form-urlencoded");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(HeaderValue(res->headers, "content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(res->body)["response_type"], "ephemeral");
  auto events = Processed();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<slack::SlashCommand>(events[0].payload).command, "/ask");
}

TEST_F(SlackEndpointsTest, EachRouteUsesItsOwnRequestKind) {
  // A slash command body sent to the Events URL is not JSON: 400, and the router's
  // X-Slack-No-Retry header comes through.
  auto res = PostSigned(kSlackEventsPath, Fixture("command_ask.form"),
                        "application/x-www-form-urlencoded");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(HeaderValue(res->headers, "x-slack-no-retry"), "1");
  EXPECT_TRUE(Processed().empty());
}

TEST_F(SlackEndpointsTest, UnsignedRequestIs401) {
  auto res = client_.Send("POST", kSlackEventsPath, Fixture("events_message_im.json"),
                          {{"Content-Type", "application/json"}});
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 401);
  EXPECT_TRUE(Processed().empty());
}

// The router's rejections and the server's own errors are one mapping with one body: the same
// Status gives the same HTTP status and bytes whichever of the two answers.
TEST_F(SlackEndpointsTest, RouterRejectionsAnswerLikeTheServersOwnErrors) {
  auto malformed = PostSigned(kSlackEventsPath, "{not json", "application/json");
  ASSERT_TRUE(malformed.ok()) << malformed.status();
  const nlohmann::json body = nlohmann::json::parse(malformed->body);
  ASSERT_TRUE(body.contains("message")) << malformed->body;
  const HttpResponse same = ErrorResponse(InvalidArgumentError(body["message"].get<std::string>()));
  EXPECT_EQ(malformed->status, same.status);
  EXPECT_EQ(malformed->body, same.body);
  EXPECT_EQ(HeaderValue(malformed->headers, "content-type"), same.content_type);

  auto unsigned_request = client_.Send("POST", kSlackEventsPath, "{}", {});
  ASSERT_TRUE(unsigned_request.ok()) << unsigned_request.status();
  const HttpResponse unauthenticated =
      ErrorResponse(UnauthenticatedError("invalid request signature"));
  EXPECT_EQ(unsigned_request->status, unauthenticated.status);
  EXPECT_EQ(unsigned_request->body, unauthenticated.body);

  executor_.Shutdown();
  auto shutting_down =
      PostSigned(kSlackEventsPath, Fixture("events_message_im.json"), "application/json");
  ASSERT_TRUE(shutting_down.ok()) << shutting_down.status();
  const nlohmann::json unavailable = nlohmann::json::parse(shutting_down->body);
  const HttpResponse server_unavailable =
      ErrorResponse(UnavailableError(unavailable.value("message", "")));
  EXPECT_EQ(shutting_down->status, server_unavailable.status);
  EXPECT_EQ(shutting_down->body, server_unavailable.body);
}

TEST_F(SlackEndpointsTest, OnlyPostIsRouted) {
  auto res = client_.Send("GET", kSlackEventsPath);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(HeaderValue(res->headers, "allow"), "POST");
}

TEST(SlackEndpointsRegistrationTest, RoutesTakenAreAnError) {
  FakeClock clock;
  slack::SignatureVerifier verifier("secret", clock);
  slack::InMemoryDedupStore dedup(clock);
  InlineExecutor executor;
  slack::InboundRouter router(verifier, dedup, executor, clock, [](InboundEvent) {});
  HttpServer server;
  ASSERT_TRUE(RegisterSlackEndpoints(server, router).ok());
  EXPECT_EQ(RegisterSlackEndpoints(server, router).code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace faqbot::server
