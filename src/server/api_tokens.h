// API tokens: what an owner hands to an HTTP client (a Rasa client, a script) so that it can use
// the owner's bot over faqbot's HTTP API. A token is "faqbot_" + 64 hex digits of 32 random bytes
// from OpenSSL's CSPRNG; the Store keeps only its SHA-256, so listing or copying the database
// never reveals one. Every surface that creates or checks tokens (the `faqbot token` commands,
// the HTTP API) goes through these functions. Thread-safe (the Store is).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace faqbot::server {

inline constexpr std::string_view kApiTokenPrefix = "faqbot_";

// A token just created: the only time its value is known.
struct CreatedApiToken {
  std::string token;     // give this to the client; it cannot be shown again
  store::ApiToken info;  // as stored (id, owner, name, created_at)
};

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// `bytes` random bytes from OpenSSL's CSPRNG as 2 * `bytes` lower-case hex digits: the secret of
// a token, a console sign-in link or a session. Errors: Internal (no random bytes).
Result<std::string> RandomHex(size_t bytes);

// Sha256Hex(token): the key the Store keeps.
std::string HashApiToken(std::string_view token);

// Makes a new random token for `owner` labelled `name` and stores its hash; `form_key`: the
// one-time value of the form that asked for it (Store::AddApiToken). Errors: Internal (no random
// bytes), the Store's (AlreadyExists for a form key used before, InvalidArgument for bad ids or
// a name over store::kMaxNameBytes).
Result<CreatedApiToken> CreateApiToken(store::Store& store, const store::UserRef& owner,
                                       const std::string& name, const std::string& form_key = {});

// The stored token whose value is `token`; nullopt when it is unknown, revoked or not even
// shaped like a token. Errors: the Store's.
Result<std::optional<store::ApiToken>> FindApiToken(store::Store& store, std::string_view token);

}  // namespace faqbot::server
