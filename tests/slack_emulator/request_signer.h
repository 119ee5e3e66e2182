// Signed HTTP requests as Slack sends them to an app in HTTP mode: Events API (JSON),
// interactivity (`payload=<urlencoded JSON>` form) and slash commands (form), each with
// X-Slack-Request-Timestamp and X-Slack-Signature (v0, slack::ComputeSignature), optionally
// X-Slack-Retry-Num / X-Slack-Retry-Reason, and with the faults a verifier must catch (stale or
// future timestamp, bad signature, missing headers).
//
// PostSigned is a blocking HTTP/1.1 client for plain http:// URLs (the app under test listens on
// loopback). Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace faqbot::slack_emulator {

// The three kinds of signed request, by body encoding.
enum class SignedKind {
  kEvent,         // application/json: the event_callback / url_verification object
  kInteraction,   // application/x-www-form-urlencoded: payload=<JSON>
  kSlashCommand,  // application/x-www-form-urlencoded: the command's fields
};

struct SignOptions {
  // Added to the clock's Unix time for the timestamp header (e.g. -301: stale, +301: future).
  int64_t timestamp_offset_seconds = 0;
  // Sign with a wrong secret, so the signature is well-formed but does not match.
  bool bad_signature = false;
  // When > 0, sends X-Slack-Retry-Num with this value and X-Slack-Retry-Reason.
  int retry_num = 0;
  std::string retry_reason = "http_timeout";
  bool omit_timestamp = false;
  bool omit_signature = false;
  // Whole-request limit (connect, send, receive).
  std::chrono::milliseconds timeout{10'000};
};

struct SignedResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::chrono::milliseconds elapsed{0};        // request sent → response read
};

// The exact body bytes sent for `payload` of `kind`: JSON text; "payload=" + the percent-encoded
// JSON; or the form encoding of a flat object (string values as is, others as JSON text).
std::string EncodeSignedBody(SignedKind kind, const nlohmann::json& payload);
std::string ContentTypeFor(SignedKind kind);

// Signs `body` at `clock`'s time (plus the offset) with `signing_secret` and POSTs it to `url`
// (http://host:port/path). Errors: InvalidArgument for a URL that is not http://; Unavailable when
// the connection fails; DeadlineExceeded when `options.timeout` passes first. Any HTTP status is a
// success of the transport.
Result<SignedResponse> PostSignedBody(std::string_view url, std::string_view content_type,
                                      std::string_view body, std::string_view signing_secret,
                                      const Clock& clock, const SignOptions& options = {});

// EncodeSignedBody + PostSignedBody.
Result<SignedResponse> PostSigned(std::string_view url, SignedKind kind,
                                  const nlohmann::json& payload, std::string_view signing_secret,
                                  const Clock& clock, const SignOptions& options = {});

// How Slack re-sends an Events API request the app did not take (§2.6): up to three retries,
// "nearly immediately, then after 1 minute, then after 5 minutes" — compressed for tests.
struct DeliveryPolicy {
  // Wait before retry 1, 2, 3 (on the Clock given to DeliverLikeSlack); its size is the number of
  // retries.
  std::vector<std::chrono::milliseconds> retry_delays = {
      std::chrono::milliseconds(0), std::chrono::milliseconds(100), std::chrono::milliseconds(200)};
  // An answer slower than this is a failed attempt (http_timeout).
  std::chrono::milliseconds ack_deadline{3'000};
};

// One attempt of DeliverLikeSlack.
struct DeliveryAttempt {
  int retry_num = 0;         // 0 for the first delivery
  std::string retry_reason;  // sent with it (empty for the first)
  int status = 0;            // HTTP status; 0 when the connection failed or timed out
  std::chrono::milliseconds elapsed{0};
  // Why Slack would retry after this attempt: "" (2xx: done), "http_timeout", "http_error",
  // "connection_failed".
  std::string failure;
};

// Sends `payload` like Slack does: signed, and re-sent with X-Slack-Retry-Num 1..3 and
// X-Slack-Retry-Reason after a failure, unless the app answered with `X-Slack-No-Retry: 1`.
// Every attempt carries the same body (so the same event_id). Waits on `clock`.
std::vector<DeliveryAttempt> DeliverLikeSlack(std::string_view url, SignedKind kind,
                                              const nlohmann::json& payload,
                                              std::string_view signing_secret, Clock& clock,
                                              const DeliveryPolicy& policy = {});

}  // namespace faqbot::slack_emulator
