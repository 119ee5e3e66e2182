// The console's routing, sign-in and the requests that change something. The pages that only
// show something are in console_pages.cc.
#include "server/console.h"

#include <charconv>

#include "assistant/reply.h"
#include "common/logging.h"
#include "common/status_http.h"
#include "common/string_util.h"
#include "server/console_html.h"
#include "slack/form_decoding.h"
#include "store/topic_state.h"

namespace faqbot::server {
namespace {

// Headers of every console response: nothing cached (pages hold an owner's data and tokens),
// never framed, no referrer (a sign-in URL never leaks to another site), scripts and styles
// only from the console itself.
void Harden(HttpResponse& response) {
  response.headers["Cache-Control"] = "no-store";
  response.headers["X-Content-Type-Options"] = "nosniff";
  response.headers["X-Frame-Options"] = "DENY";
  response.headers["Referrer-Policy"] = "no-referrer";
  response.headers["Content-Security-Policy"] =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
}

constexpr char kHtml[] = "text/html; charset=utf-8";

// The value of cookie `name` in the request's Cookie header; empty when absent.
std::string CookieOf(const HttpRequest& request, std::string_view name) {
  const std::string header(slack::HeaderValue(request.headers, "cookie"));
  std::string_view rest = header;
  while (!rest.empty()) {
    const size_t end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return Trim(pair.substr(eq + 1));
    }
  }
  return {};
}

// The fields of a GET's query string or of a POST's form body.
Result<std::map<std::string, std::string>> FieldsOf(const HttpRequest& request, bool post) {
  std::string_view encoded;
  if (post) {
    encoded = request.body;
  } else if (const size_t q = request.target.find('?'); q != std::string::npos) {
    encoded = std::string_view(request.target).substr(q + 1);
  }
  auto fields = slack::ParseForm(encoded);
  if (!fields.ok()) return fields.status();
  return std::map<std::string, std::string>(fields->begin(), fields->end());
}

// The lines of a text area that hold something, trimmed.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = TrimText(std::string_view(text).substr(start, end - start));
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

// Whether a sign-in POST comes from a page of this console, by the Fetch Metadata header every
// current browser sends: another site's form (signing the victim in to the attacker's session)
// is "cross-site" or "same-site". (Origin cannot tell: with the console's no-referrer policy a
// browser sends "Origin: null" for its own forms too.) Clients without the header are let
// through: they are not a victim's browser.
bool FromThisConsole(const HttpRequest& request) {
  const std::string_view site = slack::HeaderValue(request.headers, "sec-fetch-site");
  return site.empty() || site == "same-origin" || site == "none";
}

std::string TopicUrl(int64_t id, std::string_view did) {
  return "/console/topic?id=" + std::to_string(id) + "&did=" + std::string(did);
}

}  // namespace

std::string Console::Request::Field(const std::string& name) const {
  const auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

Result<int64_t> Console::Request::Id(const std::string& name, std::string_view what) const {
  const std::string text = Field(name);
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return InvalidArgumentError("not a " + std::string(what) + " id: \"" + text + "\"");
  }
  return id;
}

HttpResponse Console::Document(int status, std::string content_type, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  Harden(response);
  return response;
}

HttpResponse Console::Redirect(std::string location) {
  HttpResponse response = Document(303, "", "");  // See Other: the browser GETs the page next
  response.headers["Location"] = std::move(location);
  return response;
}

Console::Console(store::Store& store, assistant::Topics& topics,
                 assistant::TrainingQueue& training, assistant::ModelRegistry& registry,
                 ConsoleAuth& auth, const Clock& clock, ConsoleOptions options)
    : store_(store),
      topics_(topics),
      training_(training),
      registry_(registry),
      auth_(auth),
      clock_(clock),
      options_(std::move(options)) {
  auto open = [this](const char* method, const char* path,
                     HttpResponse (Console::*handler)(const HttpRequest&)) {
    routes_[{method, path}] = Route{std::string_view(method) == "POST", nullptr, handler};
  };
  auto page = [this](const char* method, const char* path, Page handler) {
    routes_[{method, path}] = Route{std::string_view(method) == "POST", handler, nullptr};
  };
  open("GET", "/console/login", &Console::LoginPage);
  open("POST", "/console/login", &Console::RedeemLogin);
  open("GET", kConsoleCssPath, &Console::Asset);
  open("GET", kConsoleJsPath, &Console::Asset);
  open("GET", kConsoleIconPath, &Console::Asset);
  page("POST", "/console/logout", &Console::Logout);
  page("GET", "/console", &Console::TopicsPage);
  page("GET", "/console/", &Console::TopicsPage);
  page("GET", "/console/topic", &Console::TopicPage);
  page("POST", "/console/topics", &Console::ChangeTopic);
  page("POST", "/console/publish", &Console::Publish);
  page("POST", "/console/settings", &Console::ChangeSettings);
  page("GET", "/console/playground", &Console::Playground);
  page("GET", "/console/unanswered", &Console::Unanswered);
  page("POST", "/console/unanswered", &Console::SettleQuestion);
  page("GET", "/console/activity", &Console::Activity);
  page("GET", "/console/import", &Console::ImportPage);
  page("POST", "/console/import", &Console::Import);
  page("GET", "/console/export", &Console::Export);
  page("GET", "/console/tokens", &Console::TokensPage);
  page("POST", "/console/tokens", &Console::ChangeTokens);
}

