// The Rasa-compatible HTTP API of an owner's bot, served by an HttpServer, so that a client
// written for a Rasa server works when pointed at faqbot with one owner's API token
// (api_tokens.h):
//   POST /model/parse  {"text":"…"} → exactly Rasa's /model/parse answer (nlu/rasa_json.h; the
//                      same JSON as `faqbot nlu parse`), matched by the owner's live model from
//                      the ModelRegistry, as asks are; intents are named after the topics (their
//                      Rasa intent names when imported), as published;
//   GET  /status       Rasa's /status: {"fingerprint":{…},"model_file":…,"model_id":…,
//                      "num_active_training_jobs":N} plus "num_topics" (the live topics).
// Authentication, as Rasa's token auth: "Authorization: Bearer TOKEN" or "?token=TOKEN".
// Errors, as JSON in the Status→HTTP mapping of common/status_http.h (the body carries both its
// fields and Rasa's: {"ok":false,"error":…,"message":…,"status":"failure","reason":…,
// "code":HTTP status}):
//   401 no token, an unknown or a revoked one;  400 a body that is not a JSON object with a
//   string "text", a malformed query string;  409 nothing published yet (as Rasa answers with no
//   model loaded);  429 over the token's rate limit, with Retry-After (seconds);  413 a "text"
//   over nlu::kMaxExampleBytes (64 KiB), and bodies over 1 MiB, which the HttpServer itself
//   refuses;  503 the database is unreachable.
// Thread-safe: handlers run on the server's handler threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <variant>

#include "assistant/model_registry.h"
#include "assistant/training_queue.h"
#include "common/clock.h"
#include "common/status.h"
#include "server/http_server.h"
#include "server/rate_limiter.h"
#include "store/store.h"

namespace faqbot::server {

inline constexpr char kModelParsePath[] = "/model/parse";
inline constexpr char kRasaStatusPath[] = "/status";

struct RasaApiOptions {
  // Requests per API token (token bucket on the injected Clock).
  RateLimiterOptions rate;
  // Entries in intent_ranking (the fallback entry included when declined), as `nlu parse`.
  size_t ranking = 10;
  // A token's "last used" time is written at most this often (not a write per request).
  std::chrono::milliseconds touch_interval{60'000};
};

class RasaApi {
 public:
  // `store`, `registry` and `clock` are borrowed and must outlive the server's Stop().
  RasaApi(store::Store& store, assistant::ModelRegistry& registry, const Clock& clock,
          RasaApiOptions options = {});
  RasaApi(const RasaApi&) = delete;
  RasaApi& operator=(const RasaApi&) = delete;

  // Registers both routes on `server` (before its Start); this object must outlive the
  // server's Stop(). Errors: those of HttpServer::Handle.
  Status Register(HttpServer& server);

  // The handlers (public for tests without sockets).
  HttpResponse Parse(const HttpRequest& request);
  HttpResponse GetStatus(const HttpRequest& request);

  // The caller's token after authentication and the token's rate limit, or the error response
  // (401, 400, 429 with Retry-After, 503). Every token-protected API calls it (topics_api.h), so
  // one token has one rate limit across them.
  std::variant<store::ApiToken, HttpResponse> Authorize(const HttpRequest& request);

 private:
  // Intent names as clients see them for the owner's live publication `version` (the model's
  // "topic_<id>" → the topic's name), cached per owner until the version changes.
  std::shared_ptr<const assistant::IntentNames> NamesOf(const store::UserRef& owner,
                                                        std::optional<int64_t> version);

  store::Store& store_;
  assistant::ModelRegistry& registry_;
  const Clock& clock_;
  RasaApiOptions options_;
  RateLimiter limiter_;
  struct CachedNames {
    int64_t version = 0;
    std::shared_ptr<const assistant::IntentNames> names;
  };
  std::mutex names_mu_;
  std::map<store::UserRef, CachedNames> names_;
};

}  // namespace faqbot::server
