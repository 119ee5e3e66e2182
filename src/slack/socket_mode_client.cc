#include "slack/socket_mode_client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <random>
#include <thread>
#include <unordered_map>

#include "common/clock_alarms.h"
#include "common/faqbot_metrics.h"
#include "common/json_limits.h"
#include "common/logging.h"
#include "slack/web_api_client.h"

namespace faqbot::slack {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

struct WsUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query
};

Result<WsUrl> ParseWsUrl(std::string_view url) {
  WsUrl out;
  if (url.starts_with("wss://")) {
    out.tls = true;
    url.remove_prefix(6);
  } else if (url.starts_with("ws://")) {
    url.remove_prefix(5);
  } else {
    return InvalidArgumentError("Socket Mode URL must start with wss:// or ws://");
  }
  const size_t slash = url.find_first_of("/?");
  const std::string_view authority = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (out.target.front() == '?') out.target.insert(0, "/");
  const size_t colon = authority.rfind(':');
  out.host = std::string(authority.substr(0, colon));
  out.port = colon == std::string_view::npos ? (out.tls ? "443" : "80")
                                             : std::string(authority.substr(colon + 1));
  if (out.host.empty()) return InvalidArgumentError("Socket Mode URL has no host");
  return out;
}

// One wait on the injected Clock that the I/O thread co_awaits: an Asio timer that never expires
// by itself, cancelled either from the ClockAlarms alarm set for the deadline (reached = true)
// or by whoever ends the wait early (Stop, the end of a connection). Shared with the posted
// alarm callback, so a late callback never touches a freed timer.
struct ClockWait {
  explicit ClockWait(asio::io_context& io) : timer(io, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  bool reached = false;
};

// State one connection shares between its connect and read loop and its watchdog. Times are
// the injected Clock's.
struct Connection {
  Connection(asio::io_context& io, Clock::TimePoint now) : resolver(io), opened(now) {}
  tcp::resolver resolver;
  std::shared_ptr<ClockWait> wait;  // the watchdog's current wait
  Clock::TimePoint opened;          // connecting began
  Clock::TimePoint handshaken{};    // the WebSocket handshake completed
  Clock::TimePoint last_traffic{};
  Clock::TimePoint last_ping{};
  bool handshake_done = false;
  bool got_hello = false;
  bool done = false;
  bool connect_timed_out = false;
  bool half_open = false;
  bool hello_timed_out = false;
};

// How one connection ended.
struct ConnectionEnd {
  Status status;
  bool got_hello = false;
  bool reconnect_now = false;  // Slack asked for a refresh
  bool link_disabled = false;
};

template <typename Ws>
void CloseSocket(Ws& ws) {
  beast::error_code ec;
  beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(ws).socket().close(ec);
}

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

class SocketModeClient::Impl {
 public:
  Impl(UrlProvider url_provider, EnvelopeHandler handler, Clock& clock,
       SocketModeClientOptions options, StoppedCallback on_stopped)
      : url_provider_(std::move(url_provider)),
        handler_(std::move(handler)),
        clock_(clock),
        options_(options),
        on_stopped_(std::move(on_stopped)),
        ssl_ctx_(ssl::context::tls_client),
        alarms_(clock) {
    rng_.seed(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device()());
    beast::error_code ec;
    ssl_ctx_.set_default_verify_paths(ec);
    if (ec) LogWarn("socket mode: cannot load the system CA certificates: {}", ec.message());
    if (!options_.ca_file.empty()) {
      ssl_ctx_.load_verify_file(options_.ca_file, ec);
      if (ec) {
        ca_error_ = InvalidArgumentError("cannot read CA certificates from " + options_.ca_file +
                                         ": " + ec.message());
      }
    }
    ssl_ctx_.set_verify_mode(options_.verify_peer ? ssl::verify_peer : ssl::verify_none);
    // Slack accepts TLS 1.2 and later only.
    ssl_ctx_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
  }

