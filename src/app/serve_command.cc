// `faqbot serve`: the whole assistant in one process. Slack reaches it over Socket Mode when
// SLACK_APP_TOKEN is set, otherwise through signed HTTP requests on /slack/events,
// /slack/interactive and /slack/commands; /healthz and /readyz are always served, and so is the
// Rasa-compatible API of each owner's bot (/model/parse, /status; server/rasa_api.h) and the topics
// API (/api/v1/topics, /api/v1/publish; server/topics_api.h) for clients holding an owner's API
// token (`faqbot token create`), the web console under /console/ (server/console.h) and, unless
// turned off, /metrics for Prometheus (server/metrics_endpoint.h; docs/operations.md). /readyz is
// not ready while the database does not answer or Slack is unreachable: the Socket Mode
// connection is down, or (signed HTTP) the last auth.test, re-checked every 30 s, failed.
//
// Environment (secrets only from here, never flags): SLACK_BOT_TOKEN, SLACK_APP_TOKEN,
// SLACK_SIGNING_SECRET, FAQBOT_PORT (3000), FAQBOT_SLACK_API_URL (https://slack.com/api/),
// FAQBOT_DATABASE_URL (sqlite:./faqbot.db), FAQBOT_PUBLIC_URL (http://localhost:<port>; the
// base of console sign-in links and of the OAuth redirect URI). OAuth, for one deployment in many
// workspaces ("Add to Slack" at /slack/install): SLACK_CLIENT_ID, SLACK_CLIENT_SECRET,
// FAQBOT_SECRET_KEY (required with OAuth: seals the bot tokens), SLACK_SCOPES (the manifest's bot
// scopes), SLACK_USER_SCOPES (none), FAQBOT_SLACK_OAUTH_URL (https://slack.com/oauth/v2/authorize).
// SIGTERM or SIGINT: stop taking events, finish the
// ones in flight and the training in progress, send the replies already accepted (for up to 10 s),
// leave unstarted jobs in the database. Under systemd (Type=notify) it sends READY=1 once it
// listens and STOPPING=1 when a stop signal arrives.
#include <signal.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "app/runtime.h"
#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "common/string_util.h"
#include "common/timed_call.h"
#include "server/console.h"
#include "server/health_endpoints.h"
#include "server/http_server.h"
#include "server/inbox_dispatcher.h"
#include "server/installations.h"
#include "server/metrics_endpoint.h"
#include "server/queued_messenger.h"
#include "server/rasa_api.h"
#include "server/reply_journal.h"
#include "server/secret_box.h"
#include "server/slack_bridge.h"
#include "server/slack_endpoints.h"
#include "server/slack_messenger.h"
#include "server/slack_oauth.h"
#include "server/topics_api.h"
#include "slack/inbound_router.h"
#include "slack/signature_verifier.h"
#include "slack/socket_mode_client.h"
#include "slack/web_api_client.h"
#include "store/database_url.h"
#include "store/postgres_backend.h"

