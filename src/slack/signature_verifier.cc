#include "slack/signature_verifier.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <charconv>
#include <cstdlib>
#include <string>

#include "common/string_util.h"

namespace faqbot::slack {
namespace {

constexpr std::string_view kVersionPrefix = "v0=";
constexpr size_t kDigestBytes = 32;  // SHA-256
constexpr size_t kSignatureChars = kVersionPrefix.size() + 2 * kDigestBytes;

// The HMAC algorithm object, fetched from the default provider once per process (fetching is
// the expensive part of EVP_MAC; the object itself is immutable and shareable).
EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

}  // namespace

// A MAC context initialised with the secret and SHA-256. Each signature is computed on a
// duplicate, so the keyed context is only ever read and may be shared between threads.
class KeyedHmac {
 public:
  EVP_MAC_CTX* ctx = nullptr;

  explicit KeyedHmac(std::string_view secret) {
    EVP_MAC* mac = HmacAlgorithm();
    if (mac == nullptr) return;
    ctx = EVP_MAC_CTX_new(mac);
    if (ctx == nullptr) return;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    // A non-null pointer even for an empty secret: OpenSSL treats a null key as "keep the old one".
    static const unsigned char kEmpty = 0;
    const auto* key =
        secret.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(secret.data());
    if (EVP_MAC_init(ctx, key, secret.size(), params) != 1) {
      EVP_MAC_CTX_free(ctx);
      ctx = nullptr;
    }
  }
  ~KeyedHmac() { EVP_MAC_CTX_free(ctx); }
  KeyedHmac(const KeyedHmac&) = delete;
  KeyedHmac& operator=(const KeyedHmac&) = delete;

  // "v0=" + hex(HMAC(secret, "v0:" + timestamp + ":" + body)); empty if OpenSSL failed.
  std::string Sign(std::string_view timestamp, std::string_view body) const {
    if (ctx == nullptr) return {};
    EVP_MAC_CTX* c = EVP_MAC_CTX_dup(ctx);
    if (c == nullptr) return {};
    unsigned char digest[EVP_MAX_MD_SIZE];
    size_t digest_len = 0;
    // Fed in pieces so the body is never copied into a base string.
    const bool ok =
        EVP_MAC_update(c, reinterpret_cast<const unsigned char*>("v0:"), 3) == 1 &&
        EVP_MAC_update(c, reinterpret_cast<const unsigned char*>(timestamp.data()),
                       timestamp.size()) == 1 &&
        EVP_MAC_update(c, reinterpret_cast<const unsigned char*>(":"), 1) == 1 &&
        EVP_MAC_update(c, reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1 &&
        EVP_MAC_final(c, digest, &digest_len, sizeof(digest)) == 1;
    EVP_MAC_CTX_free(c);
    if (!ok || digest_len != kDigestBytes) return {};
    return std::string(kVersionPrefix) +
           LowerHex({reinterpret_cast<const char*>(digest), digest_len});
  }
};

std::string ComputeSignature(std::string_view signing_secret, int64_t timestamp,
                             std::string_view body) {
  return KeyedHmac(signing_secret).Sign(std::to_string(timestamp), body);
}

SignatureVerifier::SignatureVerifier(std::string signing_secret, const Clock& clock,
                                     SignatureVerifierOptions options)
    : key_(signing_secret.empty() ? nullptr : std::make_unique<KeyedHmac>(signing_secret)),
      clock_(clock),
      options_(options) {
  // The only copy of the secret now lives inside the OpenSSL context.
  OPENSSL_cleanse(signing_secret.data(), signing_secret.size());
}

SignatureVerifier::~SignatureVerifier() = default;

Status SignatureVerifier::Verify(const Headers& headers, std::string_view body) const {
  // Fail closed: without a secret nothing can be authenticated.
  if (key_ == nullptr || key_->ctx == nullptr) {
    return UnauthenticatedError("no Slack signing secret is configured");
  }
  const std::string_view signature = HeaderValue(headers, kSignatureHeader);
  const std::string_view timestamp = HeaderValue(headers, kTimestampHeader);
  if (timestamp.empty()) {
    return UnauthenticatedError("missing " + std::string(kTimestampHeader) + " header");
  }
  if (signature.empty()) {
    return UnauthenticatedError("missing " + std::string(kSignatureHeader) + " header");
  }

  int64_t seconds = 0;
  const char* end = timestamp.data() + timestamp.size();
  auto [ptr, ec] = std::from_chars(timestamp.data(), end, seconds);
  if (ec != std::errc() || ptr != end || timestamp.front() == '-') {
    return InvalidArgumentError(std::string(kTimestampHeader) +
                                " is not a decimal number of seconds");
  }
  const int64_t now = clock_.UnixSeconds();
  // Compared as a difference of non-negative values, so no overflow for absurd timestamps.
  const int64_t skew = seconds > now ? seconds - now : now - seconds;
  if (skew > options_.max_clock_skew_seconds) {
    return UnauthenticatedError(
        "request timestamp is " + std::to_string(skew) + " s away from now (limit " +
        std::to_string(options_.max_clock_skew_seconds) + " s): stale or replayed");
  }

  if (signature.substr(0, kVersionPrefix.size()) != kVersionPrefix) {
    return UnauthenticatedError("unsupported signature version (expected v0=)");
  }
  if (signature.size() != kSignatureChars) {
    return UnauthenticatedError("signature has " + std::to_string(signature.size()) +
                                " characters, expected " + std::to_string(kSignatureChars));
  }
  const std::string expected = key_->Sign(timestamp, body);
  if (expected.size() != kSignatureChars) return InternalError("HMAC-SHA256 computation failed");
  if (CRYPTO_memcmp(expected.data(), signature.data(), kSignatureChars) != 0) {
    return UnauthenticatedError("signature does not match the request body");
  }
  return Status::Ok();
}

}  // namespace faqbot::slack