  Status Start() {
    if (started_) return FailedPreconditionError("Socket Mode client already started");
    FAQBOT_RETURN_IF_ERROR(ca_error_);
    started_ = true;
    asio::co_spawn(io_, Main(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
    return Status::Ok();
  }

  void Stop() {
    if (!started_ || stopped_) return;
    stopped_ = true;
    stopping_ = true;
    asio::post(io_, [this] {
      if (close_current_) close_current_();
      if (backoff_wait_) backoff_wait_->timer.cancel();
    });
    thread_.join();
    alarms_.Shutdown();
  }

  bool connected() const { return connected_; }

  SocketModeStats stats() const {
    SocketModeStats s;
    s.connections_opened = connections_opened_;
    s.hellos = hellos_;
    s.envelopes_handled = envelopes_handled_;
    s.duplicates_skipped = duplicates_skipped_;
    s.acks_sent = acks_sent_;
    s.reconnects = reconnects_;
    s.half_open_detected = half_open_detected_;
    s.disconnects_received = disconnects_received_;
    s.backoff_waits = backoff_waits_;
    s.pings_sent = pings_sent_;
    s.pongs_received = pongs_received_;
    return s;
  }

 private:
  asio::awaitable<void> Main();
  asio::awaitable<ConnectionEnd> Connect(const WsUrl& url);
  template <typename Ws>
  asio::awaitable<ConnectionEnd> Serve(std::shared_ptr<Ws> ws, const WsUrl& url);
  template <typename Ws>
  asio::awaitable<void> Watchdog(std::shared_ptr<Ws> ws, std::shared_ptr<Connection> conn);
  // Handles one text frame; returns false when the connection should end.
  template <typename Ws>
  asio::awaitable<bool> OnMessage(Ws& ws, Connection& conn, const std::string& text,
                                  ConnectionEnd& end);
  // Waits until the clock reaches `deadline` or `wait` is cancelled; true when reached.
  asio::awaitable<bool> WaitUntil(std::shared_ptr<ClockWait> wait, Clock::TimePoint deadline);
  void Finish(const Status& status);
  milliseconds BackoffDelay(int failures);
  // Remembers envelope `id` as handled, with the payload its ack carried (null: none), so a
  // delivery of it again is acked the same way without handling it twice.
  void Remember(const std::string& id, nlohmann::json ack_payload);

  UrlProvider url_provider_;
  EnvelopeHandler handler_;
  Clock& clock_;
  SocketModeClientOptions options_;
  StoppedCallback on_stopped_;

  asio::io_context io_;
  ssl::context ssl_ctx_;
  Status ca_error_;  // from loading options_.ca_file
  // Declared after io_: destroyed (shut down) first, so no alarm posts to a dead io_context.
  ClockAlarms alarms_;
  std::thread thread_;
  bool started_ = false;  // Start/Stop callers only
  bool stopped_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};

  // I/O thread only.
  std::function<void()> close_current_;
  std::shared_ptr<ClockWait> backoff_wait_;  // while waiting to reconnect
  std::mt19937_64 rng_;
  std::deque<std::string> seen_order_;
  std::unordered_map<std::string, nlohmann::json> seen_;  // envelope id → its ack's payload

  std::atomic<int64_t> connections_opened_{0};
  std::atomic<int64_t> hellos_{0};
  std::atomic<int64_t> envelopes_handled_{0};
  std::atomic<int64_t> duplicates_skipped_{0};
  std::atomic<int64_t> acks_sent_{0};
  std::atomic<int64_t> reconnects_{0};
  std::atomic<int64_t> half_open_detected_{0};
  std::atomic<int64_t> disconnects_received_{0};
  std::atomic<int64_t> backoff_waits_{0};
  std::atomic<int64_t> pings_sent_{0};
  std::atomic<int64_t> pongs_received_{0};
};

asio::awaitable<void> SocketModeClient::Impl::Main() {
  int failures = 0;
  bool first = true;
  while (!stopping_) {
    if (!first) {
      ++reconnects_;
      metrics::Faqbot().socket_mode_reconnects.With().Inc();
    }
    first = false;
    ConnectionEnd end;
    Result<std::string> url = url_provider_();
    if (stopping_) break;
    if (!url.ok()) {
      const StatusCode code = url.status().code();
      if (code == StatusCode::kUnauthenticated || code == StatusCode::kPermissionDenied) {
        Finish(url.status().WithContext("Socket Mode URL"));
        co_return;
      }
      end.status = url.status().WithContext("Socket Mode URL");
    } else if (Result<WsUrl> parsed = ParseWsUrl(*url); !parsed.ok()) {
      end.status = parsed.status();
    } else {
      try {
        end = co_await Connect(*parsed);
      } catch (const std::exception& e) {
        end.status = InternalError(std::string("socket mode: ") + e.what());
      }
    }
    connected_ = false;
    if (stopping_) break;
    if (end.link_disabled) co_return;  // Finish was called when Slack said so
    if (end.got_hello) failures = 0;
    if (end.reconnect_now) continue;
    ++failures;
    const milliseconds delay = BackoffDelay(failures);
    LogWarn("socket mode: connection ended ({}); reconnecting in {} ms", end.status.ToString(),
            delay.count());
    // The deadline is fixed before the wait is counted, so a test that sees the count and
    // advances a FakeClock by the delay always ends this wait.
    const Clock::TimePoint until = clock_.Now() + delay;
    ++backoff_waits_;
    backoff_wait_ = std::make_shared<ClockWait>(io_);
    co_await WaitUntil(backoff_wait_, until);
    backoff_wait_.reset();
  }
}

asio::awaitable<bool> SocketModeClient::Impl::WaitUntil(std::shared_ptr<ClockWait> wait,
                                                        Clock::TimePoint deadline) {
  const ClockAlarms::Id alarm = alarms_.At(deadline, [this, wait] {
    asio::post(io_, [wait] {
      wait->reached = true;
      wait->timer.cancel();
    });
  });
  co_await wait->timer.async_wait(kNoThrow);
  alarms_.Cancel(alarm);  // ended early: the alarm is no longer wanted
  co_return wait->reached;
}

asio::awaitable<ConnectionEnd> SocketModeClient::Impl::Connect(const WsUrl& url) {
  if (url.tls) {
    auto ws = std::make_shared<TlsWs>(io_, ssl_ctx_);
    co_return co_await Serve(std::move(ws), url);
  }
  auto ws = std::make_shared<PlainWs>(io_);
  co_return co_await Serve(std::move(ws), url);
}

template <typename Ws>
asio::awaitable<ConnectionEnd> SocketModeClient::Impl::Serve(std::shared_ptr<Ws> ws,
                                                             const WsUrl& url) {
  ConnectionEnd end;
  auto conn = std::make_shared<Connection>(io_, clock_.Now());
  close_current_ = [ws, conn] {
    conn->resolver.cancel();
    CloseSocket(*ws);
  };
  // Whatever way this returns: the watchdog stops, the socket closes.
  struct EndOfConnection {
    Impl& impl;
    std::shared_ptr<Ws>& ws;
    std::shared_ptr<Connection>& conn;
    ~EndOfConnection() {
      impl.close_current_ = nullptr;
      conn->done = true;
      if (conn->wait) conn->wait->timer.cancel();
      CloseSocket(*ws);
      impl.connected_ = false;
    }
  } end_of_connection{*this, ws, conn};
  // The watchdog enforces connect_timeout (resolve, TCP, TLS and WebSocket handshakes) on the
  // injected Clock, then hello_timeout, pings and the silence timeout.
  asio::co_spawn(io_, Watchdog(ws, conn), asio::detached);
  const auto failed = [&](Status status) {
    if (!conn->connect_timed_out) return status;
    return DeadlineExceededError("connecting to " + url.host + " took longer than " +
                                 std::to_string(options_.connect_timeout.count()) + " ms");
  };

  auto& tcp_layer = beast::get_lowest_layer(*ws);
  auto [rec, endpoints] = co_await conn->resolver.async_resolve(url.host, url.port, kNoThrow);
  if (rec || conn->connect_timed_out) {
    end.status = failed(UnavailableError("resolve " + url.host + ": " + rec.message()));
    co_return end;
  }
  if (stopping_) co_return end;
  auto [cec, endpoint] = co_await tcp_layer.async_connect(endpoints, kNoThrow);
  if (cec || stopping_ || conn->connect_timed_out) {
    end.status = failed(UnavailableError("connect " + url.host + ": " + cec.message()));
    co_return end;
  }
  if constexpr (std::is_same_v<Ws, TlsWs>) {
    auto& tls = ws->next_layer();
    if (!SSL_set_tlsext_host_name(tls.native_handle(), url.host.c_str())) {
      end.status = UnavailableError("TLS: cannot set SNI host name");
      co_return end;
    }
    if (options_.verify_peer) tls.set_verify_callback(ssl::host_name_verification(url.host));
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, kNoThrow);
    if (hec || conn->connect_timed_out) {
      end.status =
          failed(UnavailableError("TLS handshake with " + url.host + ": " + hec.message()));
      co_return end;
    }
  }
  ws->set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                 websocket::stream_base::none(), false});
  ws->set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::user_agent, "faqbot/0.1 socket-mode");
  }));
  ws->read_message_max(16 << 20);
  const bool default_port = url.port == (url.tls ? "443" : "80");
  const std::string host_header = default_port ? url.host : url.host + ":" + url.port;
  auto [wec] = co_await ws->async_handshake(host_header, url.target, kNoThrow);
  if (wec || stopping_ || conn->connect_timed_out) {
    end.status =
        failed(UnavailableError("WebSocket handshake with " + url.host + ": " + wec.message()));
    co_return end;
  }
  conn->handshake_done = true;
  conn->handshaken = conn->last_traffic = conn->last_ping = clock_.Now();
  ++connections_opened_;
  LogInfo("socket mode: connected to {}", url.host);

  ws->control_callback([this, conn](websocket::frame_type kind, beast::string_view) {
    conn->last_traffic = clock_.Now();
    if (kind == websocket::frame_type::pong) ++pongs_received_;
  });

  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws->async_read(buffer, kNoThrow);
    if (ec) {
      if (conn->half_open) {
        end.status = UnavailableError("no traffic from Slack for " +
                                      std::to_string(options_.silence_timeout.count()) +
                                      " ms (half-open connection)");
      } else if (conn->hello_timed_out) {
        end.status = DeadlineExceededError("no hello from Slack");
      } else {
        end.status = UnavailableError("WebSocket read: " + ec.message());
      }
      break;
    }
    conn->last_traffic = clock_.Now();
    const std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    if (!co_await OnMessage(*ws, *conn, text, end) || stopping_) break;
  }
  co_return end;
}

