#include "server/console_auth.h"

#include <openssl/crypto.h>

#include <cctype>

#include "server/api_tokens.h"

namespace faqbot::server {
namespace {

constexpr size_t kSecretBytes = 32;

// Anything not shaped like one of our secrets costs no database read.
bool LooksLikeSecret(std::string_view secret) {
  if (secret.size() != 2 * kSecretBytes) return false;
  for (char c : secret) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace

ConsoleAuth::ConsoleAuth(store::Store& store, ConsoleAuthOptions options)
    : store_(store), options_(options) {}

Result<std::string> ConsoleAuth::CreateLink(const store::UserRef& owner) {
  FAQBOT_ASSIGN_OR_RETURN(std::string secret, RandomHex(kSecretBytes));
  FAQBOT_RETURN_IF_ERROR(store_.AddConsoleLink(owner, Sha256Hex(secret), options_.link_ttl));
  return secret;
}

Result<std::optional<ConsoleSignIn>> ConsoleAuth::Redeem(std::string_view link_secret) {
  if (!LooksLikeSecret(link_secret)) return std::optional<ConsoleSignIn>();
  FAQBOT_ASSIGN_OR_RETURN(std::string session_secret, RandomHex(kSecretBytes));
  FAQBOT_ASSIGN_OR_RETURN(auto session,
                          store_.RedeemConsoleLink(Sha256Hex(link_secret),
                                                   Sha256Hex(session_secret),
                                                   options_.session_ttl));
  if (!session) return std::optional<ConsoleSignIn>();
  return std::optional<ConsoleSignIn>(ConsoleSignIn{std::move(session_secret), *session});
}

Result<std::optional<store::ConsoleSession>> ConsoleAuth::FindSession(
    std::string_view session_secret) {
  if (!LooksLikeSecret(session_secret)) return std::optional<store::ConsoleSession>();
  return store_.FindConsoleSession(Sha256Hex(session_secret));
}

Status ConsoleAuth::SignOut(std::string_view session_secret) {
  if (!LooksLikeSecret(session_secret)) return Status::Ok();
  return store_.RevokeConsoleSession(Sha256Hex(session_secret));
}

std::string CsrfTokenFor(std::string_view session_secret) {
  // A hash of the secret under its own label: knowing the token tells nothing of the cookie.
  std::string labelled = "faqbot console csrf\n";
  labelled.append(session_secret);
  return Sha256Hex(labelled);
}

bool CsrfTokenMatches(std::string_view session_secret, std::string_view token) {
  const std::string expected = CsrfTokenFor(session_secret);
  return token.size() == expected.size() &&
         CRYPTO_memcmp(token.data(), expected.data(), expected.size()) == 0;
}

std::string ConsoleLoginUrl(std::string_view public_url, std::string_view link_secret) {
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  return std::string(public_url) + "/console/login?token=" + std::string(link_secret);
}

}  // namespace faqbot::server
