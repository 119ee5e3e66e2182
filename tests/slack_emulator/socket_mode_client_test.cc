// SocketModeClient against the loopback Slack emulator: real WebSockets on 127.0.0.1. The
// client's timers (connect and hello timeouts, pings, silence, reconnect backoff) run on a
// FakeClock that only the test moves; the emulator's own ack timeout is real time, shortened.
#include "slack/socket_mode_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
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

// A WebSocket server on 127.0.0.1 that completes one handshake and then never sends anything
// (Slack's `hello` never comes). It still reads, so pings are answered.
class HelloLessServer {
 public:
  HelloLessServer() : acceptor_(io_, {boost::asio::ip::address_v4::loopback(), 0}) {
    acceptor_.async_accept([this](boost::beast::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      ws_ = std::make_unique<Ws>(std::move(s));
      ws_->async_accept([this](boost::beast::error_code accept_ec) {
        if (!accept_ec) ws_->async_read(buffer_, [](boost::beast::error_code, size_t) {});
      });
    });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~HelloLessServer() {
    io_.stop();
    thread_.join();
  }
  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/";
  }

 private:
  using Ws = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<Ws> ws_;
  boost::beast::flat_buffer buffer_;
  std::thread thread_;
};

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

  // Short timeouts, and no reconnect backoff, so scenarios that reconnect need no clock moves.
  // Checks run every 100 ms of clock time.
  SocketModeClientOptions FastOptions() {
    SocketModeClientOptions o;
    o.connect_timeout = milliseconds(2'000);
    o.hello_timeout = milliseconds(2'000);
    o.ping_interval = milliseconds(100);
    o.silence_timeout = milliseconds(500);
    o.reconnect_backoff_base = milliseconds(0);
    o.reconnect_backoff_cap = milliseconds(0);
    o.jitter_seed = 11;
    return o;
  }

  FakeClock clock_;
  std::unique_ptr<SlackEmulator> emulator_;
  std::unique_ptr<WebApiClient> web_;
  HandlerLog log_;
};

TEST_F(SocketModeClientTest, HelloThenEnvelopeThenPromptAck) {
  StartEmulator();
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), clock_,
                          FastOptions());
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

// Several processes of one app each hold a connection; Slack spreads the envelopes over them.
// Queued one at a time (each acked before the next), they alternate.
TEST_F(SocketModeClientTest, EnvelopesAlternateBetweenTwoConnections) {
  StartEmulator();
  HandlerLog other_log;
  SocketModeClient first(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), clock_,
                         FastOptions());
  SocketModeClient second(SocketModeClient::UrlFromWebApi(*web_), other_log.Handler(), clock_,
                          FastOptions());
  ASSERT_TRUE(first.Start().ok());
  ASSERT_TRUE(second.Start().ok());
  ASSERT_TRUE(
      SlackEmulator::WaitFor([&] { return first.connected() && second.connected(); }, kWait));
  for (int i = 1; i <= 6; ++i) {
    emulator_->QueueEnvelope("events_api", MentionPayload(i));
    ASSERT_TRUE(SlackEmulator::WaitFor(
        [&] { return emulator_->Acks().size() == static_cast<size_t>(i); }, kWait));
  }
  EXPECT_EQ(log_.envelopes().size(), 3u);
  EXPECT_EQ(other_log.envelopes().size(), 3u);
  first.Stop();
  second.Stop();
}

TEST_F(SocketModeClientTest, AckCarriesTheResponsePayloadOnlyWhenAccepted) {
  StartEmulator();
  const nlohmann::json reply = {{"response_type", "ephemeral"}, {"text", "Asking Bob…"}};
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_),
                          log_.Handler(milliseconds(0), reply), clock_, FastOptions());
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
                          clock_, FastOptions());
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
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), clock_,
                          FastOptions());
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

