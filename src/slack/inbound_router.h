// InboundRouter: the front door for everything Slack sends, whatever the transport.
//
// The HTTP server hands it each POST to /slack/events, /slack/interactive or /slack/commands;
// the Socket Mode client hands it each envelope's payload. For every request it, in this order:
//   1. (HTTP) rejects bodies over the size limit (413) before hashing them;
//   2. (HTTP) answers a slash command ssl_check with 200 (nothing is processed, so it needs no
//      signature, as in Slack's SDKs);
//   3. (HTTP) verifies the signature (401); Socket Mode payloads arrive over an authenticated
//      WebSocket and skip this step;
//   4. parses the body (400 when malformed) and answers url_verification with its challenge;
//   5. drops what the assistant must not see (EventFilter: own and other bots' messages, edits…);
//   6. built with an EventInbox (what `faqbot serve` uses): stores the request in the
//      inbox, synchronously, and acknowledges only once it is stored; a duplicate key (a Slack
//      retry, a redelivered envelope) is acknowledged and dropped; a failed store is not
//      acknowledged (503 / no Socket Mode ack), so Slack retries and nothing acknowledged is
//      lost. The inbox then has the event handled.
//      Built with a DedupStore, an Executor and a handler instead (tests, benchmarks): posts
//      the processing of the event to the Executor and returns the ack at once, never waiting
//      for processing. In the background task, the event is first recorded in the DedupStore
//      under its event_id (or Socket Mode envelope ID; a view submission under a hash of its
//      team, user, view — id, callback, metadata — and submitted values) for
//      `dedup_ttl_seconds`; a delivery
//      already recorded is dropped there, so each event is handled once and the ack never
//      waits for the store. Then the handler runs; an exception from it is caught and logged.
//      While the handler runs (either way), the thread's log context (common/logging.h) names
//      the delivery (its event or envelope id, else "local-<n>"), its team and user, and when
//      it arrived.
//
// Thread-safe: any number of threads may call HandleHttp / HandleSocketMode at once. The
// verifier, inbox or dedup store and executor, and clock are borrowed and must outlive the router
// and every task it posted (shut the executor down first).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/executor.h"
#include "common/logging.h"
#include "common/repeated_warning.h"
#include "common/status.h"
#include "slack/dedup_store.h"
#include "slack/event_filter.h"
#include "slack/event_inbox.h"
#include "slack/event_parser.h"
#include "slack/http_headers.h"
#include "slack/signature_verifier.h"
#include "slack/slack_event.h"

namespace faqbot::slack {

// Which Slack Request URL a request came to.
enum class RequestKind {
  kEvents,       // /slack/events: JSON Events API bodies
  kInteractive,  // /slack/interactive: payload=<JSON> form bodies
  kCommands,     // /slack/commands: slash command form bodies
};

// The HTTP answer to one request, ready to send.
struct AckResponse {
  int status = 200;
  std::string content_type;  // empty when there is no body
  std::string body;
  Headers headers;  // extra response headers (X-Slack-No-Retry on requests a retry cannot fix)
};

// The immediate ack body for an accepted event: a slash command's first reply, a
// view_submission's response_action, … nullopt for an empty ack. Runs on the caller's thread
// inside the 3-second budget, so it must be fast and must not do I/O; an exception is logged and
// treated as nullopt.
using AckBuilder = std::function<std::optional<nlohmann::json>(const InboundEvent&)>;

// The Slack name of an event's kind ("message", "block_action", …), for logs.
std::string_view PayloadName(const EventPayload& payload);

// The log context of handling `event` (common/logging.h): delivered under `key` (its event or
// envelope id, or a local name), arrived at `arrived` (the handling clock's time).
LogContext LogContextOf(const InboundEvent& event, const std::string& key,
                        Clock::TimePoint arrived);

// Runs `handler` on `event`, delivered under `log_id`, and logs how long it took or what it
// threw (an exception is caught and logged, never rethrown). The caller sets the log context
// (LogContextOf). `clock` times it. What the router (without an inbox) and the durable inbox's
// dispatcher both do with an event they decided to handle.
void RunEventHandler(const std::function<void(InboundEvent)>& handler, InboundEvent event,
                     std::string_view log_id, const Clock& clock);

// The default AckBuilder: an ephemeral "Working on it…" message for slash commands, nothing for
// other events.
std::optional<nlohmann::json> DefaultAck(const InboundEvent& event);

struct InboundRouterOptions {
  // The app's own bot user and bot ID (from auth.test), for dropping its own messages.
  BotIdentity self;
  // Bodies larger than this are answered 413 before any work.
  size_t max_body_bytes = kMaxBodyBytes;
  // How long an event ID is remembered. Slack's last retry comes ~6 minutes after the first
  // delivery; 15 minutes leaves room for slow deliveries and clock differences.
  int64_t dedup_ttl_seconds = 15 * 60;
  // The immediate ack body of accepted events.
  AckBuilder ack_builder = DefaultAck;
};

class InboundRouter {
 public:
  // Processes one accepted, deduplicated event, on an Executor thread.
  using Handler = std::function<void(InboundEvent)>;

