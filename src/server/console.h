// The web console of `faqbot serve`: an owner's topics in a browser, server-rendered HTML under
// /console/ with the CSS and JavaScript built into the binary (console_html.h).
//
//   GET  /console/login?token=…   a page with one "Sign in" button (link previews and scanners
//                                 that fetch the URL do not use the link up)
//   POST /console/login           redeems the one-time link (console_auth.h), sets the session
//                                 cookie and redirects to the topics; refused (403) when the
//                                 browser says it comes from another site (Sec-Fetch-Site)
//   GET  /console/                topics with their live / draft / needs-an-answer marks, add
//   GET  /console/topic?id=N      one topic: question, answer, phrasings, delete
//   POST /console/topics          do=add|question|answer|add_phrasing|remove_phrasing|delete
//   POST /console/publish         publishes like the DM's "publish" (TrainingQueue)
//   GET  /console/playground?q=…  the answer the live bot gives, its ranking, and why
//                                 (nlu/explain.h)
//   GET  /console/unanswered      the questions waiting for the owner
//   POST /console/unanswered      do=answer|its: answers one (its askers get the answer, the bot
//                                 learns it), as the hand-off DM does
//   GET  /console/activity        the last 7 days' figures
//   GET  /console/import, POST /console/import, GET /console/export   Rasa NLU YAML
//   GET  /console/tokens, POST /console/tokens (do=create|revoke)     API tokens
//   POST /console/logout          ends the session
//
// Security: every page but the sign-in ones needs the session cookie (`faqbot_console`:
// HttpOnly, SameSite=Strict, Secure when the public URL is https, Path=/console, 12 h); without
// one a page answers 401. Every POST needs the session's CSRF token in its `csrf` field (403
// without it). Each owner reaches only their own topics and tokens: another owner's id is 404.
// Topic changes go through assistant::Topics, the rules every surface shares. Responses forbid
// caching, framing, referrers and scripts from anywhere but the console itself (CSP).
// Thread-safe: handlers run on the server's handler threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "assistant/model_registry.h"
#include "assistant/topics.h"
#include "assistant/training_queue.h"
#include "common/clock.h"
#include "common/status.h"
#include "server/console_auth.h"
#include "server/http_server.h"
#include "store/store.h"

namespace faqbot::server {

inline constexpr char kConsoleCookie[] = "faqbot_console";

struct ConsoleOptions {
  // The base URL people reach this server at (FAQBOT_PUBLIC_URL); the cookie is Secure when it
  // is https.
  std::string public_url = "http://localhost:3000";
  // Entries of the playground's ranking.
  size_t ranking = 5;
  // The figures' period.
  std::chrono::milliseconds activity_period = std::chrono::hours(24 * 7);
  // A topic just added whose question the live bot already answers with another topic at least
  // this sure is pointed out, with *Add as a phrasing of that topic* (the DM's
  // similar_topic_confidence).
  float similar_topic_confidence = 0.7f;
  // Settle a waiting question as the hand-off DM's buttons do — its askers get the answer and
  // the bot learns it (assistant::Assistant's SettleAsTopic and SettleWithAnswer). With both set,
  // the unanswered page offers an answer box and *It's …* for the live topics `nearest_topics`
  // finds; otherwise only *Add as topic*.
  std::function<Status(const store::UserRef& owner, int64_t question, int64_t topic)>
      settle_as_topic;
  std::function<Status(const store::UserRef& owner, int64_t question, const std::string& answer)>
      settle_with_answer;
  // *Ignore* (assistant::Assistant::SettleAsIgnored); when set, each question offers it.
  std::function<Status(const store::UserRef& owner, int64_t question)> settle_ignore;
  std::function<assistant::NearestTopics(const store::UserRef& owner)> nearest_topics;
};

// The largest Rasa NLU YAML file the import page takes: the API's body limit.
inline constexpr size_t kMaxImportBytes = size_t{1} << 20;

class Console {
 public:
  // Every reference is borrowed and must outlive the server's Stop().
  Console(store::Store& store, assistant::Topics& topics, assistant::TrainingQueue& training,
          assistant::ModelRegistry& registry, ConsoleAuth& auth, const Clock& clock,
          ConsoleOptions options = {});
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // Registers every route on `server` (before its Start). Errors: HttpServer::Handle's.
  Status Register(HttpServer& server);

  // Answers one request as the registered routes do (for tests without sockets): 404 for a
  // path the console does not serve, 405 for a method it does not take there.
  HttpResponse Serve(const HttpRequest& request);

 private:
  // A signed-in request: its owner, its CSRF token and its fields (query, or form body).
  struct Request {
    const HttpRequest& http;
    store::ConsoleSession session;
    std::string csrf;
    std::map<std::string, std::string> fields;
    // The field's value; empty when absent.
    std::string Field(const std::string& name) const;
    // The field as a positive id; InvalidArgument naming `what` otherwise.
    Result<int64_t> Id(const std::string& name, std::string_view what) const;
  };
  using Page = HttpResponse (Console::*)(const Request&);
  struct Route {
    bool post;
    Page page;  // nullptr: served by `open` without a session
    HttpResponse (Console::*open)(const HttpRequest&);
  };

  // Checks the session (and, for a POST, the CSRF token), then runs `page`.
  HttpResponse SignedIn(const HttpRequest& http, bool post, Page page);

  HttpResponse LoginPage(const HttpRequest& http);
  HttpResponse RedeemLogin(const HttpRequest& http);
  HttpResponse Asset(const HttpRequest& http);
  HttpResponse Logout(const Request& r);
  HttpResponse TopicsPage(const Request& r);
  HttpResponse TopicPage(const Request& r);
  HttpResponse ChangeTopic(const Request& r);
  HttpResponse Publish(const Request& r);
  HttpResponse Playground(const Request& r);
  HttpResponse Unanswered(const Request& r);
  HttpResponse SettleQuestion(const Request& r);
  HttpResponse Activity(const Request& r);
  HttpResponse ImportPage(const Request& r);
  HttpResponse Import(const Request& r);
  HttpResponse Export(const Request& r);
  HttpResponse TokensPage(const Request& r);
  HttpResponse ChangeTokens(const Request& r);
  HttpResponse ChangeSettings(const Request& r);

  // A response with the console's protective headers; a 303 to `location`.
  static HttpResponse Document(int status, std::string content_type, std::string body);
  static HttpResponse Redirect(std::string location);
  // An HTML page of the signed-in owner.
  HttpResponse Html(const Request& r, std::string title, std::string section, std::string body,
                    int status = 200);
  // The error `status` as a page, answered with `http_status` (0: the one common/status_http.h
  // maps its code to). `r` is null when nobody is signed in.
  HttpResponse ErrorPage(const Request* r, const Status& status, int http_status = 0);

  store::Store& store_;
  assistant::Topics& topics_;
  assistant::TrainingQueue& training_;
  assistant::ModelRegistry& registry_;
  ConsoleAuth& auth_;
  const Clock& clock_;
  ConsoleOptions options_;
  std::map<std::pair<std::string, std::string>, Route> routes_;  // (method, path)
};

}  // namespace faqbot::server