// A dialog's errors or a command's first reply travel in the ack: an envelope delivered again
// (its ack lost with the connection) is acked with the same payload, and handled once.
TEST_F(SocketModeClientTest, ARedeliveredEnvelopeIsAckedWithTheSamePayload) {
  SlackEmulatorOptions options;
  options.ack_timeout = milliseconds(200);
  StartEmulator(options);
  const nlohmann::json reply = {{"response_action", "errors"},
                                {"errors", {{"question", "Write the question people ask."}}}};
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_),
                          log_.Handler(milliseconds(0), reply), clock_, FastOptions());
  ASSERT_TRUE(client.Start().ok());
  emulator_->LoseAcks(1);
  emulator_->QueueEnvelope(
      "slash_commands",
      slack_emulator::fixtures::SlashCommand("/ask", "<@U0BOB> wifi?", "U0ALICE", "C0GENERAL",
                                             emulator_->NewResponseUrl()),
      true);
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->unacked() == 0; }, kWait));
  ASSERT_EQ(emulator_->Deliveries().size(), 2u);
  EXPECT_EQ(log_.size(), 1u);
  const auto acks = emulator_->Acks();
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().payload, reply);
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
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), handler, clock_, FastOptions());
  ASSERT_TRUE(client.Start().ok());
  const std::string id = emulator_->QueueEnvelope("events_api", MentionPayload(9));
  // Settled: the emulator re-delivers only what is un-acked, and the handler ran before the ack.
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->unacked() == 0; }, kWait));
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
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), handler, clock_, FastOptions());
  ASSERT_TRUE(client.Start().ok());
  emulator_->QueueEnvelope("events_api", MentionPayload(5));
  // Settled: the emulator re-delivers only what is un-acked, and the handler ran before the ack.
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->unacked() == 0; }, kWait));
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(emulator_->Deliveries().size(), 2u);
  EXPECT_EQ(emulator_->Acks().size(), 1u);
}

TEST_F(SocketModeClientTest, HalfOpenConnectionIsDetectedAndReplaced) {
  StartEmulator();
  const SocketModeClientOptions o = FastOptions();
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), clock_, o);
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  EXPECT_EQ(client.stats().pings_sent, 0);  // the clock has not moved

  // Answered pings keep the link up: ten ping intervals, twice the silence timeout.
  for (int i = 1; i <= 10; ++i) {
    clock_.Advance(o.ping_interval);
    ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.stats().pongs_received == i; }, kWait));
  }
  EXPECT_EQ(client.stats().pings_sent, 10);
  EXPECT_EQ(client.stats().half_open_detected, 0);

  // Slack goes silent right after the last pong. Each check pings; up to silence_timeout of
  // silence is tolerated, the first check past it closes the link.
  emulator_->SetSilent();
  for (int i = 1; i <= 5; ++i) {
    clock_.Advance(o.ping_interval);
    ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.stats().pings_sent == 10 + i; }, kWait));
    EXPECT_EQ(client.stats().half_open_detected, 0) << i * 100 << " ms of silence";
  }
  clock_.Advance(o.ping_interval);
  ASSERT_TRUE(
      SlackEmulator::WaitFor([&] { return client.stats().half_open_detected == 1; }, kWait));
  EXPECT_EQ(client.stats().pings_sent, 15);
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.stats().hellos >= 2; }, kWait));
  EXPECT_EQ(client.stats().half_open_detected, 1);

  emulator_->QueueEnvelope("events_api", MentionPayload(3));
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return log_.size() == 1; }, kWait));
}

