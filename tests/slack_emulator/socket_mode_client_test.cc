// SocketModeClient against the loopback Slack emulator: real WebSockets on 127.0.0.1, with
// timeouts shortened so every scenario runs in about a second.
#include "slack/socket_mode_client.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/clock.h"
#include "fixtures.h"
#include "slack/web_api_client.h"
#include "slack_emulator.h"
#include "tls_tunnel.h"

namespace faqbot::slack {
namespace {

using slack_emulator::SlackEmulator;
using slack_emulator::SlackEmulatorOptions;
using std::chrono::milliseconds;

constexpr milliseconds kWait{10'000};  // upper bound for conditions that take milliseconds

// Records what the handler saw; thread-safe.
class HandlerLog {
 public:
  EnvelopeHandler Handler(milliseconds work = milliseconds(0), EnvelopeReply reply = {}) {
    return [this, work, reply](const SocketModeEnvelope& e) -> Result<EnvelopeReply> {
      if (work.count() > 0) std::this_thread::sleep_for(work);
      std::lock_guard lock(mu_);
      envelopes_.push_back(e);
      ++per_id_[e.envelope_id];
      return reply;
    };
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return envelopes_.size();
  }
  std::vector<SocketModeEnvelope> envelopes() const {
    std::lock_guard lock(mu_);
    return envelopes_;
  }
  std::map<std::string, int> per_id() const {
    std::lock_guard lock(mu_);
    return per_id_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<SocketModeEnvelope> envelopes_;
  std::map<std::string, int> per_id_;
};

nlohmann::json MentionPayload(int i) {
  char ts[32];
  std::snprintf(ts, sizeof ts, "1700000000.%06d", i);
  return slack_emulator::fixtures::EventCallback(
      slack_emulator::fixtures::AppMentionEvent(
          "U0ALICE", "C0GENERAL", "<@U0FAQBOT> ask <@U0BOB> question " + std::to_string(i), ts),
      "Ev" + std::to_string(1000 + i));
}

class SocketModeClientTest : public ::testing::Test {
 protected:
  void StartEmulator(SlackEmulatorOptions options = {}) {
    emulator_ = std::make_unique<SlackEmulator>(options);
    ASSERT_TRUE(emulator_->Start().ok());
    WebApiClientOptions web;
    web.base_url = emulator_->base_url();
    web.bot_token = options.bot_token;
    web.app_token = options.app_token;
    web_ = std::make_unique<WebApiClient>(web, SystemClock::Instance());
  }

  SocketModeClientOptions FastOptions() {
    SocketModeClientOptions o;
    o.connect_timeout = milliseconds(2'000);
    o.hello_timeout = milliseconds(2'000);
    o.ping_interval = milliseconds(100);
    o.silence_timeout = milliseconds(500);
    o.reconnect_backoff_base = milliseconds(20);
    o.reconnect_backoff_cap = milliseconds(200);
    o.jitter_seed = 11;
    return o;
  }

  std::unique_ptr<SlackEmulator> emulator_;
  std::unique_ptr<WebApiClient> web_;
  HandlerLog log_;
};

TEST_F(SocketModeClientTest, HelloThenEnvelopeThenPromptAck) {
  StartEmulator();
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), FastOptions());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));

  const std::string id = emulator_->QueueEnvelope("events_api", MentionPayload(1));
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->Acks().size() == 1; }, kWait));
  const auto acks = emulator_->Acks();
  EXPECT_EQ(acks[0].envelope_id, id);
  EXPECT_LT(acks[0].delay, milliseconds(3'000));
  EXPECT_TRUE(acks[0].payload.is_null());

  const auto seen = log_.envelopes();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].type, "events_api");
  EXPECT_EQ(seen[0].retry_attempt, 0);
  EXPECT_EQ(seen[0].payload["event"]["type"], "app_mention");
  EXPECT_FALSE(seen[0].accepts_response_payload);

  const auto opens = emulator_->Calls("apps.connections.open");
  ASSERT_EQ(opens.size(), 1u);
  EXPECT_EQ(opens[0].headers.at("authorization"), "Bearer " + emulator_->options().app_token);
  client.Stop();
  EXPECT_EQ(client.stats().hellos, 1);
  EXPECT_EQ(client.stats().acks_sent, 1);
}

