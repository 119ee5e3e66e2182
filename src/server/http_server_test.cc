#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "server/http_test_client.h"

namespace faqbot::server {
namespace {

using testing::LoopbackServerOptions;
using testing::TestHttpClient;
using testing::TestResponse;

HttpResponse Text(std::string body) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

// A started server with GET/POST /echo (answers "<method> <target> <body>") and GET /hello.
class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = LoopbackServerOptions()) {
    server_ = std::make_unique<HttpServer>(options);
    auto echo = [](const HttpRequest& request) {
      HttpResponse response = Text(request.method + " " + request.target + " " + request.body);
      response.headers["X-Path"] = request.path;
      response.headers["X-Remote"] = request.remote_address;
      response.headers["X-Test-Seen"] = std::string(slack::HeaderValue(request.headers, "x-test"));
      return response;
    };
    ASSERT_TRUE(server_->Handle("GET", "/echo", echo).ok());
    ASSERT_TRUE(server_->Handle("POST", "/echo", echo).ok());
    ASSERT_TRUE(
        server_->Handle("GET", "/hello", [](const HttpRequest&) { return Text("hello"); }).ok());
    // A route that takes larger bodies than the rest (a form posting a whole file).
    ASSERT_TRUE(server_
                    ->Handle(
                        "POST", "/upload",
                        [](const HttpRequest& r) { return Text(std::to_string(r.body.size())); },
                        RouteOptions{.max_body_bytes = 4 * options.max_body_bytes})
                    .ok());
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  void Connect(TestHttpClient& client) { ASSERT_TRUE(client.Connect(server_->port()).ok()); }

  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, RoutesByPathAndMethod) {
  StartServer();
  TestHttpClient client;
  Connect(client);
  auto get = client.Send("GET", "/echo?x=1");
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "GET /echo?x=1 ");
  EXPECT_EQ(slack::HeaderValue(get->headers, "content-type"), "text/plain");
  EXPECT_EQ(slack::HeaderValue(get->headers, "x-path"), "/echo");

  auto post = client.Send("POST", "/echo", "a=b&c", {{"X-TEST", "case"}});
  ASSERT_TRUE(post.ok()) << post.status();
  EXPECT_EQ(post->body, "POST /echo a=b&c");
  EXPECT_EQ(slack::HeaderValue(post->headers, "x-test-seen"), "case");

  auto hello = client.Send("GET", "/hello");
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(hello->body, "hello");
}

TEST_F(HttpServerTest, UnknownPathIs404WithJsonError) {
  StartServer();
  TestHttpClient client;
  Connect(client);
  auto res = client.Send("GET", "/nope");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(slack::HeaderValue(res->headers, "content-type"), "application/json");
  EXPECT_EQ(res->body, R"({"ok":false,"error":"not_found","message":"no route for /nope",)"
                       R"("status":"failure","reason":"not_found","code":404})");
  EXPECT_TRUE(res->keep_alive);  // an answered error keeps the connection
  EXPECT_EQ(client.Send("GET", "/hello")->status, 200);
}

TEST_F(HttpServerTest, HeadIsGetWithoutTheBody) {
  StartServer();
  TestHttpClient client;
  Connect(client);
  auto head = client.Send("HEAD", "/hello");
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(slack::HeaderValue(head->headers, "content-length"), "5");  // GET's "hello"
  EXPECT_EQ(slack::HeaderValue(head->headers, "content-type"), "text/plain");
  EXPECT_TRUE(head->keep_alive);
  // The connection goes on with the next request, nothing left over from the HEAD.
  auto get = client.Send("GET", "/hello");
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->body, "hello");
  EXPECT_EQ(client.Send("HEAD", "/nope")->status, 404);
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  StartServer();
  TestHttpClient client;
  Connect(client);
  auto res = client.Send("DELETE", "/echo");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(slack::HeaderValue(res->headers, "allow"), "GET, HEAD, POST");
  EXPECT_NE(res->body.find(R"("error":"method_not_allowed")"), std::string::npos);
}

