#include "slack_emulator.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "emulated_web_api.h"

namespace faqbot::slack_emulator {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;
using std::chrono::milliseconds;

constexpr int kResponseUrlUses = 5;  // Slack: 5 uses within 30 minutes

std::string LowerCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// What the HTTP side answers one request with.
struct HttpReply {
  http::status status = http::status::ok;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::string retry_after;  // header value when set
  milliseconds delay{0};
  bool drop = false;
};

struct EnvelopeState {
  std::string type;
  json payload;
  bool accepts_response_payload = false;
  int retry_attempt = 0;
  std::string retry_reason;
  bool acked = false;
  bool in_flight = false;
  bool abandoned = false;  // re-delivered max_redeliveries times, still not acked
  int connection = 0;      // where the latest delivery went
  SteadyTime last_sent;
};

}  // namespace

class SlackEmulator::Impl {
 public:
  class HttpSession;
  class WsSession;

  explicit Impl(SlackEmulatorOptions options)
      : options_(std::move(options)), acceptor_(io_), ack_timer_(io_), web_api_(options_) {}

  Status Start();
  void Stop();
  // Runs `work` on the I/O thread and returns once it ran, so a fault a test injects is in
  // force before the test's next step (nothing runs when the emulator is not running).
  void OnIoThread(std::function<void()> work);

  // I/O thread only.
  void DoAccept();
  HttpReply HandleHttp(const http::request<http::string_body>& req);
  bool RedeemTicket(const std::string& ticket) {
    std::lock_guard lock(mu_);
    return web_api_.RedeemTicket(ticket);
  }
  void OnWsOpen(const std::shared_ptr<WsSession>& session);
  void OnWsMessage(WsSession& session, const std::string& text);
  void RecordAck(AckRecord ack);
  void OnWsClosed(WsSession* session);
  void Pump();
  void CheckAcks();
  void ScheduleAckCheck();

  SlackEmulatorOptions options_;
  // Declared first so it is destroyed last: pending handlers (sessions) die with it.
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer ack_timer_;
  std::thread thread_;
  std::atomic<uint16_t> port_{0};
  bool started_ = false;
  bool stopped_ = false;

  // I/O thread only.
  std::vector<std::shared_ptr<WsSession>> ws_sessions_;
  std::vector<std::weak_ptr<HttpSession>> http_sessions_;
  size_t next_session_ = 0;  // round-robin cursor

  mutable std::mutex mu_;  // guards everything below
  EmulatedWebApi web_api_;
  std::vector<RecordedCall> calls_;
  std::map<std::string, std::deque<Fault>> faults_;
  std::map<std::string, int> response_urls_;  // id → uses left
  uint64_t next_response_url_ = 1;
  std::map<std::string, EnvelopeState> envelopes_;
  std::deque<std::string> ready_;  // envelope ids waiting for a connection
  uint64_t next_envelope_ = 1;
  std::vector<Delivery> deliveries_;
  std::vector<AckRecord> acks_;
  int acks_to_lose_ = 0;
  std::map<int, int> in_flight_;  // connection number → envelopes sent and not acked
  std::atomic<int> connections_accepted_{0};
  std::atomic<int> open_connections_{0};
};

// One WebSocket connection (after the HTTP upgrade). I/O thread only.
class SlackEmulator::Impl::WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(Impl& impl, tcp::socket socket, int number)
      : impl_(impl), ws_(std::move(socket)), close_timer_(impl.io_), number_(number) {}

  int number() const { return number_; }
  bool accepting() const { return ready_ && !draining_ && !silent_ && !closed_; }
  bool open() const { return !closed_; }

  void Start(http::request<http::string_body> req) {
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(5),
                                                   websocket::stream_base::none(), false});
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Closed();
      self->ready_ = true;
      self->impl_.OnWsOpen(self);
      self->DoRead();
    });
  }

  void Send(std::string text) {
    if (closed_ || silent_) return;
    outbox_.push_back(std::move(text));
    if (!writing_) DoWrite();
  }

  // Slack announces a disconnect, stops sending on this link and closes it a little later.
  void Disconnect(const std::string& reason) {
    if (closed_ || silent_) return;
    Send(json{
        {"type", "disconnect"}, {"reason", reason}, {"debug_info", {{"host", "applink-emulator"}}}}
             .dump());
    draining_ = true;
    close_timer_.expires_after(impl_.options_.disconnect_close_delay);
    close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Drop();
    });
  }

  void Drop() {
    if (closed_) return;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
    Closed();
  }

  // Stops every read and write; the TCP connection stays open until Drop or Stop.
  void Silence() {
    if (closed_) return;
    silent_ = true;
    beast::get_lowest_layer(ws_).cancel();
  }

 private:
  void DoRead() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (self->silent_) return;
      if (ec) return self->Closed();
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->impl_.OnWsMessage(*self, text);
      self->DoRead();
    });
  }

  void DoWrite() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->outbox_.pop_front();
                      if (self->silent_) return;
                      if (ec) return self->Closed();
                      if (self->outbox_.empty()) {
                        self->writing_ = false;
                      } else {
                        self->DoWrite();
                      }
                    });
  }

  void Closed() {
    if (closed_) return;
    closed_ = true;
    close_timer_.cancel();
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    impl_.OnWsClosed(this);
  }

  Impl& impl_;
  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer close_timer_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  int number_;
  bool writing_ = false;
  bool ready_ = false;
  bool draining_ = false;
  bool silent_ = false;
  bool closed_ = false;
};