namespace faqbot::app {
namespace {

struct ServeFlags {
  std::string database;
  std::string lexicon;
  int port = -1;  // -1: FAQBOT_PORT, else 3000
  std::string bind = "0.0.0.0";
  size_t event_threads = 4;
  size_t send_threads = 8;
  bool metrics = true;            // serve /metrics
  int slack_check_interval = 30;  // seconds between auth.test checks (signed HTTP)
  int outbox_lease = 30;          // seconds a dead process's unsent replies wait for another
};

std::string Env(const char* name, std::string fallback = "") {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

std::string PublicUrlFromEnv(int port) {
  std::string url = Env("FAQBOT_PUBLIC_URL");
  while (!url.empty() && url.back() == '/') url.pop_back();  // "https://faq.example.com/"
  if (!url.empty()) return url;
  return "http://localhost:" + (port >= 0 ? std::to_string(port) : Env("FAQBOT_PORT", "3000"));
}

namespace {

// How long /readyz waits for the database's answer (a load balancer's probe gives up within
// seconds; the database's own deadline is 10 s).
constexpr std::chrono::milliseconds kDatabaseReadinessLimit{2000};
// How long a scrape of /metrics waits for each of the database's gauges.
constexpr std::chrono::milliseconds kDatabaseGaugeLimit{1000};

Result<uint16_t> ResolvePort(int flag) {
  if (flag >= 0) {
    if (flag > 65535) return InvalidArgumentError("--port must be 0–65535");
    return static_cast<uint16_t>(flag);
  }
  const std::string env = Env("FAQBOT_PORT", "3000");
  char* end = nullptr;
  const long port = std::strtol(env.c_str(), &end, 10);
  if (end == env.c_str() || *end != '\0' || port < 0 || port > 65535) {
    return InvalidArgumentError("FAQBOT_PORT is not a port number: " + env);
  }
  return static_cast<uint16_t>(port);
}

// The soft open-file limit raised toward the hard one (systemd's default soft limit is 1,024
// against a hard one of 524,288): a connection, a database handle and a Slack call each take a
// descriptor, and the HTTP server keeps its connections within what is left.
void RaiseOpenFileLimit() {
  constexpr rlim_t kEnough = 65'536;
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= kEnough) return;
  const rlim_t wanted = std::min(limit.rlim_max, kEnough);
  if (wanted <= limit.rlim_cur) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = wanted;
  if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) {
    LogDebug("serve: open-file limit raised from {} to {}", before, wanted);
  }
}

}  // namespace

Status CheckPublicUrlEnv(int port) {
  const std::string url = Env("FAQBOT_PUBLIC_URL");
  if (!url.empty()) {
    const std::string lower = AsciiLower(url);
    const size_t scheme = lower.starts_with("https://") ? 8 : lower.starts_with("http://") ? 7 : 0;
    if (scheme == 0 || url.size() == scheme || url[scheme] == '/' ||
        url.find_first_of(" \t\r\n") != std::string::npos) {
      return FailedPreconditionError(
          "FAQBOT_PUBLIC_URL must be the http:// or https:// URL people "
          "reach faqbot at (like https://faq.example.com), not \"" +
          url + "\"");
    }
    // The console's links and cookies and Slack's OAuth redirect live at /console and /slack
    // of the host: under a path prefix the browser would never send their cookies back.
    const size_t path = url.find_first_of("/?#", scheme);
    if (path != std::string::npos && url.substr(path) != "/") {
      return FailedPreconditionError(
          "FAQBOT_PUBLIC_URL must be the root of a host, like https://faq.example.com: faqbot "
          "cannot be served under a path or with a query (\"" +
          url + "\"); give it a host name of its own");
    }
    return Status::Ok();
  }
  // The port the URL would name: a configuration error here (the link is made for later).
  if (auto resolved = ResolvePort(port); !resolved.ok()) {
    return FailedPreconditionError(resolved.status().message());
  }
  return Status::Ok();
}

namespace {

// Runs `tick` every `period` until stopped.
class Ticker {
 public:
  Ticker(std::chrono::milliseconds period, std::function<void()> tick)
      : thread_([this, period, tick = std::move(tick)] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, period, [&] { return stop_; })) {
            lock.unlock();
            tick();
            lock.lock();
          }
        }) {}
  ~Ticker() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Slack's secrets, from the environment only (never flags, which other users can see).
struct SlackSecrets {
  std::string bot_token;       // SLACK_BOT_TOKEN: sends replies
  std::string app_token;       // SLACK_APP_TOKEN: Socket Mode when set
  std::string signing_secret;  // SLACK_SIGNING_SECRET: verifies the signed HTTP requests
};

// OAuth ("Add to Slack"): configured when SLACK_CLIENT_ID is set.
struct OAuthConfig {
  std::optional<server::SecretBox> box;            // FAQBOT_SECRET_KEY, when set
  std::optional<server::SlackOAuthOptions> oauth;  // nullopt: no OAuth
};