TEST_F(HttpServerTest, OversizedBodyIs413AndTheClientReadsIt) {
  HttpServerOptions options = LoopbackServerOptions();
  options.max_body_bytes = 1024;
  StartServer(options);
  TestHttpClient client;
  Connect(client);
  // 4 MB: far more than the socket buffers, so the server must read it away to let the client
  // finish writing and see the answer.
  auto res = client.Send("POST", "/echo", std::string(4 << 20, 'x'));
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find(R"("error":"resource_exhausted")"), std::string::npos);
  EXPECT_FALSE(res->keep_alive);
  EXPECT_EQ(slack::HeaderValue(res->headers, "x-slack-no-retry"), "1");  // Slack: don't resend

  // Exactly at the limit is fine.
  TestHttpClient again;
  Connect(again);
  auto ok = again.Send("POST", "/echo", std::string(1024, 'y'));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, ARouteMayTakeLargerBodiesThanTheRest) {
  HttpServerOptions options = LoopbackServerOptions();
  options.max_body_bytes = 1024;
  StartServer(options);
  TestHttpClient client;
  Connect(client);
  auto upload = client.Send("POST", "/upload", std::string(4096, 'u'));
  ASSERT_TRUE(upload.ok()) << upload.status();
  EXPECT_EQ(upload->status, 200);
  EXPECT_EQ(upload->body, "4096");
  TestHttpClient other;
  Connect(other);
  auto echo = other.Send("POST", "/echo", std::string(2048, 'e'));  // its own limit holds
  ASSERT_TRUE(echo.ok()) << echo.status();
  EXPECT_EQ(echo->status, 413);
  EXPECT_NE(echo->body.find("larger than 1024 bytes"), std::string::npos);
  TestHttpClient third;
  Connect(third);
  auto too_big = third.Send("POST", "/upload", std::string(4097, 'u'));
  ASSERT_TRUE(too_big.ok()) << too_big.status();
  EXPECT_EQ(too_big->status, 413);
}

TEST_F(HttpServerTest, OversizedChunkedBodyIs413) {
  HttpServerOptions options = LoopbackServerOptions();
  options.max_body_bytes = 1024;
  StartServer(options);
  TestHttpClient client;
  Connect(client);
  std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "200\r\n" + std::string(0x200, 'z') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.SendRaw(request).ok());
  auto res = client.Read();
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 413);
}

TEST_F(HttpServerTest, OversizedHeadersAre431) {
  HttpServerOptions options = LoopbackServerOptions();
  options.max_header_bytes = 1024;
  StartServer(options);
  TestHttpClient client;
  Connect(client);
  auto res = client.Send("GET", "/hello", "", {{"X-Big", std::string(4096, 'h')}});
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 431);
  // The body's code is the status sent, not the 413 of its ResourceExhausted.
  const auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["code"], 431);
  EXPECT_EQ(body["error"], "resource_exhausted");
}

TEST_F(HttpServerTest, GarbageBytesAre400AndTheServerKeepsServing) {
  StartServer();
  const std::vector<std::string> garbage = {
      std::string("\x00\x01\x02\xff\xfe garbage\r\n\r\n", 18),
      "GET\r\n\r\n",
      "GET /hello HTTP/9.9\r\n\r\n",
      "GET /hello HTTP/1.1\r\nNo colon here\r\n\r\n",
      "POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
      "POST /echo HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "G\tET / HTTP/1.1\r\n\r\n",
  };
  for (const std::string& bytes : garbage) {
    TestHttpClient client;
    Connect(client);
    ASSERT_TRUE(client.SendRaw(bytes).ok());
    auto res = client.Read();
    ASSERT_TRUE(res.ok()) << res.status() << " for " << ::testing::PrintToString(bytes);
    EXPECT_EQ(res->status, 400) << ::testing::PrintToString(bytes);
    EXPECT_NE(res->body.find(R"("error":"invalid_argument")"), std::string::npos);
    EXPECT_TRUE(client.WaitForClose());
  }
  TestHttpClient client;
  Connect(client);
  EXPECT_EQ(client.Send("GET", "/hello")->status, 200);
}

