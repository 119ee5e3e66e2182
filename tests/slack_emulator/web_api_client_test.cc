// WebApiClient against the loopback Slack emulator: real HTTP on 127.0.0.1.
#include "slack/web_api_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/clock.h"
#include "common/faqbot_metrics.h"
#include "slack_emulator.h"

namespace faqbot::slack {
namespace {

using slack_emulator::Fault;
using slack_emulator::SlackEmulator;
using std::chrono::milliseconds;

// Moves a FakeClock forward whenever a client thread sleeps on it, recording each wait.
class ClockDriver {
 public:
  explicit ClockDriver(FakeClock& clock) : clock_(clock), thread_([this] { Run(); }) {}
  ~ClockDriver() {
    stop_ = true;
    thread_.join();
  }
  int advances() const { return advances_; }

 private:
  void Run() {
    while (!stop_) {
      if (clock_.sleepers() > 0) {
        clock_.Advance(std::chrono::seconds(1));
        ++advances_;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  FakeClock& clock_;
  std::atomic<bool> stop_{false};
  std::atomic<int> advances_{0};
  std::thread thread_;
};

class WebApiClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.Start().ok());
    emulator_.AddUser({"U0ALICE", "alice", "Alice Liddell", "alice", false});
  }

  WebApiClientOptions Options() {
    WebApiClientOptions o;
    o.base_url = emulator_.base_url();
    o.bot_token = emulator_.options().bot_token;
    o.app_token = emulator_.options().app_token;
    o.request_timeout = milliseconds(2'000);
    o.backoff_base = milliseconds(100);
    o.jitter_seed = 7;
    return o;
  }

  SlackEmulator emulator_;
  FakeClock fake_clock_;
};

TEST_F(WebApiClientTest, AuthTestReturnsTheBotIdentity) {
  WebApiClient client(Options(), fake_clock_);
  auto id = client.AuthTest();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->user_id, "U0FAQBOT");
  EXPECT_EQ(id->bot_id, "B0FAQBOT");
  EXPECT_EQ(id->team_id, "T0EMULATOR");
  auto calls = emulator_.Calls("auth.test");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].headers["authorization"], "Bearer " + Options().bot_token);
  EXPECT_EQ(calls[0].content_type, "application/json; charset=utf-8");
}

TEST_F(WebApiClientTest, TypedHelpersSendSlackShapedArguments) {
  WebApiClient client(Options(), fake_clock_);
  auto dm = client.OpenConversation("U0ALICE");
  ASSERT_TRUE(dm.ok()) << dm.status();
  EXPECT_EQ(*dm, "D0ALICE");

  auto posted = client.PostMessage({{"channel", *dm}, {"text", "hi"}});
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(posted->channel, "D0ALICE");
  EXPECT_FALSE(posted->ts.empty());

  ClockDriver driver(fake_clock_);  // the update to the same channel waits for its pacing slot
  auto updated = client.UpdateMessage({{"channel", *dm}, {"ts", posted->ts}, {"text", "edited"}});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->ts, posted->ts);

  auto ephemeral =
      client.PostEphemeral({{"channel", "C0GENERAL"}, {"user", "U0ALICE"}, {"text", "only you"}});
  ASSERT_TRUE(ephemeral.ok()) << ephemeral.status();

  auto user = client.UsersInfo("U0ALICE");
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->real_name, "Alice Liddell");
  EXPECT_EQ(user->display_name, "alice");
  EXPECT_FALSE(user->is_bot);

  EXPECT_TRUE(
      client.ViewsPublish("U0ALICE", {{"type", "home"}, {"blocks", nlohmann::json::array()}}).ok());
  auto view = client.ViewsOpen("123.456.abc", {{"type", "modal"},
                                               {"title", {{"type", "plain_text"}, {"text", "Add"}}},
                                               {"blocks", nlohmann::json::array()}});
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ((*view)["type"], "modal");
  auto again = client.ViewsOpen("123.456.abc", {{"type", "modal"}});
  EXPECT_EQ(SlackErrorCode(again.status()), "trigger_exchanged");

  auto calls = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].args["channel"], "D0ALICE");
  EXPECT_EQ(calls[0].args["text"], "hi");
  EXPECT_EQ(emulator_.Calls("views.publish")[0].args["user_id"], "U0ALICE");
}