// Refuses what cannot work: a key that is not 32 bytes, OAuth without a key or without the
// client secret.
Result<OAuthConfig> OAuthConfigFromEnv(uint16_t port) {
  OAuthConfig config;
  if (const std::string key = Env("FAQBOT_SECRET_KEY"); !key.empty()) {
    FAQBOT_ASSIGN_OR_RETURN(config.box, server::SecretBox::FromText(key));
  }
  const std::string client_id = Env("SLACK_CLIENT_ID");
  if (client_id.empty()) return config;
  if (!config.box) {
    return FailedPreconditionError(
        "SLACK_CLIENT_ID is set (OAuth) but FAQBOT_SECRET_KEY is not: the bot tokens of the "
        "workspaces are stored encrypted with it. Make one with `openssl rand -hex 32`.");
  }
  server::SlackOAuthOptions oauth;
  oauth.client_id = client_id;
  oauth.client_secret = Env("SLACK_CLIENT_SECRET");
  if (oauth.client_secret.empty()) {
    return FailedPreconditionError("SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not");
  }
  oauth.scopes = Env("SLACK_SCOPES", oauth.scopes);
  oauth.user_scopes = Env("SLACK_USER_SCOPES");
  oauth.authorize_url = Env("FAQBOT_SLACK_OAUTH_URL", oauth.authorize_url);
  oauth.redirect_uri = PublicUrlFromEnv(port) + server::kSlackOAuthRedirectPath;
  config.oauth = std::move(oauth);
  return config;
}

SlackSecrets SlackSecretsFromEnv() {
  return SlackSecrets{.bot_token = Env("SLACK_BOT_TOKEN"),
                      .app_token = Env("SLACK_APP_TOKEN"),
                      .signing_secret = Env("SLACK_SIGNING_SECRET")};
}

slack::WebApiClientOptions WebApiOptions(const SlackSecrets& secrets) {
  slack::WebApiClientOptions options;
  options.base_url = Env("FAQBOT_SLACK_API_URL", options.base_url);
  if (options.base_url.back() != '/') options.base_url += '/';
  options.bot_token = secrets.bot_token;
  options.app_token = secrets.app_token;
  return options;
}

// Blocks SIGTERM and SIGINT in the calling thread and returns them. Every thread started
// afterwards inherits the mask, so only WaitForStopSignal receives them.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Waits for one of `signals` (from BlockStopSignals) and returns its name.
const char* WaitForStopSignal(const sigset_t& signals) {
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return signal_number == SIGTERM ? "SIGTERM" : "SIGINT";
}

// auth.test's verdict on `identity`, for /readyz.
Status AuthTestVerdict(const Result<slack::AuthIdentity>& identity) {
  if (identity.ok()) return Status::Ok();
  return UnavailableError("auth.test failed: " + identity.status().message());
}

// The bot's own ids (auth.test), so that its own messages are ignored, and how auth.test went.
// Empty without a bot token; when Slack refuses, logged and empty too: serve still starts.
struct BotIdentified {
  slack::BotIdentity self;
  Status auth_test;
};
BotIdentified IdentifyBot(slack::WebApiClient& web, const SlackSecrets& secrets) {
  BotIdentified out;
  if (secrets.bot_token.empty()) return out;
  auto identity = web.AuthTest();
  if (!identity.ok()) {
    LogError(
        "slack: auth.test failed ({}); check SLACK_BOT_TOKEN. Replies will fail until it works.",
        identity.status().ToString());
    out.auth_test = AuthTestVerdict(identity);
    return out;
  }
  out.self.user_id = identity->user_id;
  out.self.bot_id = identity->bot_id;
  LogInfo("slack: connected to workspace {} as bot user {}", identity->team, out.self.user_id);
  return out;
}

// Why the Socket Mode client stopped by itself (link_disabled, a refused app token): it does
// not connect again until a restart. Empty while it runs.
struct SocketModeStop {
  mutable std::mutex mu;
  std::string why;
};

// /readyz's check of Slack: the Socket Mode link when there is an app token (`socket_mode` is
// set once the client exists), else the cached auth.test when there is a bot token, else none.
server::ReadinessCheck SlackReadiness(
    const SlackSecrets& secrets, const std::atomic<const slack::SocketModeClient*>& socket_mode,
    const SocketModeStop& stop, const server::CachedReadiness& auth_test) {
  if (!secrets.app_token.empty()) {
    return [&socket_mode, &stop]() -> Status {
      const slack::SocketModeClient* client = socket_mode.load();
      if (client != nullptr && client->connected()) return Status::Ok();
      {
        std::lock_guard lock(stop.mu);
        if (!stop.why.empty()) {
          return FailedPreconditionError("Socket Mode stopped for good (" + stop.why +
                                         ") and will not connect again: fix the app token or "
                                         "turn Socket Mode on for the app, then restart");
        }
      }
      return UnavailableError("the Socket Mode connection is down");
    };
  }
  if (!secrets.bot_token.empty()) return auth_test.check();
  return nullptr;
}