TEST_F(HttpServerTest, RandomBytesNeverBreakTheServer) {
  StartServer();
  std::mt19937 rng(20261125);  // fixed seed: the same inputs on every run
  const std::vector<std::string> prefixes = {"", "GET /echo HTTP/1.1\r\n",
                                             "POST /echo HTTP/1.1\r\nContent-Length: 10\r\n"};
  for (int i = 0; i < 200; ++i) {
    std::string bytes = prefixes[i % prefixes.size()];
    const size_t length = 1 + rng() % 512;
    for (size_t j = 0; j < length; ++j) bytes += static_cast<char>(rng() & 0xff);
    if (i % 2 == 0) bytes += "\r\n\r\n";
    TestHttpClient client;
    Connect(client);
    ASSERT_TRUE(client.SendRaw(bytes).ok());
    client.Close();  // whether the server answered or waits for more
  }
  TestHttpClient client;
  Connect(client);
  EXPECT_EQ(client.Send("GET", "/hello")->status, 200);
}

TEST_F(HttpServerTest, ClientsThatHangUpMidRequestAreHarmless) {
  StartServer();
  for (const std::string bytes :
       {"", "GET /hel", "POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly a part"}) {
    TestHttpClient client;
    Connect(client);
    ASSERT_TRUE(client.SendRaw(bytes).ok());
    client.Close();
  }
  TestHttpClient client;
  Connect(client);
  EXPECT_EQ(client.Send("GET", "/hello")->status, 200);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  TestHttpClient client;
  Connect(client);
  std::string remote;
  for (int i = 0; i < 10; ++i) {
    auto res = client.Send("POST", "/echo", std::to_string(i));
    ASSERT_TRUE(res.ok()) << res.status();
    EXPECT_EQ(res->body, "POST /echo " + std::to_string(i));
    EXPECT_TRUE(res->keep_alive);
    // The same client port every time: one connection.
    const std::string seen(slack::HeaderValue(res->headers, "x-remote"));
    if (i == 0) remote = seen;
    EXPECT_EQ(seen, remote);
  }
  EXPECT_EQ(server_->active_connections(), 1u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestHttpClient client;
  Connect(client);
  ASSERT_TRUE(client
                  .SendRaw("GET /echo?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /echo?n=2 HTTP/1.1\r\nHost: x\r\n\r\n")
                  .ok());
  EXPECT_EQ(client.Read()->body, "GET /echo?n=1 ");
  EXPECT_EQ(client.Read()->body, "GET /echo?n=2 ");
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10CloseAfterTheAnswer) {
  StartServer();
  TestHttpClient client;
  Connect(client);
  auto res = client.Send("GET", "/hello", "", {}, /*keep_alive=*/false);
  ASSERT_TRUE(res.ok());
  EXPECT_FALSE(res->keep_alive);
  EXPECT_TRUE(client.WaitForClose());

  TestHttpClient old;
  Connect(old);
  ASSERT_TRUE(old.SendRaw("GET /hello HTTP/1.0\r\n\r\n").ok());
  auto res10 = old.Read();
  ASSERT_TRUE(res10.ok());
  EXPECT_EQ(res10->body, "hello");
  EXPECT_TRUE(old.WaitForClose());
}

TEST_F(HttpServerTest, ExpectContinueGetsTheBodyRead) {
  StartServer();
  TestHttpClient client;
  Connect(client);
  ASSERT_TRUE(client
                  .SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                           "Expect: 100-continue\r\n\r\n")
                  .ok());
  auto interim = client.Read();
  ASSERT_TRUE(interim.ok());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.SendRaw("hello").ok());
  auto res = client.Read();
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->body, "POST /echo hello");
}

