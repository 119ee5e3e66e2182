#include "server/health_endpoints.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>

#include "server/http_test_client.h"

namespace faqbot::server {
namespace {

using testing::TestHttpClient;

class HealthEndpointsTest : public ::testing::Test {
 protected:
  void Start(ReadinessCheck readiness) {
    std::vector<NamedReadinessCheck> checks;
    if (readiness) checks.push_back({"", std::move(readiness)});
    Start(std::move(checks));
  }
  void Start(std::vector<NamedReadinessCheck> checks) {
    server_ = std::make_unique<HttpServer>(testing::LoopbackServerOptions());
    ASSERT_TRUE(RegisterHealthEndpoints(*server_, std::move(checks)).ok());
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(client_.Connect(server_->port()).ok());
  }

  std::unique_ptr<HttpServer> server_;
  TestHttpClient client_;
};

TEST_F(HealthEndpointsTest, HealthzIsOkWhileRunning) {
  Start([] { return UnavailableError("database unreachable"); });
  auto res = client_.Send("GET", "/healthz");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"ok":true})");
  EXPECT_EQ(slack::HeaderValue(res->headers, "content-type"), "application/json");
  EXPECT_EQ(client_.Send("POST", "/healthz")->status, 405);
}

TEST_F(HealthEndpointsTest, ReadyzFollowsTheReadinessCheck) {
  std::atomic<bool> ready{false};
  Start([&ready] { return ready ? Status::Ok() : UnavailableError("database unreachable"); });
  auto not_ready = client_.Send("GET", "/readyz");
  ASSERT_TRUE(not_ready.ok());
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_EQ(not_ready->body,
            R"({"ok":false,"error":"unavailable","message":"database unreachable"})");
  ready = true;
  auto now_ready = client_.Send("GET", "/readyz");
  ASSERT_TRUE(now_ready.ok());
  EXPECT_EQ(now_ready->status, 200);
  EXPECT_EQ(now_ready->body, R"({"ok":true})");
}

TEST_F(HealthEndpointsTest, ReadyzIs503WhateverTheErrorCode) {
  Start([]() -> Status { return FailedPreconditionError("schema too new"); });
  auto res = client_.Send("GET", "/readyz");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find(R"("error":"failed_precondition")"), std::string::npos);
}

TEST_F(HealthEndpointsTest, ReadyzTreatsAnExceptionAsNotReady) {
  Start([]() -> Status { throw std::runtime_error("driver exploded"); });
  auto res = client_.Send("GET", "/readyz");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find("driver exploded"), std::string::npos);
}

// A check that waits (a database that does not answer) is cut at its time limit, and a second
// request meanwhile waits for the same run instead of starting another.
TEST_F(HealthEndpointsTest, ReadyzAnswersWithinTheTimeLimitOfACheckThatWaits) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> runs{0};
  NamedReadinessCheck database{"database", [&] {
                                 runs.fetch_add(1);
                                 released.wait();
                                 return Status::Ok();
                               }};
  database.time_limit = std::chrono::milliseconds(200);
  NamedReadinessCheck slack{"slack", [] { return Status::Ok(); }};
  std::vector<NamedReadinessCheck> checks;
  checks.push_back(std::move(database));
  checks.push_back(std::move(slack));
  Start(std::move(checks));
  for (int i = 0; i < 2; ++i) {
    auto res = client_.Send("GET", "/readyz");
    ASSERT_TRUE(res.ok()) << res.status();
    EXPECT_EQ(res->status, 503);
    EXPECT_EQ(res->body,
              R"({"ok":false,"error":"unavailable","message":"database: no answer within 200 ms",)"
              R"("checks":{"database":"no answer within 200 ms","slack":"ok"}})");
  }
  EXPECT_EQ(runs.load(), 1);
  release.set_value();
  // The run under way answers (or, once it has, a new one), then every request runs the check
  // again.
  for (int i = 0; i < 2; ++i) {
    auto res = client_.Send("GET", "/readyz");
    ASSERT_TRUE(res.ok()) << res.status();
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_GE(runs.load(), 2);
}

TEST_F(HealthEndpointsTest, NoCheckMeansReady) {
  Start(nullptr);
  EXPECT_EQ(client_.Send("GET", "/readyz")->status, 200);
}

TEST_F(HealthEndpointsTest, ReadyzSaysWhichPartIsNotReady) {
  std::atomic<bool> database{true};
  std::atomic<bool> slack{false};
  Start(std::vector<NamedReadinessCheck>{
      {"database", [&] { return database ? Status::Ok() : UnavailableError("no answer"); }},
      {"slack", [&] { return slack ? Status::Ok() : UnavailableError("Socket Mode is down"); }}});
  auto res = client_.Send("GET", "/readyz");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->body,
            R"({"ok":false,"error":"unavailable","message":"slack: Socket Mode is down",)"
            R"("checks":{"database":"ok","slack":"Socket Mode is down"}})");
  database = false;
  res = client_.Send("GET", "/readyz");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->body, R"({"ok":false,"error":"unavailable","message":"database: no answer",)"
                       R"("checks":{"database":"no answer","slack":"Socket Mode is down"}})");
  database = true;
  slack = true;
  res = client_.Send("GET", "/readyz");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"ok":true})");
}

TEST(CachedReadinessTest, AnswersTheLastProbeUntilRefreshed) {
  int probes = 0;
  Status next = UnavailableError("auth.test: invalid_auth");
  CachedReadiness cached(
      [&] {
        ++probes;
        return next;
      },
      UnavailableError("not checked yet"));
  EXPECT_EQ(cached.Get().message(), "not checked yet");
  cached.Refresh();
  EXPECT_EQ(cached.check()().message(), "auth.test: invalid_auth");
  next = Status::Ok();
  EXPECT_FALSE(cached.Get().ok());  // not probed per request
  cached.Refresh();
  EXPECT_TRUE(cached.Get().ok());
  EXPECT_EQ(probes, 2);
}

TEST(CachedReadinessTest, AProbeThatThrowsIsNotReady) {
  CachedReadiness cached([]() -> Status { throw std::runtime_error("curl exploded"); },
                         Status::Ok());
  cached.Refresh();
  EXPECT_EQ(cached.Get().code(), StatusCode::kInternal);
  EXPECT_NE(cached.Get().message().find("curl exploded"), std::string::npos);
}

}  // namespace
}  // namespace faqbot::server