// The gauges read at scrape time, over what `faqbot serve` owns; removed when destroyed.
struct ServeGauges {
  metrics::CallbackHandle training_depth, inbox_depth, outbox_depth, models_loaded, models_bytes,
      socket_mode_connected;
};
ServeGauges RegisterServeGauges(store::Store& db, const assistant::ModelRegistry& registry,
                                const std::atomic<const slack::SocketModeClient*>& socket_mode) {
  metrics::Registry& r = metrics::Registry::Global();
  using Reading = std::optional<double>;
  ServeGauges g;
  // A count read from the database at scrape time; absent while the database does not answer,
  // or has not answered within kDatabaseGaugeLimit (a scrape must end within the scraper's
  // timeout, 10 s by default in Prometheus, whatever the database does).
  auto database_count = [&r](const char* name, const char* help,
                             std::function<Result<int64_t>()> count) {
    auto timed = std::make_shared<TimedCall<Reading>>(
        [count = std::move(count)]() -> Reading {
          auto n = count();
          return n.ok() ? Reading(static_cast<double>(*n)) : std::nullopt;
        },
        kDatabaseGaugeLimit);
    return r.AddGaugeCallback(name, help,
                              [timed]() -> Reading { return (*timed)().value_or(std::nullopt); });
  };
  g.training_depth =
      database_count(metrics::kTrainingQueueDepthGauge,
                     "Publish jobs waiting or being trained, every owner's (from the database).",
                     [&db] { return db.CountActivePublishJobs(); });
  g.inbox_depth = database_count(
      metrics::kInboxDepthGauge,
      "Slack events stored in the durable inbox and not yet handled, every process's (from the "
      "database).",
      [&db] { return db.CountPendingInboxEvents(); });
  g.outbox_depth = database_count(
      metrics::kOutboxDepthGauge,
      "Replies accepted and not yet taken by Slack (kept in the database's outbox), every "
      "process's.",
      [&db] { return db.CountOutgoingReplies(); });
  g.models_loaded = r.AddGaugeCallback(
      metrics::kModelsLoadedGauge, "Owners' models loaded in memory.",
      [&registry]() -> Reading { return static_cast<double>(registry.cached_models()); });
  g.models_bytes = r.AddGaugeCallback(
      metrics::kModelsBytesGauge, "Approximate memory of the models loaded, in bytes.",
      [&registry]() -> Reading { return static_cast<double>(registry.cached_bytes()); });
  g.socket_mode_connected = r.AddGaugeCallback(
      metrics::kSocketModeConnectedGauge,
      "1 while the Socket Mode connection is up, 0 while down (absent over signed HTTP).",
      [&socket_mode]() -> Reading {
        const slack::SocketModeClient* client = socket_mode.load();
        if (client == nullptr) return std::nullopt;
        return client->connected() ? 1.0 : 0.0;
      });
  return g;
}

// Serves the Slack endpoints (into `router`), the Rasa-compatible and topics APIs, the web console,
// /healthz, /readyz (over `db`, the marks `inbox` could not write, and `slack_ready`), /metrics
// when `metrics`, and listens on `port`
// (the one `http` was given, for the error message).
Status StartHttp(server::HttpServer& http, uint16_t port, slack::InboundRouter& router,
                 server::RasaApi& rasa, server::TopicsApi& topics_api, server::Console& console,
                 store::Store& db, const server::InboxDispatcher& inbox,
                 server::ReadinessCheck slack_ready, bool metrics, server::SlackOAuth* oauth) {
  FAQBOT_RETURN_IF_ERROR(server::RegisterSlackEndpoints(http, router));
  if (oauth != nullptr) FAQBOT_RETURN_IF_ERROR(oauth->Register(http));
  FAQBOT_RETURN_IF_ERROR(rasa.Register(http));
  FAQBOT_RETURN_IF_ERROR(topics_api.Register(http));
  FAQBOT_RETURN_IF_ERROR(console.Register(http));
  std::vector<server::NamedReadinessCheck> checks = {
      {"database",
       [&db, &inbox]() -> Status {
         FAQBOT_RETURN_IF_ERROR(db.SchemaVersion().status());
         return inbox.MarkingHealth();  // it reads, but may refuse writes (a full disk)
       },
       kDatabaseReadinessLimit}};
  if (slack_ready) checks.push_back({"slack", std::move(slack_ready)});
  FAQBOT_RETURN_IF_ERROR(server::RegisterHealthEndpoints(http, std::move(checks)));
  if (metrics) {
    FAQBOT_RETURN_IF_ERROR(server::RegisterMetricsEndpoint(http, metrics::Registry::Global()));
  }
  return http.Start().WithContext("cannot listen on port " + std::to_string(port));
}

