// The HTTP front door end to end: HttpServer + RegisterSlackEndpoints + a real InboundRouter
// (SignatureVerifier with a test secret, InMemoryDedupStore, a ThreadPool, a handler that records
// what it processes), fed by the emulator's signed requests over loopback.
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "common/clock.h"
#include "common/executor.h"
#include "fixtures.h"
#include "request_signer.h"
#include "server/health_endpoints.h"
#include "server/http_server.h"
#include "server/http_test_client.h"
#include "server/slack_endpoints.h"
#include "slack/dedup_store.h"
#include "slack/inbound_router.h"
#include "slack/signature_verifier.h"
#include "slack_emulator.h"

namespace faqbot::server {
namespace {

using slack_emulator::PostSigned;
using slack_emulator::PostSignedBody;
using slack_emulator::SignedKind;
using slack_emulator::SignOptions;
using slack_emulator::SlackEmulator;
namespace fixtures = slack_emulator::fixtures;

constexpr char kSecret[] = "integration-test-signing-secret";
constexpr auto kWait = std::chrono::seconds(10);

class ServerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(testing::LoopbackServerOptions());
    ASSERT_TRUE(RegisterSlackEndpoints(*server_, router_).ok());
    ASSERT_TRUE(RegisterHealthEndpoints(*server_, nullptr).ok());
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override {
    server_->Stop();   // no new requests, then
    pool_.Shutdown();  // the processing already accepted finishes
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  // Waits until every task the router posted has run.
  void WaitForProcessing() {
    ASSERT_TRUE(SlackEmulator::WaitFor([this] { return pool_.pending() == 0; }, kWait));
  }

  std::vector<slack::InboundEvent> Processed() {
    std::lock_guard lock(mu_);
    return processed_;
  }

  FakeClock clock_;
  slack::SignatureVerifier verifier_{kSecret, clock_};
  slack::InMemoryDedupStore dedup_{clock_};
  ThreadPool pool_{2, "slack-events"};
  std::mutex mu_;
  std::vector<slack::InboundEvent> processed_;
  slack::InboundRouter router_{verifier_, dedup_, pool_, clock_, [this](slack::InboundEvent event) {
                                 std::lock_guard lock(mu_);
                                 processed_.push_back(std::move(event));
                               }};
  std::unique_ptr<HttpServer> server_;
};

nlohmann::json DirectMessage(const std::string& event_id) {
  return fixtures::EventCallback(
      fixtures::MessageImEvent("U0ASKER01", "D0DIRECT1", "how do I reset my VPN?",
                               "1700000000.000100"),
      event_id);
}

TEST_F(ServerIntegrationTest, UrlVerificationEchoesTheChallenge) {
  auto res = PostSigned(Url("/slack/events"), SignedKind::kEvent,
                        fixtures::UrlVerification("challenge-3eZbrw1aBm2"), kSecret, clock_);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(nlohmann::json::parse(res->body)["challenge"], "challenge-3eZbrw1aBm2");
  WaitForProcessing();
  EXPECT_TRUE(Processed().empty());
}

TEST_F(ServerIntegrationTest, DirectMessageIsProcessedOnceEvenWhenRetried) {
  auto first = PostSigned(Url("/slack/events"), SignedKind::kEvent, DirectMessage("Ev0DM0001"),
                          kSecret, clock_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "");
  ASSERT_TRUE(SlackEmulator::WaitFor([this] { return Processed().size() == 1; }, kWait));

  SignOptions retry;
  retry.retry_num = 1;
  retry.retry_reason = "http_timeout";
  auto again = PostSigned(Url("/slack/events"), SignedKind::kEvent, DirectMessage("Ev0DM0001"),
                          kSecret, clock_, retry);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, 200);  // acked, so Slack stops retrying
  WaitForProcessing();

