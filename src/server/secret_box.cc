#include "server/secret_box.h"

#include <sodium.h>

#include <optional>

#include "common/string_util.h"

namespace faqbot::server {
namespace {

static_assert(crypto_secretbox_KEYBYTES == 32 && crypto_auth_KEYBYTES == 32 &&
              crypto_kdf_KEYBYTES == SecretBox::kKeyBytes);

// crypto_kdf's context: 8 bytes naming what the subkeys are for.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "faqbotsk";
constexpr uint64_t kSealSubkey = 1;
constexpr uint64_t kSignSubkey = 2;

// The 32 bytes `text` encodes, or nullopt.
std::optional<std::string> DecodeKey(std::string_view text) {
  std::string key(SecretBox::kKeyBytes, '\0');
  size_t length = 0;
  auto* out = reinterpret_cast<unsigned char*>(key.data());
  if (text.size() == 2 * SecretBox::kKeyBytes) {
    if (sodium_hex2bin(out, key.size(), text.data(), text.size(), nullptr, &length, nullptr) == 0 &&
        length == key.size()) {
      return key;
    }
    return std::nullopt;
  }
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    const char* end = nullptr;
    if (sodium_base642bin(out, key.size(), text.data(), text.size(), nullptr, &length, &end,
                          variant) == 0 &&
        length == key.size() && end == text.data() + text.size()) {
      return key;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<SecretBox> SecretBox::FromText(std::string_view text) {
  if (sodium_init() < 0) return InternalError("libsodium cannot be initialised");
  const std::string trimmed = Trim(text);
  std::optional<std::string> key = DecodeKey(trimmed);
  if (!key) {
    return InvalidArgumentError(
        "FAQBOT_SECRET_KEY must be 32 random bytes as 64 hex digits or base64 (make one with "
        "`openssl rand -hex 32`); the value given has " +
        std::to_string(trimmed.size()) + " characters");
  }
  SecretBox box;
  const auto* master = reinterpret_cast<const unsigned char*>(key->data());
  crypto_kdf_derive_from_key(box.seal_key_.data(), box.seal_key_.size(), kSealSubkey, kKdfContext,
                             master);
  crypto_kdf_derive_from_key(box.sign_key_.data(), box.sign_key_.size(), kSignSubkey, kKdfContext,
                             master);
  sodium_memzero(key->data(), key->size());
  return box;
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::string sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(),
                     '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(sealed.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, seal_key_.data());
  return sealed;
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  constexpr size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (sealed.size() < kOverhead) return DataLossError("sealed value is truncated");
  std::string plaintext(sealed.size() - kOverhead, '\0');
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(plaintext.data()), nonce + crypto_secretbox_NONCEBYTES,
          sealed.size() - crypto_secretbox_NONCEBYTES, nonce, seal_key_.data()) != 0) {
    return DataLossError(
        "a sealed value does not open: it was altered, or sealed under another "
        "FAQBOT_SECRET_KEY");
  }
  return plaintext;
}

std::string SecretBox::Sign(std::string_view message) const {
  std::string mac(crypto_auth_BYTES, '\0');
  crypto_auth(reinterpret_cast<unsigned char*>(mac.data()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(),
              sign_key_.data());
  return mac;
}

bool SecretBox::Verify(std::string_view message, std::string_view mac) const {
  return mac.size() == crypto_auth_BYTES &&
         crypto_auth_verify(reinterpret_cast<const unsigned char*>(mac.data()),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                            sign_key_.data()) == 0;
}

}  // namespace faqbot::server