// Connects to Slack over Socket Mode, feeding `router`; nullptr without an app token.
Result<std::unique_ptr<slack::SocketModeClient>> StartSocketMode(const SlackSecrets& secrets,
                                                                 slack::WebApiClient& web,
                                                                 slack::InboundRouter& router,
                                                                 Clock& clock,
                                                                 SocketModeStop& stop) {
  if (secrets.app_token.empty()) return std::unique_ptr<slack::SocketModeClient>();
  auto client = std::make_unique<slack::SocketModeClient>(
      slack::SocketModeClient::UrlFromWebApi(web),
      [&router](const slack::SocketModeEnvelope& e) -> Result<slack::EnvelopeReply> {
        return router.HandleSocketMode(e.type, e.payload, e.envelope_id, e.retry_attempt,
                                       e.retry_reason);
      },
      clock, slack::SocketModeClientOptions{},
      [&stop](const Status& why) {
        LogError("slack: Socket Mode stopped: {}", why.ToString());
        std::lock_guard lock(stop.mu);
        stop.why = why.ToString();
      });
  FAQBOT_RETURN_IF_ERROR(client->Start());
  return client;
}

// The first lines on stdout: how to reach the assistant (tests and scripts wait for the first).
void PrintBanner(const std::string& bind, uint16_t port, const std::string& database_url,
                 const SlackSecrets& secrets, bool oauth, size_t installations) {
  std::printf("faqbot serve: listening on http://%s:%u (database %s)\n", bind.c_str(), port,
              store::PostgresBackend::RedactUrl(database_url).c_str());
  if (!secrets.app_token.empty()) {
    std::printf("  Slack: Socket Mode (SLACK_APP_TOKEN set); no public URL needed.\n");
  } else if (!secrets.signing_secret.empty()) {
    std::printf(
        "  Slack: point Event Subscriptions, Interactivity and the /ask and /faqbot commands at "
        "https://<your host>/slack/events, /slack/interactive, /slack/commands.\n");
  } else if (oauth) {
    std::printf(
        "  Slack is not connected: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET "
        "(HTTP), then restart.\n");
  } else {
    std::printf(
        "  Slack is not connected: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or "
        "SLACK_SIGNING_SECRET (HTTP), then restart.\n");
  }
  if (oauth) {
    std::printf(
        "  Add to Slack (OAuth, many workspaces): %s%s — installed in %zu workspace(s) or "
        "organisation(s) so far; redirect URL %s%s\n",
        PublicUrlFromEnv(port).c_str(), server::kSlackInstallPath, installations,
        PublicUrlFromEnv(port).c_str(), server::kSlackOAuthRedirectPath);
  } else if (secrets.bot_token.empty()) {
    std::printf("  SLACK_BOT_TOKEN is not set: replies cannot be sent.\n");
  }
  std::printf("  Without Slack: `faqbot shell --as U123` chats with the same assistant here.\n");
  std::printf("  Health: http://127.0.0.1:%u/healthz\n", port);
  std::printf(
      "  Rasa-compatible API: POST http://127.0.0.1:%u/model/parse with a token from "
      "`faqbot token create`.\n",
      port);
  std::printf(
      "  Web console: %s/console/ — sign in with a link from `faqbot console link --owner U…` "
      "or by DMing the bot \"open the web console\".\n",
      PublicUrlFromEnv(port).c_str());
  std::fflush(stdout);
}

// What the shutdown stops, in the order Drain stops them.
struct Serving {
  slack::SocketModeClient* socket_mode;  // nullptr without Socket Mode
  server::HttpServer& http;
  server::InboxDispatcher& inbox;
  ThreadPool& events;
  AssistantRuntime& runtime;
  server::QueuedMessenger& messenger;
  slack::WebApiClient& web;
  ThreadPool& senders;
};

