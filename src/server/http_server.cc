#include "server/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "common/repeated_warning.h"
#include "server/status_http.h"

namespace faqbot::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// The route label of requests for a path no route takes (404, or 413 for its body), or rejected
// before their header was read (400, 431).
constexpr char kUnmatchedRoute[] = "unmatched";

void CountRequest(const std::string& route, int status) {
  if (status < 100 || status > 599) status = 500;  // what Write sends instead
  metrics::Faqbot().http_requests.With({route, std::to_string(status)}).Inc();
}
using tcp = asio::ip::tcp;

// After an error answer that leaves part of the request unread (413, 431, 400), the rest is read
// and discarded for up to this long / this many bytes before the socket is closed: closing with
// unread input makes the kernel send a reset, which can destroy the answer before the client
// reads it.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerMaxBytes = size_t{64} << 20;
constexpr size_t kDrainChunkBytes = size_t{16} << 10;
// How long Stop() waits for connections closed by force to finish closing.
constexpr std::chrono::seconds kForcedCloseWait{1};
// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// At max_connections with clients waiting to connect: connections idle between requests closed
// per pass, and how often a pass runs while clients still wait.
constexpr int kIdleClosedPerPass = 16;
// Only connections idle this long: a keep-alive client between two requests of a burst is not
// idle (closing it then would cut off the request it is sending), and an answer with
// Connection: close frees its slot anyway.
constexpr std::chrono::milliseconds kIdleBeforeClosing{1'000};
constexpr std::chrono::milliseconds kIdlePassInterval{250};
// ConnectionsWithinOpenFiles with the process's open-file limit, told when it lowers `wanted`.
size_t ConnectionsWithinDescriptorLimit(size_t wanted) {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const auto open_files = static_cast<size_t>(limit.rlim_cur);
  const size_t allowed = ConnectionsWithinOpenFiles(wanted, open_files);
  if (allowed < wanted) {
    LogWarn(
        "HTTP server: at most {} connections at once, not {}: the open-file limit is {} (raise "
        "it: ulimit -n, or LimitNOFILE= in the systemd unit)",
        allowed, wanted, open_files);
  }
  return allowed;
}

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

bool IsTokenChar(char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A header value that cannot split the response: handler values may quote user input.
bool IsSafeHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Handler-supplied headers that are safe to send: a token name, a safe value, and not one of the
// headers the server manages itself.
bool SendableHeader(std::string_view name, std::string_view value) {
  static const std::set<std::string, slack::CaseInsensitiveLess> kManaged = {
      "Content-Length", "Transfer-Encoding", "Connection", "Content-Type", "Server"};
  return !name.empty() && std::all_of(name.begin(), name.end(), IsTokenChar) &&
         IsSafeHeaderValue(value) && !kManaged.contains(name);
}

std::string EndpointString(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

HttpRequest ToRequest(http::request<http::string_body>&& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.path = out.target.substr(0, out.target.find('?'));
  for (const auto& field : req) {
    auto [it, inserted] =
        out.headers.try_emplace(std::string(field.name_string()), std::string(field.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += field.value();
    }
  }
  out.body = std::move(req.body());
  out.remote_address = remote;
  return out;
}

}  // namespace

class HttpServer::Impl {
 public:
  class Session;

  explicit Impl(HttpServerOptions options)
      : options_(std::move(options)),
        io_(std::max(1, options_.io_threads)),
        accept_strand_(asio::make_strand(io_)),
        acceptor_(accept_strand_),
        accept_retry_timer_(accept_strand_),
        idle_pass_timer_(accept_strand_) {}

  Status Handle(std::string method, std::string path, HttpHandler handler, RouteOptions route);
  Status Start();
  void Stop();
  uint16_t port() const { return port_.load(); }
  size_t active_connections() const {
    std::lock_guard lock(mu_);
    return sessions_.size();
  }

  // Called by sessions, on their strands.
  const HttpServerOptions& options() const { return options_; }
  // The largest body any route takes (what the parser allows before the route is known), and the
  // largest `method` `target` takes (options().max_body_bytes unless its route says otherwise).
  size_t largest_body_bytes() const { return largest_body_bytes_; }
  size_t MaxBodyBytes(std::string_view method, std::string_view target) const {
    const Registered* route = Find(method, target);
    return route != nullptr && route->options.max_body_bytes > 0 ? route->options.max_body_bytes
                                                                 : options_.max_body_bytes;
  }
  // Runs `handle`, which answers `method` `target`, where its route says: at once on this I/O
  // thread (routes registered so, and requests no route takes: their 404 or 405 is quick), on
  // the route's own thread, or on a handler thread. Off the I/O thread, the I/O threads keep
  // running until `handle` has returned.
  void RunHandler(std::string_view method, std::string_view target, std::function<void()> handle) {
    const Registered* route = Find(method, target);
    if (route == nullptr || route->options.thread == RouteThread::kIo) return handle();
    asio::thread_pool& pool = route->own_thread ? *route->own_thread : *handlers_;
    asio::post(pool, [work = asio::make_work_guard(io_), handle = std::move(handle)] { handle(); });
  }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  // At max_connections with clients waiting in the backlog: answers close their connections.
  bool clients_waiting() const { return clients_waiting_.load(std::memory_order_acquire); }
  // Route()s the request and counts it (faqbot_http_requests_total).
  HttpResponse Dispatch(const HttpRequest& request) const;
  // The `route` label of a request for `target`: its registered path (never the raw one, so the
  // label's values stay the few routes there are), or kUnmatchedRoute.
  std::string RouteLabel(std::string_view target) const {
    const std::string_view path = target.substr(0, target.find('?'));
    return routes_.contains(path) ? std::string(path) : std::string(kUnmatchedRoute);
  }
  HttpResponse Route(const HttpRequest& request) const;
  void Unregister(Session* session);

 private:
  struct Registered {
    HttpHandler handler;
    RouteOptions options;
    // RouteThread::kOwn: the route's one thread, made by Start.
    std::unique_ptr<asio::thread_pool> own_thread;
  };
  using Methods = std::map<std::string, Registered, std::less<>>;
  // The route of `method` among one path's `methods`; HEAD is GET without the body (RFC 9110
  // §9.3.2: health checks and monitors use it), so HEAD takes GET's unless it has its own.
  // nullptr when there is none.
  static const Registered* FindMethod(const Methods& methods, std::string_view method) {
    auto route = methods.find(method);
    if (route == methods.end() && method == "HEAD") route = methods.find("GET");
    return route == methods.end() ? nullptr : &route->second;
  }
  // The route of `method` and `target` without its query string; nullptr when there is none.
  const Registered* Find(std::string_view method, std::string_view target) const {
    const auto path = routes_.find(target.substr(0, target.find('?')));
    return path == routes_.end() ? nullptr : FindMethod(path->second, method);
  }

  // Accept strand only.
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void ResumeAccept();
  // At max_connections: waits for a client in the backlog, then closes idle or slow connections
  // for it.
  void WaitForWaitingClient();
  void CloseIdleOrSlowConnections();

  const HttpServerOptions options_;
  // options_.max_connections within the open-file limit; set by Start before the first accept.
  size_t max_connections_ = 1;
  // path → method → route; written only before Start, read-only afterwards.
  std::map<std::string, Methods, std::less<>> routes_;
  size_t largest_body_bytes_ = options_.max_body_bytes;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> clients_waiting_{false};

  // Declared before io_ so that sessions destroyed together with io_ can still unregister.
  mutable std::mutex mu_;  // guards the members below
  std::condition_variable sessions_changed_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  bool started_ = false;
  bool stopped_ = false;

  asio::io_context io_;
  asio::strand<asio::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_timer_;
  asio::steady_timer idle_pass_timer_;
  bool accept_paused_ = false;  // accept strand only: at max_connections
  // A failing accept (out of file descriptors, say) is retried every kAcceptRetryDelay but told
  // once a minute, with how many failed meanwhile. On the real clock, as the server's timers are.
  RepeatedWarning accept_warning_{SystemClock::Instance()};
  std::vector<std::thread> threads_;
  // The handler threads; made by Start. After io_: joined (by Stop, or here) before io_ goes,
  // since their tasks hold sessions and work on io_.
  std::optional<asio::thread_pool> handlers_;
};

// One connection: reads requests one after another (keep-alive), dispatches each, writes the
// answer. Every member function runs on the connection's strand.
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? "unknown" : EndpointString(remote);
  }
  ~Session() { server_.Unregister(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  asio::any_io_executor executor() { return stream_.get_executor(); }

  void Run() { DoReadHeader(); }

  // The server is stopping: a connection waiting for its next request is closed now; one in the
  // middle of a request finishes it (the answer carries Connection: close).
  void OnStop() {
    if (state_ == State::kLingering) return Close();
    // (No parser yet: Run has not started.)
    if (state_ == State::kReading && (!parser_ || (!parser_->got_some() && buffer_.size() == 0))) {
      Close();
    }
  }

  // Clients wait to connect: closes this connection, if `budget` allows one more, when it is
  // idle between requests (it has answered one, nothing of the next has come for
  // kIdleBeforeClosing) or slow (nothing at all since it connected, or a request begun and not
  // whole, for `slow_request_under_pressure`: a client that drips its request a byte at a time
  // must not keep others out for the whole read_timeout).
  void CloseIfIdleOrSlow(std::atomic<int>& budget) {
    if (state_ != State::kReading || !parser_) return;
    const auto now = std::chrono::steady_clock::now();
    const auto slow = options().slow_request_under_pressure;
    bool close = false;
    if (parser_->got_some() || buffer_.size() > 0) {
      // A request under way: timed from the first pass that saw it begun.
      if (!begun_seen_) begun_seen_ = now;
      close = now - *begun_seen_ >= slow;
    } else {
      close = now - idle_since_ >= (answered_ == 0 ? slow : kIdleBeforeClosing);
    }
    if (close && budget.fetch_sub(1, std::memory_order_relaxed) > 0) Close();
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  enum class State { kReading, kHandling, kWriting, kLingering, kClosed };

  const HttpServerOptions& options() const { return server_.options(); }

  void DoReadHeader() {
    if (server_.stopping()) return Close();
    state_ = State::kReading;
    idle_since_ = std::chrono::steady_clock::now();
    begun_seen_.reset();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(options().max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(server_.largest_body_bytes());  // the route's own, once it is known
    // One deadline for the whole request, header and body.
    stream_.expires_after(options().read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (self->state_ == State::kClosed) return;
                              if (ec) return self->OnReadError(ec);
                              self->OnHeader();
                            });
  }

  void OnHeader() {
    const auto& req = parser_->get();
    const size_t limit = server_.MaxBodyBytes(req.method_string(), req.target());
    if (const auto length = parser_->content_length(); length && *length > limit) {
      return RejectOversizedBody(limit);
    }
    parser_->body_limit(limit);
    if (req.version() >= 11 && !parser_->is_done() &&
        beast::iequals(req[http::field::expect], "100-continue")) {
      // The client waits for this before sending the body (curl does, for large bodies).
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (self->state_ == State::kClosed) return;
                          if (ec) return self->Close();
                          self->DoReadBody();
                        });
      return;
    }
    DoReadBody();
  }

  void DoReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (self->state_ == State::kClosed) return;
                       if (ec) return self->OnReadError(ec);
                       self->OnRequest();
                     });
  }

  void OnReadError(const beast::error_code& ec) {
    if (ec == http::error::body_limit) {
      const auto& req = parser_->get();
      return RejectOversizedBody(server_.MaxBodyBytes(req.method_string(), req.target()));
    }
    if (ec == http::error::header_limit) {
      return Reject(431,
                    ResourceExhaustedError("request headers larger than " +
                                           std::to_string(options().max_header_bytes) + " bytes"));
    }
    // The client closed (between requests or in the middle of one), timed out or reset: there
    // is nobody to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        !IsHttpParseError(ec)) {
      return Close();
    }
    LogDebug("HTTP server: malformed request from {}: {}", remote_, ec.message());
    Reject(400, InvalidArgumentError("malformed HTTP request: " + ec.message()));
  }

  // 413 for a body over `limit`, counted under the route the header named.
  void RejectOversizedBody(size_t limit) {
    Reject(413,
           ResourceExhaustedError("request body larger than " + std::to_string(limit) + " bytes"),
           server_.RouteLabel(parser_->get().target()));
  }

  // Answers an error that leaves the request partly unread, then closes the connection. `route`
  // labels it in faqbot_http_requests_total: its route once the header named one.
  void Reject(int status, const Status& error, const std::string& route = kUnmatchedRoute) {
    // The body names the status sent (431's is not the 413 its ResourceExhausted maps to).
    HttpResponse response =
        ErrorResponse(status, StatusCodeName(error.code()), error.message());
    // Sending the same bytes again cannot help: said in Slack's words too, as the Slack router
    // says it for its own 400 and 413 (Slack otherwise retries a Request URL's errors).
    response.headers.emplace("X-Slack-No-Retry", "1");
    CountRequest(route, status);
    Write(response, 11, /*keep_alive=*/false, /*linger=*/true);
  }

  void OnRequest() {
    state_ = State::kHandling;
    http::request<http::string_body> req = parser_->release();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    const bool head = req.method() == http::verb::head;
    auto answer = [self = shared_from_this(), version, keep_alive,
                   head](const HttpResponse& response) {
      if (self->state_ == State::kClosed) return;  // closed by Stop while it was handled
      ++self->answered_;
      self->Write(response, version,
                  keep_alive && !self->server_.stopping() && !self->server_.clients_waiting(),
                  /*linger=*/false, head);
    };
    const std::string method(req.method_string());
    const std::string target(req.target());
    server_.RunHandler(method, target,
                       [self = shared_from_this(), request = ToRequest(std::move(req), remote_),
                        answer = std::move(answer)]() mutable {
                         // Back on the connection's strand: at once when already there (a route
                         // run on the I/O thread), else queued to it.
                         asio::dispatch(
                             self->executor(),
                             [answer = std::move(answer),
                              response = self->server_.Dispatch(request)] { answer(response); });
                       });
  }

  // `head`: the answer to a HEAD request, the headers of `response` without its body.
  void Write(const HttpResponse& response, unsigned version, bool keep_alive, bool linger,
             bool head = false) {
    state_ = State::kWriting;
    keep_alive_ = keep_alive;
    response_ = {};
    response_.version(version);
    int status = response.status;
    if (status < 100 || status > 599) {
      LogError("HTTP server: a handler answered the invalid status {}; sending 500", status);
      status = 500;
    }
    response_.result(static_cast<unsigned>(status));
    response_.set(http::field::server, "faqbot");
    if (!response.content_type.empty() && IsSafeHeaderValue(response.content_type)) {
      response_.set(http::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) {
      if (SendableHeader(name, value)) {
        response_.set(name, value);
      } else {
        LogWarn("HTTP server: response header \"{}\" not sent (reserved or malformed)", name);
      }
    }
    response_.keep_alive(keep_alive);
    if (head) {
      response_.content_length(response.body.size());
    } else {
      response_.body() = response.body;
      response_.prepare_payload();
    }
    stream_.expires_after(options().write_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), linger](beast::error_code ec, size_t) {
                        if (self->state_ == State::kClosed) return;
                        if (ec) return self->Close();
                        if (linger) return self->Linger();
                        if (!self->keep_alive_) return self->Close();
                        self->DoReadHeader();
                      });
  }

  void Linger() {
    state_ = State::kLingering;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    drain_.resize(kDrainChunkBytes);
    DoDrain();
  }

  void DoDrain() {
    stream_.async_read_some(asio::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (self->state_ == State::kClosed) return;
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerMaxBytes) return self->Close();
                              self->DoDrain();
                            });
  }

  Impl& server_;
  beast::tcp_stream stream_;
  std::string remote_;
  State state_ = State::kReading;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = false;
  size_t answered_ = 0;  // requests answered on this connection
  std::chrono::steady_clock::time_point idle_since_;  // when it began to wait for a request
  // When a pass of CloseIdleOrSlowConnections first saw the current request begun, not yet whole.
  std::optional<std::chrono::steady_clock::time_point> begun_seen_;
  std::vector<char> drain_;
  size_t drained_ = 0;
};

