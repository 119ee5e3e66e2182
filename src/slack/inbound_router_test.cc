#include "slack/inbound_router.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "common/status_http.h"
#include "slack/inbound_test_support.h"

namespace faqbot::slack {
namespace {

using testing::Fixture;
using testing::FixtureJson;
using testing::InteractionFormBody;
using testing::kSecret;
using testing::SignedHeaders;

constexpr int64_t kNow = 1'700'000'000;
const BotIdentity kSelf{"U0FAQBOT01", "B0FAQBOT01"};

// A dedup store whose backing database is down.
class DownDedupStore final : public DedupStore {
 public:
  Result<bool> MarkIfNew(std::string_view, int64_t) override {
    return UnavailableError("database down");
  }
};

class InboundRouterTest : public ::testing::Test {
 protected:
  InboundRouterTest() { Rebuild({}); }

  void Rebuild(InboundRouterOptions options, DedupStore* dedup = nullptr) {
    options.self = kSelf;
    router_ = std::make_unique<InboundRouter>(
        verifier_, dedup == nullptr ? dedup_ : *dedup, executor_, clock_,
        [this](InboundEvent e) { handled_.push_back(std::move(e)); }, std::move(options));
  }
  // A router that stores every accepted event in `inbox` instead of handling it.
  void RebuildWithInbox(EventInbox& inbox, InboundRouterOptions options = {}) {
    options.self = kSelf;
    router_ = std::make_unique<InboundRouter>(verifier_, inbox, clock_, std::move(options));
  }

  AckResponse Post(RequestKind kind, const std::string& body, Headers extra = {}) {
    Headers h = SignedHeaders(body, clock_.UnixSeconds());
    for (auto& [k, v] : extra) h[k] = v;
    return router_->HandleHttp(kind, h, body);
  }