// Stops taking events, finishes the ones in flight and the training in progress (the rest stays
// queued), and sends the replies already accepted for at most 10 s: with Slack unreachable,
// retrying every one of them could hold the shutdown for minutes. The replies still unsent stay
// in the database's outbox, given back for the next start (or another process) to send.
void Drain(const Serving& s) {
  if (s.socket_mode) s.socket_mode->Stop();
  s.http.Stop();       // no new events; requests in flight finish
  s.inbox.Shutdown();  // events being handled finish; the rest stay stored for the next start
  s.events.Shutdown();
  s.runtime.Shutdown();  // the training in progress finishes; the rest stays queued
  const bool sent = s.messenger.WaitIdle(std::chrono::seconds(10));
  if (!sent) {
    LogWarn("faqbot serve: {} replies still unsent after 10 s; keeping them for the next start",
            s.messenger.unsent());
  }
  // Even when everything was sent: from now on the outbox's upkeep claims nothing more (a reply
  // it claimed now would be sent, and retried, on a stopping process).
  s.messenger.Abandon();
  if (!sent) s.web.StopRetrying();  // the sends in progress end after their current attempt
  s.senders.Shutdown();
}

Status Serve(const ServeFlags& f) {
  const sigset_t signals = BlockStopSignals();  // before any thread starts
  RaiseOpenFileLimit();
  Clock& clock = SystemClock::Instance();
  FAQBOT_ASSIGN_OR_RETURN(uint16_t port, ResolvePort(f.port));
  FAQBOT_RETURN_IF_ERROR(CheckPublicUrlEnv(port));
  const SlackSecrets secrets = SlackSecretsFromEnv();
  FAQBOT_ASSIGN_OR_RETURN(const OAuthConfig oauth_config, OAuthConfigFromEnv(port));
  const std::string database_url = store::ResolveDatabaseUrl(f.database);
  metrics::Faqbot();  // every metric is listed on /metrics from the start

  slack::WebApiClient web(WebApiOptions(secrets), clock);
  server::SlackMessenger slack_messenger(web);
  // The bot token of each workspace (its OAuth installation's, else SLACK_BOT_TOKEN); opened
  // with the Store below, declared here so that it outlives the reply senders that use it.
  std::optional<server::Installations> installations;
  // Replies are accepted at once and sent (and names looked up) on their own threads, so event
  // processing never waits for Slack; each conversation keeps its order.
  ThreadPool senders(std::max<size_t>(1, f.send_threads), "send");
  server::QueuedMessenger messenger(slack_messenger, &server::SlackMessenger::ConversationOf,
                                    senders);

  RuntimeOptions options;
  options.database_url = database_url;
  options.lexicon_path = f.lexicon;
  options.home_executor = &senders;
  options.console_url = PublicUrlFromEnv(port);
  options.threads = true;
  FAQBOT_ASSIGN_OR_RETURN(auto runtime, AssistantRuntime::Create(options, messenger, clock));
  store::Store& db = runtime->store();
  // Every reply is kept in the database until Slack took it, so a restart, a crash or a long
  // Slack outage loses none (server/reply_journal.h).
  server::ReplyJournalOptions journal_options;
  journal_options.worker = DefaultWorkerName();
  journal_options.lease = std::chrono::seconds(std::max(1, f.outbox_lease));
  server::ReplyJournal journal(db, journal_options);
  messenger.UseJournal(journal);
  // A hand-off DM's channel and ts are kept with its question, so the DM can say how the
  // question was settled when that happens elsewhere (server/slack_messenger.h: OnPosted).
  slack_messenger.OnPosted([&the_assistant = runtime->assistant()](const std::string& key,
                                                                   const std::string& channel,
                                                                   const std::string& ts) {
    the_assistant.MessagePosted(key, channel, ts);
  });
  // A channel the app cannot post in (`/faqbot watch` where it was never added, or removed
  // since): the watch is turned off and whoever turned it on is told.
  messenger.OnRefused([&the_assistant = runtime->assistant()](const assistant::Destination& to,
                                                              const Status& refusal) {
    const std::string code = slack::SlackErrorCode(refusal);
    if (to.kind == assistant::Destination::Kind::kChannel &&
        (code == "not_in_channel" || code == "channel_not_found" || code == "is_archived")) {
      the_assistant.ChannelUnreachable(to.user.team_id, to.channel, code);
    }
  });

  // The bot token of each workspace: its OAuth installation's, else SLACK_BOT_TOKEN.
  server::InstallationsOptions installations_options;
  installations_options.default_bot_token = secrets.bot_token;
  installations.emplace(db, oauth_config.box ? &*oauth_config.box : nullptr, clock,
                        installations_options);
  // A key that opens none of the stored tokens (FAQBOT_SECRET_KEY changed) would drop every
  // reply to those workspaces: refused at start instead.
  FAQBOT_RETURN_IF_ERROR(installations->CheckKey());
  slack_messenger.UseInstallations(*installations);
  std::unique_ptr<server::SlackOAuth> oauth;
  if (oauth_config.oauth) {
    oauth = std::make_unique<server::SlackOAuth>(db, *oauth_config.box, web, *installations, clock,
                                                 *oauth_config.oauth);
  }

  const BotIdentified identified = IdentifyBot(web, secrets);
  const slack::BotIdentity& self = identified.self;
  server::CachedReadiness auth_test([&web] { return AuthTestVerdict(web.AuthTest()); },
                                    identified.auth_test);
  std::atomic<const slack::SocketModeClient*> socket_link{nullptr};
  SocketModeStop socket_stop;
  slack::SignatureVerifier verifier(secrets.signing_secret, clock);
  ThreadPool events(std::max<size_t>(1, f.event_threads), "events");
  server::SlackBridge bridge(runtime->assistant(), self.user_id, runtime->home(), &*installations);
  // Every accepted event is stored before its ack and handled from the database, one person's
  // events in order across every process on it (server/inbox_dispatcher.h).
  server::InboxDispatcherOptions inbox_options;
  inbox_options.worker = DefaultWorkerName();
  inbox_options.workers = static_cast<int>(std::max<size_t>(1, f.event_threads));
  auto handle = [&bridge](slack::InboundEvent event) { bridge.Handle(event); };
  server::InboxDispatcher inbox(db, events, clock, handle, inbox_options);
  slack::InboundRouterOptions router_options;
  router_options.self = self;
  router_options.ack_builder = &server::SlackBridge::Ack;
  slack::InboundRouter router(verifier, inbox, clock, router_options);

  server::HttpServerOptions http_options;
  http_options.bind_address = f.bind;
  http_options.port = port;
  // Handlers wait on the database (a Slack event is stored before it is acknowledged): at least
  // four at once, however few the cores. The I/O threads only read and write (and
  // answer /healthz); /readyz and /metrics have threads of their own.
  http_options.io_threads = 2;
  http_options.handler_threads =
      static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 4u, 16u));
  // Before the server, so that it outlives the server's Stop() on every path.
  server::RasaApi rasa(db, runtime->registry(), clock);
  server::TopicsApi topics_api(rasa, runtime->assistant().topics());
  server::ConsoleOptions console_options;
  console_options.public_url = options.console_url;
  // The unanswered page settles questions as the hand-off DM does: through the assistant.
  assistant::Assistant& the_assistant = runtime->assistant();
  console_options.settle_as_topic = [&the_assistant](const store::UserRef& owner, int64_t question,
                                                     int64_t topic) {
    return the_assistant.SettleAsTopic(owner, question, topic);
  };
  console_options.settle_with_answer =
      [&the_assistant](const store::UserRef& owner, int64_t question, const std::string& answer) {
        return the_assistant.SettleWithAnswer(owner, question, answer);
      };
  console_options.settle_ignore = [&the_assistant](const store::UserRef& owner, int64_t question) {
    return the_assistant.SettleAsIgnored(owner, question);
  };
  console_options.nearest_topics = [&the_assistant](const store::UserRef& owner) {
    return the_assistant.NearestLiveTopics(owner);
  };
  server::Console console(db, runtime->assistant().topics(), runtime->training(),
                          runtime->registry(), runtime->console_auth(), clock, console_options);
  const ServeGauges gauges = RegisterServeGauges(db, runtime->registry(), socket_link);
  server::HttpServer http(http_options);
  FAQBOT_RETURN_IF_ERROR(StartHttp(http, port, router, rasa, topics_api, console, db, inbox,
                                   SlackReadiness(secrets, socket_link, socket_stop, auth_test),
                                   f.metrics, oauth.get()));
  FAQBOT_ASSIGN_OR_RETURN(auto socket_mode, StartSocketMode(secrets, web, router, clock, socket_stop));
  socket_link = socket_mode.get();
  const auto installed = db.ListInstallations();
  PrintBanner(f.bind, http.port(), database_url, secrets, oauth != nullptr,
              installed.ok() ? installed->size() : 0);
  sd_notify(0, "READY=1");  // Type=notify under systemd; a no-op without NOTIFY_SOCKET

  // Background upkeep: jobs of other processes or of dead workers, expired event ids.
  assistant::TrainingQueue& training = runtime->training();
  Ticker poke(std::chrono::seconds(2), [&training] { training.Poke(); });
  // Owners told of the questions the hand-off pacing held back, when no DM has since.
  Ticker handoff_reminders(std::chrono::seconds(5), [&the_assistant = runtime->assistant()] {
    the_assistant.RemindOfHeldBackHandoffs();
  });
  // Over signed HTTP nothing else tells whether Slack still takes the token.
  std::optional<Ticker> recheck_slack;
  if (secrets.app_token.empty() && !secrets.bot_token.empty()) {
    recheck_slack.emplace(std::chrono::seconds(std::max(1, f.slack_check_interval)),
                          [&auth_test] { auth_test.Refresh(); });
  }
  inbox.Tick();  // events an earlier run stored and did not handle
  Ticker inbox_upkeep(std::chrono::seconds(1), [&inbox] { inbox.Tick(); });
  // Replies an earlier run (or a process that died) accepted and did not send, and those another
  // process left to this one (an older reply of their conversation is this one's); the hold on
  // this process's own replies is renewed well within its lease. Every second at most, so a
  // reply left behind an older one waits little longer than the older one.
  messenger.Recover();
  Ticker outbox_upkeep(std::chrono::milliseconds(std::clamp(journal_options.lease.count() / 4,
                                                            int64_t{250}, int64_t{1'000})),
                       [&messenger] { messenger.Recover(); });
  Ticker purge(std::chrono::minutes(5), [&db] {
    (void)db.PurgeInboxEvents();
    (void)db.PurgeExpiredEvents();
    (void)db.PurgeExpiredConsoleSignIns();
  });

  LogInfo("faqbot serve: {} received, draining", WaitForStopSignal(signals));
  sd_notify(0, "STOPPING=1");
  Drain(Serving{.socket_mode = socket_mode.get(),
                .http = http,
                .inbox = inbox,
                .events = events,
                .runtime = *runtime,
                .messenger = messenger,
                .web = web,
                .senders = senders});
  socket_link = nullptr;  // the client goes before the gauges that read it
  std::printf("faqbot serve: stopped\n");
  return Status::Ok();
}

}  // namespace

void RegisterServeCommand(CLI::App& app, CommandRegistry& registry) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* serve = app.add_subcommand(
      "serve",
      "run the assistant for Slack (Socket Mode or signed HTTP) with /healthz and the "
      "Rasa-compatible API");
  serve->add_option("--database", flags->database,
                    "database URL (default: $FAQBOT_DATABASE_URL, else sqlite:./faqbot.db)");
  serve->add_option("--port", flags->port, "HTTP port (default: $FAQBOT_PORT, else 3000)");
  serve->add_option("--bind", flags->bind, "address to listen on");
  serve->add_option("--lexicon", flags->lexicon, "the compiled WordNet lexicon file");
  serve->add_option("--event-threads", flags->event_threads, "threads handling Slack events")
      ->check(CLI::Range(1, 256));
  serve
      ->add_option("--send-threads", flags->send_threads,
                   "threads sending replies to Slack (one conversation at a time each)")
      ->check(CLI::Range(1, 256));
  serve
      ->add_flag("--metrics,!--no-metrics", flags->metrics,
                 "serve GET /metrics for Prometheus, without authentication (default: on)")
      ->envname("FAQBOT_METRICS");
  serve
      ->add_option("--slack-check-interval", flags->slack_check_interval,
                   "seconds between auth.test checks of Slack for /readyz (signed HTTP mode)")
      ->check(CLI::Range(1, 86'400));
  serve
      ->add_option("--outbox-lease", flags->outbox_lease,
                   "seconds after which the unsent replies of a process that died are sent by "
                   "another one (or the next start)")
      ->check(CLI::Range(1, 86'400));
  registry.Add(serve, [flags] { return Serve(*flags); });
}

}  // namespace faqbot::app