TEST_F(HttpServerTest, ConcurrentClients) {
  StartServer();
  constexpr int kClients = 8;
  constexpr int kRequests = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      TestHttpClient client;
      if (!client.Connect(server_->port()).ok()) return;
      for (int i = 0; i < kRequests; ++i) {
        const std::string body = std::to_string(c) + "/" + std::to_string(i);
        auto res = client.Send("POST", "/echo", body);
        if (res.ok() && res->status == 200 && res->body == "POST /echo " + body) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
}

TEST_F(HttpServerTest, HandlerExceptionIs500) {
  server_ = std::make_unique<HttpServer>(LoopbackServerOptions());
  ASSERT_TRUE(
      server_
          ->Handle("GET", "/boom",
                   [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); })
          .ok());
  ASSERT_TRUE(server_->Start().ok());
  TestHttpClient client;
  Connect(client);
  auto res = client.Send("GET", "/boom");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 500);
  EXPECT_NE(res->body.find(R"("error":"internal")"), std::string::npos);
  EXPECT_EQ(client.Send("GET", "/boom")->status, 500);  // the connection survives
}

TEST_F(HttpServerTest, UnsafeResponseHeadersAreDropped) {
  server_ = std::make_unique<HttpServer>(LoopbackServerOptions());
  ASSERT_TRUE(server_
                  ->Handle("GET", "/h",
                           [](const HttpRequest&) {
                             HttpResponse response = Text("x");
                             response.headers["X-Good"] = "yes";
                             response.headers["X-Split"] = "a\r\nSet-Cookie: evil=1";
                             response.headers["Content-Length"] = "999";
                             response.headers["Bad Name"] = "v";
                             return response;
                           })
                  .ok());
  ASSERT_TRUE(server_->Start().ok());
  TestHttpClient client;
  Connect(client);
  auto res = client.Send("GET", "/h");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->body, "x");
  EXPECT_EQ(slack::HeaderValue(res->headers, "x-good"), "yes");
  EXPECT_FALSE(res->headers.contains("x-split"));
  EXPECT_FALSE(res->headers.contains("set-cookie"));
  EXPECT_EQ(client.Send("GET", "/h")->status, 200);
}

TEST_F(HttpServerTest, StopCompletesARequestInFlight) {
  server_ = std::make_unique<HttpServer>(LoopbackServerOptions());
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  ASSERT_TRUE(server_
                  ->Handle("POST", "/slow",
                           [&](const HttpRequest& request) {
                             entered.set_value();
                             released.wait();
                             return Text("done " + request.body);
                           })
                  .ok());
  ASSERT_TRUE(server_->Start().ok());
  const uint16_t port = server_->port();

  TestHttpClient idle;  // a keep-alive connection waiting for its next request
  Connect(idle);

  auto response = std::async(std::launch::async, [port] {
    TestHttpClient client;
    EXPECT_TRUE(client.Connect(port).ok());
    return client.Send("POST", "/slow", "work");
  });
  entered.get_future().wait();
  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  // The idle connection is closed at once, while the request is still being handled.
  EXPECT_TRUE(idle.WaitForClose());
  release.set_value();
  auto res = response.get();
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "done work");
  EXPECT_FALSE(res->keep_alive);
  stopped.get();

  TestHttpClient late;
  EXPECT_FALSE(late.Connect(port).ok());
}

TEST_F(HttpServerTest, StopIsIdempotentAndRestartIsRefused) {
  StartServer();
  server_->Stop();
  server_->Stop();
  EXPECT_EQ(server_->Start().code(), StatusCode::kFailedPrecondition);
  HttpServer never_started(LoopbackServerOptions());
  never_started.Stop();
}

TEST_F(HttpServerTest, PortInUseIsUnavailable) {
  StartServer();
  HttpServerOptions options = LoopbackServerOptions();
  options.port = server_->port();
  HttpServer second(options);
  const Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status;
  EXPECT_NE(status.message().find(std::to_string(server_->port())), std::string::npos) << status;
  EXPECT_EQ(second.port(), 0);
  // The first server is unaffected.
  TestHttpClient client;
  Connect(client);
  EXPECT_EQ(client.Send("GET", "/hello")->status, 200);
}