Status Console::Register(HttpServer& server) {
  for (const auto& [key, route] : routes_) {
    // The import form carries a whole file, URL-encoded: up to three bytes for each of a
    // non-ASCII file's; the file itself is held to kMaxImportBytes (Import).
    const size_t max_body = key == std::pair<std::string, std::string>{"POST", "/console/import"}
                                ? 3 * kMaxImportBytes + 64 * 1024
                                : 0;
    FAQBOT_RETURN_IF_ERROR(server.Handle(
        key.first, key.second, [this](const HttpRequest& r) { return Serve(r); },
        RouteOptions{.max_body_bytes = max_body}));
  }
  return Status::Ok();
}

HttpResponse Console::Serve(const HttpRequest& request) {
  const auto it = routes_.find({request.method, request.path});
  if (it == routes_.end()) {
    for (const auto& [key, route] : routes_) {
      if (key.second == request.path) {
        return ErrorPage(nullptr,
                         InvalidArgumentError(request.path + " does not take " + request.method),
                         405);
      }
    }
    return ErrorPage(nullptr, NotFoundError("no such console page: " + request.path));
  }
  const Route& route = it->second;
  if (route.open) return (this->*route.open)(request);
  return SignedIn(request, route.post, route.page);
}

HttpResponse Console::SignedIn(const HttpRequest& http, bool post, Page page) {
  const std::string secret = CookieOf(http, kConsoleCookie);
  auto session = auth_.FindSession(secret);
  if (!session.ok()) return ErrorPage(nullptr, session.status());
  if (!session->has_value()) {
    return ErrorPage(nullptr,
                     UnauthenticatedError("You are not signed in, or your session has ended. "
                                          "Ask the bot for a link: DM it \"open the web "
                                          "console\", or run `faqbot console link`."));
  }
  auto fields = FieldsOf(http, post);
  if (!fields.ok()) return ErrorPage(nullptr, fields.status());
  Request request{http, **session, CsrfTokenFor(secret), std::move(*fields)};
  if (post && !CsrfTokenMatches(secret, request.Field("csrf"))) {
    return ErrorPage(&request, PermissionDeniedError(
                                   "This form is missing its security token or it is stale. "
                                   "Go back, reload the page and try again."));
  }
  return (this->*page)(request);
}

HttpResponse Console::Html(const Request& r, std::string title, std::string section,
                           std::string body, int status) {
  ConsolePage page;
  page.title = std::move(title);
  page.section = std::move(section);
  page.body = std::move(body);
  page.csrf = r.csrf;
  static const std::map<std::string, std::string> kDone = {
      {"added", "Topic added. It goes live when you publish."},
      {"saved", "Saved. It goes live when you publish."},
      {"deleted", "Topic deleted. If it was live, it keeps answering until you publish."},
      {"publishing", "Publishing: your bot answers with these topics in a moment."},
      {"revoked", "Token revoked."},
      {"merged", "Added as other ways to ask this topic; the topic you added is gone."},
      {"answered", "Answered: everyone who asked it got your answer, and your bot learned it."},
      {"taught", "Added as another way to ask that topic: everyone who asked got its answer."},
      {"ignored", "Ignored: the question left your list."},
      {"learning_on", "Learning is on: your answers to hand-offs go live at once."},
      {"learning_off", "Learning is off: your answers to hand-offs wait for a publish."},
      {"created_before",
       "That form created its token already (the page was sent again), so no second one was "
       "made. A token is shown once: if you did not copy it, revoke it and create another."},
  };
  if (const auto it = kDone.find(r.Field("did")); it != kDone.end()) page.flash = it->second;
  if (r.Field("did") == "publishing") {
    const std::string n = r.Field("left_out");
    size_t left_out = 0;
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), left_out);
    if (ec == std::errc() && end == n.data() + n.size() && left_out <= 100'000) {
      page.flash += assistant::LeftOut(left_out);
    }
  }
  return Document(status, kHtml, RenderConsolePage(page));
}

