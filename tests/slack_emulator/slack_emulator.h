// SlackEmulator: a real loopback Slack for integration tests (Boost.Beast HTTP + WebSocket on
// 127.0.0.1, an ephemeral port).
//
// What it serves:
//   - Web API at /api/<method> (JSON or form POST, GET query): auth.test, chat.postMessage,
//     chat.update, chat.postEphemeral, conversations.open, users.info, views.publish, views.open,
//     apps.connections.open, oauth.v2.access (client id and secret, a code from NewOAuthCode used
//     once, the redirect_uri it was issued for).
//   - Several workspaces (AddWorkspace), each with its own bot token, team, bot user and users;
//     a call is answered as the workspace of its token, and recorded with that team. The token
//     comes from `Authorization: Bearer` (or a form/query `token`); an unknown token gets
//     `{"ok":false,"error":"invalid_auth"}`, the app token on a bot method `not_allowed_token_type`
//     and vice versa. Every request is recorded.
//   - response_url endpoints at /response/<id> (NewResponseUrl), recorded under the method name
//     "response_url"; usable 5 times each, like Slack's.
//   - Socket Mode: apps.connections.open hands out ws://127.0.0.1:PORT/link/?ticket=<single-use>;
//     a connection gets `hello`, then the envelopes queued with QueueEnvelope, one connection at a
//     time round-robin. Acks are recorded with their delay; an envelope not acked within
//     `ack_timeout` is queued again with retry_attempt+1 and retry_reason "timeout" (up to
//     `max_redeliveries`). Pings are answered while the emulator reads.
//   - Fault injection per method (InjectFault) and per connection (SendDisconnect, SetSilent,
//     DropConnections).
//
// Threading: one internal I/O thread runs every socket; the public methods may be called from any
// other thread (they lock, or run on that thread and return once done, so an injected
// per-connection fault is in force when the call returns). Not copyable. Stop() (or the
// destructor) closes everything and joins.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace faqbot::slack_emulator {

using SteadyTime = std::chrono::steady_clock::time_point;

// A user users.info knows.
struct EmulatedUser {
  std::string id;  // U…
  std::string name;
  std::string real_name;
  std::string display_name;
  bool is_bot = false;
};

// A further workspace the app is installed in (the default one comes from the options).
struct EmulatedWorkspace {
  std::string team_id;        // T…
  std::string team;           // name
  std::string enterprise_id;  // E… for an Enterprise Grid organisation; empty otherwise
  std::string enterprise;     // name
  std::string bot_token;      // what oauth.v2.access hands out for it, and the calls present
  std::string bot_user_id;
  std::string bot_id;
};