TEST_F(HttpServerTest, BadOptionsAreInvalidArgument) {
  HttpServerOptions options = LoopbackServerOptions();
  options.bind_address = "not-an-address";
  EXPECT_EQ(HttpServer(options).Start().code(), StatusCode::kInvalidArgument);
  options = LoopbackServerOptions();
  options.io_threads = 0;
  EXPECT_EQ(HttpServer(options).Start().code(), StatusCode::kInvalidArgument);
  options = LoopbackServerOptions();
  options.handler_threads = 0;
  EXPECT_EQ(HttpServer(options).Start().code(), StatusCode::kInvalidArgument);
}

// A server with one I/O thread and one handler thread: POST /wait blocks until released, GET
// /live runs on the I/O thread, GET /own on a thread of its own.
class BusyHandlersTest : public HttpServerTest {
 protected:
  void StartBusyServer() {
    HttpServerOptions options = LoopbackServerOptions();
    options.io_threads = 1;
    options.handler_threads = 1;
    server_ = std::make_unique<HttpServer>(options);
    ASSERT_TRUE(server_
                    ->Handle("POST", "/wait",
                             [this](const HttpRequest& request) {
                               entered_.fetch_add(1);
                               released_.wait();
                               return Text("done " + request.body);
                             })
                    .ok());
    ASSERT_TRUE(server_
                    ->Handle(
                        "GET", "/live", [](const HttpRequest&) { return Text("alive"); },
                        RouteOptions{.thread = RouteThread::kIo})
                    .ok());
    ASSERT_TRUE(
        server_->Handle("GET", "/hello", [](const HttpRequest&) { return Text("hello"); }).ok());
    // On its own thread: answers at once, or (?wait) when released.
    ASSERT_TRUE(server_
                    ->Handle(
                        "GET", "/own",
                        [this](const HttpRequest& request) {
                          if (request.target.ends_with("?wait")) {
                            entered_.fetch_add(1);
                            released_.wait();
                          }
                          return Text("own");
                        },
                        RouteOptions{.thread = RouteThread::kOwn})
                    .ok());
    ASSERT_TRUE(server_->Start().ok());
  }

  // Sends `method` `target` on a connection of its own, in the background. The future is the
  // fixture's: a failed assertion leaves the test before the handler is released, and the
  // future's destructor would wait for the answer.
  std::future<Result<TestResponse>>& SendInBackground(std::string method, std::string target,
                                                      std::string body = "") {
    return posts_.emplace_back(
        std::async(std::launch::async, [port = server_->port(), method = std::move(method),
                                        target = std::move(target), body = std::move(body)] {
          TestHttpClient client(std::chrono::seconds(20));
          if (Status connected = client.Connect(port); !connected.ok()) {
            return Result<TestResponse>(connected);
          }
          return client.Send(method, target, body);
        }));
  }
  std::future<Result<TestResponse>>& PostWait(std::string body) {
    return SendInBackground("POST", "/wait", std::move(body));
  }
  // The body of `target`'s answer on `quick_`, whose every wait is cut at 2 s: a request that
  // waits behind a busy thread fails the test soon.
  std::string QuickGet(const std::string& target) {
    auto res = quick_.Send("GET", target);
    EXPECT_TRUE(res.ok()) << target << ": " << res.status();
    return res.ok() ? res->body : "";
  }

