// SocketModeClient: receives Slack events over a Socket Mode WebSocket (Boost.Beast) and acks
// them.
//
// Cycle: ask for a fresh single-use URL (apps.connections.open through the WebApiClient, or an
// injected UrlProvider), open it (`wss://` over TLS with the system CAs and host-name
// verification; `ws://` in plain TCP for the loopback emulator), wait for `hello`, then for
// every envelope call the EnvelopeHandler and send the ack `{"envelope_id":…[, "payload":…]}`
// right after it returns (see EnvelopeHandler for errors). Slack wants the ack within 3 s, so the
// handler must only hand the work to an Executor (a handler slower than `slow_handler_warning` is
// logged).
//
// Staying connected:
//   - `disconnect` `warning`: logged, nothing else (a refresh follows);
//     `refresh_requested` / `too_many_websockets` / any other reason: the connection is closed and
//     a new one opened at once; `link_disabled`: the client stops and reports FailedPrecondition
//     to the StoppedCallback (Socket Mode was turned off for the app).
//   - a ping every `ping_interval`; no frame of any kind (pong, ping, message) from Slack within
//     `silence_timeout` means a half-open link: closed and reconnected.
//   - connecting (resolve, TCP, TLS, WebSocket handshake) longer than `connect_timeout`, or no
//     `hello` within `hello_timeout` after the handshake: closed and retried after the backoff.
//   - any other failure (refused, reset, TLS, handshake, URL errors): reconnect after an
//     exponential backoff with full jitter; the failure count resets after a `hello`. Auth errors
//     from the UrlProvider (Unauthenticated, PermissionDenied) stop the client instead.
// No envelope is lost or handled twice across reconnects: Slack re-delivers what was not acked,
// and envelope ids already handled (within the last `dedup_capacity`) are acked again without
// calling the handler.
//
// Time: every timer (connect and hello timeouts, pings, the silence timeout, the reconnect
// backoff) runs on the injected Clock, checked by a watchdog every
// clamp(min(ping_interval, silence_timeout / 4, hello_timeout / 4, connect_timeout / 4), 5 ms, 1 s)
// of clock time (the reconnect backoff is exact). With a FakeClock nothing times out until the
// test advances it; `faqbot serve` passes the SystemClock.
//
// Thread-safety: Start/Stop/stats may be called from any thread. The handler runs on the client's
// own I/O thread, one envelope at a time; a second thread waits on the Clock and wakes the I/O
// thread when a timer is due. Not copyable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace faqbot::slack {

class WebApiClient;

struct SocketModeClientOptions {
  // Limit for resolving, connecting, TLS and the WebSocket handshake of one connection
  // (together).
  std::chrono::milliseconds connect_timeout{10'000};
  // Limit between the WebSocket handshake and Slack's `hello`.
  std::chrono::milliseconds hello_timeout{10'000};
  // A WebSocket ping is sent this often.
  std::chrono::milliseconds ping_interval{5'000};
  // No frame from Slack for this long means the link is half-open (reconnect).
  std::chrono::milliseconds silence_timeout{20'000};
  // Reconnect delay after the k-th consecutive failure: uniform in [0, min(cap, base * 2^(k-1))].
  std::chrono::milliseconds reconnect_backoff_base{500};
  std::chrono::milliseconds reconnect_backoff_cap{30'000};
  // Envelope ids remembered for de-duplication (oldest forgotten first).
  size_t dedup_capacity = 10'000;
  // A handler taking longer than this is logged: Slack's 3 s ack deadline is near.
  std::chrono::milliseconds slow_handler_warning{1'000};
  // Verify the server certificate (wss only). Only tests against a self-signed server turn it off.
  bool verify_peer = true;
  // A PEM file of CA certificates trusted besides the system's (a TLS-inspecting proxy, a test
  // server). Start() fails with InvalidArgument when it cannot be read.
  std::string ca_file;
  // Seed for the reconnect jitter; 0 = std::random_device.
  uint64_t jitter_seed = 0;
};

// One Socket Mode envelope.
struct SocketModeEnvelope {
  std::string envelope_id;
  std::string type;  // "events_api", "interactive", "slash_commands"
  nlohmann::json payload;
  int retry_attempt = 0;     // 0 on the first delivery
  std::string retry_reason;  // "timeout" on re-deliveries, else empty
  bool accepts_response_payload = false;
};

// What a handler answers: the ack payload (a slash command reply message, a view_submission
// response_action) or nothing. The payload is sent only when the envelope
// accepts_response_payload.
using EnvelopeReply = std::optional<nlohmann::json>;
// Called once per envelope id, on the client's thread. Must not block: post real work elsewhere.
// A retryable error (Unavailable, ResourceExhausted, DeadlineExceeded, Aborted — e.g. the executor
// is shut down) leaves the envelope un-acked and not remembered, so Slack delivers it again; any
// other error is logged and the envelope acked without payload (a re-delivery would fail the
// same way). An exception counts as Unavailable.
using EnvelopeHandler = std::function<Result<EnvelopeReply>(const SocketModeEnvelope&)>;
// Returns a fresh wss:// (or ws://) URL to connect to, or an error.
using UrlProvider = std::function<Result<std::string>()>;
// Called once when the client stops by itself (link_disabled, auth errors), with the reason, on
// the client's thread. It must not call Stop() (that joins the thread it runs on).
using StoppedCallback = std::function<void(const Status&)>;

struct SocketModeStats {
  int64_t connections_opened = 0;  // WebSocket handshakes that completed
  int64_t hellos = 0;              // `hello` messages received
  int64_t envelopes_handled = 0;   // handler calls
  int64_t duplicates_skipped = 0;  // envelopes acked without calling the handler
  int64_t acks_sent = 0;
  int64_t reconnects = 0;          // connections given up and replaced (any reason)
  int64_t half_open_detected = 0;  // reconnects because Slack went silent
  int64_t disconnects_received = 0;
  int64_t backoff_waits = 0;   // reconnect delays started after a failed or lost connection
  int64_t pings_sent = 0;      // WebSocket pings sent
  int64_t pongs_received = 0;  // WebSocket pongs read
};

class SocketModeClient {
 public:
  // `clock` is borrowed and must outlive the client.
  SocketModeClient(UrlProvider url_provider, EnvelopeHandler handler, Clock& clock,
                   SocketModeClientOptions options = {}, StoppedCallback on_stopped = nullptr);
  ~SocketModeClient();  // Stop()
  SocketModeClient(const SocketModeClient&) = delete;
  SocketModeClient& operator=(const SocketModeClient&) = delete;

  // The UrlProvider that calls apps.connections.open on `client` (which must outlive it).
  static UrlProvider UrlFromWebApi(WebApiClient& client);

  // Starts the I/O thread, which connects and keeps connecting until Stop. Returns at once.
  // Errors: FailedPrecondition when already started.
  Status Start();
  // Closes the connection, stops reconnecting and joins the thread. Idempotent; the handler is
  // not called after Stop returns. A UrlProvider call in progress is waited for (bounded by the
  // WebApiClient's request timeout).
  void Stop();

  // True between a `hello` and the loss of that connection.
  bool connected() const;
  SocketModeStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faqbot::slack