struct SlackEmulatorOptions {
  // 0 = an ephemeral port chosen by the OS.
  uint16_t port = 0;
  // Tokens the Web API accepts.
  std::string bot_token = "xoxb-emulator-bot-token";
  std::string app_token = "xapp-1-emulator-app-token";
  // auth.test identity.
  std::string team_id = "T0EMULATOR";
  std::string team = "Emulated Workspace";
  std::string bot_user_id = "U0FAQBOT";
  std::string bot_id = "B0FAQBOT";
  std::string app_id = "A0FAQBOT";
  // OAuth: the app's credentials oauth.v2.access checks.
  std::string client_id = "1111.2222";
  std::string client_secret = "emulator-client-secret";
  // Socket Mode: how long an envelope may stay un-acked before it is delivered again.
  std::chrono::milliseconds ack_timeout{3'000};
  // Socket Mode: re-deliveries of one envelope after its first delivery.
  int max_redeliveries = 3;
  // Socket Mode: most envelopes one connection may hold un-acked (sent, no ack yet); the rest
  // wait. 0 = no limit (everything queued is written at once).
  int max_unacked_per_connection = 0;
  // Socket Mode: after a `disconnect` message, the connection is closed this much later.
  std::chrono::milliseconds disconnect_close_delay{1'000};
};

// One request the emulator received (Web API or response_url).
struct RecordedCall {
  std::string method;                          // "chat.postMessage", "response_url", …
  nlohmann::json args;                         // JSON body, or form/query fields as strings
  std::map<std::string, std::string> headers;  // lower-case names
  std::string content_type;
  std::string body;         // raw request body
  SteadyTime arrival;       // when the request was fully read
  int http_status = 0;      // what the emulator answered (0: connection dropped)
  nlohmann::json response;  // the JSON answered (null for non-JSON answers)
  std::string team_id;      // the workspace of the token presented; empty: none or unknown
};

// What the next calls to a method get instead of the normal answer.
struct Fault {
  enum class Kind {
    kRateLimited,  // HTTP 429, Retry-After: retry_after_seconds, {"ok":false,"error":"ratelimited"}
    kServerError,  // HTTP 500 with an HTML page
    kDelay,        // the normal answer, after `delay`
    kSlackError,   // HTTP 200 {"ok":false,"error":<slack_error>}
    kDropConnection,  // the TCP connection is closed without an answer
    kNotJson,         // HTTP 200 with an HTML body (a proxy's error page)
  };
  Kind kind = Kind::kServerError;
  int retry_after_seconds = 1;
  std::chrono::milliseconds delay{0};
  std::string slack_error;
};

// One Socket Mode envelope sent to a client.
struct Delivery {
  std::string envelope_id;
  int retry_attempt = 0;
  int connection = 0;  // 1-based connection number
  SteadyTime sent;
};

// One ack received.
struct AckRecord {
  std::string envelope_id;
  nlohmann::json payload;              // null when the ack had none
  std::chrono::milliseconds delay{0};  // since the (latest) delivery of the envelope
  int connection = 0;
  bool duplicate = false;  // the envelope had already been acked
};

class SlackEmulator {
 public:
  explicit SlackEmulator(SlackEmulatorOptions options = {});
  ~SlackEmulator();
  SlackEmulator(const SlackEmulator&) = delete;
  SlackEmulator& operator=(const SlackEmulator&) = delete;

  // Binds 127.0.0.1 and starts the I/O thread. Errors: Unavailable when the port cannot be bound;
  // FailedPrecondition when already started.
  Status Start();
  // Closes every connection and joins the I/O thread. Idempotent.
  void Stop();

  uint16_t port() const;
  // "http://127.0.0.1:PORT/api/" — the WebApiClientOptions::base_url for this emulator.
  std::string base_url() const;
  // "http://127.0.0.1:PORT".
  std::string root_url() const;
  const SlackEmulatorOptions& options() const;

  // --- Web API ---
  // A user of workspace `team_id` (empty: the default one, options().team_id), whom users.info
  // finds with that workspace's token only.
  void AddUser(EmulatedUser user, const std::string& team_id = "");
  // Installs the app in one more workspace (its bot token works from now on).
  void AddWorkspace(EmulatedWorkspace workspace);
  // A single-use OAuth code, as Slack puts in the redirect after someone in `team_id` (a
  // workspace added with AddWorkspace) approved the install; `org_wide`: installed for its whole
  // organisation. oauth.v2.access accepts it once, with the same `redirect_uri`.
  std::string NewOAuthCode(const std::string& team_id, const std::string& redirect_uri,
                           const std::string& installer, bool org_wide = false);
  // Recorded requests, oldest first; only those for `method` when given.
  std::vector<RecordedCall> Calls(const std::string& method = "") const;
  void ClearCalls();
  // The next `times` calls of `method` ("response_url" for response URLs) get `fault`.
  // Faults queue up in order.
  void InjectFault(const std::string& method, Fault fault, int times = 1);
  // Drops every fault still queued: Slack is back.
  void ClearFaults();
  // A fresh response_url on this emulator.
  std::string NewResponseUrl();

  // --- Socket Mode ---
  // Queues an envelope of `type` ("events_api", "interactive", "slash_commands") and returns
  // its envelope_id. Delivered as soon as a connection is ready.
  std::string QueueEnvelope(const std::string& type, nlohmann::json payload,
                            bool accepts_response_payload = false);
  std::vector<Delivery> Deliveries() const;
  std::vector<AckRecord> Acks() const;
  // Envelopes queued and not yet acked (waiting, in flight, or awaiting re-delivery).
  size_t unacked() const;
  // Sends {"type":"disconnect","reason":reason} on every open connection; they get no more
  // envelopes and are closed `disconnect_close_delay` later.
  void SendDisconnect(const std::string& reason);
  // Closes every Socket Mode TCP connection abruptly (no close frame).
  void DropConnections();
  // The next `count` acks are discarded as if lost on the way (their envelopes are re-delivered
  // after ack_timeout).
  void LoseAcks(int count);
  // Current connections stop reading and writing, but their TCP connection stays open (the
  // client sees a half-open link: no pongs, no envelopes).
  void SetSilent();
  int connections_accepted() const;
  int open_connections() const;
  // Waits (real time) until `predicate` is true, polling; false on timeout.
  static bool WaitFor(const std::function<bool()>& predicate, std::chrono::milliseconds timeout);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faqbot::slack_emulator