// One HTTP connection: Web API calls, response_url posts, or a WebSocket upgrade.
class SlackEmulator::Impl::HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Impl& impl, tcp::socket socket)
      : impl_(impl), stream_(std::move(socket)), delay_timer_(impl.io_) {}

  void Start() { DoRead(); }

  void Close() {
    beast::error_code ec;
    delay_timer_.cancel();
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

 private:
  void DoRead() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->OnRequest();
                     });
  }

  void OnRequest() {
    if (websocket::is_upgrade(req_)) return Upgrade();
    HttpReply reply = impl_.HandleHttp(req_);
    if (reply.drop) return Close();
    auto res = std::make_shared<http::response<http::string_body>>(reply.status, req_.version());
    res->set(http::field::server, "slack-emulator");
    res->set(http::field::content_type, reply.content_type);
    if (!reply.retry_after.empty()) res->set(http::field::retry_after, reply.retry_after);
    res->keep_alive(req_.keep_alive());
    res->body() = std::move(reply.body);
    res->prepare_payload();
    if (reply.delay.count() > 0) {
      delay_timer_.expires_after(reply.delay);
      delay_timer_.async_wait([self = shared_from_this(), res](beast::error_code ec) {
        if (ec) return self->Close();
        self->Write(res);
      });
      return;
    }
    Write(res);
  }

  void Write(const std::shared_ptr<http::response<http::string_body>>& res) {
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->DoRead();
                      });
  }

  void Upgrade() {
    const std::string target(req_.target());
    std::string ticket;
    if (size_t at = target.find("ticket="); at != std::string::npos) {
      ticket = target.substr(at + 7);
      ticket = ticket.substr(0, ticket.find('&'));
    }
    if (!target.starts_with("/link") || !impl_.RedeemTicket(ticket)) {
      auto res = std::make_shared<http::response<http::string_body>>(http::status::unauthorized,
                                                                     req_.version());
      res->set(http::field::content_type, "text/plain");
      res->body() = "invalid or used ticket";
      res->keep_alive(false);
      res->prepare_payload();
      return Write(res);
    }
    stream_.expires_never();
    auto session =
        std::make_shared<WsSession>(impl_, stream_.release_socket(), ++impl_.connections_accepted_);
    session->Start(std::move(req_));
  }

  Impl& impl_;
  beast::tcp_stream stream_;
  asio::steady_timer delay_timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

Status SlackEmulator::Impl::Start() {
  if (started_) return FailedPreconditionError("emulator already started");
  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("emulator cannot listen on 127.0.0.1: " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  {
    std::lock_guard lock(mu_);
    web_api_.set_socket_url_prefix("ws://127.0.0.1:" + std::to_string(port_) + "/link/");
  }
  started_ = true;
  DoAccept();
  ScheduleAckCheck();
  thread_ = std::thread([this] { io_.run(); });
  return Status::Ok();
}

void SlackEmulator::Impl::OnIoThread(std::function<void()> work) {
  if (!started_ || stopped_) return;
  std::promise<void> done;
  asio::post(io_, [&] {
    work();
    done.set_value();
  });
  done.get_future().wait();
}

void SlackEmulator::Impl::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  asio::post(io_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    ack_timer_.cancel();
    for (auto& weak : http_sessions_) {
      if (auto s = weak.lock()) s->Close();
    }
    auto sessions = ws_sessions_;
    for (auto& s : sessions) s->Drop();
    ws_sessions_.clear();
    io_.stop();
  });
  thread_.join();
}