TEST_F(SocketModeClientTest, AckCarriesTheResponsePayloadOnlyWhenAccepted) {
  StartEmulator();
  const nlohmann::json reply = {{"response_type", "ephemeral"}, {"text", "Asking Bob…"}};
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_),
                          log_.Handler(milliseconds(0), reply), FastOptions());
  ASSERT_TRUE(client.Start().ok());
  emulator_->QueueEnvelope(
      "slash_commands",
      slack_emulator::fixtures::SlashCommand("/ask", "<@U0BOB> wifi?", "U0ALICE", "C0GENERAL",
                                             emulator_->NewResponseUrl()),
      true);
  emulator_->QueueEnvelope("events_api", MentionPayload(2), false);
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->Acks().size() == 2; }, kWait));
  const auto acks = emulator_->Acks();
  EXPECT_EQ(acks[0].payload, reply);
  EXPECT_TRUE(acks[1].payload.is_null());
}

TEST_F(SocketModeClientTest, RefreshAndDroppedSocketLoseNothingAndRepeatNothing) {
  SlackEmulatorOptions options;
  options.ack_timeout = milliseconds(300);
  options.disconnect_close_delay = milliseconds(200);
  options.max_unacked_per_connection = 10;
  StartEmulator(options);
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(milliseconds(1)),
                          FastOptions());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));

  constexpr int kEnvelopes = 200;
  std::set<std::string> queued;
  for (int i = 0; i < kEnvelopes; ++i) {
    queued.insert(emulator_->QueueEnvelope("events_api", MentionPayload(i)));
  }
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return log_.size() >= 50; }, kWait));
  emulator_->SendDisconnect("refresh_requested");
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.stats().hellos >= 2; }, kWait));
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return log_.size() >= 120; }, kWait));
  emulator_->DropConnections();
  ASSERT_TRUE(SlackEmulator::WaitFor(
      [&] { return log_.size() >= kEnvelopes && emulator_->unacked() == 0; }, kWait))
      << log_.size() << " handled, " << emulator_->unacked() << " unacked";

  const auto per_id = log_.per_id();
  EXPECT_EQ(per_id.size(), queued.size());
  for (const auto& [id, count] : per_id) {
    EXPECT_EQ(count, 1) << id;
    EXPECT_TRUE(queued.contains(id)) << id;
  }
  EXPECT_GE(emulator_->connections_accepted(), 3);
  EXPECT_GE(client.stats().reconnects, 2);
  int redelivered = 0;
  for (const auto& d : emulator_->Deliveries()) redelivered += d.retry_attempt > 0 ? 1 : 0;
  EXPECT_GT(redelivered, 0);  // the dropped socket's in-flight envelopes came back
}

TEST_F(SocketModeClientTest, LostAckIsRedeliveredAndHandledOnce) {
  SlackEmulatorOptions options;
  options.ack_timeout = milliseconds(200);
  StartEmulator(options);
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), FastOptions());
  ASSERT_TRUE(client.Start().ok());
  emulator_->LoseAcks(1);
  emulator_->QueueEnvelope("events_api", MentionPayload(7));
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->unacked() == 0; }, kWait));

  const auto deliveries = emulator_->Deliveries();
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(deliveries[0].retry_attempt, 0);
  EXPECT_EQ(deliveries[1].retry_attempt, 1);
  EXPECT_EQ(log_.size(), 1u);
  // The client counts an ack once its write completed, which may be after the emulator read it.
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.stats().acks_sent == 2; }, kWait));
  EXPECT_EQ(client.stats().duplicates_skipped, 1);
}

TEST_F(SocketModeClientTest, UnackedEnvelopeComesBackWithRetryAttemptAndIsHandledOnce) {
  SlackEmulatorOptions options;
  options.ack_timeout = milliseconds(200);
  StartEmulator(options);
  // The handler cannot take the envelope the first time (its executor is full): nothing is
  // acked, so Slack delivers the envelope again.
  std::atomic<int> calls{0};
  std::vector<SocketModeEnvelope> handled;
  std::mutex mu;
  EnvelopeHandler handler = [&](const SocketModeEnvelope& e) -> Result<EnvelopeReply> {
    if (calls++ == 0) return UnavailableError("executor queue full");
    std::lock_guard lock(mu);
    handled.push_back(e);
    return EnvelopeReply();
  };
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), handler, FastOptions());
  ASSERT_TRUE(client.Start().ok());
  const std::string id = emulator_->QueueEnvelope("events_api", MentionPayload(9));
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->unacked() == 0; }, kWait));
  std::this_thread::sleep_for(milliseconds(300));  // no further deliveries
  std::lock_guard lock(mu);
  ASSERT_EQ(handled.size(), 1u);
  EXPECT_EQ(handled[0].envelope_id, id);
  EXPECT_EQ(handled[0].retry_attempt, 1);
  EXPECT_EQ(handled[0].retry_reason, "timeout");
  EXPECT_EQ(emulator_->Deliveries().size(), 2u);
  EXPECT_EQ(emulator_->Acks().size(), 1u);
}

