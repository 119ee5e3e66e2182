// SecretBox: what faqbot's secret key (FAQBOT_SECRET_KEY) protects — the Slack bot tokens kept in
// the database (sealed with libsodium's crypto_secretbox: XSalsa20-Poly1305, a fresh random nonce
// per seal) and the OAuth `state` parameters it hands out (an HMAC: crypto_auth,
// HMAC-SHA-512-256). Each use has its own subkey derived from the one key (crypto_kdf), so a MAC
// can never be mistaken for a sealed token.
//
// The key is 32 random bytes written as 64 hex digits or in base64 (`openssl rand -hex 32`).
// Value type; copyable; every method is const and thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace faqbot::server {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;

  // The box for the key written as `text`: 64 hex digits, or base64 (standard or URL-safe,
  // padded or not) of exactly 32 bytes; surrounding whitespace is ignored. Errors:
  // InvalidArgument (another length or alphabet; the message says what is expected and never
  // repeats the key), Internal (libsodium cannot start).
  static Result<SecretBox> FromText(std::string_view text);

  // `plaintext` sealed: the 24-byte nonce followed by the ciphertext and its 16-byte MAC. Two
  // seals of the same text differ.
  std::string Seal(std::string_view plaintext) const;
  // The plaintext of a Seal under this key. Errors: DataLoss when `sealed` was altered, is
  // truncated, or was sealed under another key (nothing of it is returned).
  Result<std::string> Open(std::string_view sealed) const;

  // The MAC of `message` (32 bytes), for values handed out and checked later.
  std::string Sign(std::string_view message) const;
  // Whether `mac` is Sign(message), compared in constant time.
  bool Verify(std::string_view message, std::string_view mac) const;

 private:
  SecretBox() = default;

  std::array<unsigned char, 32> seal_key_{};
  std::array<unsigned char, 32> sign_key_{};
};

}  // namespace faqbot::server