  const auto processed = Processed();
  ASSERT_EQ(processed.size(), 1u);
  EXPECT_EQ(processed[0].event_id, "Ev0DM0001");
  EXPECT_EQ(processed[0].retry_num, 0);
  const auto& message = std::get<slack::MessageEvent>(processed[0].payload);
  EXPECT_EQ(message.channel, "D0DIRECT1");
  EXPECT_EQ(message.channel_type, "im");
  EXPECT_EQ(message.user, "U0ASKER01");
  EXPECT_EQ(message.text, "how do I reset my VPN?");
}

TEST_F(ServerIntegrationTest, WrongSignatureIs401AndNotProcessed) {
  SignOptions bad;
  bad.bad_signature = true;
  auto res = PostSigned(Url("/slack/events"), SignedKind::kEvent, DirectMessage("Ev0BAD0001"),
                        kSecret, clock_, bad);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 401);
  WaitForProcessing();
  EXPECT_TRUE(Processed().empty());
}

TEST_F(ServerIntegrationTest, StaleTimestampIs401AndNotProcessed) {
  SignOptions stale;
  stale.timestamp_offset_seconds = -301;
  auto res = PostSigned(Url("/slack/events"), SignedKind::kEvent, DirectMessage("Ev0OLD0001"),
                        kSecret, clock_, stale);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 401);
  WaitForProcessing();
  EXPECT_TRUE(Processed().empty());
}

TEST_F(ServerIntegrationTest, BlockActionsInteractionIsAckedAndProcessed) {
  auto res = PostSigned(
      Url("/slack/interactive"), SignedKind::kInteraction,
      fixtures::BlockActionsButton("feedback_helpful", "topic-42", "U0ASKER01", "C0GENERAL1",
                                   "1700000000.000200", "https://hooks.slack.com/actions/T/1/x"),
      kSecret, clock_);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "");
  ASSERT_TRUE(SlackEmulator::WaitFor([this] { return Processed().size() == 1; }, kWait));
  const auto processed = Processed();
  const auto& action = std::get<slack::BlockAction>(processed[0].payload);
  EXPECT_EQ(action.action_id, "feedback_helpful");
  EXPECT_EQ(action.value, "topic-42");
  EXPECT_EQ(action.user, "U0ASKER01");
}

TEST_F(ServerIntegrationTest, SlashCommandGetsAnImmediateAckBody) {
  auto res =
      PostSigned(Url("/slack/commands"), SignedKind::kSlashCommand,
                 fixtures::SlashCommand("/ask", "<@U0OWNER01> where is the VPN guide?", "U0ASKER01",
                                        "C0GENERAL1", "https://hooks.slack.com/commands/T/1/y"),
                 kSecret, clock_);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->headers["content-type"], "application/json");
  const auto ack = nlohmann::json::parse(res->body);
  EXPECT_EQ(ack["response_type"], "ephemeral");
  EXPECT_FALSE(ack["text"].get<std::string>().empty());
  ASSERT_TRUE(SlackEmulator::WaitFor([this] { return Processed().size() == 1; }, kWait));
  const auto processed = Processed();
  const auto& command = std::get<slack::SlashCommand>(processed[0].payload);
  EXPECT_EQ(command.command, "/ask");
  EXPECT_EQ(command.text, "<@U0OWNER01> where is the VPN guide?");
}

TEST_F(ServerIntegrationTest, TwoMegabyteBodyIs413) {
  nlohmann::json huge = DirectMessage("Ev0BIG0001");
  huge["event"]["text"] = std::string(2 << 20, 'a');
  auto res = PostSignedBody(Url("/slack/events"), "application/json", huge.dump(), kSecret, clock_);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(nlohmann::json::parse(res->body)["error"], "resource_exhausted");
  WaitForProcessing();
  EXPECT_TRUE(Processed().empty());
}

TEST_F(ServerIntegrationTest, HealthzAnswersBesideTheSlackRoutes) {
  auto res = PostSignedBody(Url("/healthz"), "text/plain", "", kSecret, clock_);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 405);  // GET only; PostSignedBody can only POST
}

}  // namespace
}  // namespace faqbot::server