TEST_F(SocketModeClientTest, WarningKeepsTheConnection) {
  StartEmulator();
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), clock_,
                          FastOptions());
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
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), clock_,
                          FastOptions(), [&](const Status& s) {
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
  // The client's loop returns right after the callback: no reconnect can follow.
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
  SocketModeClient client(SocketModeClient::UrlFromWebApi(bad_web), log_.Handler(), clock_,
                          FastOptions(), [&](const Status& s) {
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
  // Delays of up to an hour of clock time: only the test's clock moves end them.
  SocketModeClientOptions o = FastOptions();
  o.reconnect_backoff_base = std::chrono::minutes(30);
  o.reconnect_backoff_cap = std::chrono::minutes(60);
  SocketModeClient client(provider, log_.Handler(), clock_, o);
  ASSERT_TRUE(client.Start().ok());
  for (int failure = 1; failure <= 3; ++failure) {
    ASSERT_TRUE(
        SlackEmulator::WaitFor([&] { return client.stats().backoff_waits == failure; }, kWait));
    EXPECT_EQ(asks.load(), failure);
    clock_.Advance(o.reconnect_backoff_cap);
  }
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  EXPECT_EQ(asks.load(), 4);
  EXPECT_EQ(client.stats().reconnects, 3);
  EXPECT_EQ(client.stats().backoff_waits, 3);
}

// The connect timeout is clock time too: a server that accepts TCP and never answers the
// WebSocket handshake is given up once the clock passes connect_timeout.
TEST_F(SocketModeClientTest, ConnectTimeoutRunsOnTheClock) {
  StartEmulator();
  const int mute = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(mute, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(mute, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(mute, 4), 0);  // the kernel completes TCP handshakes; nobody answers
  ASSERT_EQ(::getsockname(mute, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::atomic<int> asks{0};
  UrlProvider provider = [&]() -> Result<std::string> {
    if (++asks == 1) return "ws://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
    return web_->AppsConnectionsOpen();
  };
  const SocketModeClientOptions o = FastOptions();
  SocketModeClient client(provider, log_.Handler(), clock_, o);
  ASSERT_TRUE(client.Start().ok());
  // Connecting: the watchdog's first check is pending on the clock.
  ASSERT_TRUE(
      SlackEmulator::WaitFor([&] { return asks.load() == 1 && clock_.sleepers() > 0; }, kWait));
  clock_.Advance(o.connect_timeout + o.ping_interval);
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  EXPECT_EQ(asks.load(), 2);
  EXPECT_EQ(client.stats().connections_opened, 1);
  client.Stop();
  ::close(mute);
}

TEST_F(SocketModeClientTest, HelloTimeoutRunsOnTheClock) {
  StartEmulator();
  HelloLessServer silent;
  std::atomic<int> asks{0};
  UrlProvider provider = [&]() -> Result<std::string> {
    if (++asks == 1) return silent.url();
    return web_->AppsConnectionsOpen();
  };
  const SocketModeClientOptions o = FastOptions();
  SocketModeClient client(provider, log_.Handler(), clock_, o);
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(
      SlackEmulator::WaitFor([&] { return client.stats().connections_opened == 1; }, kWait));
  EXPECT_FALSE(client.connected());
  clock_.Advance(o.hello_timeout + o.ping_interval);
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  EXPECT_EQ(asks.load(), 2);
  EXPECT_EQ(client.stats().connections_opened, 2);
  EXPECT_EQ(client.stats().hellos, 1);
  EXPECT_EQ(client.stats().half_open_detected, 0);  // the hello check comes first
}

TEST_F(SocketModeClientTest, TlsFailureIsRetried) {
  StartEmulator();
  std::atomic<int> asks{0};
  UrlProvider provider = [&]() -> Result<std::string> {
    // The emulator speaks plain HTTP, so a wss:// handshake with it fails.
    if (++asks == 1) return "wss://127.0.0.1:" + std::to_string(emulator_->port()) + "/link/";
    return web_->AppsConnectionsOpen();
  };
  SocketModeClient client(provider, log_.Handler(), clock_, FastOptions());
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
  SocketModeClient client(WssProvider(), log_.Handler(), clock_, options);
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
  SocketModeClient client(WssProvider(), log_.Handler(), clock_, FastOptions());  // system CAs only
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return asks_.load() >= 3; }, kWait));
  client.Stop();
  EXPECT_EQ(client.stats().connections_opened, 0);
  EXPECT_EQ(tunnel_->handshakes(), 0);
  EXPECT_EQ(emulator_->connections_accepted(), 0);
}

TEST(SocketModeClientOptionsTest, AnUnreadableCaFileFailsStart) {
  FakeClock clock;
  SocketModeClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  SocketModeClient client(
      []() -> Result<std::string> { return std::string("wss://x/"); },
      [](const SocketModeEnvelope&) -> Result<EnvelopeReply> { return EnvelopeReply{}; }, clock,
      options);
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
  SocketModeClient client(provider, log_.Handler(), clock_, FastOptions());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  emulator_->DropConnections();
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return asks.load() >= 3; }, kWait));
  EXPECT_EQ(emulator_->connections_accepted(), 1);
  EXPECT_EQ(client.stats().connections_opened, 1);
}

TEST_F(SocketModeClientTest, StopIsPromptAndFinal) {
  StartEmulator();
  SocketModeClient client(SocketModeClient::UrlFromWebApi(*web_), log_.Handler(), clock_,
                          FastOptions());
  ASSERT_TRUE(client.Start().ok());
  EXPECT_FALSE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.connected(); }, kWait));
  client.Stop();  // waits for no timer: the clock never moves in this test
  EXPECT_FALSE(client.connected());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return emulator_->open_connections() == 0; }, kWait));
  // Stop joined the client's thread: nothing can handle this envelope any more.
  emulator_->QueueEnvelope("events_api", MentionPayload(4));
  EXPECT_EQ(log_.size(), 0u);
  EXPECT_EQ(emulator_->connections_accepted(), 1);
  client.Stop();  // idempotent
}

TEST_F(SocketModeClientTest, StopEndsAReconnectBackoff) {
  StartEmulator();
  SocketModeClientOptions o = FastOptions();
  o.reconnect_backoff_base = o.reconnect_backoff_cap = std::chrono::hours(1);
  std::atomic<int> asks{0};
  UrlProvider refused = [&]() -> Result<std::string> {
    ++asks;
    return std::string("ws://127.0.0.1:1/link/");
  };
  SocketModeClient client(refused, log_.Handler(), clock_, o);
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(SlackEmulator::WaitFor([&] { return client.stats().backoff_waits == 1; }, kWait));
  client.Stop();  // the clock never moves: only Stop can end the wait
  EXPECT_EQ(asks.load(), 1);
  EXPECT_EQ(client.stats().reconnects, 0);
}

}  // namespace
}  // namespace faqbot::slack
