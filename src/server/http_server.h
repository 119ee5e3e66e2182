// HttpServer: faqbot's HTTP/1.1 front door (Slack's Request URLs, health checks). Boost.Beast
// underneath, kept out of this header.
//
// It listens on one address and port, serves keep-alive connections on a fixed number of I/O
// threads, and routes each request by exact path and method to a handler registered with Handle.
// What it answers by itself, as JSON error bodies (status_http.h):
//   400 malformed HTTP (the connection is then closed);
//   404 no handler for the path; 405 the path exists for other methods (with an Allow header);
//   413 a body larger than `max_body_bytes` (known from Content-Length, or counted while reading
//       a chunked body); 431 headers larger than `max_header_bytes`; the connection is closed
//       after these, after reading and discarding what the client was still sending, so it sees
//       the answer instead of a reset; these carry `X-Slack-No-Retry: 1`, since the same bytes
//       sent again would fail again;
//   500 a handler that threw (logged).
// A connection idle or slow for longer than `read_timeout` is closed, or sooner when new clients
// wait for a slot (`max_connections`). Bad input of any kind is
// answered or dropped; it never ends the process.
//
// Threading: the I/O threads (`io_threads`) read requests and write answers; handlers run on
// their own threads (`handler_threads`), several at once, so a handler must be thread-safe and
// may wait on the database: while every handler thread waits, the I/O threads still accept and
// read, and routes registered to run elsewhere (RouteOptions::thread: /healthz on the I/O
// thread, /readyz and /metrics on threads of their own) still answer. Requests beyond the
// handler threads queue, one per connection at most. Handle is called before Start; Start, Stop,
// port() and the counters may be called from any thread except a handler. Not copyable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/http_message.h"

namespace faqbot::server {

struct HttpServerOptions {
  // Address to listen on (IPv4 or IPv6 literal); "0.0.0.0" = every IPv4 interface.
  std::string bind_address = "0.0.0.0";
  // TCP port; 0 = an ephemeral port chosen by the OS (port() tells which). The app reads
  // FAQBOT_PORT into this.
  uint16_t port = 3000;
  // Threads running the sockets, and the handlers of routes that run on them (at least 1).
  int io_threads = 2;
  // Threads running every other route's handlers (at least 1): how many requests may wait on
  // the database at once.
  int handler_threads = 4;
  // Largest accepted request body. Slack's largest realistic payload is ~70 KB; 1 MiB matches
  // slack::kMaxBodyBytes.
  size_t max_body_bytes = size_t{1} << 20;
  // Largest accepted request line plus headers.
  size_t max_header_bytes = size_t{16} << 10;
  // Time allowed to receive one whole request, counted from the end of the previous response
  // (or from the connection), so it is also the keep-alive idle timeout. Guards against clients
  // that connect and stall.
  std::chrono::milliseconds read_timeout{30'000};
  // Time allowed to write one response to a client that does not read it.
  std::chrono::milliseconds write_timeout{30'000};
  // Most connections open at once (at least 1). At the limit the server stops accepting until one
  // closes (new clients wait in the kernel's backlog rather than being refused); while clients
  // wait, it closes connections idle between requests for a second or more (a few at a time)
  // and answers the rest with Connection: close, so that idle keep-alive connections cannot keep
  // a new client waiting for the read_timeout. Start lowers it to fit the process's open-file limit
  // (ConnectionsWithinOpenFiles), with a warning.
  size_t max_connections = 1024;
  // At max_connections with clients waiting: how long a connection may go without sending
  // anything since it connected, or take over a request it has begun, before it is closed to
  // make room (a slow-request flood, "slowloris", would otherwise hold every slot for the
  // read_timeout of each connection). Requests from Slack and API clients arrive at once.
  std::chrono::milliseconds slow_request_under_pressure{5'000};
  // Stop(): how long requests in flight may take to complete before their connections are
  // closed anyway.
  std::chrono::milliseconds shutdown_grace{5'000};
};

// The most of `wanted` connections a process allowed `open_files` descriptors may hold open and
// keep 64 for the rest (the database, Slack, its own): with fewer, every accept beyond would fail
// and take the descriptors those need. Half of `open_files` (at least 1) when it is under 128.
size_t ConnectionsWithinOpenFiles(size_t wanted, size_t open_files);

// Answers one request. Must be thread-safe and should not throw (an exception becomes a 500).
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Where a route's handler runs.
enum class RouteThread {
  // The handler threads (HttpServerOptions::handler_threads), shared by every such route.
  kHandlers,
  // The I/O thread that read the request, so it answers even while every other thread waits
  // (a liveness check). Only for handlers that never wait: one that blocks holds up every
  // connection of its thread.
  kIo,
  // A thread of the route's own: it never waits behind other routes' handlers, and may wait
  // itself (a readiness check or a metrics scrape that reads the database); its requests are
  // answered one at a time.
  kOwn,
};

// How a route is served.
struct RouteOptions {
  // The largest body the route takes (0: the server's max_body_bytes) — more for a form that
  // posts a whole file, say; larger bodies get 413.
  size_t max_body_bytes = 0;
  RouteThread thread = RouteThread::kHandlers;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options = {});
  // Stop(), then releases everything.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes requests with exactly `method` ("GET", "POST", …) and `path` ("/slack/events",
  // matched against the target without its query string) to `handler`, served as `route` says.
  // Errors: InvalidArgument (empty method, path not starting with '/', empty handler);
  // AlreadyExists (the pair is taken); FailedPrecondition (called after Start). Not
  // thread-safe: register everything before Start.
  Status Handle(std::string method, std::string path, HttpHandler handler, RouteOptions route = {});

  // Binds, listens and starts the I/O and handler threads; returns once the server accepts
  // connections. Errors: InvalidArgument (bind_address is not an IP address, io_threads or
  // handler_threads < 1);
  // Unavailable (the address cannot be bound, e.g. the port is already in use, or permission);
  // FailedPrecondition (already started, or stopped: a server starts once).
  Status Start();

  // Stops accepting, closes idle keep-alive connections, lets requests in flight complete and
  // their responses be written (with Connection: close) within `shutdown_grace`, then closes
  // whatever is left and joins the threads. A handler still running after the grace period
  // is waited for (it cannot be interrupted). Idempotent; a no-op before Start. Must not be
  // called from a handler.
  void Stop();

  // The bound port after a successful Start (the OS's choice when options.port was 0); 0 before.
  uint16_t port() const;
  // Connections open right now.
  size_t active_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faqbot::server