  void WaitUntilEntered(int n) {
    while (entered_.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void Release() {
    if (!release_set_) release_.set_value();
    release_set_ = true;
  }
  // A failed assertion must not leave the server's Stop waiting for a handler for ever.
  ~BusyHandlersTest() override {
    Release();
    server_.reset();
  }

  std::deque<std::future<Result<TestResponse>>> posts_;
  TestHttpClient quick_{std::chrono::seconds(2)};
  std::atomic<int> entered_{0};
  std::promise<void> release_;
  bool release_set_ = false;
  std::shared_future<void> released_ = release_.get_future().share();
};

TEST_F(BusyHandlersTest, ARouteOnTheIoThreadAnswersWhileEveryHandlerWaits) {
  StartBusyServer();
  auto& waiting = PostWait("a");
  WaitUntilEntered(1);
  // The one handler thread is taken; the one I/O thread still reads, answers /live and 404s.
  Connect(quick_);
  EXPECT_EQ(QuickGet("/live"), "alive");
  EXPECT_EQ(quick_.Send("GET", "/nope")->status, 404);
  EXPECT_EQ(quick_.Send("HEAD", "/live")->status, 200);
  Release();
  auto done = waiting.get();
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->body, "done a");
  EXPECT_EQ(QuickGet("/hello"), "hello");
}

TEST_F(BusyHandlersTest, ARouteOnItsOwnThreadAnswersWhileEveryHandlerWaits) {
  StartBusyServer();
  PostWait("a");
  WaitUntilEntered(1);
  Connect(quick_);
  EXPECT_EQ(QuickGet("/own"), "own");
}

TEST_F(BusyHandlersTest, ARouteOnItsOwnThreadThatWaitsHoldsUpNoOtherRoute) {
  StartBusyServer();
  auto& waiting = SendInBackground("GET", "/own?wait");
  WaitUntilEntered(1);
  // Neither the one I/O thread nor the one handler thread is held.
  Connect(quick_);
  EXPECT_EQ(QuickGet("/live"), "alive");
  EXPECT_EQ(QuickGet("/hello"), "hello");
  Release();
  auto done = waiting.get();
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->body, "own");
}

TEST_F(BusyHandlersTest, RequestsBeyondTheHandlerThreadsWaitForOne) {
  StartBusyServer();
  auto& first = PostWait("1");
  WaitUntilEntered(1);
  auto& second = PostWait("2");
  auto& third = PostWait("3");
  // Only one handler runs at a time; the others are queued, not refused.
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  EXPECT_EQ(entered_.load(), 1);
  Release();
  for (auto* f : {&first, &second, &third}) {
    auto res = f->get();
    ASSERT_TRUE(res.ok()) << res.status();
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_EQ(entered_.load(), 3);
}

TEST_F(BusyHandlersTest, StopAnswersARequestQueuedForAHandlerThread) {
  StartBusyServer();
  auto& first = PostWait("1");
  WaitUntilEntered(1);
  auto& queued = PostWait("2");
  // The second request is read and waits for the handler thread when Stop begins.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Release();
  for (auto* f : {&first, &queued}) {
    auto res = f->get();
    ASSERT_TRUE(res.ok()) << res.status();
    EXPECT_EQ(res->status, 200);
    EXPECT_FALSE(res->keep_alive);
  }
  stopped.get();
}

TEST_F(HttpServerTest, HandleValidatesRoutes) {
  HttpServer server(LoopbackServerOptions());
  auto handler = [](const HttpRequest&) { return Text("x"); };
  EXPECT_TRUE(server.Handle("GET", "/a", handler).ok());
  EXPECT_EQ(server.Handle("GET", "/a", handler).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(server.Handle("POST", "/a", handler).ok());
  EXPECT_EQ(server.Handle("", "/b", handler).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Handle("GET", "b", handler).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Handle("GET", "/b", nullptr).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.Handle("GET", "/c", handler).code(), StatusCode::kFailedPrecondition);
}

TEST_F(HttpServerTest, StalledClientIsDisconnectedAfterReadTimeout) {
  HttpServerOptions options = LoopbackServerOptions();
  options.read_timeout = std::chrono::milliseconds(200);
  StartServer(options);
  TestHttpClient client;
  Connect(client);
  ASSERT_TRUE(client.SendRaw("GET /hello HTTP/1.1\r\n").ok());  // and never the rest
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServerLimitsTest, ConnectionsLeaveDescriptorsForTheRestOfTheProcess) {
  EXPECT_EQ(ConnectionsWithinOpenFiles(1024, 1'048'576), 1024u);
  EXPECT_EQ(ConnectionsWithinOpenFiles(1024, 1024), 960u);  // systemd's default soft limit
  EXPECT_EQ(ConnectionsWithinOpenFiles(1024, 64), 32u);     // `ulimit -n 64`
  EXPECT_EQ(ConnectionsWithinOpenFiles(10, 64), 10u);
  EXPECT_EQ(ConnectionsWithinOpenFiles(1024, 1), 1u);
}

TEST_F(HttpServerTest, AtMaxConnectionsNewClientsWaitUntilOneCloses) {
  HttpServerOptions options = LoopbackServerOptions();
  options.max_connections = 1;
  StartServer(options);
  TestHttpClient first;
  Connect(first);
  ASSERT_TRUE(first.SendRaw("GET /hello HTTP/1.1\r\n").ok());  // the rest of it comes later

  // The second client's connection waits in the backlog, its request unread: the first is in
  // the middle of a request, not idle.
  auto second = std::async(std::launch::async, [port = server_->port()] {
    TestHttpClient client;
    EXPECT_TRUE(client.Connect(port).ok());
    return client.Send("GET", "/hello");
  });
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(600)), std::future_status::timeout);
  EXPECT_EQ(server_->active_connections(), 1u);
  ASSERT_TRUE(first.SendRaw("Host: x\r\n\r\n").ok());
  auto answer = first.Read();
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 200);
  EXPECT_FALSE(answer->keep_alive);  // a client waits: this connection makes room for it
  auto res = second.get();
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionsMakeRoomForANewClient) {
  // Keep-alive connections idle between requests would otherwise hold every slot until their
  // read timeout (here a minute, longer than the clients wait).
  HttpServerOptions options = LoopbackServerOptions();
  options.max_connections = 2;
  options.read_timeout = std::chrono::seconds(60);
  StartServer(options);
  TestHttpClient idle[2];
  for (auto& client : idle) {
    Connect(client);
    auto res = client.Send("GET", "/hello");
    ASSERT_TRUE(res.ok()) << res.status();
    EXPECT_TRUE(res->keep_alive);
  }
  TestHttpClient late;
  Connect(late);
  auto res = late.Send("GET", "/hello");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(idle[0].WaitForClose() || idle[1].WaitForClose());
}