TEST_F(WebApiClientTest, SlackErrorIsSurfacedWithItsCode) {
  WebApiClient client(Options(), fake_clock_);
  auto user = client.UsersInfo("U0NOBODY");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(SlackErrorCode(user.status()), "user_not_found");

  Fault fault;
  fault.kind = Fault::Kind::kSlackError;
  fault.slack_error = "not_in_channel";
  emulator_.InjectFault("chat.postMessage", fault);
  auto posted = client.PostMessage({{"channel", "C0SECRET"}, {"text", "hi"}});
  ASSERT_FALSE(posted.ok());
  EXPECT_EQ(SlackErrorCode(posted.status()), "not_in_channel");
  EXPECT_EQ(posted.status().code(), StatusCode::kFailedPrecondition);  // for good
  EXPECT_EQ(emulator_.Calls("chat.postMessage").size(), 1u);  // ok:false is never retried

  // An error Slack calls transient is Unavailable: a reply's outbox tries it again later.
  fault.slack_error = "internal_error";
  emulator_.InjectFault("chat.postMessage", fault);
  posted = client.PostMessage({{"channel", "C0GENERAL"}, {"text", "hi"}});
  ASSERT_FALSE(posted.ok());
  EXPECT_EQ(posted.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(SlackErrorCode(posted.status()), "internal_error");
  EXPECT_EQ(emulator_.Calls("chat.postMessage").size(), 2u);
}

TEST_F(WebApiClientTest, InvalidTokenIsUnauthenticated) {
  WebApiClientOptions o = Options();
  o.bot_token = "xoxb-not-a-real-token";
  WebApiClient client(o, fake_clock_);
  auto id = client.AuthTest();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(SlackErrorCode(id.status()), "invalid_auth");
  EXPECT_EQ(id.status().message().find("xoxb-"), std::string::npos);  // never echo the token
}

TEST_F(WebApiClientTest, AppsConnectionsOpenUsesTheAppToken) {
  WebApiClient client(Options(), fake_clock_);
  auto url = client.AppsConnectionsOpen();
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_TRUE(url->starts_with("ws://127.0.0.1:")) << *url;
  EXPECT_EQ(emulator_.Calls("apps.connections.open")[0].headers["authorization"],
            "Bearer " + Options().app_token);

  auto wrong = client.Call("apps.connections.open", nlohmann::json::object());  // bot token
  EXPECT_EQ(SlackErrorCode(wrong.status()), "not_allowed_token_type");
}

TEST_F(WebApiClientTest, RateLimitHonoursRetryAfterOnTheRealClock) {
  WebApiClient client(Options(), SystemClock::Instance());
  Fault fault;
  fault.kind = Fault::Kind::kRateLimited;
  fault.retry_after_seconds = 1;
  emulator_.InjectFault("users.info", fault);
  auto user = client.UsersInfo("U0ALICE");
  ASSERT_TRUE(user.ok()) << user.status();
  auto calls = emulator_.Calls("users.info");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].http_status, 429);
  EXPECT_EQ(calls[1].http_status, 200);
  EXPECT_GE(calls[1].arrival - calls[0].arrival, std::chrono::seconds(1));
}

TEST_F(WebApiClientTest, RateLimitWaitsOnTheInjectedClock) {
  WebApiClient client(Options(), fake_clock_);
  Fault fault;
  fault.kind = Fault::Kind::kRateLimited;
  fault.retry_after_seconds = 30;
  emulator_.InjectFault("auth.test", fault);
  ClockDriver driver(fake_clock_);
  const auto before = fake_clock_.Now();
  ASSERT_TRUE(client.AuthTest().ok());
  EXPECT_GE(fake_clock_.Now() - before, std::chrono::seconds(30));
}

TEST_F(WebApiClientTest, ARetryAfterOverTheLimitFailsAtOnceAndSaysHowLongToWait) {
  WebApiClient client(Options(), fake_clock_);
  Fault fault;
  fault.kind = Fault::Kind::kRateLimited;
  fault.retry_after_seconds = 120;  // over max_retry_after: the caller decides when to retry
  emulator_.InjectFault("auth.test", fault);
  const auto id = client.AuthTest();
  EXPECT_EQ(id.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(SlackErrorCode(id.status()), "ratelimited");
  EXPECT_EQ(SlackRetryAfter(id.status()), std::chrono::seconds(120));
  EXPECT_EQ(emulator_.Calls("auth.test").size(), 1u);
}

TEST_F(WebApiClientTest, ServerErrorsAreRetriedThenSucceed) {
  WebApiClient client(Options(), fake_clock_);
  Fault fault;
  fault.kind = Fault::Kind::kServerError;
  emulator_.InjectFault("auth.test", fault, 2);
  ClockDriver driver(fake_clock_);
  auto id = client.AuthTest();
  ASSERT_TRUE(id.ok()) << id.status();
  auto calls = emulator_.Calls("auth.test");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].http_status, 500);
  EXPECT_EQ(calls[2].http_status, 200);
}