HttpResponse Console::ErrorPage(const Request* r, const Status& status, int http_status) {
  ConsolePage page;
  page.signed_in = r != nullptr;
  if (r) page.csrf = r->csrf;
  if (http_status == 0) http_status = HttpStatusFor(status.code());
  switch (http_status) {
    case 401: page.title = "Please sign in"; break;
    case 403: page.title = "Refused"; break;
    case 404: page.title = "Not found"; break;
    default: page.title = http_status >= 500 ? "Something went wrong" : "That did not work";
  }
  if (http_status >= 500) {
    LogWarn("console: {}", status.ToString());
  }
  page.body = "<p id=\"error\">" + HtmlEscape(status.message()) + "</p>";
  if (r) page.body += "<p><a class=\"button\" href=\"/console/\">Back to your topics</a></p>";
  return Document(http_status, kHtml, RenderConsolePage(page));
}

// ---- sign-in ----

HttpResponse Console::LoginPage(const HttpRequest& http) {
  auto fields = FieldsOf(http, /*post=*/false);
  const std::string token = fields.ok() && fields->count("token") ? (*fields)["token"] : "";
  ConsolePage page;
  page.signed_in = false;
  page.title = "Sign in";
  if (token.empty()) {
    page.body =
        "<p>You are signed out. To sign in, DM the bot <em>open the web console</em>, press "
        "<em>Open the web console</em> on its Home tab, or run "
        "<code>faqbot console link --owner U…</code> on the server.</p>";
  } else {
    // The link is used up by this form's POST, not by the GET: previews do not burn it.
    page.body = "<p>Sign in to manage your faqbot topics. The link works once.</p>"
                "<form method=\"post\" action=\"/console/login\">"
                "<input type=\"hidden\" name=\"token\" value=\"" + HtmlEscape(token) + "\">"
                "<button type=\"submit\" class=\"primary\" id=\"sign-in\">Sign in</button></form>";
  }
  return Document(200, kHtml, RenderConsolePage(page));
}

HttpResponse Console::RedeemLogin(const HttpRequest& http) {
  if (!FromThisConsole(http)) {
    return ErrorPage(nullptr, PermissionDeniedError("Sign in from the link itself, not from "
                                                    "another site."));
  }
  auto fields = FieldsOf(http, /*post=*/true);
  if (!fields.ok()) return ErrorPage(nullptr, fields.status());
  auto signed_in = auth_.Redeem((*fields)["token"]);
  if (!signed_in.ok()) return ErrorPage(nullptr, signed_in.status());
  if (!signed_in->has_value()) {
    return ErrorPage(nullptr, UnauthenticatedError(
                                  "This sign-in link has expired or was used already. Ask for "
                                  "a new one: DM the bot \"open the web console\"."));
  }
  const auto max_age =
      std::chrono::duration_cast<std::chrono::seconds>(auth_.options().session_ttl).count();
  std::string cookie = std::string(kConsoleCookie) + "=" + (*signed_in)->session_secret +
                       "; Path=/console; Max-Age=" + std::to_string(max_age) +
                       "; HttpOnly; SameSite=Strict";
  if (options_.public_url.rfind("https://", 0) == 0) cookie += "; Secure";
  HttpResponse response = Redirect("/console/");
  response.headers["Set-Cookie"] = std::move(cookie);
  return response;
}

HttpResponse Console::Logout(const Request& r) {
  if (Status s = auth_.SignOut(CookieOf(r.http, kConsoleCookie)); !s.ok()) {
    return ErrorPage(&r, s);
  }
  HttpResponse response = Redirect("/console/login");
  response.headers["Set-Cookie"] = std::string(kConsoleCookie) +
                                   "=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict";
  return response;
}

HttpResponse Console::Asset(const HttpRequest& http) {
  const bool css = http.path == kConsoleCssPath;
  HttpResponse response =
      http.path == kConsoleIconPath
          ? Document(200, "image/svg+xml",
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><path "
                     "fill=\"#4a154b\" d=\"M2 2h12v9H7l-4 3v-3H2z\"/></svg>")
          : Document(200, css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
                     std::string(css ? ConsoleCss() : ConsoleJs()));
  response.headers["Cache-Control"] = "public, max-age=3600";
  return response;
}