void SlackEmulator::Impl::DoAccept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // acceptor closed
    auto session = std::make_shared<HttpSession>(*this, std::move(socket));
    std::erase_if(http_sessions_, [](const auto& w) { return w.expired(); });
    http_sessions_.push_back(session);
    session->Start();
    DoAccept();
  });
}

HttpReply SlackEmulator::Impl::HandleHttp(const http::request<http::string_body>& req) {
  const std::string target(req.target());
  const size_t qmark = target.find('?');
  const std::string path = target.substr(0, qmark);
  const std::string query = qmark == std::string::npos ? "" : target.substr(qmark + 1);

  std::string method;
  bool response_url = false;
  if (path.starts_with("/api/")) {
    method = path.substr(5);
  } else if (path.starts_with("/response/")) {
    method = "response_url";
    response_url = true;
  } else {
    HttpReply reply;
    reply.status = http::status::not_found;
    reply.content_type = "text/plain";
    reply.body = "not found";
    return reply;
  }

  RecordedCall call;
  call.method = method;
  call.arrival = std::chrono::steady_clock::now();
  call.body = req.body();
  for (const auto& field : req) {
    call.headers[LowerCase(field.name_string())] = std::string(field.value());
  }
  call.content_type = std::string(req[http::field::content_type]);
  call.args = ParseRequestArgs(call.content_type, req.body(), query);

  std::string token;
  if (auto auth = call.headers.find("authorization"); auth != call.headers.end()) {
    if (auth->second.starts_with("Bearer ")) token = auth->second.substr(7);
  }
  if (token.empty() && call.args.is_object() && call.args.contains("token") &&
      call.args["token"].is_string()) {
    token = call.args["token"].get<std::string>();
  }

  HttpReply reply;
  std::lock_guard lock(mu_);
  std::optional<Fault> fault;
  if (auto it = faults_.find(method); it != faults_.end() && !it->second.empty()) {
    fault = it->second.front();
    it->second.pop_front();
  }
  json answer;
  if (fault && fault->kind == Fault::Kind::kDropConnection) {
    reply.drop = true;
  } else if (fault && fault->kind == Fault::Kind::kRateLimited) {
    reply.status = http::status::too_many_requests;
    reply.retry_after = std::to_string(fault->retry_after_seconds);
    answer = json{{"ok", false}, {"error", "ratelimited"}};
  } else if (fault && fault->kind == Fault::Kind::kServerError) {
    reply.status = http::status::internal_server_error;
    reply.content_type = "text/html";
    reply.body =
        "<html><head><title>500 Internal Server Error</title></head><body>"
        "<h1>Internal Server Error</h1></body></html>";
  } else if (fault && fault->kind == Fault::Kind::kNotJson) {
    reply.content_type = "text/html";
    reply.body = "<html><body>Service temporarily unavailable</body></html>";
  } else if (fault && fault->kind == Fault::Kind::kSlackError) {
    answer = json{{"ok", false}, {"error", fault->slack_error}};
  } else if (call.args.is_null()) {
    answer = json{{"ok", false}, {"error", "invalid_form_data"}};
  } else if (response_url) {
    const std::string id = path.substr(10);
    auto it = response_urls_.find(id);
    if (it == response_urls_.end()) {
      reply.status = http::status::not_found;
      answer = json{{"ok", false}, {"error", "expired_url"}};
    } else if (it->second <= 0) {
      answer = json{{"ok", false}, {"error", "used_url"}};
    } else {
      --it->second;
      answer = json{{"ok", true}};
    }
  } else {
    WebApiAnswer a = web_api_.Handle(method, call.args, token);
    reply.status = static_cast<http::status>(a.http_status);
    answer = std::move(a.body);
    call.team_id = web_api_.TeamOfToken(token);
  }
  if (fault && fault->kind == Fault::Kind::kDelay) reply.delay = fault->delay;
  if (!answer.is_null()) reply.body = answer.dump();
  call.http_status = reply.drop ? 0 : static_cast<int>(reply.status);
  call.response = std::move(answer);
  calls_.push_back(std::move(call));
  return reply;
}

void SlackEmulator::Impl::OnWsOpen(const std::shared_ptr<WsSession>& session) {
  ws_sessions_.push_back(session);
  int open = 0;
  for (const auto& s : ws_sessions_) open += s->open() ? 1 : 0;
  open_connections_ = open;
  session->Send(json{
      {"type", "hello"},
      {"num_connections", open},
      {"debug_info",
       {{"host", "applink-emulator"}, {"build_number", 1}, {"approximate_connection_time", 18060}}},
      {"connection_info", {{"app_id", options_.app_id}}}}
                    .dump());
  Pump();
}