TEST_F(WebApiClientTest, RetriesAreBoundedAndEndInAClearError) {
  WebApiClientOptions o = Options();
  o.max_retries = 2;
  WebApiClient client(o, fake_clock_);
  Fault fault;
  fault.kind = Fault::Kind::kServerError;
  emulator_.InjectFault("auth.test", fault, 10);
  ClockDriver driver(fake_clock_);
  auto id = client.AuthTest();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(id.status().message().find("HTTP 500"), std::string::npos) << id.status();
  EXPECT_NE(id.status().message().find("3 attempts"), std::string::npos) << id.status();
  EXPECT_EQ(emulator_.Calls("auth.test").size(), 3u);
}

TEST_F(WebApiClientTest, AfterStopRetryingACallMakesOneAttempt) {
  WebApiClient client(Options(), fake_clock_);
  Fault fault;
  fault.kind = Fault::Kind::kServerError;
  emulator_.InjectFault("auth.test", fault, 10);
  client.StopRetrying();
  auto id = client.AuthTest();  // no clock driver: a retry would wait forever
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(id.status().message().find("1 attempts"), std::string::npos) << id.status();
  EXPECT_EQ(emulator_.Calls("auth.test").size(), 1u);
}

TEST_F(WebApiClientTest, StopRetryingEndsAWaitForTheNextAttempt) {
  WebApiClientOptions o = Options();
  o.backoff_base = std::chrono::seconds(20);  // a long wait before the retry
  WebApiClient client(o, fake_clock_);
  Fault fault;
  fault.kind = Fault::Kind::kServerError;
  emulator_.InjectFault("auth.test", fault, 10);
  Result<AuthIdentity> id = UnavailableError("not run");
  std::thread call([&] { id = client.AuthTest(); });
  ASSERT_TRUE(
      SlackEmulator::WaitFor([&] { return fake_clock_.sleepers() > 0; }, std::chrono::seconds(10)));
  client.StopRetrying();
  fake_clock_.Advance(std::chrono::seconds(1));  // one slice of the wait, not the 10-20 s
  call.join();
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("stopped retrying after 1 attempts"), std::string::npos)
      << id.status();
  EXPECT_EQ(emulator_.Calls("auth.test").size(), 1u);
}

TEST_F(WebApiClientTest, DroppedConnectionAndSlowAnswerAreRetried) {
  WebApiClientOptions o = Options();
  o.request_timeout = milliseconds(300);
  WebApiClient client(o, fake_clock_);
  Fault drop;
  drop.kind = Fault::Kind::kDropConnection;
  Fault slow;
  slow.kind = Fault::Kind::kDelay;
  slow.delay = milliseconds(1'000);
  emulator_.InjectFault("auth.test", drop);
  emulator_.InjectFault("auth.test", slow);
  ClockDriver driver(fake_clock_);
  auto id = client.AuthTest();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(emulator_.Calls("auth.test").size(), 3u);
}

// Every HTTP attempt is counted by method and result, and every retry by method.
TEST_F(WebApiClientTest, AttemptsAreCountedByMethodAndResult) {
  const metrics::FaqbotMetrics& m = metrics::Faqbot();
  auto calls = [&](std::string_view method, std::string_view result) {
    return m.slack_api_calls.With({method, result}).value();
  };
  const uint64_t rate_limited = calls("users.info", "429");
  const uint64_t server_error = calls("users.info", "5xx");
  const uint64_t network = calls("users.info", "network");
  const uint64_t ok = calls("users.info", "ok");
  const uint64_t slack_error = calls("users.info", "slack_error");
  const uint64_t not_json = calls("users.info", "http_error");
  const uint64_t retries = m.slack_api_retries.With({"users.info"}).value();

  WebApiClient client(Options(), fake_clock_);
  Fault limited;
  limited.kind = Fault::Kind::kRateLimited;
  Fault error;
  error.kind = Fault::Kind::kServerError;
  emulator_.InjectFault("users.info", limited);
  emulator_.InjectFault("users.info", error);
  {
    ClockDriver driver(fake_clock_);
    ASSERT_TRUE(client.UsersInfo("U0ALICE").ok());
  }
  EXPECT_FALSE(client.UsersInfo("U0NOBODY").ok());  // user_not_found
  Fault html;
  html.kind = Fault::Kind::kNotJson;
  emulator_.InjectFault("users.info", html);
  EXPECT_FALSE(client.UsersInfo("U0ALICE").ok());
  WebApiClientOptions unreachable = Options();
  unreachable.base_url = "http://127.0.0.1:1/api/";  // nothing listens there
  unreachable.max_retries = 0;
  EXPECT_FALSE(WebApiClient(unreachable, fake_clock_).UsersInfo("U0ALICE").ok());

  EXPECT_EQ(calls("users.info", "429"), rate_limited + 1);
  EXPECT_EQ(calls("users.info", "5xx"), server_error + 1);
  EXPECT_EQ(calls("users.info", "network"), network + 1);
  EXPECT_EQ(calls("users.info", "ok"), ok + 1);
  EXPECT_EQ(calls("users.info", "slack_error"), slack_error + 1);
  EXPECT_EQ(calls("users.info", "http_error"), not_json + 1);
  EXPECT_EQ(m.slack_api_retries.With({"users.info"}).value(), retries + 2);
}

TEST_F(WebApiClientTest, NonJsonBodyIsAClearError) {
  WebApiClient client(Options(), fake_clock_);
  Fault fault;
  fault.kind = Fault::Kind::kNotJson;
  emulator_.InjectFault("auth.test", fault);
  auto id = client.AuthTest();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);  // may pass: worth a later try
  EXPECT_NE(id.status().message().find("not a JSON object"), std::string::npos) << id.status();
}