TEST_F(SocketModeClientTest, PermanentHandlerErrorAndExceptionAreHandledAsDocumented) {
  std::atomic<int> calls{0};
  EnvelopeHandler handler = [&](const SocketModeEnvelope&) -> Result<EnvelopeReply> {
    if (calls++ == 0) throw std::runtime_error("bug");  // like Unavailable: re-delivered
    return InvalidArgumentError("malformed payload");   // acked, never re-delivered
  };
  SlackEmulatorOptions options;
  options.ack_timeout = milliseconds(200);
  StartEmulator(options);
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), handler, FastOptions());
  ASSERT_TRUE(client.Start().ok());
  emulator_->QueueEnvelope("events_api", MentionPayload(5));
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->unacked() == 0; }, kWait));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(emulator_->Deliveries().size(), 2u);
  EXPECT_EQ(emulator_->Acks().size(), 1u);
}

TEST_F(SocketModeClientTest, HalfOpenConnectionIsDetectedAndReplaced) {
  StartEmulator();
  SocketModeClientOptions o = FastOptions();
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), o);
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  std::this_thread::sleep_for(milliseconds(300));  // pings answered: no false alarm
  EXPECT_EQ(client.stats().half_open_detected, 0);

  const auto silent_at = std::chrono::steady_clock::now();
  emulator_->SetSilent();
  ASSERT_TRUE(
      SlackEmulator::WaitFor([&] { return client.stats().half_open_detected == 1; }, kWait));
  const auto took = std::chrono::steady_clock::now() - silent_at;
  // The last pong came at most one ping interval before the silence began; the watchdog looks
  // every ping interval.
  EXPECT_GE(took, o.silence_timeout - o.ping_interval - milliseconds(50));
  EXPECT_LT(took, o.silence_timeout + o.ping_interval + milliseconds(400));
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.stats().hellos >= 2; }, kWait));
  EXPECT_EQ(client.stats().half_open_detected, 1);

  emulator_->QueueEnvelope("events_api", MentionPayload(3));
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return log_.size() == 1; }, kWait));
}

TEST_F(SocketModeClientTest, WarningKeepsTheConnection) {
  StartEmulator();
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), FastOptions());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  emulator_->SendDisconnect("warning");
  ASSERT_TRUE(
      SlackEmulator::WaitFor([&] { return client.stats().disconnects_received == 1; }, kWait));
  EXPECT_EQ(emulator_->connections_accepted(), 1);
  EXPECT_TRUE(client.connected());
}

TEST_F(SocketModeClientTest, LinkDisabledStopsWithAnError) {
  StartEmulator();
  std::mutex mu;
  std::optional<Status> stopped;
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), FastOptions(),
                          [&](const Status& s) {
                            std::lock_guard lock(mu);
                            stopped = s;
                          });
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  emulator_->SendDisconnect("link_disabled");
  ASSERT_TRUE(SlackEmulator::WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return stopped.has_value();
      },
      kWait));
  EXPECT_EQ(stopped->code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(stopped->message().find("link_disabled"), std::string::npos);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(emulator_->connections_accepted(), 1);
  EXPECT_FALSE(client.connected());
}

TEST_F(SocketModeClientTest, InvalidAppTokenStopsWithUnauthenticated) {
  StartEmulator();
  WebApiClientOptions web = web_->options();
  web.app_token = "xapp-wrong";
  WebApiClient bad_web(web, SystemClock::Instance());
  std::atomic<bool> stopped{false};
  StatusCode code = StatusCode::kOk;
  SocketModeClient client(SocketModeClient::UrlFromWebApi(bad_web), log_.Handler(), FastOptions(),
                          [&](const Status& s) {
                            code = s.code();
                            stopped = true;
                          });
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return stopped.load(); }, kWait));
  EXPECT_EQ(code, StatusCode::kUnauthenticated);
  EXPECT_EQ(emulator_->connections_accepted(), 0);
}

TEST_F(SocketModeClientTest, FailedConnectsAreRetriedWithBackoff) {
  StartEmulator();
  std::atomic<int> asks{0};
  UrlProvider provider = [&]() -> Result<std::string> {
    if (++asks <= 3) return std::string("ws://127.0.0.1:1/link/?ticket=refused");
    return web_->AppsConnectionsOpen();
  };
  SocketModeClient client(provider, log_.Handler(), FastOptions());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  EXPECT_EQ(asks.load(), 4);
  EXPECT_EQ(client.stats().reconnects, 3);
}