// ---- changes ----

HttpResponse Console::ChangeTopic(const Request& r) {
  const store::UserRef& owner = r.session.owner;
  const std::string action = r.Field("do");
  if (action == "add") {
    store::TopicContent content;
    content.question = TrimText(r.Field("question"));
    content.answer = TrimText(r.Field("answer"));
    content.phrasings = Lines(r.Field("phrasings"));
    auto added = topics_.Add(owner, content);
    if (!added.ok()) return ErrorPage(&r, added.status());
    return Redirect(TopicUrl(added->id, "added"));
  }
  auto id = r.Id("id", "topic");
  if (!id.ok()) return ErrorPage(&r, id.status());
  Result<store::Topic> changed = InvalidArgumentError("unknown change \"" + action + "\"");
  if (action == "name") {
    changed = topics_.SetName(owner, *id, TrimText(r.Field("text")));
  } else if (action == "question") {
    changed = topics_.SetQuestion(owner, *id, TrimText(r.Field("text")));
  } else if (action == "answer") {
    changed = topics_.SetAnswer(owner, *id, TrimText(r.Field("text")));
  } else if (action == "add_phrasing") {
    changed = topics_.AddPhrasing(owner, *id, TrimText(r.Field("text")));
  } else if (action == "remove_phrasing") {
    size_t index = 0;
    const std::string text = r.Field("index");
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
    // The phrasing's text too: a page older than the last change must not remove another one.
    std::optional<std::string> shown;
    if (r.fields.contains("phrasing")) shown = r.Field("phrasing");
    changed = ec == std::errc() && end == text.data() + text.size()
                  ? topics_.RemovePhrasing(owner, *id, index, shown)
                  : Result<store::Topic>(InvalidArgumentError("not a phrasing index"));
  } else if (action == "merge") {
    auto into = r.Id("into", "topic");
    if (!into.ok()) return ErrorPage(&r, into.status());
    auto merged = topics_.MergeInto(owner, *id, *into);
    if (!merged.ok()) return ErrorPage(&r, merged.status());
    return Redirect(TopicUrl(*into, "merged"));
  } else if (action == "delete") {
    if (Status s = topics_.Delete(owner, *id); !s.ok()) return ErrorPage(&r, s);
    return Redirect("/console/?did=deleted");
  }
  if (!changed.ok()) return ErrorPage(&r, changed.status());
  return Redirect(TopicUrl(*id, "saved"));
}

HttpResponse Console::ChangeSettings(const Request& r) {
  const std::string learn = r.Field("learn");
  if (learn != "on" && learn != "off") {
    return ErrorPage(&r, InvalidArgumentError("learn is \"on\" or \"off\", not \"" + learn + "\""));
  }
  if (Status set = topics_.SetLearning(r.session.owner, learn == "on"); !set.ok()) {
    return ErrorPage(&r, set);
  }
  return Redirect("/console/?did=learning_" + learn);
}

HttpResponse Console::Publish(const Request& r) {
  // Publishing nothing takes the bot down, as the DM says before it does: asked first here too.
  auto topics = store_.ListTopics(r.session.owner);
  if (!topics.ok()) return ErrorPage(&r, topics.status());
  auto live = store_.GetLivePublication(r.session.owner, false);
  if (!live.ok()) return ErrorPage(&r, live.status());
  const store::TopicOverview overview = store::Overview(*topics, *live);
  if (overview.publish_takes_bot_down && r.Field("confirm") != "offline") {
    return Html(r, "Take your bot offline?", "topics",
                "<p>You have no topics with an answer left to publish. Publishing now takes your "
                "bot offline: it stops answering the " +
                    std::to_string((*live)->topics.size()) +
                    " topics it knows, and askers hear that you haven't published any.</p><p>" +
                    PostButton("/console/publish", r.csrf, {{"confirm", "offline"}},
                               "Take it offline", "danger") +
                    " <a href=\"/console/\">Cancel</a></p>");
  }
  auto enqueued = training_.Enqueue(r.session.owner);
  if (!enqueued.ok()) return ErrorPage(&r, enqueued.status());
  // As the DM says it: topics without an answer stay out of the publication.
  return Redirect(overview.needs_answer > 0
                      ? "/console/?did=publishing&left_out=" + std::to_string(overview.needs_answer)
                      : std::string("/console/?did=publishing"));
}

}  // namespace faqbot::server