TEST_F(WebApiClientTest, WrongBaseUrlIsAClearError) {
  WebApiClientOptions o = Options();
  o.base_url = emulator_.root_url() + "/nowhere/";  // the emulator answers 404 text/plain
  WebApiClient client(o, fake_clock_);
  auto id = client.AuthTest();
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("HTTP 404"), std::string::npos) << id.status();
}

TEST_F(WebApiClientTest, PostsToOneChannelArePacedOthersAreNot) {
  WebApiClientOptions o = Options();
  o.channel_interval = milliseconds(300);
  o.channel_burst = 1;
  WebApiClient client(o, SystemClock::Instance());
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&client, i] {
      EXPECT_TRUE(client.PostMessage({{"channel", "C0PACED"}, {"text", std::to_string(i)}}).ok());
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(client.PostMessage({{"channel", "C0OTHER"}, {"text", "x"}}).ok());
  auto calls = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(calls.size(), 4u);
  // The client paces when a post starts; the emulator sees when it was fully read, so the gap
  // it sees may be shorter by one post's transit (a new connection, a loaded machine).
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_GE(calls[i].arrival - calls[i - 1].arrival, milliseconds(250)) << i;
  }
  // The other channel is not held up behind C0PACED's queue (it would wait 300 ms).
  EXPECT_LT(calls[3].arrival - calls[2].arrival, milliseconds(200));
}

TEST_F(WebApiClientTest, AShortBurstToOneChannelGoesOutAtOnceThenItIsPaced) {
  WebApiClientOptions o = Options();
  o.channel_interval = milliseconds(1000);
  o.channel_burst = 3;
  WebApiClient client(o, SystemClock::Instance());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.PostMessage({{"channel", "C0BURST"}, {"text", std::to_string(i)}}).ok());
  }
  auto calls = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(calls.size(), 5u);
  // Three back to back (a reply and the notifications right after it)…
  EXPECT_LT(calls[2].arrival - calls[0].arrival, milliseconds(900));
  // …then one per interval.
  // (Less a post's transit: the client paces starts, the emulator records arrivals.)
  EXPECT_GE(calls[3].arrival - calls[0].arrival, milliseconds(950));
  EXPECT_GE(calls[4].arrival - calls[3].arrival, milliseconds(950));
}

