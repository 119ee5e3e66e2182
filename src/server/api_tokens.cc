#include "server/api_tokens.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/string_util.h"

namespace faqbot::server {
namespace {

constexpr size_t kTokenBytes = 32;

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &digest_len, EVP_sha256(), nullptr) != 1) {
    return {};  // for a token: never matches a stored hash (AddApiToken refuses an empty one)
  }
  return LowerHex({reinterpret_cast<const char*>(digest), digest_len});
}

std::string HashApiToken(std::string_view token) { return Sha256Hex(token); }

Result<std::string> RandomHex(size_t bytes) {
  std::string random(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), static_cast<int>(bytes)) != 1) {
    return InternalError("no random bytes for a secret (OpenSSL RAND_bytes failed)");
  }
  return LowerHex(random);
}

Result<CreatedApiToken> CreateApiToken(store::Store& store, const store::UserRef& owner,
                                       const std::string& name, const std::string& form_key) {
  FAQBOT_ASSIGN_OR_RETURN(std::string secret, RandomHex(kTokenBytes));
  CreatedApiToken created;
  created.token = std::string(kApiTokenPrefix) + secret;
  FAQBOT_ASSIGN_OR_RETURN(created.info,
                          store.AddApiToken(owner, HashApiToken(created.token), name, form_key));
  return created;
}

Result<std::optional<store::ApiToken>> FindApiToken(store::Store& store, std::string_view token) {
  // Anything not shaped like one of ours costs no database read.
  if (token.size() != kApiTokenPrefix.size() + 2 * kTokenBytes ||
      token.substr(0, kApiTokenPrefix.size()) != kApiTokenPrefix) {
    return std::optional<store::ApiToken>();
  }
  const std::string hash = HashApiToken(token);
  if (hash.empty()) return std::optional<store::ApiToken>();
  return store.FindApiToken(hash);
}

}  // namespace faqbot::server
