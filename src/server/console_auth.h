// ConsoleAuth: how an owner signs in to the web console without a password, and how each request
// is tied to the owner. Every surface that hands out console access (`faqbot console link`, the
// DM "open the web console", the App Home button) and the console itself go through it.
//
//   link     a one-time secret (32 random bytes, 64 hex digits) in a URL, valid `link_ttl`
//            (15 minutes); redeeming it uses it up, even when the redeemer is a second process.
//   session  another secret, in the `faqbot_console` cookie, valid `session_ttl` (12 hours);
//            revocable one by one (sign out) or all of an owner's at once.
//   CSRF     every form carries CsrfTokenFor(session secret): a value only the holder of the
//            cookie can know, checked in constant time on every state-changing request.
// The Store keeps only SHA-256 hashes of links and sessions (api_tokens.h), so a copy of the
// database lets nobody in. Thread-safe (the Store is).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace faqbot::server {

struct ConsoleAuthOptions {
  // How long a sign-in link may wait before it is used.
  std::chrono::milliseconds link_ttl = std::chrono::minutes(15);
  // How long a session lasts from sign-in (no sliding renewal: sign in again after).
  std::chrono::milliseconds session_ttl = std::chrono::hours(12);
};

// A session just opened: the only time its secret is known.
struct ConsoleSignIn {
  std::string session_secret;  // the cookie's value
  store::ConsoleSession session;
};

class ConsoleAuth {
 public:
  // `store` is borrowed and must outlive this object.
  explicit ConsoleAuth(store::Store& store, ConsoleAuthOptions options = {});
  ConsoleAuth(const ConsoleAuth&) = delete;
  ConsoleAuth& operator=(const ConsoleAuth&) = delete;

  // A new one-time link secret of `owner` (put it in LoginUrl). Errors: Internal (no random
  // bytes), the Store's (InvalidArgument for bad ids).
  Result<std::string> CreateLink(const store::UserRef& owner);

  // Uses up the link `link_secret` and opens a session of its owner; nullopt when the link is
  // unknown, expired, used already or not even shaped like one. Errors: the Store's.
  Result<std::optional<ConsoleSignIn>> Redeem(std::string_view link_secret);

  // The open session whose cookie value is `session_secret`; nullopt when it is unknown,
  // expired, revoked or malformed. Errors: the Store's.
  Result<std::optional<store::ConsoleSession>> FindSession(std::string_view session_secret);

  // Ends the session `session_secret` (sign out). Malformed or unknown secrets are ignored.
  Status SignOut(std::string_view session_secret);

  const ConsoleAuthOptions& options() const { return options_; }

 private:
  store::Store& store_;
  ConsoleAuthOptions options_;
};

// The CSRF token of the forms of session `session_secret` (64 hex digits).
std::string CsrfTokenFor(std::string_view session_secret);
// Whether `token` is the CSRF token of `session_secret`; constant time.
bool CsrfTokenMatches(std::string_view session_secret, std::string_view token);

// "<public_url>/console/login?token=<link_secret>"; a trailing '/' of `public_url` is dropped.
std::string ConsoleLoginUrl(std::string_view public_url, std::string_view link_secret);

}  // namespace faqbot::server