Status HttpServer::Impl::Handle(std::string method, std::string path, HttpHandler handler,
                                RouteOptions route) {
  if (method.empty()) return InvalidArgumentError("HTTP route: empty method");
  if (!path.starts_with('/')) return InvalidArgumentError("HTTP route: path must start with /");
  if (!handler) return InvalidArgumentError("HTTP route " + path + ": empty handler");
  {
    std::lock_guard lock(mu_);
    if (started_) return FailedPreconditionError("HTTP routes are registered before Start");
  }
  if (auto taken = routes_.find(path); taken != routes_.end() && taken->second.contains(method)) {
    return AlreadyExistsError("HTTP route " + method + " " + path + " already set");
  }
  largest_body_bytes_ = std::max(largest_body_bytes_, route.max_body_bytes);
  routes_[std::move(path)].emplace(std::move(method),
                                   Registered{std::move(handler), route, nullptr});
  return Status::Ok();
}

Status HttpServer::Impl::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return FailedPreconditionError("HTTP server already started");
  }
  if (options_.io_threads < 1) return InvalidArgumentError("HTTP server: io_threads < 1");
  if (options_.handler_threads < 1) {
    return InvalidArgumentError("HTTP server: handler_threads < 1");
  }
  max_connections_ =
      ConnectionsWithinDescriptorLimit(std::max<size_t>(1, options_.max_connections));
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.bind_address, ec);
  if (ec) {
    return InvalidArgumentError("HTTP bind address \"" + options_.bind_address +
                                "\" is not an IP address");
  }
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  // Lets a restarted server bind while old connections are in TIME_WAIT; on Linux it does not
  // allow two listeners on one port.
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) port_ = acceptor_.local_endpoint(ec).port();
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return UnavailableError("HTTP server cannot listen on " + EndpointString(endpoint) + ": " +
                            ec.message());
  }
  {
    std::lock_guard lock(mu_);
    started_ = true;
  }
  asio::post(accept_strand_, [this] { DoAccept(); });
  try {
    handlers_.emplace(static_cast<size_t>(options_.handler_threads));
    for (auto& [path, methods] : routes_) {
      for (auto& [method, route] : methods) {
        if (route.options.thread == RouteThread::kOwn) {
          route.own_thread = std::make_unique<asio::thread_pool>(1);
        }
      }
    }
    for (int i = 0; i < options_.io_threads; ++i) {
      threads_.emplace_back([this] {
        for (;;) {
          try {
            io_.run();
            return;
          } catch (const std::exception& e) {
            LogError("HTTP server: I/O thread: {}", e.what());
          }
        }
      });
    }
  } catch (const std::system_error& e) {
    Stop();
    return InternalError(std::string("HTTP server cannot start its threads: ") + e.what());
  }
  LogInfo("HTTP server listening on {}", EndpointString(tcp::endpoint(address, port_)));
  return Status::Ok();
}

