// Fuzzes request signing: SignatureVerifier::Verify on arbitrary headers and bodies, and
// PercentDecode. Input: one byte choosing a clock skew, then "<timestamp>\n<signature>\n<body>".
// Checked: Verify never crashes and fails only with Unauthenticated / InvalidArgument; what it
// accepts stops verifying when the body changes; a signature computed for the body verifies
// exactly when its timestamp is within the window; PercentDecode inverts PercentEncode, and what
// it decodes survives an encode/decode round trip.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "slack/form_decoding.h"
#include "slack/signature_verifier.h"

namespace {

using faqbot::StatusCode;
namespace slack = faqbot::slack;

constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kSecret = "8f742231b10e8888abcd99yyyzzz85a5";

const slack::SignatureVerifier& Verifier() {
  static faqbot::FakeClock clock(kNow);
  static slack::SignatureVerifier verifier(std::string(kSecret), clock);
  return verifier;
}

slack::Headers SignedHeaders(std::string_view timestamp, std::string_view signature) {
  slack::Headers headers;
  headers[std::string(slack::kTimestampHeader)] = timestamp;
  headers[std::string(slack::kSignatureHeader)] = signature;
  return headers;
}

// Splits off the text up to the next '\n' (all of `rest` when there is none).
std::string_view TakeLine(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string_view rest = input;
  const std::string_view timestamp = TakeLine(rest);
  const std::string_view signature = TakeLine(rest);
  const std::string_view body = rest;
  const auto& verifier = Verifier();

  const faqbot::Status verdict = verifier.Verify(SignedHeaders(timestamp, signature), body);
  if (!verdict.ok() && verdict.code() != StatusCode::kUnauthenticated &&
      verdict.code() != StatusCode::kInvalidArgument) {
    std::abort();
  }
  if (verdict.ok() &&
      verifier.Verify(SignedHeaders(timestamp, signature), std::string(body) + " ").ok()) {
    std::abort();
  }

  // A genuine signature of this body, from a clock skew of -384 … +381 s.
  const int64_t skew = static_cast<int64_t>(data[0]) * 3 - 384;
  const int64_t when = kNow + skew;
  const std::string genuine = slack::ComputeSignature(kSecret, when, body);
  const bool fresh = skew >= -300 && skew <= 300;
  if (verifier.Verify(SignedHeaders(std::to_string(when), genuine), body).ok() != fresh) {
    std::abort();
  }

  auto decoded = slack::PercentDecode(input);
  if (decoded.ok()) {
    auto again = slack::PercentDecode(slack::PercentEncode(*decoded));
    if (!again.ok() || *again != *decoded) std::abort();
  } else if (decoded.status().code() != StatusCode::kInvalidArgument) {
    std::abort();
  }
  auto round_trip = slack::PercentDecode(slack::PercentEncode(input));
  if (!round_trip.ok() || *round_trip != input) std::abort();
  return 0;
}