TEST_F(WebApiClientTest, PostToResponseUrl) {
  WebApiClient client(Options(), fake_clock_);
  const std::string url = emulator_.NewResponseUrl();
  ASSERT_TRUE(client.PostToResponseUrl(url, {{"text", "done"}, {"replace_original", true}}).ok());
  auto calls = emulator_.Calls("response_url");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].args["replace_original"], true);
  EXPECT_EQ(calls[0].headers.count("authorization"), 0u);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(client.PostToResponseUrl(url, {{"text", "again"}}).ok());
  Status sixth = client.PostToResponseUrl(url, {{"text", "too many"}});
  EXPECT_EQ(SlackErrorCode(sixth), "used_url");
  // An expired (or unknown) URL answers 404: final, not worth a retry.
  Status expired = client.PostToResponseUrl(emulator_.root_url() + "/response/T0EMULATOR/999/hook",
                                            {{"text", "too late"}});
  EXPECT_EQ(SlackErrorCode(expired), "expired_url");
  EXPECT_EQ(expired.code(), StatusCode::kFailedPrecondition);
}

TEST_F(WebApiClientTest, OAuthV2AccessExchangesACodeOnceForTheWorkspacesToken) {
  emulator_.AddWorkspace(
      {"T0SECOND", "Second", "E0GRID", "Grid", "xoxb-second", "U0BOT2", "B0BOT2"});
  WebApiClient client(Options(), fake_clock_);
  const std::string redirect = "https://faqbot.example.com/slack/oauth_redirect";
  const std::string code = emulator_.NewOAuthCode("T0SECOND", redirect, "U0ADMIN");
  const auto& o = emulator_.options();

  EXPECT_EQ(SlackErrorCode(client.OAuthV2Access(o.client_id, "wrong", code, redirect).status()),
            "bad_client_secret");
  auto access = client.OAuthV2Access(o.client_id, o.client_secret, code, redirect);
  // Wrong client credentials are refused before the code is looked at: it still works.
  ASSERT_TRUE(access.ok()) << access.status();
  EXPECT_EQ(access->access_token, "xoxb-second");
  EXPECT_EQ(access->token_type, "bot");
  EXPECT_EQ(access->team_id, "T0SECOND");
  EXPECT_EQ(access->team_name, "Second");
  EXPECT_EQ(access->enterprise_id, "E0GRID");
  EXPECT_FALSE(access->is_enterprise_install);
  EXPECT_EQ(access->bot_user_id, "U0BOT2");
  EXPECT_EQ(access->authed_user_id, "U0ADMIN");
  auto calls = emulator_.Calls("oauth.v2.access");
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back().content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(calls.back().headers.count("authorization"), 0u);

  // Single use; and the redirect URI must be the authorize request's.
  EXPECT_EQ(
      SlackErrorCode(client.OAuthV2Access(o.client_id, o.client_secret, code, redirect).status()),
      "invalid_code");
  const std::string other = emulator_.NewOAuthCode("T0SECOND", redirect, "U0ADMIN");
  EXPECT_EQ(
      SlackErrorCode(
          client.OAuthV2Access(o.client_id, o.client_secret, other, "https://elsewhere.example/cb")
              .status()),
      "bad_redirect_uri");

  // Org-wide: no team, the organisation.
  const std::string org = emulator_.NewOAuthCode("T0SECOND", redirect, "U0ADMIN", true);
  auto org_access = client.OAuthV2Access(o.client_id, o.client_secret, org, redirect);
  ASSERT_TRUE(org_access.ok()) << org_access.status();
  EXPECT_TRUE(org_access->is_enterprise_install);
  EXPECT_EQ(org_access->team_id, "");
  EXPECT_EQ(org_access->enterprise_id, "E0GRID");
}

TEST_F(WebApiClientTest, EachCallCanCarryTheTokenOfItsWorkspace) {
  emulator_.AddWorkspace({"T0SECOND", "Second", "", "", "xoxb-second", "U0BOT2", "B0BOT2"});
  emulator_.AddUser({"U0ZED", "zed", "Zed", "zed", false}, "T0SECOND");
  WebApiClient client(Options(), fake_clock_);
  auto second = client.AuthTest("xoxb-second");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->team_id, "T0SECOND");
  EXPECT_EQ(second->user_id, "U0BOT2");
  ASSERT_TRUE(client.PostMessage({{"channel", "C1"}, {"text", "hi"}}, "xoxb-second").ok());
  ASSERT_TRUE(client.PostMessage({{"channel", "C1"}, {"text", "hi"}}).ok());
  auto posts = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].team_id, "T0SECOND");
  EXPECT_EQ(posts[1].team_id, "T0EMULATOR");
  // A workspace sees its own users only.
  EXPECT_TRUE(client.UsersInfo("U0ZED", "xoxb-second").ok());
  EXPECT_EQ(client.UsersInfo("U0ZED").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(client.UsersInfo("U0ALICE", "xoxb-second").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace faqbot::slack
