// SignatureVerifier: checks that an HTTP request really comes from Slack (signing secret v0).
//
// Slack signs every HTTP request: X-Slack-Signature = "v0=" + lower-case hex of
// HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body). The secret is
// used as plain bytes, never hex-decoded. A request is accepted when the signature matches
// (compared in constant time) and the timestamp is within a window of the injected Clock's wall
// time, in both directions, so a captured request cannot be replayed later.
// Socket Mode payloads are not signed and never go through this class.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "slack/http_headers.h"

namespace faqbot::slack {

class KeyedHmac;  // the secret loaded into an OpenSSL MAC context; defined in the .cc

inline constexpr std::string_view kSignatureHeader = "X-Slack-Signature";
inline constexpr std::string_view kTimestampHeader = "X-Slack-Request-Timestamp";

// "v0=<64 lower-case hex digits>": the signature Slack would send for `body` at `timestamp`.
// The loopback emulator signs its requests with this. Pure; thread-safe.
std::string ComputeSignature(std::string_view signing_secret, int64_t timestamp,
                             std::string_view body);

struct SignatureVerifierOptions {
  // Largest accepted |now - request timestamp|, in seconds (Slack's documented 5 minutes).
  int64_t max_clock_skew_seconds = 300;
};

class SignatureVerifier {
 public:
  // `clock` must outlive the verifier. The secret is copied and never logged.
  SignatureVerifier(std::string signing_secret, const Clock& clock,
                    SignatureVerifierOptions options = {});
  ~SignatureVerifier();
  SignatureVerifier(const SignatureVerifier&) = delete;
  SignatureVerifier& operator=(const SignatureVerifier&) = delete;

  // Ok when `headers` carry a valid, fresh signature of `body` (the raw bytes as received, before
  // any decoding). Errors:
  //   Unauthenticated: missing signature or timestamp header, a version other than v0, a
  //     signature of the wrong length or not matching, a timestamp outside the window;
  //   InvalidArgument: a timestamp that is not a decimal number of seconds.
  // Messages never contain the secret or the expected signature. Thread-safe (const, no state
  // besides the key).
  Status Verify(const Headers& headers, std::string_view body) const;

 private:
  std::unique_ptr<KeyedHmac> key_;  // null when the secret is empty
  const Clock& clock_;
  SignatureVerifierOptions options_;
};

}  // namespace faqbot::slack
