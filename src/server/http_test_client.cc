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

  // Starts one asynchronous operation with `start(handler)` and runs it to its end, bounded by
  // timeout_: a tcp_stream's timeout applies only to asynchronous operations, so a blocking
  // read of an answer that never comes would wait for ever.
  template <class Start>
  beast::error_code Run(Start start) {
    beast::error_code result = asio::error::would_block;
    stream_.expires_after(timeout_);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }
};

TestHttpClient::TestHttpClient(std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(timeout)) {}

TestHttpClient::~TestHttpClient() { Close(); }

Status TestHttpClient::Connect(uint16_t port, const std::string& host) {
  impl_->host_ = host + ":" + std::to_string(port);
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgumentError("connect: " + host + ": " + ec.message());
  ec = impl_->Run([&](auto handler) {
    impl_->stream_.async_connect(tcp::endpoint(address, port), std::move(handler));
  });
  return ec ? UnavailableError("connect: " + ec.message()) : Status::Ok();
}

Status TestHttpClient::SendRaw(std::string_view bytes) {
  const beast::error_code ec = impl_->Run([&](auto handler) {
    asio::async_write(impl_->stream_, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
  });
  return ec ? UnavailableError("write: " + ec.message()) : Status::Ok();
}

Result<TestResponse> TestHttpClient::Read() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(size_t{64} << 20);
  parser.skip(impl_->head_);
  const beast::error_code ec = impl_->Run([&](auto handler) {
    http::async_read(impl_->stream_, impl_->buffer_, parser, std::move(handler));
  });
  if (ec) return UnavailableError("read: " + ec.message());
  auto& res = parser.get();
  TestResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  out.keep_alive = res.keep_alive();
  for (const auto& field : res) {
    out.headers[std::string(field.name_string())] = std::string(field.value());
  }
  return out;
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
  if (const beast::error_code ec = impl_->Run(
          [&](auto handler) { http::async_write(impl_->stream_, req, std::move(handler)); });
      ec) {
    return UnavailableError("write: " + ec.message());
  }
  impl_->head_ = method == "HEAD";
  auto read = Read();
  impl_->head_ = false;
  return read;
}

bool TestHttpClient::WaitForClose() {
  char byte;
  if (impl_->buffer_.size() > 0) return false;
  const beast::error_code ec = impl_->Run([&](auto handler) {
    impl_->stream_.async_read_some(asio::buffer(&byte, 1), std::move(handler));
  });
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

void TestHttpClient::Close() {
  beast::error_code ignored;
  impl_->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  impl_->stream_.socket().close(ignored);
}

}  // namespace faqbot::server::testing