void HttpServer::Impl::DoAccept() {
  if (stopping() || !acceptor_.is_open()) return;
  {
    std::lock_guard lock(mu_);
    if (sessions_.size() >= max_connections_) {
      accept_paused_ = true;  // resumed when a connection closes
    }
  }
  if (accept_paused_) return WaitForWaitingClient();
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || stopping()) return;
  if (ec) {
    accept_warning_.Warn("HTTP server: accept failed: " + ec.message() + " (retrying every " +
                         std::to_string(kAcceptRetryDelay.count()) + " ms)");
    accept_retry_timer_.expires_after(kAcceptRetryDelay);
    accept_retry_timer_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) DoAccept();
    });
    return;
  }
  accept_warning_.Clear("HTTP server: accepting connections again");
  auto session = std::make_shared<Session>(*this, std::move(socket));
  {
    std::lock_guard lock(mu_);
    if (stopping()) return;  // the session's destructor closes the socket
    sessions_.emplace(session.get(), session);
  }
  asio::post(session->executor(), [session] { session->Run(); });
  DoAccept();
}

void HttpServer::Impl::ResumeAccept() {
  if (!accept_paused_) return;
  accept_paused_ = false;
  clients_waiting_.store(false, std::memory_order_release);
  idle_pass_timer_.cancel();
  DoAccept();
}

