// The topics HTTP API of an owner, beside the Rasa-compatible one (rasa_api.h) and with the same
// API tokens, rate limit and error bodies: the operations of the web console for scripts.
//   GET  /api/v1/topics        the owner's topics: Rasa NLU YAML with `responses:` (the default;
//                              Accept: application/x-yaml or ?format=yaml) or JSON (Accept:
//                              application/json or ?format=json), in the shapes of
//                              assistant/topic_import.h; intents are named after the topics.
//   PUT  /api/v1/topics        replaces the owner's topics with the body's (JSON when the
//                              Content-Type is application/json or ?format=json, else Rasa NLU
//                              YAML, responses optional): a topic whose name matches keeps its id;
//                              others are added or deleted. Drafts until the next publish.
//                              → {"ok":true,"added":…,"updated":…,"unchanged":…,"deleted":…,
//                                 "topics":N,"needs_answer":M}
//   POST /api/v1/publish       publishes (in the background, as the DM's "publish"); topics that
//                              need an answer are left out. → 202 {"ok":true,"job_id":…,
//                              "coalesced":…,"topics":N,"needs_answer":M,"message":…}
//   GET  /api/v1/openapi.json  the OpenAPI 3 document of these and /model/parse, /status
//                              (public: no token needed to read the documentation).
// Errors as RasaApi's (ErrorResponse, with Rasa's fields): 401 no or a bad token; 400 a malformed
// body or query, invalid names, duplicate names; 413 over a limit (bodies over 1 MiB are refused
// by the HttpServer); 429 over the token's rate limit, with Retry-After; 503 the database is down.
// A refused PUT changes nothing. Thread-safe: handlers run on the server's I/O threads at once.
#pragma once

#include <string>

#include "assistant/topics.h"
#include "server/http_server.h"
#include "server/rasa_api.h"

namespace faqbot::server {

inline constexpr char kTopicsPath[] = "/api/v1/topics";
inline constexpr char kPublishPath[] = "/api/v1/publish";
inline constexpr char kOpenApiPath[] = "/api/v1/openapi.json";

class TopicsApi {
 public:
  // `auth` authenticates and rate-limits (its tokens and limiter are shared with /model/parse);
  // `topics` holds the rules. Both are borrowed and must outlive the server's Stop().
  TopicsApi(RasaApi& auth, assistant::Topics& topics);
  TopicsApi(const TopicsApi&) = delete;
  TopicsApi& operator=(const TopicsApi&) = delete;

  // Registers the four routes on `server` (before its Start). Errors: HttpServer::Handle's.
  Status Register(HttpServer& server);

  // The handlers (public for tests without sockets).
  HttpResponse GetTopics(const HttpRequest& request);
  HttpResponse PutTopics(const HttpRequest& request);
  HttpResponse Publish(const HttpRequest& request);
  HttpResponse OpenApi(const HttpRequest& request);

 private:
  RasaApi& auth_;
  assistant::Topics& topics_;
};

// The OpenAPI 3.0 document served at kOpenApiPath.
const std::string& OpenApiDocument();

}  // namespace faqbot::server