void SlackEmulator::Impl::OnWsMessage(WsSession& session, const std::string& text) {
  json message = json::parse(text, nullptr, false);
  if (message.is_discarded() || !message.is_object()) return;
  auto id = message.find("envelope_id");
  if (id == message.end() || !id->is_string()) return;
  AckRecord ack;
  ack.envelope_id = id->get<std::string>();
  ack.connection = session.number();
  if (auto p = message.find("payload"); p != message.end()) ack.payload = *p;
  RecordAck(std::move(ack));
  if (options_.max_unacked_per_connection > 0) Pump();
}

void SlackEmulator::Impl::RecordAck(AckRecord ack) {
  std::lock_guard lock(mu_);
  if (acks_to_lose_ > 0) {
    --acks_to_lose_;
    return;
  }
  if (auto it = envelopes_.find(ack.envelope_id); it != envelopes_.end()) {
    EnvelopeState& env = it->second;
    ack.delay =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - env.last_sent);
    ack.duplicate = env.acked;
    env.acked = true;
    if (env.in_flight) --in_flight_[env.connection];
    env.in_flight = false;
  }
  acks_.push_back(std::move(ack));
}

void SlackEmulator::Impl::OnWsClosed(WsSession* session) {
  std::erase_if(ws_sessions_, [&](const auto& s) { return s.get() == session; });
  int open = 0;
  for (const auto& s : ws_sessions_) open += s->open() ? 1 : 0;
  open_connections_ = open;
}

void SlackEmulator::Impl::Pump() {
  const int limit = options_.max_unacked_per_connection;
  for (;;) {
    {
      // Nothing to send: the round-robin cursor stays where it is, so envelopes queued one at a
      // time still alternate between connections.
      std::lock_guard lock(mu_);
      if (ready_.empty()) return;
    }
    std::shared_ptr<WsSession> target;
    for (size_t i = 0; i < ws_sessions_.size() && !target; ++i) {
      auto& candidate = ws_sessions_[(next_session_ + i) % ws_sessions_.size()];
      bool has_room = true;
      if (limit > 0) {
        std::lock_guard lock(mu_);
        has_room = in_flight_[candidate->number()] < limit;
      }
      if (candidate->accepting() && has_room) {
        target = candidate;
        next_session_ = (next_session_ + i + 1) % ws_sessions_.size();
      }
    }
    if (!target) return;
    std::string text;
    {
      std::lock_guard lock(mu_);
      if (ready_.empty()) return;
      const std::string id = ready_.front();
      ready_.pop_front();
      EnvelopeState& env = envelopes_[id];
      if (env.acked) continue;
      env.in_flight = true;
      env.connection = target->number();
      ++in_flight_[env.connection];
      env.last_sent = std::chrono::steady_clock::now();
      json envelope = {{"envelope_id", id},
                       {"type", env.type},
                       {"payload", env.payload},
                       {"accepts_response_payload", env.accepts_response_payload}};
      if (env.type == "events_api") {
        envelope["retry_attempt"] = env.retry_attempt;
        envelope["retry_reason"] = env.retry_reason;
      }
      text = envelope.dump();
      deliveries_.push_back({id, env.retry_attempt, target->number(), env.last_sent});
    }
    target->Send(std::move(text));
  }
}

void SlackEmulator::Impl::ScheduleAckCheck() {
  const milliseconds period =
      std::clamp(options_.ack_timeout / 4, milliseconds(5), milliseconds(100));
  ack_timer_.expires_after(period);
  ack_timer_.async_wait([this](beast::error_code ec) {
    if (ec) return;
    CheckAcks();
    ScheduleAckCheck();
  });
}

void SlackEmulator::Impl::CheckAcks() {
  const auto now = std::chrono::steady_clock::now();
  bool requeued = false;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, env] : envelopes_) {
      if (!env.in_flight || env.acked || now - env.last_sent < options_.ack_timeout) continue;
      env.in_flight = false;
      --in_flight_[env.connection];
      if (env.retry_attempt >= options_.max_redeliveries) {
        env.abandoned = true;
        continue;
      }
      ++env.retry_attempt;
      env.retry_reason = "timeout";
      ready_.push_back(id);
      requeued = true;
    }
  }
  if (requeued) Pump();
}

