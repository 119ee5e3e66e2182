// HttpRequest and HttpResponse: one HTTP exchange as the server's handlers see it, free of the
// HTTP library underneath (Boost.Beast stays inside http_server.cc).
//
// Header names compare ASCII-case-insensitively (slack::Headers), so a handler can look up
// "x-slack-signature" whatever case the client sent. Value types; thread-compatible.
#pragma once

#include <string>

#include "slack/http_headers.h"

namespace faqbot::server {

// One request, fully read.
struct HttpRequest {
  std::string method;  // as sent, e.g. "POST" (methods are case-sensitive in HTTP)
  std::string target;  // the request-target as sent: "/slack/events?x=1"
  std::string path;    // `target` without its query string: "/slack/events"
  // Request headers. A header sent several times arrives once, its values joined with ", "
  // (RFC 9110 §5.3).
  slack::Headers headers;
  std::string body;            // the raw body bytes exactly as received (de-chunked)
  std::string remote_address;  // the peer, "127.0.0.1:54321"; for logs
};

// The answer to one request.
struct HttpResponse {
  int status = 200;
  std::string content_type;  // empty: no Content-Type header is sent
  std::string body;
  // Extra response headers. The server sets Content-Length, Connection and Server itself; those
  // names are ignored here.
  slack::Headers headers;
};

}  // namespace faqbot::server
