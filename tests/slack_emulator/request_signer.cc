#include "request_signer.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "slack/form_decoding.h"
#include "slack/signature_verifier.h"

namespace faqbot::slack_emulator {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpUrl {
  std::string host;
  std::string port;
  std::string target;
};

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return InvalidArgumentError("only http:// URLs are supported");
  url.remove_prefix(kScheme.size());
  const size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  HttpUrl out;
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const size_t colon = authority.rfind(':');
  out.host = std::string(authority.substr(0, colon));
  out.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  if (out.host.empty()) return InvalidArgumentError("URL has no host");
  return out;
}

}  // namespace

std::string ContentTypeFor(SignedKind kind) {
  return kind == SignedKind::kEvent ? "application/json" : "application/x-www-form-urlencoded";
}

std::string EncodeSignedBody(SignedKind kind, const nlohmann::json& payload) {
  switch (kind) {
    case SignedKind::kEvent:
      return payload.dump();
    case SignedKind::kInteraction:
      return "payload=" + slack::PercentEncode(payload.dump());
    case SignedKind::kSlashCommand: {
      std::string body;
      for (const auto& [key, value] : payload.items()) {
        if (!body.empty()) body += '&';
        body += slack::PercentEncode(key) + '=' +
                slack::PercentEncode(value.is_string() ? value.get<std::string>() : value.dump());
      }
      return body;
    }
  }
  return "";
}

Result<SignedResponse> PostSignedBody(std::string_view url, std::string_view content_type,
                                      std::string_view body, std::string_view signing_secret,
                                      const Clock& clock, const SignOptions& options) {
  FAQBOT_ASSIGN_OR_RETURN(HttpUrl target, ParseHttpUrl(url));
  const int64_t timestamp = clock.UnixSeconds() + options.timestamp_offset_seconds;
  const std::string signature = slack::ComputeSignature(
      options.bad_signature ? std::string(signing_secret) + "-wrong" : signing_secret, timestamp,
      body);

  http::request<http::string_body> req(http::verb::post, target.target, 11);
  req.set(http::field::host, target.host + ":" + target.port);
  req.set(http::field::user_agent, "Slackbot 1.0 (+https://api.slack.com/robots)");
  req.set(http::field::content_type, content_type);
  if (!options.omit_timestamp) req.set("X-Slack-Request-Timestamp", std::to_string(timestamp));
  if (!options.omit_signature) req.set("X-Slack-Signature", signature);
  if (options.retry_num > 0) {
    req.set("X-Slack-Retry-Num", std::to_string(options.retry_num));
    req.set("X-Slack-Retry-Reason", options.retry_reason);
  }
  req.body() = std::string(body);
  req.keep_alive(false);
  req.prepare_payload();

  // Asynchronous operations because only they honour the tcp_stream deadline; one io_context
  // per request keeps the function free of shared state.
  asio::io_context io;
  Result<SignedResponse> result = UnavailableError("signed POST did not run");
  auto fail = [&](const beast::error_code& ec, const char* step) {
    const std::string message =
        std::string("signed POST to ") + std::string(url) + ": " + step + ": " + ec.message();
    result =
        ec == beast::error::timeout ? DeadlineExceededError(message) : UnavailableError(message);
  };
  auto run = [&]() -> asio::awaitable<void> {
    constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(options.timeout);  // a deadline for the whole exchange
    auto [rec, endpoints] = co_await resolver.async_resolve(target.host, target.port, kNoThrow);
    if (rec) co_return fail(rec, "resolve");
    auto [cec, endpoint] = co_await stream.async_connect(endpoints, kNoThrow);
    if (cec) co_return fail(cec, "connect");
    const auto start = std::chrono::steady_clock::now();
    auto [wec, written] = co_await http::async_write(stream, req, kNoThrow);
    if (wec) co_return fail(wec, "write");
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    auto [xec, read] = co_await http::async_read(stream, buffer, res, kNoThrow);
    if (xec) co_return fail(xec, "read");
    SignedResponse out;
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    result = std::move(out);
  };
  asio::co_spawn(io, run(), asio::detached);
  io.run();
  return result;
}

Result<SignedResponse> PostSigned(std::string_view url, SignedKind kind,
                                  const nlohmann::json& payload, std::string_view signing_secret,
                                  const Clock& clock, const SignOptions& options) {
  return PostSignedBody(url, ContentTypeFor(kind), EncodeSignedBody(kind, payload), signing_secret,
                        clock, options);
}

std::vector<DeliveryAttempt> DeliverLikeSlack(std::string_view url, SignedKind kind,
                                              const nlohmann::json& payload,
                                              std::string_view signing_secret, Clock& clock,
                                              const DeliveryPolicy& policy) {
  const std::string body = EncodeSignedBody(kind, payload);
  std::vector<DeliveryAttempt> attempts;
  std::string reason;
  for (size_t retry = 0;; ++retry) {
    SignOptions options;
    options.timeout = policy.ack_deadline;
    options.retry_num = static_cast<int>(retry);
    options.retry_reason = reason;
    Result<SignedResponse> response =
        PostSignedBody(url, ContentTypeFor(kind), body, signing_secret, clock, options);
    DeliveryAttempt attempt;
    attempt.retry_num = static_cast<int>(retry);
    attempt.retry_reason = reason;
    bool no_retry = false;
    if (!response.ok()) {
      attempt.failure = response.status().code() == StatusCode::kDeadlineExceeded
                            ? "http_timeout"
                            : "connection_failed";
    } else {
      attempt.status = response->status;
      attempt.elapsed = response->elapsed;
      if (response->status < 200 || response->status >= 300) attempt.failure = "http_error";
      auto header = response->headers.find("x-slack-no-retry");
      no_retry = header != response->headers.end() && header->second == "1";
    }
    attempts.push_back(attempt);
    if (attempt.failure.empty() || no_retry || retry >= policy.retry_delays.size()) break;
    reason = attempt.failure;
    clock.SleepFor(policy.retry_delays[retry]);
  }
  return attempts;
}

}  // namespace faqbot::slack_emulator