SlackEmulator::SlackEmulator(SlackEmulatorOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

SlackEmulator::~SlackEmulator() { Stop(); }

Status SlackEmulator::Start() { return impl_->Start(); }
void SlackEmulator::Stop() { impl_->Stop(); }
uint16_t SlackEmulator::port() const { return impl_->port_; }
std::string SlackEmulator::root_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port_);
}
std::string SlackEmulator::base_url() const { return root_url() + "/api/"; }
const SlackEmulatorOptions& SlackEmulator::options() const { return impl_->options_; }

void SlackEmulator::AddUser(EmulatedUser user, const std::string& team_id) {
  std::lock_guard lock(impl_->mu_);
  impl_->web_api_.AddUser(std::move(user), team_id);
}

void SlackEmulator::AddWorkspace(EmulatedWorkspace workspace) {
  std::lock_guard lock(impl_->mu_);
  impl_->web_api_.AddWorkspace(std::move(workspace));
}

std::string SlackEmulator::NewOAuthCode(const std::string& team_id, const std::string& redirect_uri,
                                        const std::string& installer, bool org_wide) {
  std::string code;
  {
    std::lock_guard lock(impl_->mu_);
    code = impl_->web_api_.NewOAuthCode(team_id, redirect_uri, installer, org_wide);
  }
  return code;
}

std::vector<RecordedCall> SlackEmulator::Calls(const std::string& method) const {
  std::lock_guard lock(impl_->mu_);
  std::vector<RecordedCall> out;
  for (const auto& c : impl_->calls_) {
    if (method.empty() || c.method == method) out.push_back(c);
  }
  return out;
}

void SlackEmulator::ClearCalls() {
  std::lock_guard lock(impl_->mu_);
  impl_->calls_.clear();
}

void SlackEmulator::InjectFault(const std::string& method, Fault fault, int times) {
  std::lock_guard lock(impl_->mu_);
  for (int i = 0; i < times; ++i) impl_->faults_[method].push_back(fault);
}

void SlackEmulator::ClearFaults() {
  std::lock_guard lock(impl_->mu_);
  impl_->faults_.clear();
}

std::string SlackEmulator::NewResponseUrl() {
  std::lock_guard lock(impl_->mu_);
  const std::string id = "T0EMULATOR/" + std::to_string(impl_->next_response_url_++) + "/hook";
  impl_->response_urls_[id] = kResponseUrlUses;
  return root_url() + "/response/" + id;
}

std::string SlackEmulator::QueueEnvelope(const std::string& type, nlohmann::json payload,
                                         bool accepts_response_payload) {
  std::string id;
  {
    std::lock_guard lock(impl_->mu_);
    char buf[48];
    std::snprintf(buf, sizeof buf, "0e1f2a3b-0000-4000-8000-%012llu",
                  static_cast<unsigned long long>(impl_->next_envelope_++));
    id = buf;
    EnvelopeState& env = impl_->envelopes_[id];
    env.type = type;
    env.payload = std::move(payload);
    env.accepts_response_payload = accepts_response_payload;
    impl_->ready_.push_back(id);
  }
  asio::post(impl_->io_, [impl = impl_.get()] { impl->Pump(); });
  return id;
}

std::vector<Delivery> SlackEmulator::Deliveries() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->deliveries_;
}

std::vector<AckRecord> SlackEmulator::Acks() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->acks_;
}

size_t SlackEmulator::unacked() const {
  std::lock_guard lock(impl_->mu_);
  size_t n = 0;
  for (const auto& [id, env] : impl_->envelopes_) n += env.acked ? 0 : 1;
  return n;
}

void SlackEmulator::SendDisconnect(const std::string& reason) {
  impl_->OnIoThread([impl = impl_.get(), reason] {
    auto sessions = impl->ws_sessions_;
    for (auto& s : sessions) s->Disconnect(reason);
  });
}

void SlackEmulator::DropConnections() {
  impl_->OnIoThread([impl = impl_.get()] {
    auto sessions = impl->ws_sessions_;
    for (auto& s : sessions) s->Drop();
  });
}

void SlackEmulator::LoseAcks(int count) {
  std::lock_guard lock(impl_->mu_);
  impl_->acks_to_lose_ += count;
}

void SlackEmulator::SetSilent() {
  impl_->OnIoThread([impl = impl_.get()] {
    for (auto& s : impl->ws_sessions_) s->Silence();
  });
}

int SlackEmulator::connections_accepted() const { return impl_->connections_accepted_; }
int SlackEmulator::open_connections() const { return impl_->open_connections_; }

bool SlackEmulator::WaitFor(const std::function<bool()>& predicate, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

}  // namespace faqbot::slack_emulator