template <typename Ws>
asio::awaitable<void> SocketModeClient::Impl::Watchdog(std::shared_ptr<Ws> ws,
                                                       std::shared_ptr<Connection> conn) {
  const milliseconds tick =
      std::clamp(std::min({options_.ping_interval, options_.silence_timeout / 4,
                           options_.hello_timeout / 4, options_.connect_timeout / 4}),
                 milliseconds(5), milliseconds(1'000));
  // Checks run on a fixed grid of clock time (opened + k × tick); when the I/O thread falls
  // behind, the next check runs at once.
  Clock::TimePoint next = conn->opened + tick;
  while (!conn->done && !stopping_) {
    conn->wait = std::make_shared<ClockWait>(io_);
    const bool reached = co_await WaitUntil(conn->wait, next);
    if (!reached || conn->done || stopping_) co_return;
    next += tick;
    const Clock::TimePoint now = clock_.Now();
    if (!conn->handshake_done) {
      if (now - conn->opened > options_.connect_timeout) {
        conn->connect_timed_out = true;
        LogWarn("socket mode: connecting took longer than {} ms; giving up",
                options_.connect_timeout.count());
        conn->resolver.cancel();
        CloseSocket(*ws);
        co_return;
      }
      next = std::max(next, clock_.Now());
      continue;
    }
    if (!conn->got_hello && now - conn->handshaken > options_.hello_timeout) {
      conn->hello_timed_out = true;
      CloseSocket(*ws);
      co_return;
    }
    if (now - conn->last_traffic > options_.silence_timeout) {
      conn->half_open = true;
      ++half_open_detected_;
      LogWarn("socket mode: no traffic for {} ms; reconnecting", options_.silence_timeout.count());
      CloseSocket(*ws);
      co_return;
    }
    if (now - conn->last_ping >= options_.ping_interval) {
      conn->last_ping = now;
      ++pings_sent_;
      auto [ec] = co_await ws->async_ping({}, kNoThrow);
      if (ec) co_return;  // the read loop sees the failure too
    }
    next = std::max(next, clock_.Now());
  }
}

template <typename Ws>
asio::awaitable<bool> SocketModeClient::Impl::OnMessage(Ws& ws, Connection& conn,
                                                        const std::string& text,
                                                        ConnectionEnd& end) {
  const nlohmann::json message = JsonNestingWithin(text)
                                     ? nlohmann::json::parse(text, nullptr, false)
                                     : nlohmann::json(nlohmann::json::value_t::discarded);
  if (message.is_discarded() || !message.is_object()) {
    LogWarn("socket mode: ignoring a frame that is not a JSON object ({} bytes)", text.size());
    co_return true;
  }
  const std::string type = StringField(message, "type");
  const std::string envelope_id = StringField(message, "envelope_id");
  if (type == "hello") {
    conn.got_hello = true;
    end.got_hello = true;
    ++hellos_;
    connected_ = true;
    co_return true;
  }
  if (type == "disconnect") {
    ++disconnects_received_;
    const std::string reason = StringField(message, "reason");
    LogInfo("socket mode: Slack sent disconnect ({})", reason);
    if (reason == "warning") co_return true;
    if (reason == "link_disabled") {
      end.link_disabled = true;
      // Told before the socket closes: in between, /readyz would see a passing outage.
      Finish(FailedPreconditionError("Slack disabled the Socket Mode link (link_disabled)"));
    } else {
      end.reconnect_now = true;
    }
    end.status = UnavailableError("disconnect: " + reason);
    co_return false;
  }
  if (envelope_id.empty()) {
    LogDebug("socket mode: ignoring a message of type '{}'", type);
    co_return true;
  }

  nlohmann::json ack = {{"envelope_id", envelope_id}};
  if (auto seen = seen_.find(envelope_id); seen != seen_.end()) {
    // Delivered again (the ack was lost with a dropped connection): the same ack, so a dialog's
    // errors or a command's first reply still reach the person.
    ++duplicates_skipped_;
    metrics::Faqbot().events_deduplicated.With().Inc();
    if (!seen->second.is_null()) ack["payload"] = seen->second;
  } else {
    SocketModeEnvelope envelope;
    envelope.envelope_id = envelope_id;
    envelope.type = type;
    if (auto p = message.find("payload"); p != message.end()) envelope.payload = *p;
    if (auto r = message.find("retry_attempt"); r != message.end() && r->is_number_integer()) {
      envelope.retry_attempt = r->get<int>();
    }
    envelope.retry_reason = StringField(message, "retry_reason");
    if (auto a = message.find("accepts_response_payload"); a != message.end() && a->is_boolean()) {
      envelope.accepts_response_payload = a->get<bool>();
    }
    const Clock::TimePoint start = clock_.Now();
    Result<EnvelopeReply> response = UnavailableError("handler threw");
    try {
      response = handler_(envelope);
    } catch (const std::exception& e) {
      LogError("socket mode: envelope handler threw: {}", e.what());
    }
    const Clock::Duration took = clock_.Now() - start;
    if (took > options_.slow_handler_warning) {
      LogWarn("socket mode: handler took {} ms for a {} envelope (ack deadline 3 s)",
              std::chrono::duration_cast<milliseconds>(took).count(), type);
    }
    if (!response.ok()) {
      const StatusCode code = response.status().code();
      if (code == StatusCode::kUnavailable || code == StatusCode::kResourceExhausted ||
          code == StatusCode::kDeadlineExceeded || code == StatusCode::kAborted) {
        // Not remembered and not acked: Slack delivers it again.
        LogWarn("socket mode: {} envelope not acked: {}", type, response.status().ToString());
        co_return true;
      }
      LogWarn("socket mode: {} envelope acked despite: {}", type, response.status().ToString());
    }
    ++envelopes_handled_;
    if (response.ok() && response->has_value() && envelope.accepts_response_payload) {
      ack["payload"] = std::move(**response);
    }
    Remember(envelope_id, ack.contains("payload") ? ack["payload"] : nlohmann::json());
  }
  const std::string ack_text = ack.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto [ec, n] = co_await ws.async_write(asio::buffer(ack_text), kNoThrow);
  if (ec) {
    end.status = UnavailableError("ack write: " + ec.message());
    co_return false;
  }
  ++acks_sent_;
  co_return true;
}

void SocketModeClient::Impl::Finish(const Status& status) {
  LogError("socket mode: stopped: {}", status.ToString());
  if (on_stopped_) on_stopped_(status);
}

milliseconds SocketModeClient::Impl::BackoffDelay(int failures) {
  const int shift = std::min(failures - 1, 30);
  const int64_t ceiling =
      std::min<int64_t>(options_.reconnect_backoff_cap.count(),
                        options_.reconnect_backoff_base.count() * (int64_t{1} << shift));
  return milliseconds(
      std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(ceiling, 0))(rng_));
}

void SocketModeClient::Impl::Remember(const std::string& id, nlohmann::json ack_payload) {
  if (!seen_.emplace(id, std::move(ack_payload)).second) return;
  seen_order_.push_back(id);
  while (seen_order_.size() > options_.dedup_capacity) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
}

SocketModeClient::SocketModeClient(UrlProvider url_provider, EnvelopeHandler handler, Clock& clock,
                                   SocketModeClientOptions options, StoppedCallback on_stopped)
    : impl_(std::make_unique<Impl>(std::move(url_provider), std::move(handler), clock, options,
                                   std::move(on_stopped))) {}

SocketModeClient::~SocketModeClient() { Stop(); }

UrlProvider SocketModeClient::UrlFromWebApi(WebApiClient& client) {
  return [&client] { return client.AppsConnectionsOpen(); };
}

Status SocketModeClient::Start() { return impl_->Start(); }
void SocketModeClient::Stop() { impl_->Stop(); }
bool SocketModeClient::connected() const { return impl_->connected(); }
SocketModeStats SocketModeClient::stats() const { return impl_->stats(); }

}  // namespace faqbot::slack