TEST_F(HttpServerTest, SlowClientsMakeRoomForANewClient) {
  // A slow-request flood: one client sends nothing, another drips a request it never finishes.
  // Each would hold its slot for the read timeout (a minute here, longer than clients wait).
  HttpServerOptions options = LoopbackServerOptions();
  options.max_connections = 2;
  options.read_timeout = std::chrono::seconds(60);
  options.slow_request_under_pressure = std::chrono::milliseconds(500);
  StartServer(options);
  TestHttpClient silent, dripping;
  Connect(silent);
  Connect(dripping);
  ASSERT_TRUE(dripping.SendRaw("GET /hello HTTP/1.1\r\n").ok());
  ASSERT_TRUE(dripping.SendRaw("Host: x\r\n").ok());
  TestHttpClient late;
  Connect(late);
  auto res = late.Send("GET", "/hello");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(silent.WaitForClose() || dripping.WaitForClose());
}

TEST_F(HttpServerTest, ABusyKeepAliveConnectionIsNotCutBetweenItsRequests) {
  // A client sending requests one after another is not idle in the moment between two: closing
  // it then cut off the request it was sending. It is told Connection: close instead.
  HttpServerOptions options = LoopbackServerOptions();
  options.max_connections = 1;
  options.read_timeout = std::chrono::seconds(60);
  StartServer(options);
  const uint16_t port = server_->port();
  auto busy = std::async(std::launch::async, [port]() -> ::testing::AssertionResult {
    TestHttpClient client;
    if (!client.Connect(port).ok()) return ::testing::AssertionFailure() << "no connection";
    for (int i = 0; i < 20; ++i) {
      auto res = client.Send("GET", "/hello");
      if (!res.ok())
        return ::testing::AssertionFailure() << "request " << i << ": " << res.status();
      if (!res->keep_alive) {
        client.Close();
        if (!client.Connect(port).ok()) return ::testing::AssertionFailure() << "reconnect " << i;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return ::testing::AssertionSuccess();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  TestHttpClient waiting;
  Connect(waiting);
  auto res = waiting.Send("GET", "/hello");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(busy.get());
}

}  // namespace
}  // namespace faqbot::server