  // Handles each accepted event on `executor` with `handler`, once per dedup key (`dedup`
  // remembers keys for options.dedup_ttl_seconds).
  InboundRouter(const SignatureVerifier& verifier, DedupStore& dedup, Executor& executor,
                const Clock& clock, Handler handler, InboundRouterOptions options = {});
  // Stores each accepted event in `inbox` before the ack (step 6), which drops a key it already
  // holds; whoever drains the inbox handles it (server/inbox_dispatcher.h). options'
  // dedup_ttl_seconds is unused. The inbox must outlive the router.
  InboundRouter(const SignatureVerifier& verifier, EventInbox& inbox, const Clock& clock,
                InboundRouterOptions options = {});
  InboundRouter(const InboundRouter&) = delete;
  InboundRouter& operator=(const InboundRouter&) = delete;

  // One HTTP request: `headers` and the raw `body` exactly as received. Always returns an answer
  // (never throws): 200 with the ack (url_verification: JSON {"challenge": …}); 400 malformed;
  // 401 bad or missing signature; 413 too large; 503 when the executor no longer accepts work
  // (shutting down: Slack retries later, and nothing was recorded as seen) or the inbox could not
  // store the event. Rejections carry
  // the HTTP status and JSON error body of common/status_http.h, as the server's own errors do.
  AckResponse HandleHttp(RequestKind kind, const Headers& headers, std::string_view body);

  // One Socket Mode envelope: its `type` ("events_api", "interactive", "slash_commands"), its
  // `payload`, `envelope_id`, `retry_attempt` and `retry_reason`. Returns the payload to put in
  // the ack ({"envelope_id": …, "payload": …}), or nullopt for an ack without payload. Errors:
  // InvalidArgument (malformed payload, or one larger than `max_body_bytes`: ack it anyway, a
  // redelivery would be as malformed),
  // Unavailable (executor shut down, or the inbox could not store the event: do not ack, so
  // Slack redelivers).
  Result<std::optional<nlohmann::json>> HandleSocketMode(std::string_view envelope_type,
                                                         const nlohmann::json& payload,
                                                         std::string_view envelope_id,
                                                         int retry_attempt,
                                                         std::string_view retry_reason);

 private:
  // What to answer, transport-neutral.
  struct Decision {
    Status status;                       // not ok: rejected
    std::optional<nlohmann::json> body;  // ack body
  };

  // The request as received, for the inbox: its kind (event_inbox.h) and its text, made only
  // when an inbox is used.
  struct Received {
    std::string_view kind;
    std::function<std::string()> text;
  };

  // Steps 4-6 for a parsed request. `fallback_id` is the dedup key when the event has no
  // event_id (Socket Mode envelope ID; empty over HTTP).
  Decision Dispatch(Result<ParsedRequest> parsed, int retry_num, std::string_view retry_reason,
                    std::string_view fallback_id, const Received& received);
  // Step 6 with an inbox: Unavailable when the event could not be stored.
  Status StoreInInbox(const InboundEvent& event, std::string dedup_key, const Received& received);
  // Posts dedup + handler for `event`; false when the executor refused.
  bool Post(InboundEvent event, std::string dedup_key);

  const SignatureVerifier& verifier_;
  // Either the inbox, or the dedup store, executor and handler.
  EventInbox* inbox_ = nullptr;
  DedupStore* dedup_ = nullptr;
  Executor* executor_ = nullptr;
  const Clock& clock_;
  // Requests refused before they are known to come from Slack (oversized, unsigned, badly
  // signed): anyone can send them, so they are logged once a minute with a count, not each.
  RepeatedWarning refused_{clock_};
  // Shared with posted tasks, so a task never touches the router itself.
  std::shared_ptr<const Handler> handler_;
  InboundRouterOptions options_;
  // Numbers the deliveries that carry no id (interactions and commands over HTTP), so that their
  // log lines still name one: "local-<n>".
  std::atomic<uint64_t> local_ids_{0};
};

}  // namespace faqbot::slack