void HttpServer::Impl::WaitForWaitingClient() {
  acceptor_.async_wait(tcp::acceptor::wait_read,
                       asio::bind_executor(accept_strand_, [this](beast::error_code ec) {
                         if (ec || stopping() || !accept_paused_) return;
                         clients_waiting_.store(true, std::memory_order_release);
                         CloseIdleOrSlowConnections();
                         // Connections busy now may be idle in a while: look again.
                         idle_pass_timer_.expires_after(kIdlePassInterval);
                         idle_pass_timer_.async_wait([this](beast::error_code wait_ec) {
                           if (!wait_ec && accept_paused_ && !stopping()) WaitForWaitingClient();
                         });
                       }));
}

void HttpServer::Impl::CloseIdleOrSlowConnections() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu_);
    live.reserve(sessions_.size());
    for (const auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  auto budget = std::make_shared<std::atomic<int>>(kIdleClosedPerPass);
  for (auto& session : live) {
    asio::post(session->executor(), [session, budget] { session->CloseIfIdleOrSlow(*budget); });
  }
}

void HttpServer::Impl::Unregister(Session* session) {
  bool resume = false;
  {
    std::lock_guard lock(mu_);
    if (sessions_.erase(session) == 0) return;
    resume = !stopping();
  }
  sessions_changed_.notify_all();
  if (resume) asio::post(accept_strand_, [this] { ResumeAccept(); });
}