TEST_F(SocketModeClientTest, TlsFailureIsRetried) {
  StartEmulator();
  std::atomic<int> asks{0};
  UrlProvider provider = [&]() -> Result<std::string> {
    // The emulator speaks plain HTTP, so a wss:// handshake with it fails.
    if (++asks == 1) return "wss://127.0.0.1:" + std::to_string(emulator_->port()) + "/link/";
    return web_->AppsConnectionsOpen();
  };
  SocketModeClient client(provider, log_.Handler(), FastOptions());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  EXPECT_EQ(asks.load(), 2);
  EXPECT_EQ(client.stats().connections_opened, 1);
}

// Slack's Socket Mode URLs are wss://: the emulator behind a TLS front with a certificate the
// client is told to trust, verification on.
class SocketModeOverTlsTest : public SocketModeClientTest {
 protected:
  void SetUp() override {
    StartEmulator();
    auto tunnel = slack_emulator::TlsTunnel::Start(emulator_->port());
    ASSERT_TRUE(tunnel.ok()) << tunnel.status();
    tunnel_ = std::move(*tunnel);
  }
  // The emulator's ws://127.0.0.1:EMULATOR/link/?ticket=… as wss://127.0.0.1:TUNNEL/link/….
  UrlProvider WssProvider() {
    return [this]() -> Result<std::string> {
      ++asks_;
      FAQBOT_ASSIGN_OR_RETURN(std::string url, web_->AppsConnectionsOpen());
      const std::string plain = "ws://127.0.0.1:" + std::to_string(emulator_->port());
      if (!url.starts_with(plain)) return InternalError("unexpected URL " + url);
      return "wss://127.0.0.1:" + std::to_string(tunnel_->port()) + url.substr(plain.size());
    };
  }

  std::unique_ptr<slack_emulator::TlsTunnel> tunnel_;
  std::atomic<int> asks_{0};
};

TEST_F(SocketModeOverTlsTest, ConnectsOverWssWithAVerifiedCertificate) {
  SocketModeClientOptions options = FastOptions();
  options.ca_file = tunnel_->ca_file();
  SocketModeClient client(WssProvider(), log_.Handler(), options);
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  const std::string id = emulator_->QueueEnvelope("events_api", MentionPayload(7));
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->Acks().size() == 1; }, kWait));
  EXPECT_EQ(emulator_->Acks()[0].envelope_id, id);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_EQ(log_.envelopes()[0].payload["event"]["type"], "app_mention");
  client.Stop();
  EXPECT_GE(tunnel_->handshakes(), 1);
  EXPECT_EQ(client.stats().connections_opened, 1);
}

TEST_F(SocketModeOverTlsTest, RefusesACertificateItDoesNotTrust) {
  SocketModeClient client(WssProvider(), log_.Handler(), FastOptions());  // system CAs only
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return asks_.load() >= 3; }, kWait));
  client.Stop();
  EXPECT_EQ(client.stats().connections_opened, 0);
  EXPECT_EQ(tunnel_->handshakes(), 0);
  EXPECT_EQ(emulator_->connections_accepted(), 0);
}

TEST(SocketModeClientOptionsTest, AnUnreadableCaFileFailsStart) {
  SocketModeClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  SocketModeClient client(
      []() -> Result<std::string> { return std::string("wss://x/"); },
      [](const SocketModeEnvelope&) -> Result<EnvelopeReply> { return EnvelopeReply{}; }, options);
  EXPECT_EQ(client.Start().code(), StatusCode::kInvalidArgument);
}

TEST_F(SocketModeClientTest, UsedTicketIsRefused) {
  StartEmulator();
  auto url = web_->AppsConnectionsOpen();
  ASSERT_TRUE(url.ok());
  std::atomic<int> asks{0};
  UrlProvider provider = [&]() -> Result<std::string> {
    ++asks;
    return *url;  // the same ticket every time
  };
  SocketModeClient client(provider, log_.Handler(), FastOptions());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  emulator_->DropConnections();
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return asks.load() >= 3; }, kWait));
  EXPECT_EQ(emulator_->connections_accepted(), 1);
  EXPECT_EQ(client.stats().connections_opened, 1);
}

TEST_F(SocketModeClientTest, StopIsPromptAndFinal) {
  StartEmulator();
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), FastOptions());
  ASSERT_TRUE(client.Start().ok());
  EXPECT_FALSE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  const auto start = std::chrono::steady_clock::now();
  client.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
  EXPECT_FALSE(client.connected());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->open_connections() == 0; }, kWait));
  emulator_->QueueEnvelope("events_api", MentionPayload(4));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(log_.size(), 0u);
  client.Stop();  // idempotent
}

}  // namespace
}  // namespace faqbot::slack