  FakeClock clock_{kNow};
  SignatureVerifier verifier_{kSecret, clock_};
  InMemoryDedupStore dedup_{clock_};
  ManualExecutor executor_;
  std::vector<InboundEvent> handled_;
  std::unique_ptr<InboundRouter> router_;
};

TEST_F(InboundRouterTest, UrlVerificationAnswersTheChallenge) {
  AckResponse r = Post(RequestKind::kEvents, Fixture("events_url_verification.json"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(
      nlohmann::json::parse(r.body),
      nlohmann::json({{"challenge", "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}}));
  EXPECT_EQ(executor_.pending(), 0u);
}

TEST_F(InboundRouterTest, AckIsReturnedBeforeProcessingRuns) {
  AckResponse r = Post(RequestKind::kEvents, Fixture("events_message_im.json"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_TRUE(handled_.empty());  // nothing ran on the request thread
  EXPECT_EQ(executor_.pending(), 1u);
  executor_.RunAll();
  ASSERT_EQ(handled_.size(), 1u);
  const auto& m = std::get<MessageEvent>(handled_[0].payload);
  EXPECT_EQ(m.text, "ask <@U0OWNER001> how do I reset my VPN password?");
  EXPECT_EQ(handled_[0].event_id, "Ev0FAQDM0001");
  EXPECT_EQ(handled_[0].retry_num, 0);
}

TEST_F(InboundRouterTest, RetriedEventIsProcessedOnce) {
  const std::string body = Fixture("events_app_mention_rich_text.json");
  EXPECT_EQ(Post(RequestKind::kEvents, body).status, 200);
  // Slack's retries while the first delivery is still queued…
  EXPECT_EQ(Post(RequestKind::kEvents, body,
                 {{"X-Slack-Retry-Num", "1"}, {"X-Slack-Retry-Reason", "http_timeout"}})
                .status,
            200);
  executor_.RunAll();
  // …and after it was processed, minutes later.
  clock_.Advance(std::chrono::minutes(5));
  EXPECT_EQ(Post(RequestKind::kEvents, body,
                 {{"x-slack-retry-num", "3"}, {"x-slack-retry-reason", "http_error"}})
                .status,
            200);
  executor_.RunAll();
  ASSERT_EQ(handled_.size(), 1u);
  EXPECT_EQ(handled_[0].retry_num, 0);
}

// While the handler runs, the thread's log context names the event, its team and its user, and
// says when the event arrived; a dropped retry is counted.
TEST_F(InboundRouterTest, TheHandlerRunsInTheEventsLogContextAndRetriesAreCounted) {
  std::vector<LogContext> seen;
  router_ = std::make_unique<InboundRouter>(
      verifier_, dedup_, executor_, clock_,
      [&seen](InboundEvent) {
        const LogContext* c = CurrentLogContext();
        if (c != nullptr) seen.push_back(*c);
      },
      InboundRouterOptions{.self = kSelf});
  auto& deduplicated = metrics::Faqbot().events_deduplicated.With();
  const uint64_t before = deduplicated.value();
  const Clock::TimePoint arrival = clock_.Now();
  const std::string body = Fixture("events_message_im.json");
  ASSERT_EQ(Post(RequestKind::kEvents, body).status, 200);
  clock_.Advance(std::chrono::seconds(2));  // the event waits in the executor's queue
  ASSERT_EQ(Post(RequestKind::kEvents, body, {{"X-Slack-Retry-Num", "1"}}).status, 200);
  executor_.RunAll();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].event_id, "Ev0FAQDM0001");
  EXPECT_EQ(seen[0].team_id, "T0FAQTEAM1");
  EXPECT_EQ(seen[0].user_id, "U0ASKER001");
  ASSERT_TRUE(seen[0].arrived.has_value());
  EXPECT_EQ(*seen[0].arrived, arrival);
  EXPECT_EQ(deduplicated.value(), before + 1);
  EXPECT_EQ(CurrentLogContext(), nullptr);  // restored after each event
  // A slash command over HTTP carries no id: the router numbers it.
  ASSERT_EQ(Post(RequestKind::kCommands, Fixture("command_ask.form")).status, 200);
  executor_.RunAll();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].event_id, "local-1");
  EXPECT_FALSE(seen[1].user_id.empty());
}

TEST_F(InboundRouterTest, RetryIsProcessedWhenTheFirstDeliveryNeverArrived) {
  Post(RequestKind::kEvents, Fixture("events_message_im.json"),
       {{"X-Slack-Retry-Num", "2"}, {"X-Slack-Retry-Reason", "connection_failed"}});
  executor_.RunAll();
  ASSERT_EQ(handled_.size(), 1u);
  EXPECT_EQ(handled_[0].retry_num, 2);
  EXPECT_EQ(handled_[0].retry_reason, "connection_failed");
}

TEST_F(InboundRouterTest, OwnAndOtherBotsMessagesAreAckedAndIgnored) {
  for (const char* f : {"events_message_own_bot.json", "events_message_other_bot.json",
                        "events_message_classic_bot.json", "events_message_changed.json",
                        "events_message_deleted.json"}) {
    AckResponse r = Post(RequestKind::kEvents, Fixture(f));
    EXPECT_EQ(r.status, 200) << f;
  }
  EXPECT_EQ(executor_.pending(), 0u);
}

// Another workspace of the same deployment has another bot user: the event's `authorizations`
// name it, and a message from it (even without a bot_id) is the app's own.
TEST_F(InboundRouterTest, EachWorkspacesOwnBotUserIsIgnored) {
  nlohmann::json body = FixtureJson("events_message_im.json");
  body["authorizations"][0]["user_id"] = "U0OTHERBOT";
  body["event"]["user"] = "U0OTHERBOT";
  EXPECT_EQ(Post(RequestKind::kEvents, body.dump()).status, 200);
  EXPECT_EQ(executor_.pending(), 0u);
  // A person's message in that workspace still goes through.
  body["event"]["user"] = "U0ASKER001";
  body["event_id"] = "Ev0FAQDM0002";
  EXPECT_EQ(Post(RequestKind::kEvents, body.dump()).status, 200);
  EXPECT_EQ(executor_.pending(), 1u);
}

TEST_F(InboundRouterTest, UnknownEventTypesAreAckedAndIgnored) {
  EXPECT_EQ(Post(RequestKind::kEvents, Fixture("events_reaction_added.json")).status, 200);
  EXPECT_EQ(
      Post(RequestKind::kInteractive, InteractionFormBody("interaction_shortcut.json")).status,
      200);
  EXPECT_EQ(executor_.pending(), 0u);
}

TEST_F(InboundRouterTest, BadSignatureIs401) {
  const std::string body = Fixture("events_message_im.json");
  Headers h = SignedHeaders(body, kNow);
  h["X-Slack-Signature"] = "v0=" + std::string(64, 'a');
  AckResponse r = router_->HandleHttp(RequestKind::kEvents, h, body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers.count("X-Slack-No-Retry"), 0u);
  EXPECT_EQ(executor_.pending(), 0u);
}

TEST_F(InboundRouterTest, RefusedRequestsAreLoggedOnceAMinuteWithACount) {
  // Anyone can send unsigned requests: a flood of them is one warning a minute, not one each.
  std::ostringstream log;
  InitLogging(LogFormat::kText, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  const std::string body = Fixture("events_message_im.json");
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(router_->HandleHttp(RequestKind::kEvents, {}, body).status, 401);
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(router_->HandleHttp(RequestKind::kEvents, {}, body).status, 401);
  InitLogging(LogFormat::kText, "warn");
  const std::string lines = log.str();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2) << lines;
  EXPECT_NE(lines.find("request rejected"), std::string::npos) << lines;
  EXPECT_NE(lines.find("and 49 more times in the last 60 s"), std::string::npos) << lines;
}

TEST_F(InboundRouterTest, StaleOrUnsignedRequestsAre401) {
  const std::string body = Fixture("events_message_im.json");
  EXPECT_EQ(router_->HandleHttp(RequestKind::kEvents, SignedHeaders(body, kNow - 301), body).status,
            401);
  EXPECT_EQ(router_->HandleHttp(RequestKind::kEvents, {}, body).status, 401);
  Headers bad_ts = SignedHeaders(body, kNow);
  bad_ts["X-Slack-Request-Timestamp"] = "soon";
  EXPECT_EQ(router_->HandleHttp(RequestKind::kEvents, bad_ts, body).status, 401);
  // A body signed for one URL and replayed with another body is rejected too.
  EXPECT_EQ(router_->HandleHttp(RequestKind::kEvents, SignedHeaders(body, kNow), body + " ").status,
            401);
  EXPECT_EQ(executor_.pending(), 0u);
}

TEST_F(InboundRouterTest, MalformedBodiesAre400) {
  for (const std::string body : {"{not json", "[]", "{\"type\":\"event_callback\"}"}) {
    AckResponse r = Post(RequestKind::kEvents, body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.headers.at("X-Slack-No-Retry"), "1");
    EXPECT_FALSE(nlohmann::json::parse(r.body).at("error").get<std::string>().empty());
  }
  EXPECT_EQ(Post(RequestKind::kInteractive, "payload=%ZZ").status, 400);
  EXPECT_EQ(Post(RequestKind::kInteractive, "nopayload=1").status, 400);
  EXPECT_EQ(Post(RequestKind::kCommands, "team_id=T1").status, 400);
  EXPECT_EQ(executor_.pending(), 0u);
}

TEST_F(InboundRouterTest, OversizedBodyIs413BeforeVerification) {
  InboundRouterOptions options;
  options.max_body_bytes = 1000;
  Rebuild(options);
  const std::string body =
      "{\"type\":\"url_verification\",\"challenge\":\"" + std::string(2000, 'x') + "\"}";
  AckResponse r = Post(RequestKind::kEvents, body);  // correctly signed, still too large
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers.at("X-Slack-No-Retry"), "1");
  EXPECT_EQ(router_->HandleHttp(RequestKind::kEvents, {}, body).status, 413);
}

// Every rejection is common/status_http.h's status and error body for the Status behind it.
TEST_F(InboundRouterTest, RejectionsUseTheSharedStatusMappingAndErrorBody) {
  const std::string body = Fixture("events_message_im.json");
  AckResponse unsigned_request = router_->HandleHttp(RequestKind::kEvents, {}, body);
  EXPECT_EQ(unsigned_request.status, HttpStatusFor(StatusCode::kUnauthenticated));
  EXPECT_EQ(unsigned_request.body, ErrorJson(UnauthenticatedError("invalid request signature")));
  EXPECT_EQ(unsigned_request.content_type, "application/json");

  AckResponse malformed = Post(RequestKind::kEvents, "[]");
  const nlohmann::json error = nlohmann::json::parse(malformed.body);
  EXPECT_EQ(malformed.status, HttpStatusFor(StatusCode::kInvalidArgument));
  EXPECT_EQ(malformed.body, ErrorJson(InvalidArgumentError(error.value("message", ""))));

  InboundRouterOptions small;
  small.max_body_bytes = 10;
  Rebuild(small);
  AckResponse too_large = Post(RequestKind::kEvents, body);
  EXPECT_EQ(too_large.status, HttpStatusFor(StatusCode::kResourceExhausted));
  EXPECT_EQ(too_large.body, ErrorJson(ResourceExhaustedError("request body too large")));

  Rebuild({});
  executor_.Shutdown();
  AckResponse shutting_down = Post(RequestKind::kEvents, body);
  EXPECT_EQ(shutting_down.status, HttpStatusFor(StatusCode::kUnavailable));
  EXPECT_EQ(shutting_down.body, ErrorJson(UnavailableError("not accepting events: shutting down")));
}

TEST_F(InboundRouterTest, SlashCommandIsAckedWithAnEphemeralMessage) {
  AckResponse r = Post(RequestKind::kCommands, Fixture("command_ask.form"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["response_type"], "ephemeral");
  EXPECT_EQ(body["text"], "Working on it\u2026");
  EXPECT_TRUE(handled_.empty());
  executor_.RunAll();
  ASSERT_EQ(handled_.size(), 1u);
  EXPECT_EQ(std::get<SlashCommand>(handled_[0].payload).command, "/ask");
}

TEST_F(InboundRouterTest, AckBuilderSuppliesTheAckAndItsFailureStillAcks) {
  InboundRouterOptions options;
  options.ack_builder = [](const InboundEvent& e) -> std::optional<nlohmann::json> {
    if (std::holds_alternative<ViewSubmission>(e.payload)) {
      return nlohmann::json{{"response_action", "errors"},
                            {"errors", {{"answer", "An answer is needed"}}}};
    }
    throw std::runtime_error("builder bug");
  };
  Rebuild(options);
  AckResponse view =
      Post(RequestKind::kInteractive, InteractionFormBody("interaction_view_submission.json"));
  EXPECT_EQ(view.status, 200);
  EXPECT_EQ(nlohmann::json::parse(view.body)["response_action"], "errors");
  AckResponse command = Post(RequestKind::kCommands, Fixture("command_ask.form"));
  EXPECT_EQ(command.status, 200);
  EXPECT_EQ(command.body, "");
  executor_.RunAll();
  EXPECT_EQ(handled_.size(), 2u);
}

TEST_F(InboundRouterTest, SslCheckIsAnsweredWithoutSignatureOrProcessing) {
  AckResponse r =
      router_->HandleHttp(RequestKind::kCommands, {}, Fixture("command_ssl_check.form"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(executor_.pending(), 0u);
  // Only on the commands URL.
  EXPECT_EQ(router_->HandleHttp(RequestKind::kEvents, {}, "ssl_check=1").status, 401);
  // Any other unsigned command is refused before its content counts, malformed or not.
  EXPECT_EQ(router_->HandleHttp(RequestKind::kCommands, {}, Fixture("command_ask.form")).status,
            401);
  EXPECT_EQ(router_->HandleHttp(RequestKind::kCommands, {}, "text=%ZZ").status, 401);
}

TEST_F(InboundRouterTest, BlockActionIsAckedEmptyAndProcessed) {
  AckResponse r =
      Post(RequestKind::kInteractive, InteractionFormBody("interaction_block_actions.json"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  executor_.RunAll();
  ASSERT_EQ(handled_.size(), 1u);
  EXPECT_EQ(std::get<BlockAction>(handled_[0].payload).value, "topic-42:yes");
}

TEST_F(InboundRouterTest, AViewSubmissionDeliveredTwiceIsHandledOnce) {
  // Slack does not resend interactions, but a proxy or a replay within the signature's window
  // can: the same submission, signed again later, must not add the topic twice.
  const std::string body = InteractionFormBody("interaction_view_submission.json");
  EXPECT_EQ(Post(RequestKind::kInteractive, body).status, 200);
  clock_.Advance(std::chrono::seconds(20));
  EXPECT_EQ(Post(RequestKind::kInteractive, body).status, 200);
  // A double submit: another trigger, the same view and values.
  nlohmann::json again = FixtureJson("interaction_view_submission.json");
  again["trigger_id"] = "6211112233448.5566778899.ffeeddccbbaa99887766554433221100";
  EXPECT_EQ(Post(RequestKind::kInteractive, "payload=" + PercentEncode(again.dump())).status, 200);
  executor_.RunAll();
  EXPECT_EQ(handled_.size(), 1u);
  // Another modal that happens to share the view id and values (a confirmation with no inputs,
  // say) but not its metadata: a submission of its own.
  nlohmann::json other = FixtureJson("interaction_view_submission.json");
  other["view"]["private_metadata"] = "{\"topic\":\"another\"}";
  EXPECT_EQ(Post(RequestKind::kInteractive, "payload=" + PercentEncode(other.dump())).status, 200);
  executor_.RunAll();
  EXPECT_EQ(handled_.size(), 2u);
  handled_.pop_back();
  // Submitted again with other values (the modal showed an error, the owner corrected it).
  nlohmann::json corrected = FixtureJson("interaction_view_submission.json");
  corrected["view"]["state"]["values"]["answer"]["text"]["value"] = "Settings, then Reset.";
  EXPECT_EQ(Post(RequestKind::kInteractive, "payload=" + PercentEncode(corrected.dump())).status,
            200);
  executor_.RunAll();
  ASSERT_EQ(handled_.size(), 2u);
  EXPECT_EQ(std::get<ViewSubmission>(handled_[1].payload).values.at("answer.text"),
            "Settings, then Reset.");
}

TEST_F(InboundRouterTest, HandlerExceptionIsCaughtAndLaterEventsStillRun) {
  int calls = 0;
  router_ = std::make_unique<InboundRouter>(
      verifier_, dedup_, executor_, clock_,
      [&](InboundEvent) {
        if (++calls == 1) throw std::runtime_error("assistant bug");
      },
      InboundRouterOptions{.self = kSelf});
  Post(RequestKind::kEvents, Fixture("events_message_im.json"));
  Post(RequestKind::kEvents, Fixture("events_app_mention_rich_text.json"));
  EXPECT_NO_THROW(executor_.RunAll());
  EXPECT_EQ(calls, 2);
}

TEST_F(InboundRouterTest, ShutDownExecutorIs503AndTheRetryIsStillProcessed) {
  const std::string body = Fixture("events_message_im.json");
  executor_.Shutdown();
  EXPECT_EQ(Post(RequestKind::kEvents, body).status, 503);
  // Another process (same dedup store) gets Slack's retry and must not see it as a duplicate.
  ManualExecutor other;
  InboundRouter next(verifier_, dedup_, other, clock_,
                     [this](InboundEvent e) { handled_.push_back(std::move(e)); });
  EXPECT_EQ(next.HandleHttp(RequestKind::kEvents, SignedHeaders(body, kNow), body).status, 200);
  other.RunAll();
  EXPECT_EQ(handled_.size(), 1u);
}

TEST_F(InboundRouterTest, DedupStoreFailureStillProcesses) {
  DownDedupStore down;
  Rebuild({}, &down);
  Post(RequestKind::kEvents, Fixture("events_message_im.json"));
  executor_.RunAll();
  EXPECT_EQ(handled_.size(), 1u);
}

TEST_F(InboundRouterTest, SocketModeEventRetryIsProcessedOnce) {
  const nlohmann::json payload = FixtureJson("events_app_mention_rich_text.json");
  auto first = router_->HandleSocketMode("events_api", payload, "env-1", 0, "");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, std::nullopt);
  auto retry = router_->HandleSocketMode("events_api", payload, "env-2", 1, "timeout");
  ASSERT_TRUE(retry.ok());
  executor_.RunAll();
  ASSERT_EQ(handled_.size(), 1u);
  EXPECT_EQ(handled_[0].event_id, "Ev0FAQMENT01");
}

TEST_F(InboundRouterTest, SocketModeSlashCommandAckCarriesThePayload) {
  auto ack = router_->HandleSocketMode(
      "slash_commands", FixtureJson("socket_slash_command_payload.json"), "env-3", 0, "");
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_TRUE(ack->has_value());
  EXPECT_EQ((**ack)["response_type"], "ephemeral");
  executor_.RunAll();
  ASSERT_EQ(handled_.size(), 1u);
}

TEST_F(InboundRouterTest, SocketModeRedeliveredEnvelopeIsProcessedOnce) {
  const nlohmann::json payload = FixtureJson("interaction_block_actions.json");
  ASSERT_TRUE(router_->HandleSocketMode("interactive", payload, "env-4", 0, "").ok());
  ASSERT_TRUE(router_->HandleSocketMode("interactive", payload, "env-4", 0, "").ok());
  ASSERT_TRUE(router_->HandleSocketMode("interactive", payload, "env-5", 0, "").ok());
  executor_.RunAll();
  EXPECT_EQ(handled_.size(), 2u);  // env-4 once, env-5 (a second click) once
}

TEST_F(InboundRouterTest, SocketModeErrors) {
  auto malformed = router_->HandleSocketMode("events_api", nlohmann::json::array(), "env-6", 0, "");
  EXPECT_EQ(malformed.status().code(), StatusCode::kInvalidArgument);
  // Larger than an HTTP body may be: refused for good (acked), not left to be delivered again.
  nlohmann::json huge = FixtureJson("events_message_im.json");
  huge["event"]["text"] = std::string(size_t{1} << 20, 'x');
  auto too_big = router_->HandleSocketMode("events_api", huge, "env-9", 0, "");
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_big.status().message().find("the limit is"), std::string::npos);
  auto unknown = router_->HandleSocketMode("hello_there", nlohmann::json::object(), "env-7", 0, "");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(*unknown, std::nullopt);
  EXPECT_EQ(executor_.pending(), 0u);
  executor_.Shutdown();
  auto down = router_->HandleSocketMode("events_api", FixtureJson("events_message_im.json"),
                                        "env-8", 0, "");
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
}

TEST_F(InboundRouterTest, SocketModeSkipsSignatureVerification) {
  SignatureVerifier no_secret("", clock_);
  InboundRouter socket_only(no_secret, dedup_, executor_, clock_,
                            [this](InboundEvent e) { handled_.push_back(std::move(e)); });
  ASSERT_TRUE(
      socket_only.HandleSocketMode("events_api", FixtureJson("events_message_im.json"), "e", 0, "")
          .ok());
  executor_.RunAll();
  EXPECT_EQ(handled_.size(), 1u);
  // While its HTTP path, without a secret, accepts nothing.
  const std::string body = Fixture("events_message_im.json");
  EXPECT_EQ(socket_only.HandleHttp(RequestKind::kEvents, SignedHeaders(body, kNow), body).status,
            401);
}

// ---- with a durable inbox ----

// The inbox seam as the router sees it: entries kept in order, a key stored once. (The Store's
// inbox is tested in tests/store and, behind this router, in server/inbox_dispatcher_test.cc.)
class ListInbox final : public EventInbox {
 public:
  Result<bool> Add(const InboxEntry& entry) override {
    if (!entry.dedup_key.empty() && !keys_.insert(entry.dedup_key).second) return false;
    entries.push_back(entry);
    return true;
  }
  std::vector<InboxEntry> entries;

 private:
  std::set<std::string> keys_;
};

// An inbox whose database is down.
class DownInbox final : public EventInbox {
 public:
  Result<bool> Add(const InboxEntry&) override { return UnavailableError("database down"); }
};

TEST_F(InboundRouterTest, InboxHoldsTheEventWhenTheAckIsReturned) {
  ListInbox inbox;
  RebuildWithInbox(inbox);
  const std::string body = Fixture("events_message_im.json");
  AckResponse r = Post(RequestKind::kEvents, body);
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(inbox.entries.size(), 1u);
  const InboxEntry& e = inbox.entries[0];
  EXPECT_EQ(e.dedup_key, "Ev0FAQDM0001");
  EXPECT_EQ(e.kind, kInboxHttpEvents);
  EXPECT_EQ(e.payload, body);
  auto event = ParseInboxEntry(e.kind, e.payload);
  ASSERT_TRUE(event.ok()) << event.status();
  const auto& m = std::get<MessageEvent>(event->payload);
  EXPECT_EQ(e.team_id, m.team_id);
  EXPECT_EQ(e.person_id, m.user);
  EXPECT_EQ(event->event_id, "Ev0FAQDM0001");
  // The inbox has it handled: nothing was posted here.
  EXPECT_EQ(executor_.pending(), 0u);
  // Slack's retry is acknowledged and dropped.
  EXPECT_EQ(Post(RequestKind::kEvents, body, {{"X-Slack-Retry-Num", "1"}}).status, 200);
  EXPECT_EQ(inbox.entries.size(), 1u);
}

TEST_F(InboundRouterTest, InboxFailureIsNotAcknowledged) {
  DownInbox down;
  RebuildWithInbox(down);
  AckResponse r = Post(RequestKind::kEvents, Fixture("events_message_im.json"));
  EXPECT_EQ(r.status, 503);
  auto sm = router_->HandleSocketMode("interactive", FixtureJson("interaction_block_actions.json"),
                                      "env-9", 0, "");
  EXPECT_EQ(sm.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(executor_.pending(), 0u);
  EXPECT_TRUE(handled_.empty());
}

TEST_F(InboundRouterTest, InboxKeepsEveryKindReadableAndTheSynchronousAck) {
  ListInbox inbox;
  InboundRouterOptions options;
  options.ack_builder = [](const InboundEvent& e) -> std::optional<nlohmann::json> {
    if (!std::holds_alternative<ViewSubmission>(e.payload)) return DefaultAck(e);
    return nlohmann::json{{"response_action", "errors"}, {"errors", {{"answer", "Needed"}}}};
  };
  RebuildWithInbox(inbox, options);
  AckResponse view =
      Post(RequestKind::kInteractive, InteractionFormBody("interaction_view_submission.json"));
  EXPECT_EQ(view.status, 200);
  EXPECT_EQ(nlohmann::json::parse(view.body)["response_action"], "errors");
  EXPECT_EQ(Post(RequestKind::kCommands, Fixture("command_ask.form")).status, 200);
  auto sm_command = router_->HandleSocketMode(
      "slash_commands", FixtureJson("socket_slash_command_payload.json"), "env-10", 0, "");
  ASSERT_TRUE(sm_command.ok() && sm_command->has_value());
  const nlohmann::json press = FixtureJson("interaction_block_actions.json");
  ASSERT_TRUE(router_->HandleSocketMode("interactive", press, "env-11", 0, "").ok());
  ASSERT_TRUE(router_->HandleSocketMode("interactive", press, "env-11", 0, "").ok());  // again
  ASSERT_TRUE(router_
                  ->HandleSocketMode("events_api", FixtureJson("events_app_home_opened.json"),
                                     "env-12", 0, "")
                  .ok());

  ASSERT_EQ(inbox.entries.size(), 5u);
  const std::vector<std::string_view> kinds = {kInboxHttpInteractive, kInboxHttpCommands,
                                               kInboxSocketCommands, kInboxSocketInteractive,
                                               kInboxSocketEvents};
  for (size_t i = 0; i < kinds.size(); ++i) {
    const InboxEntry& e = inbox.entries[i];
    EXPECT_EQ(e.kind, kinds[i]);
    auto event = ParseInboxEntry(e.kind, e.payload);
    ASSERT_TRUE(event.ok()) << e.kind << ": " << event.status();
    EXPECT_EQ(PersonOf(*event), std::make_pair(e.team_id, e.person_id));
    EXPECT_FALSE(e.person_id.empty()) << e.kind;
  }
  // HTTP interactions carry no id; a view submission is known by what it submits, in an id the
  // store takes (at most 64 bytes of [A-Za-z0-9._:-]: a real trigger_id alone is 56).
  const std::string& view_key = inbox.entries[0].dedup_key;
  EXPECT_TRUE(view_key.starts_with("view:")) << view_key;
  EXPECT_EQ(view_key.size(), 37u) << view_key;
  EXPECT_EQ(view_key.find_first_not_of("view:0123456789abcdef"), std::string::npos) << view_key;
  EXPECT_EQ(inbox.entries[1].dedup_key, "");
  EXPECT_EQ(inbox.entries[3].dedup_key, "envelope:env-11");
  EXPECT_EQ(inbox.entries[4].dedup_key, "Ev0FAQHOME01");
  EXPECT_EQ(std::get<BlockAction>(
                ParseInboxEntry(inbox.entries[3].kind, inbox.entries[3].payload)->payload)
                .value,
            "topic-42:yes");
  EXPECT_EQ(executor_.pending(), 0u);

  EXPECT_EQ(ParseInboxEntry("carrier_pigeon", "{}").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ParseInboxEntry(kInboxHttpEvents, Fixture("events_url_verification.json")).status().code(),
      StatusCode::kInvalidArgument);
}

TEST(InboundRouterConcurrencyTest, ConcurrentDeliveriesOfOneEventAreProcessedOnce) {
  FakeClock clock(kNow);
  SignatureVerifier verifier(kSecret, clock);
  InMemoryDedupStore dedup(clock);
  ThreadPool pool(2, "slack-test");
  std::mutex mu;
  std::vector<std::string> handled;
  InboundRouter router(verifier, dedup, pool, clock, [&](InboundEvent e) {
    std::lock_guard lock(mu);
    handled.push_back(e.event_id);
  });
  std::vector<std::string> bodies;
  for (const char* f : {"events_message_im.json", "events_app_mention_rich_text.json",
                        "events_app_home_opened.json"}) {
    bodies.push_back(Fixture(f));
  }
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        for (const std::string& body : bodies) {
          EXPECT_EQ(router.HandleHttp(RequestKind::kEvents, SignedHeaders(body, kNow), body).status,
                    200);
        }
      }
    });
  }
  for (auto& t : senders) t.join();
  pool.Shutdown();  // runs every queued task
  std::sort(handled.begin(), handled.end());
  EXPECT_EQ(handled, (std::vector<std::string>{"Ev0FAQDM0001", "Ev0FAQHOME01", "Ev0FAQMENT01"}));
}

}  // namespace
}  // namespace faqbot::slack
