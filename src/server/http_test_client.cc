#include "server/http_test_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace faqbot::server::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

HttpServerOptions LoopbackServerOptions() {
  HttpServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  return options;
}

class TestHttpClient::Impl {
 public:
  explicit Impl(std::chrono::milliseconds timeout) : timeout_(timeout), stream_(io_) {}

  std::chrono::milliseconds timeout_;
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string host_;
  bool head_ = false;  // the request sent last was HEAD: its answer has no body
};

TestHttpClient::TestHttpClient(std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(timeout)) {}

TestHttpClient::~TestHttpClient() { Close(); }

Status TestHttpClient::Connect(uint16_t port, const std::string& host) {
  try {
    impl_->host_ = host + ":" + std::to_string(port);
    impl_->stream_.expires_after(impl_->timeout_);
    impl_->stream_.connect(tcp::endpoint(asio::ip::make_address(host), port));
    return Status::Ok();
  } catch (const std::exception& e) {
    return UnavailableError(std::string("connect: ") + e.what());
  }
}

Status TestHttpClient::SendRaw(std::string_view bytes) {
  try {
    impl_->stream_.expires_after(impl_->timeout_);
    asio::write(impl_->stream_, asio::buffer(bytes.data(), bytes.size()));
    return Status::Ok();
  } catch (const std::exception& e) {
    return UnavailableError(std::string("write: ") + e.what());
  }
}

Result<TestResponse> TestHttpClient::Read() {
  try {
    http::response_parser<http::string_body> parser;
    parser.body_limit(size_t{64} << 20);
    parser.skip(impl_->head_);
    impl_->stream_.expires_after(impl_->timeout_);
    http::read(impl_->stream_, impl_->buffer_, parser);
    auto& res = parser.get();
    TestResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    out.keep_alive = res.keep_alive();
    for (const auto& field : res) {
      out.headers[std::string(field.name_string())] = std::string(field.value());
    }
    return out;
  } catch (const std::exception& e) {
    return UnavailableError(std::string("read: ") + e.what());
  }
}

Result<TestResponse> TestHttpClient::Send(std::string_view method, std::string_view target,
                                          std::string_view body, const slack::Headers& headers,
                                          bool keep_alive) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, impl_->host_);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  req.keep_alive(keep_alive);
  req.prepare_payload();
  try {
    impl_->stream_.expires_after(impl_->timeout_);
    http::write(impl_->stream_, req);
  } catch (const std::exception& e) {
    return UnavailableError(std::string("write: ") + e.what());
  }
  impl_->head_ = method == "HEAD";
  auto read = Read();
  impl_->head_ = false;
  return read;
}

bool TestHttpClient::WaitForClose() {
  char byte;
  impl_->stream_.expires_after(impl_->timeout_);
  beast::error_code ec;
  if (impl_->buffer_.size() > 0) return false;
  impl_->stream_.read_some(asio::buffer(&byte, 1), ec);
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

void TestHttpClient::Close() {
  beast::error_code ignored;
  impl_->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  impl_->stream_.socket().close(ignored);
}

}  // namespace faqbot::server::testing
