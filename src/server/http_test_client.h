// Test support for the HTTP front door (test-only): LoopbackServerOptions and TestHttpClient,
// a blocking HTTP/1.1 client over one TCP connection, for the server's tests and
// benchmark (test-only). It keeps the connection open between requests (keep-alive) and can send
// arbitrary bytes, to check what the server does with malformed input.
// Not thread-safe: one client per thread. Not copyable.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http_server.h"
#include "slack/http_headers.h"

namespace faqbot::server::testing {

// Options for a server under test: 127.0.0.1, an ephemeral port, the rest default.
HttpServerOptions LoopbackServerOptions();

struct TestResponse {
  int status = 0;
  std::string body;
  slack::Headers headers;
  bool keep_alive = false;  // the server will keep the connection open
};

class TestHttpClient {
 public:
  // `timeout` bounds every connect, write and read.
  explicit TestHttpClient(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  // Opens a connection to host:port. Errors: Unavailable.
  Status Connect(uint16_t port, const std::string& host = "127.0.0.1");

  // Sends one request (Content-Length set from `body`) and reads the response. Errors:
  // Unavailable (not connected, connection closed or reset, timeout, unparsable answer).
  Result<TestResponse> Send(std::string_view method, std::string_view target,
                            std::string_view body = "", const slack::Headers& headers = {},
                            bool keep_alive = true);

  // Writes `bytes` as they are. Errors: Unavailable.
  Status SendRaw(std::string_view bytes);
  // Reads one response. Errors: Unavailable (including a closed connection).
  Result<TestResponse> Read();
  // Waits for the server to close the connection: true on end of stream or reset, false when
  // bytes arrive instead or the timeout passes.
  bool WaitForClose();

  void Close();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faqbot::server::testing
