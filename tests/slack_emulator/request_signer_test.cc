// The emulator's signed requests, received by a tiny loopback HTTP listener and checked with the
// inbound layer's ComputeSignature and SignatureVerifier.
#include "request_signer.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <thread>

#include "fixtures.h"
#include "slack/form_decoding.h"
#include "slack/signature_verifier.h"

namespace faqbot::slack_emulator {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr char kSecret[] = "8f742231b10e8888abcd99yyyzzz85a5";

// Accepts connections on 127.0.0.1, records each request, answers 200 "ok" or what was queued.
class CapturingListener {
 public:
  struct Answer {
    http::status status = http::status::ok;
    bool no_retry = false;               // X-Slack-No-Retry: 1
    std::chrono::milliseconds delay{0};  // before answering
  };

  CapturingListener() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~CapturingListener() {
    stop_ = true;
    beast::error_code ec;
    tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ec);  // unblocks accept()
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }
  http::request<http::string_body> last() {
    std::lock_guard lock(mu_);
    return requests_.back();
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return requests_.size();
  }
  std::vector<http::request<http::string_body>> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  void Queue(Answer answer) {
    std::lock_guard lock(mu_);
    answers_.push_back(answer);
  }

 private:
  void Run() {
    while (!stop_) {
      beast::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stop_) continue;
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      Answer answer;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
        if (!answers_.empty()) {
          answer = answers_.front();
          answers_.pop_front();
        }
      }
      std::this_thread::sleep_for(answer.delay);
      http::response<http::string_body> res(answer.status, 11);
      if (answer.no_retry) res.set("X-Slack-No-Retry", "1");
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok";
      res.keep_alive(false);
      res.prepare_payload();
      http::write(socket, res, ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<http::request<http::string_body>> requests_;
  std::deque<Answer> answers_;
  std::thread thread_;
};

slack::Headers HeadersOf(const http::request<http::string_body>& req) {
  slack::Headers headers;
  for (const auto& f : req) headers[std::string(f.name_string())] = std::string(f.value());
  return headers;
}

class RequestSignerTest : public ::testing::Test {
 protected:
  CapturingListener listener_;
  FakeClock clock_{1'700'000'000};
};

TEST_F(RequestSignerTest, EventIsSignedJsonThatVerifies) {
  const nlohmann::json body = fixtures::EventCallback(
      fixtures::AppMentionEvent("U0ALICE", "C0GENERAL", "<@U0FAQBOT> where is the VPN guide?",
                                "1700000000.000100"),
      "Ev0001");
  auto res = PostSigned(listener_.url("/slack/events"), SignedKind::kEvent, body, kSecret, clock_);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200);
  auto req = listener_.last();
  EXPECT_EQ(req.target(), "/slack/events");
  EXPECT_EQ(req[http::field::content_type], "application/json");
  EXPECT_EQ(req["X-Slack-Request-Timestamp"], "1700000000");
  EXPECT_EQ(req["X-Slack-Signature"], slack::ComputeSignature(kSecret, 1'700'000'000, req.body()));
  EXPECT_EQ(nlohmann::json::parse(req.body()), body);
  slack::SignatureVerifier verifier(kSecret, clock_);
  EXPECT_TRUE(verifier.Verify(HeadersOf(req), req.body()).ok());
}

TEST_F(RequestSignerTest, InteractionIsAPayloadForm) {
  const nlohmann::json payload =
      fixtures::BlockActionsButton("faq_helpful", "topic-42:yes", "U0ALICE", "D0ALICE",
                                   "1700000000.000100", "http://127.0.0.1:1/response/x");
  ASSERT_TRUE(PostSigned(listener_.url("/slack/interactions"), SignedKind::kInteraction, payload,
                         kSecret, clock_)
                  .ok());
  auto req = listener_.last();
  EXPECT_EQ(req[http::field::content_type], "application/x-www-form-urlencoded");
  auto form = slack::ParseForm(req.body());
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_EQ(nlohmann::json::parse((*form)["payload"]), payload);
  slack::SignatureVerifier verifier(kSecret, clock_);
  EXPECT_TRUE(verifier.Verify(HeadersOf(req), req.body()).ok());
}

TEST_F(RequestSignerTest, SlashCommandIsAFlatForm) {
  const nlohmann::json command =
      fixtures::SlashCommand("/ask", "<@U0BOB> where is the wifi password?", "U0ALICE", "C0GENERAL",
                             "http://127.0.0.1:1/response/y");
  ASSERT_TRUE(PostSigned(listener_.url("/slack/commands"), SignedKind::kSlashCommand, command,
                         kSecret, clock_, {.retry_num = 1})
                  .ok());
  auto req = listener_.last();
  auto form = slack::ParseForm(req.body());
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_EQ((*form)["command"], "/ask");
  EXPECT_EQ((*form)["text"], "<@U0BOB> where is the wifi password?");
  EXPECT_EQ(req["X-Slack-Retry-Num"], "1");
  EXPECT_EQ(req["X-Slack-Retry-Reason"], "http_timeout");
  slack::SignatureVerifier verifier(kSecret, clock_);
  EXPECT_TRUE(verifier.Verify(HeadersOf(req), req.body()).ok());
}

TEST_F(RequestSignerTest, FaultsAreRejectedByTheVerifier) {
  slack::SignatureVerifier verifier(kSecret, clock_);
  const nlohmann::json body =
      fixtures::UrlVerification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  const SignOptions cases[] = {
      {.timestamp_offset_seconds = -301},
      {.timestamp_offset_seconds = 301},
      {.bad_signature = true},
      {.omit_timestamp = true},
      {.omit_signature = true},
  };
  for (const SignOptions& options : cases) {
    ASSERT_TRUE(PostSigned(listener_.url("/slack/events"), SignedKind::kEvent, body, kSecret,
                           clock_, options)
                    .ok());
    auto req = listener_.last();
    EXPECT_FALSE(verifier.Verify(HeadersOf(req), req.body()).ok())
        << options.timestamp_offset_seconds << " " << options.bad_signature;
  }
  EXPECT_EQ(listener_.count(), 5u);
}

TEST_F(RequestSignerTest, DeliveryIsRetriedLikeSlackWithTheSameBody) {
  listener_.Queue({.status = http::status::internal_server_error});
  listener_.Queue({.delay = std::chrono::milliseconds(400)});  // slower than the deadline
  DeliveryPolicy policy;
  policy.ack_deadline = std::chrono::milliseconds(300);
  const nlohmann::json body = fixtures::EventCallback(
      fixtures::MessageImEvent("U0ALICE", "D0ALICE", "hi", "1700000000.000200"), "Ev0002");
  std::thread driver([this] {  // moves the fake clock over the retry delays
    for (int i = 0; i < 2000 && listener_.count() < 3; ++i) {
      if (clock_.sleepers() > 0) clock_.Advance(std::chrono::milliseconds(100));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  auto attempts = DeliverLikeSlack(listener_.url("/slack/events"), SignedKind::kEvent, body,
                                   kSecret, clock_, policy);
  driver.join();
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].failure, "http_error");
  EXPECT_EQ(attempts[1].failure, "http_timeout");
  EXPECT_EQ(attempts[2].failure, "");
  EXPECT_EQ(attempts[2].status, 200);
  auto requests = listener_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].count("X-Slack-Retry-Num"), 0u);
  EXPECT_EQ(requests[1]["X-Slack-Retry-Num"], "1");
  EXPECT_EQ(requests[1]["X-Slack-Retry-Reason"], "http_error");
  EXPECT_EQ(requests[2]["X-Slack-Retry-Num"], "2");
  EXPECT_EQ(requests[2]["X-Slack-Retry-Reason"], "http_timeout");
  slack::SignatureVerifier verifier(kSecret, clock_);
  for (const auto& req : requests) {
    EXPECT_EQ(req.body(), requests[0].body());
    EXPECT_TRUE(verifier.Verify(HeadersOf(req), req.body()).ok());
  }
}

TEST_F(RequestSignerTest, NoRetryHeaderStopsTheRetries) {
  listener_.Queue({.status = http::status::service_unavailable, .no_retry = true});
  auto attempts = DeliverLikeSlack(listener_.url("/slack/events"), SignedKind::kEvent,
                                   fixtures::UrlVerification("c"), kSecret, clock_);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].status, 503);
  EXPECT_EQ(listener_.count(), 1u);
}

TEST_F(RequestSignerTest, UnreachableUrlIsUnavailable) {
  auto res = PostSigned("http://127.0.0.1:1/slack/events", SignedKind::kEvent,
                        nlohmann::json::object(), kSecret, clock_);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(
      PostSigned("https://example.com/", SignedKind::kEvent, {}, kSecret, clock_).status().code(),
      StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace faqbot::slack_emulator