HttpResponse HttpServer::Impl::Dispatch(const HttpRequest& request) const {
  HttpResponse response = Route(request);
  CountRequest(RouteLabel(request.path), response.status);
  return response;
}

HttpResponse HttpServer::Impl::Route(const HttpRequest& request) const {
  const auto path = routes_.find(request.path);
  if (path == routes_.end()) return ErrorResponse(NotFoundError("no route for " + request.path));
  const Registered* route = FindMethod(path->second, request.method);
  if (route == nullptr) {
    std::string allow;
    for (const auto& [method, handler] : path->second) {
      allow += allow.empty() ? method : ", " + method;
      if (method == "GET") allow += ", HEAD";
    }
    HttpResponse response =
        ErrorResponse(405, "method_not_allowed", request.path + " accepts " + allow);
    response.headers["Allow"] = allow;
    return response;
  }
  try {
    return route->handler(request);
  } catch (const std::exception& e) {
    LogError("HTTP server: handler of {} {} threw: {}", request.method, request.path, e.what());
  } catch (...) {
    LogError("HTTP server: handler of {} {} threw", request.method, request.path);
  }
  return ErrorResponse(InternalError("the request could not be handled"));
}

void HttpServer::Impl::Stop() {
  std::vector<std::shared_ptr<Session>> live;
  auto collect_live = [&] {
    for (const auto& [ptr, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  };
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopped_) return;
    stopped_ = true;
    stopping_.store(true, std::memory_order_release);
    collect_live();
  }
  asio::post(accept_strand_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_timer_.cancel();
    idle_pass_timer_.cancel();
  });
  for (auto& session : live) asio::post(session->executor(), [session] { session->OnStop(); });
  live.clear();  // the posted tasks hold the sessions; holding them here would delay the close

  {
    std::unique_lock lock(mu_);
    if (!sessions_changed_.wait_for(lock, options_.shutdown_grace,
                                    [this] { return sessions_.empty(); })) {
      LogWarn("HTTP server: {} connection(s) still busy after the shutdown grace period; closing",
              sessions_.size());
      collect_live();
    }
  }
  for (auto& session : live) asio::post(session->executor(), [session] { session->Close(); });
  live.clear();
  {
    std::unique_lock lock(mu_);
    sessions_changed_.wait_for(lock, kForcedCloseWait, [this] { return sessions_.empty(); });
  }
  // With every connection closed the threads run out of work and return by themselves; stop()
  // covers connections whose close is still queued behind a handler that never returned.
  if (active_connections() > 0) io_.stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  if (handlers_) handlers_->join();
  for (auto& [path, methods] : routes_) {
    for (auto& [method, route] : methods) {
      if (route.own_thread) route.own_thread->join();
    }
  }
  LogInfo("HTTP server on port {} stopped", port_.load());
}

HttpServer::HttpServer(HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() { impl_->Stop(); }

Status HttpServer::Handle(std::string method, std::string path, HttpHandler handler,
                          RouteOptions route) {
  return impl_->Handle(std::move(method), std::move(path), std::move(handler), route);
}

Status HttpServer::Start() { return impl_->Start(); }

size_t ConnectionsWithinOpenFiles(size_t wanted, size_t open_files) {
  // Descriptors kept for everything but client connections: the database's, Slack's, the
  // process's own (event loops, timers, logs).
  constexpr size_t kReserved = 64;
  const size_t allowed =
      open_files > 2 * kReserved ? open_files - kReserved : std::max<size_t>(1, open_files / 2);
  return std::min(wanted, allowed);
}
void HttpServer::Stop() { impl_->Stop(); }
uint16_t HttpServer::port() const { return impl_->port(); }
size_t HttpServer::active_connections() const { return impl_->active_connections(); }

}  // namespace faqbot::server
