// The web console's handlers without sockets, over a real SQLite Store, real trained models
// published through a real TrainingQueue (ManualExecutor) and a FakeClock. The browser test
// (tests/console/console_browser_test.py) drives the same pages through Chromium.
#include "server/console.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "assistant/assistant.h"
#include "assistant/recording_messenger.h"
#include "server/api_tokens.h"
#include "server/published_models_fixture.h"
#include "slack/form_decoding.h"

namespace faqbot::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const store::UserRef kAlice{"T0001", "U0ALICE"};
const store::UserRef kBob{"T0001", "U0BOB"};

using Fields = std::vector<std::pair<std::string, std::string>>;

class ConsoleTest : public testing::PublishedModelsFixture {
 protected:
  void SetUp() override {
    PublishedModelsFixture::SetUp();
    topics_ = std::make_unique<assistant::Topics>(*store_, *registry_, *training_);
    auth_ = std::make_unique<ConsoleAuth>(*store_);
    console_ = MakeConsole("http://localhost:3000");
  }
  std::unique_ptr<Console> MakeConsole(std::string public_url) {
    ConsoleOptions options;
    options.public_url = std::move(public_url);
    return std::make_unique<Console>(*store_, *topics_, *training_, *registry_, *auth_, clock_,
                                     options);
  }

  std::string Link(const store::UserRef& owner) {
    auto link = auth_->CreateLink(owner);
    EXPECT_TRUE(link.ok()) << link.status();
    return link.ok() ? *link : "";
  }
  HttpResponse Get(const std::string& target, const std::string& cookie = "") {
    HttpRequest request;
    request.method = "GET";
    request.target = target;
    request.path = target.substr(0, target.find('?'));
    if (!cookie.empty()) request.headers["Cookie"] = "theme=dark; " + cookie;
    return console_->Serve(request);
  }
  HttpResponse Post(const std::string& path, const Fields& fields, const std::string& cookie = "") {
    HttpRequest request;
    request.method = "POST";
    request.target = request.path = path;
    for (const auto& [name, value] : fields) {
      request.body += (request.body.empty() ? "" : "&") + name + "=" + slack::PercentEncode(value);
    }
    request.headers["Content-Type"] = "application/x-www-form-urlencoded";
    if (!cookie.empty()) request.headers["Cookie"] = cookie;
    return console_->Serve(request);
  }
  // Signs `owner` in through a fresh link; returns the Cookie header value.
  std::string SignIn(const store::UserRef& owner) {
    const HttpResponse response = Post("/console/login", {{"token", Link(owner)}});
    EXPECT_EQ(response.status, 303) << response.body;
    const std::string set(slack::HeaderValue(response.headers, "set-cookie"));
    return set.substr(0, set.find(';'));
  }
  static std::string SecretOf(const std::string& cookie) {
    return cookie.substr(cookie.find('=') + 1);
  }
  static std::string Csrf(const std::string& cookie) { return CsrfTokenFor(SecretOf(cookie)); }
  std::string Location(const HttpResponse& response) {
    return std::string(slack::HeaderValue(response.headers, "location"));
  }

  std::unique_ptr<assistant::Topics> topics_;
  std::unique_ptr<ConsoleAuth> auth_;
  std::unique_ptr<Console> console_;
};

TEST_F(ConsoleTest, SignsInThroughAOneTimeLinkWithAProtectedCookie) {
  const std::string link = Link(kAlice);
  // The GET only shows a button: previews that fetch the link do not use it up.
  const HttpResponse page = Get("/console/login?token=" + link);
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("value=\"" + link + "\""));
  EXPECT_EQ(slack::HeaderValue(page.headers, "referrer-policy"), "no-referrer");

  const HttpResponse signed_in = Post("/console/login", {{"token", link}});
  ASSERT_EQ(signed_in.status, 303) << signed_in.body;
  EXPECT_EQ(Location(signed_in), "/console/");
  const std::string set(slack::HeaderValue(signed_in.headers, "set-cookie"));
  EXPECT_THAT(set, HasSubstr("faqbot_console="));
  EXPECT_THAT(set, HasSubstr("; HttpOnly"));
  EXPECT_THAT(set, HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(set, HasSubstr("; Max-Age=43200"));
  EXPECT_THAT(set, Not(HasSubstr("Secure")));

  const HttpResponse topics = Get("/console/", set.substr(0, set.find(';')));
  EXPECT_EQ(topics.status, 200) << topics.body;
  EXPECT_THAT(topics.body, HasSubstr("U0ALICE"));
  EXPECT_EQ(slack::HeaderValue(topics.headers, "cache-control"), "no-store");

  // Behind https the cookie is Secure.
  console_ = MakeConsole("https://faq.example.com");
  const HttpResponse secure = Post("/console/login", {{"token", Link(kAlice)}});
  EXPECT_THAT(std::string(slack::HeaderValue(secure.headers, "set-cookie")), HasSubstr("; Secure"));
}

TEST_F(ConsoleTest, RefusesAReusedOrStaleLink) {
  const std::string link = Link(kAlice);
  ASSERT_EQ(Post("/console/login", {{"token", link}}).status, 303);
  const HttpResponse reused = Post("/console/login", {{"token", link}});
  EXPECT_EQ(reused.status, 401);
  EXPECT_THAT(reused.body, HasSubstr("expired or was used already"));
  EXPECT_TRUE(slack::HeaderValue(reused.headers, "set-cookie").empty());

  const std::string stale = Link(kAlice);
  clock_.Advance(std::chrono::minutes(15));
  EXPECT_EQ(Post("/console/login", {{"token", stale}}).status, 401);
  EXPECT_EQ(Post("/console/login", {{"token", "not-a-link"}}).status, 401);
}

TEST_F(ConsoleTest, RefusesASignInPostedFromAnotherSite) {
  // Another site's form would sign the victim in to the attacker's session.
  const std::string link = Link(kAlice);
  HttpRequest request;
  request.method = "POST";
  request.target = request.path = "/console/login";
  request.body = "token=" + link;
  for (const char* other : {"cross-site", "same-site"}) {
    request.headers["Sec-Fetch-Site"] = other;
    EXPECT_EQ(console_->Serve(request).status, 403) << other;
  }
  // The console's own sign-in page: signed in (the refusals did not use the link up).
  request.headers["Sec-Fetch-Site"] = "same-origin";
  EXPECT_EQ(console_->Serve(request).status, 303);
}

TEST_F(ConsoleTest, PagesNeedALiveSession) {
  EXPECT_EQ(Get("/console/").status, 401);
  EXPECT_EQ(Get("/console/", "faqbot_console=" + std::string(64, 'a')).status, 401);
  const std::string cookie = SignIn(kAlice);
  EXPECT_EQ(Get("/console/playground", cookie).status, 200);

  const HttpResponse out = Post("/console/logout", {{"csrf", Csrf(cookie)}}, cookie);
  EXPECT_EQ(out.status, 303);
  EXPECT_THAT(std::string(slack::HeaderValue(out.headers, "set-cookie")), HasSubstr("Max-Age=0"));
  EXPECT_EQ(Get("/console/", cookie).status, 401);

  const std::string again = SignIn(kAlice);
  clock_.Advance(std::chrono::hours(12));
  EXPECT_EQ(Get("/console/", again).status, 401);
}

TEST_F(ConsoleTest, RefusesFormsWithoutTheirCsrfToken) {
  const std::string cookie = SignIn(kAlice);
  const Fields add{{"do", "add"}, {"question", "where is the printer?"}, {"answer", "Room 4"}};
  EXPECT_EQ(Post("/console/topics", add, cookie).status, 403);
  Fields wrong = add;
  wrong.emplace_back("csrf", CsrfTokenFor(std::string(64, 'b')));
  EXPECT_EQ(Post("/console/topics", wrong, cookie).status, 403);
  EXPECT_EQ(Post("/console/publish", {}, cookie).status, 403);
  EXPECT_EQ(Post("/console/logout", {}, cookie).status, 403);
  EXPECT_EQ(store_->CountTopics(kAlice).value(), 0);
  EXPECT_EQ(store_->CountActivePublishJobs(kAlice).value(), 0);

  Fields right = add;
  right.emplace_back("csrf", Csrf(cookie));
  const HttpResponse added = Post("/console/topics", right, cookie);
  EXPECT_EQ(added.status, 303) << added.body;
  EXPECT_EQ(store_->CountTopics(kAlice).value(), 1);
  // The page's forms carry the token.
  EXPECT_THAT(Get("/console/", cookie).body,
              HasSubstr("name=\"csrf\" value=\"" + Csrf(cookie) + "\""));
}

TEST_F(ConsoleTest, AnotherOwnersTopicIsNotFound) {
  const int64_t bobs = AddTopic(kBob, "bob's secret question", "bob's answer");
  const std::string cookie = SignIn(kAlice);
  const std::string csrf = Csrf(cookie);
  const std::string id = std::to_string(bobs);
  const HttpResponse page = Get("/console/topic?id=" + id, cookie);
  EXPECT_EQ(page.status, 404);
  EXPECT_THAT(page.body, Not(HasSubstr("bob's secret question")));
  EXPECT_EQ(Post("/console/topics", {{"csrf", csrf}, {"do", "answer"}, {"id", id},
                                     {"text", "hijacked"}},
                 cookie)
                .status,
            404);
  EXPECT_EQ(Post("/console/topics", {{"csrf", csrf}, {"do", "delete"}, {"id", id}}, cookie).status,
            404);
  auto untouched = store_->GetTopic(kBob, bobs);
  ASSERT_TRUE(untouched.ok() && untouched->has_value());
  EXPECT_EQ((*untouched)->content.answer, "bob's answer");
  EXPECT_THAT(Get("/console/", cookie).body, Not(HasSubstr("bob's secret question")));
}

TEST_F(ConsoleTest, AddsEditsPublishesAndAnswersInThePlayground) {
  const std::string cookie = SignIn(kAlice);
  const std::string csrf = Csrf(cookie);
  const HttpResponse added =
      Post("/console/topics",
           {{"csrf", csrf}, {"do", "add"}, {"question", "Where is the printer?"},
            {"answer", "Next to the kitchen"}, {"phrasings", "printer location\n\n  "}},
           cookie);
  ASSERT_EQ(added.status, 303) << added.body;
  auto topics = store_->ListTopics(kAlice);
  ASSERT_TRUE(topics.ok() && topics->size() == 1);
  const std::string id = std::to_string((*topics)[0].id);
  EXPECT_EQ(Location(added), "/console/topic?id=" + id + "&did=added");
  EXPECT_EQ((*topics)[0].content.phrasings, std::vector<std::string>{"printer location"});
  ASSERT_EQ(Post("/console/topics",
                 {{"csrf", csrf}, {"do", "add_phrasing"}, {"id", id}, {"text", "printing"}},
                 cookie)
                .status,
            303);
  ASSERT_EQ(Post("/console/topics",
                 {{"csrf", csrf}, {"do", "remove_phrasing"}, {"id", id}, {"index", "0"}}, cookie)
                .status,
            303);
  ASSERT_EQ(Post("/console/topics",
                 {{"csrf", csrf}, {"do", "answer"}, {"id", id}, {"text", "Room 4, by the <b>"}},
                 cookie)
                .status,
            303);
  // The name, made from the question, is the intent name; it can be changed, not to a bad one.
  EXPECT_THAT(Get("/console/", cookie).body, HasSubstr("<code class=\"name\">printer</code>"));
  ASSERT_EQ(Post("/console/topics",
                 {{"csrf", csrf}, {"do", "name"}, {"id", id}, {"text", "printer_location"}},
                 cookie)
                .status,
            303);
  EXPECT_EQ(store_->GetTopic(kAlice, std::stoll(id))->value().content.name, "printer_location");
  EXPECT_EQ(Post("/console/topics", {{"csrf", csrf}, {"do", "name"}, {"id", id}, {"text", ""}},
                 cookie)
                .status,
            400);
  AddTopic(kAlice, "How do I book a meeting room?", "Use the calendar");

  HttpResponse page = Get("/console/topic?id=" + id + "&did=saved", cookie);
  EXPECT_THAT(page.body, HasSubstr("value=\"printer_location\""));
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("printing"));
  EXPECT_THAT(page.body, Not(HasSubstr("printer location")));
  EXPECT_THAT(page.body, HasSubstr("Room 4, by the &lt;b&gt;"));  // escaped
  EXPECT_THAT(page.body, HasSubstr("Saved."));
  EXPECT_THAT(Get("/console/", cookie).body, HasSubstr("🅾 draft"));

  // Before publishing, the playground says there is nothing to ask.
  EXPECT_THAT(Get("/console/playground?q=printer", cookie).body, HasSubstr("Nothing is published"));
  const HttpResponse publish = Post("/console/publish", {{"csrf", csrf}}, cookie);
  ASSERT_EQ(publish.status, 303);
  EXPECT_EQ(Location(publish), "/console/?did=publishing");
  executor_.RunAll();
  const std::string listing = Get("/console/", cookie).body;
  EXPECT_THAT(listing, HasSubstr("✅ live"));
  EXPECT_THAT(listing, Not(HasSubstr("🅾 draft")));

  const HttpResponse asked =
      Get("/console/playground?q=" + slack::PercentEncode("where are the printers"), cookie);
  EXPECT_EQ(asked.status, 200);
  EXPECT_THAT(asked.body, HasSubstr("Room 4, by the &lt;b&gt;"));
  EXPECT_THAT(asked.body, HasSubstr("id=\"ranking\""));
  EXPECT_THAT(asked.body, HasSubstr("<code>printer_location</code>"));
  EXPECT_THAT(asked.body, HasSubstr("How do I book a meeting room?"));
  // Why: "printers" meets the topic's "printer".
  EXPECT_THAT(asked.body, HasSubstr("<td>printers</td><td>same stem</td><td>printer</td>"));

  const HttpResponse declined = Get("/console/playground?q=quantum+chromodynamics", cookie);
  EXPECT_THAT(declined.body, HasSubstr("Not sure"));

  ASSERT_EQ(Post("/console/topics", {{"csrf", csrf}, {"do", "delete"}, {"id", id}}, cookie).status,
            303);
  EXPECT_THAT(Get("/console/", cookie).body, HasSubstr("the next publish removes it"));
}

// Two tabs, one older than the other's change: a Remove from the older page removes the phrasing
// it showed, or says it is gone; publishing with no topic left asks before taking the bot down.
TEST_F(ConsoleTest, AStalePageRemovesWhatItShowedAndTakingTheBotDownIsConfirmed) {
  const std::string cookie = SignIn(kAlice);
  const std::string csrf = Csrf(cookie);
  auto added = topics_->Add(kAlice, {"Where is the printer?",
                                     {"printer location", "how do I print", "printer jammed"},
                                     "Next to the kitchen"});
  ASSERT_TRUE(added.ok()) << added.status();
  const int64_t id = added->id;
  const std::string ids = std::to_string(id);
  const std::string page = Get("/console/topic?id=" + ids, cookie).body;
  EXPECT_THAT(page, HasSubstr("name=\"phrasing\" value=\"how do I print\""));
  const auto remove = [&](const std::string& index, const std::string& phrasing) {
    return Post("/console/topics",
                {{"csrf", csrf},
                 {"do", "remove_phrasing"},
                 {"id", ids},
                 {"index", index},
                 {"phrasing", phrasing}},
                cookie);
  };
  ASSERT_EQ(remove("0", "printer location").status, 303);  // tab A
  ASSERT_EQ(remove("1", "how do I print").status, 303);    // tab B, its page one change behind
  EXPECT_EQ(store_->GetTopic(kAlice, id)->value().content.phrasings,
            std::vector<std::string>{"printer jammed"});
  EXPECT_EQ(remove("1", "how do I print").status, 404);  // gone already: nothing else goes
  EXPECT_EQ(store_->GetTopic(kAlice, id)->value().content.phrasings,
            std::vector<std::string>{"printer jammed"});

  // A topic without an answer stays out of the publication, and the flash says so.
  ASSERT_TRUE(topics_->Add(kAlice, {"Where do visitors park?", {}, ""}).ok());
  // The DM's learning setting, here too.
  EXPECT_THAT(Get("/console/", cookie).body, HasSubstr("Learn from my answers: <strong>on"));
  const HttpResponse off = Post("/console/settings", {{"csrf", csrf}, {"learn", "off"}}, cookie);
  ASSERT_EQ(off.status, 303);
  EXPECT_FALSE(store_->GetOwnerSettings(kAlice)->learn);
  EXPECT_THAT(Get(Location(off), cookie).body, HasSubstr("Learning is off"));
  EXPECT_EQ(Post("/console/settings", {{"csrf", csrf}, {"learn", "maybe"}}, cookie).status, 400);
  ASSERT_EQ(Post("/console/settings", {{"csrf", csrf}, {"learn", "on"}}, cookie).status, 303);
  EXPECT_TRUE(store_->GetOwnerSettings(kAlice)->learn);
  const HttpResponse published = Post("/console/publish", {{"csrf", csrf}}, cookie);
  ASSERT_EQ(published.status, 303);
  EXPECT_EQ(Location(published), "/console/?did=publishing&left_out=1");
  EXPECT_THAT(Get(Location(published), cookie).body,
              HasSubstr("1 topic needs an answer and stays out of it."));
  executor_.RunAll();
  ASSERT_EQ(Post("/console/topics", {{"csrf", csrf}, {"do", "delete"}, {"id", ids}}, cookie).status,
            303);
  const HttpResponse asked = Post("/console/publish", {{"csrf", csrf}}, cookie);
  EXPECT_EQ(asked.status, 200);
  EXPECT_THAT(asked.body, HasSubstr("Take your bot offline?"));
  EXPECT_THAT(asked.body, HasSubstr("stops answering the 1 topics it knows"));
  executor_.RunAll();
  EXPECT_EQ(store_->GetLivePublication(kAlice, false)->value().topics.size(), 1u);  // still up
  ASSERT_EQ(Post("/console/publish", {{"csrf", csrf}, {"confirm", "offline"}}, cookie).status, 303);
  executor_.RunAll();
  EXPECT_TRUE(store_->GetLivePublication(kAlice, false)->value().topics.empty());
}

// Behind `faqbot serve`'s console is the assistant: a question answered on the unanswered page
// reaches everyone who asked it and the bot learns it, as from the hand-off DM.
TEST_F(ConsoleTest, AnUnansweredQuestionIsAnsweredFromTheConsoleAndItsAskersGetIt) {
  auto concierge = assistant::ConciergeNlu::Create(nlu::testing::BuiltLexicon());
  ASSERT_TRUE(concierge.ok()) << concierge.status();
  assistant::RecordingMessenger messenger;
  assistant::Assistant bot(*store_, messenger, *registry_, *training_, **concierge, clock_);
  ConsoleOptions options;
  options.settle_as_topic = [&bot](const store::UserRef& o, int64_t q, int64_t t) {
    return bot.SettleAsTopic(o, q, t);
  };
  options.settle_with_answer = [&bot](const store::UserRef& o, int64_t q, const std::string& a) {
    return bot.SettleWithAnswer(o, q, a);
  };
  options.settle_ignore = [&bot](const store::UserRef& o, int64_t q) {
    return bot.SettleAsIgnored(o, q);
  };
  options.nearest_topics = [&bot](const store::UserRef& o) { return bot.NearestLiveTopics(o); };
  console_ = std::make_unique<Console>(*store_, bot.topics(), *training_, *registry_, *auth_,
                                       clock_, options);
  const int64_t wifi = AddTopic(kAlice, "what is the wifi password?", "It's on the fridge.");
  Publish(kAlice);
  const auto ask = [&](const std::string& who, const std::string& question) {
    assistant::UserMessage m;
    m.from = {"T0001", who};
    m.text = "ask <@U0ALICE> " + question;
    m.channel = "D" + who;
    bot.HandleMessage(m);
  };
  ask("U0BOB", "where can I print stuff");
  ask("U0CAROL", "where can I print stuff");
  ask("U0DAVE", "how do guests get online");
  auto waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok() && waiting->size() == 3u);
  const std::string printer = std::to_string((*waiting)[0].id);
  const std::string guests = std::to_string((*waiting)[2].id);
  const auto told = [&](const std::string& who, const std::string& needle) {
    int n = 0;
    for (const auto& s : messenger.sent()) {
      n += s.to.user.user_id == who && s.text.find(needle) != std::string::npos;
    }
    return n;
  };

  const std::string cookie = SignIn(kAlice);
  HttpResponse page = Get("/console/unanswered", cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("Send answer"));
  EXPECT_THAT(page.body, HasSubstr("It&#39;s “what is the wifi password?”</button>"));

  HttpResponse sent = Post("/console/unanswered",
                           {{"csrf", Csrf(cookie)},
                            {"do", "answer"},
                            {"id", printer},
                            {"answer", "Second floor, by the kitchen."}},
                           cookie);
  ASSERT_EQ(sent.status, 303) << sent.body;
  EXPECT_EQ(Location(sent), "/console/unanswered?did=answered");
  EXPECT_EQ(told("U0BOB", "Second floor, by the kitchen."), 1);
  EXPECT_EQ(told("U0CAROL", "Second floor, by the kitchen."), 1);
  page = Get(Location(sent), cookie);
  EXPECT_THAT(page.body, HasSubstr("everyone who asked it got your answer"));
  EXPECT_THAT(page.body, Not(HasSubstr("<td>where can I print stuff</td>")));
  EXPECT_THAT(page.body, HasSubstr("It&#39;s “where can I print stuff”"));  // now a topic
  // A second send (a double click, another tab) changes nothing.
  sent = Post("/console/unanswered",
              {{"csrf", Csrf(cookie)}, {"do", "answer"}, {"id", printer}, {"answer", "Again."}},
              cookie);
  EXPECT_EQ(sent.status, 409) << sent.body;
  EXPECT_THAT(sent.body, HasSubstr("settled already"));
  EXPECT_EQ(*store_->CountTopics(kAlice), 2);

  // *It's …*: Dave gets the wifi answer, and the bot answers his words from now on.
  const std::string bobs = SignIn(kBob);
  EXPECT_EQ(
      Post("/console/unanswered",
           {{"csrf", Csrf(bobs)}, {"do", "its"}, {"id", guests}, {"topic", std::to_string(wifi)}},
           bobs)
          .status,
      404);
  sent =
      Post("/console/unanswered",
           {{"csrf", Csrf(cookie)}, {"do", "its"}, {"id", guests}, {"topic", std::to_string(wifi)}},
           cookie);
  ASSERT_EQ(sent.status, 303) << sent.body;
  EXPECT_EQ(Location(sent), "/console/unanswered?did=taught");
  EXPECT_EQ(told("U0DAVE", "It's on the fridge."), 1);
  ask("U0ERIN", "how do guests get online");
  EXPECT_EQ(told("U0ERIN", "It's on the fridge."), 1);
  EXPECT_EQ(Post("/console/unanswered", {{"do", "its"}, {"id", guests}}, cookie).status, 403);

  // *Ignore*, as on the hand-off DM: the question leaves the list, once.
  ask("U0FRANK", "who won the football yesterday");
  waiting = store_->ListUnanswered(kAlice);
  ASSERT_TRUE(waiting.ok() && waiting->size() == 1u);
  const std::string football = std::to_string((*waiting)[0].id);
  EXPECT_THAT(Get("/console/unanswered", cookie).body, HasSubstr("Ignore</button>"));
  sent = Post("/console/unanswered", {{"csrf", Csrf(cookie)}, {"do", "ignore"}, {"id", football}},
              cookie);
  ASSERT_EQ(sent.status, 303) << sent.body;
  EXPECT_EQ(Location(sent), "/console/unanswered?did=ignored");
  EXPECT_TRUE(store_->ListUnanswered(kAlice)->empty());
  EXPECT_EQ(Post("/console/unanswered",
                 {{"csrf", Csrf(cookie)}, {"do", "ignore"}, {"id", football}}, cookie)
                .status,
            409);
  console_.reset();  // before the assistant it borrows from
}

TEST_F(ConsoleTest, ATopicAddedThatTheBotAlreadyAnswersCanBecomeAPhrasingOfIt) {
  const int64_t printer = AddTopic(kAlice, "Where is the printer?", "Room 4");
  AddTopic(kAlice, "How do I book a meeting room?", "Use the calendar");
  Publish(kAlice);
  const std::string cookie = SignIn(kAlice);
  const std::string csrf = Csrf(cookie);
  const HttpResponse added = Post("/console/topics",
                                  {{"csrf", csrf},
                                   {"do", "add"},
                                   {"question", "where's the printer"},
                                   {"phrasings", "printer location"},
                                   {"answer", "Ask reception"}},
                                  cookie);
  ASSERT_EQ(added.status, 303);
  const std::string url = Location(added);
  const size_t at = url.find("id=");
  ASSERT_NE(at, std::string::npos) << url;
  const std::string id = url.substr(at + 3, url.find('&', at) - at - 3);
  const HttpResponse page = Get(url, cookie);
  EXPECT_THAT(page.body, HasSubstr("This looks like your topic <a href=\"/console/topic?id=" +
                                   std::to_string(printer) + "\">Where is the printer?</a>"));
  // Seen again later, the topic page does not ask again (keeping both needs nothing).
  EXPECT_THAT(Get("/console/topic?id=" + id, cookie).body, Not(HasSubstr("Looks like")));

  const Fields merge = {
      {"csrf", csrf}, {"do", "merge"}, {"id", id}, {"into", std::to_string(printer)}};
  const HttpResponse merged = Post("/console/topics", merge, cookie);
  ASSERT_EQ(merged.status, 303) << merged.body;
  EXPECT_THAT(Location(merged), HasSubstr("did=merged"));
  EXPECT_EQ(store_->CountTopics(kAlice).value(), 2);
  auto topic = store_->GetTopic(kAlice, printer);
  ASSERT_TRUE(topic.ok() && topic->has_value());
  EXPECT_EQ((*topic)->content.phrasings,
            (std::vector<std::string>{"where's the printer", "printer location"}));
  EXPECT_EQ((*topic)->content.answer, "Room 4");
  // A second press changes nothing.
  EXPECT_EQ(Post("/console/topics", merge, cookie).status, 404);
  EXPECT_EQ(store_->GetTopic(kAlice, printer).value()->content.phrasings.size(), 2u);

  // A question the bot does not answer yet is just added.
  const HttpResponse other = Post("/console/topics",
                                  {{"csrf", csrf},
                                   {"do", "add"},
                                   {"question", "when is the summer picnic"},
                                   {"answer", "In June"}},
                                  cookie);
  EXPECT_THAT(Get(Location(other), cookie).body, Not(HasSubstr("Looks like")));
}

TEST_F(ConsoleTest, ImportsAndExportsRasaNluYaml) {
  AddTopic(kAlice, "Where is the printer?", "Room 4");
  const std::string cookie = SignIn(kAlice);
  const std::string yaml =
      "version: \"3.1\"\nnlu:\n- intent: printer\n  examples: |\n    - Where is the printer?\n"
      "- intent: wifi\n  examples: |\n    - what is the wifi password\n    - wifi?\n"
      "responses:\n  utter_printer:\n  - text: Room 4\n  utter_wifi:\n  - text: hunter2\n";
  EXPECT_EQ(Post("/console/import", {{"yaml", yaml}}, cookie).status, 403);
  const HttpResponse imported =
      Post("/console/import", {{"csrf", Csrf(cookie)}, {"yaml", yaml}}, cookie);
  EXPECT_EQ(imported.status, 200) << imported.body;
  EXPECT_THAT(imported.body, HasSubstr("Imported 2 topics (1 new, 0 updated, 1 already there)"));
  EXPECT_EQ(store_->CountTopics(kAlice).value(), 2);

  const HttpResponse bad =
      Post("/console/import", {{"csrf", Csrf(cookie)}, {"yaml", "nlu: [oops"}}, cookie);
  EXPECT_EQ(bad.status, 400);
  // The file is held to the API's limit, whatever its form encoding made of it.
  const HttpResponse huge =
      Post("/console/import",
           {{"csrf", Csrf(cookie)}, {"yaml", std::string(kMaxImportBytes + 1, '#')}}, cookie);
  EXPECT_EQ(huge.status, 413);
  EXPECT_THAT(huge.body, HasSubstr("the limit is 1048576 bytes"));

  const HttpResponse exported = Get("/console/export", cookie);
  EXPECT_EQ(exported.status, 200);
  EXPECT_EQ(exported.content_type, "application/x-yaml; charset=utf-8");
  EXPECT_THAT(exported.body, HasSubstr("what is the wifi password"));
  EXPECT_THAT(exported.body, HasSubstr("hunter2"));
}

TEST_F(ConsoleTest, CreatesAndRevokesApiTokensOfItsOwnerOnly) {
  const std::string cookie = SignIn(kAlice);
  const HttpResponse created =
      Post("/console/tokens", {{"csrf", Csrf(cookie)}, {"do", "create"}, {"name", "ci"}}, cookie);
  EXPECT_EQ(created.status, 200);
  auto tokens = store_->ListApiTokens(kAlice);
  ASSERT_TRUE(tokens.ok() && tokens->size() == 1);
  EXPECT_THAT(created.body, HasSubstr(std::string(kApiTokenPrefix)));
  // The page's form carries a one-time value: sent twice (a reload of the page showing the new
  // token), it creates one token.
  const std::string page = Get("/console/tokens", cookie).body;
  const size_t at = page.find("name=\"once\" value=\"");
  ASSERT_NE(at, std::string::npos);
  const std::string once = page.substr(at + 20, 32);
  const Fields form = {{"csrf", Csrf(cookie)}, {"once", once}, {"do", "create"}, {"name", "x"}};
  EXPECT_EQ(Post("/console/tokens", form, cookie).status, 200);
  const HttpResponse again = Post("/console/tokens", form, cookie);
  EXPECT_EQ(again.status, 303);
  EXPECT_EQ(Location(again), "/console/tokens?did=created_before");
  EXPECT_EQ(store_->ListApiTokens(kAlice)->size(), 2u);
  // Sent again to another process on the same database (behind a load balancer) too.
  console_ = MakeConsole("http://localhost:3000");
  const HttpResponse elsewhere = Post("/console/tokens", form, cookie);
  EXPECT_EQ(elsewhere.status, 303);
  EXPECT_EQ(Location(elsewhere), "/console/tokens?did=created_before");
  EXPECT_EQ(store_->ListApiTokens(kAlice)->size(), 2u);
  ASSERT_TRUE(store_->RevokeApiToken(kAlice, store_->ListApiTokens(kAlice)->back().id).ok());
  tokens = store_->ListApiTokens(kAlice);
  ASSERT_TRUE(tokens.ok() && tokens->size() == 1);
  auto bobs = CreateApiToken(*store_, kBob, "bob");
  ASSERT_TRUE(bobs.ok());
  EXPECT_EQ(Post("/console/tokens",
                 {{"csrf", Csrf(cookie)}, {"do", "revoke"}, {"id", std::to_string(bobs->info.id)}},
                 cookie)
                .status,
            404);
  EXPECT_EQ(Post("/console/tokens",
                 {{"csrf", Csrf(cookie)}, {"do", "revoke"},
                  {"id", std::to_string((*tokens)[0].id)}},
                 cookie)
                .status,
            303);
  EXPECT_TRUE(store_->ListApiTokens(kAlice)->empty());
  EXPECT_EQ(store_->ListApiTokens(kBob)->size(), 1u);
}

TEST_F(ConsoleTest, ShowsUnansweredQuestionsAndTheWeeksFigures) {
  store::NewQuestion q;
  q.asker = kBob;
  q.owner = kAlice;
  q.text = "can I <bring> my dog?";
  q.outcome = store::QuestionOutcome::kHandedOff;
  ASSERT_TRUE(store_->RecordQuestion(q).ok());
  q.text = "where is the printer";
  q.outcome = store::QuestionOutcome::kAnswered;
  ASSERT_TRUE(store_->RecordQuestion(q).ok());
  const std::string cookie = SignIn(kAlice);
  const HttpResponse unanswered = Get("/console/unanswered", cookie);
  EXPECT_THAT(unanswered.body, HasSubstr("can I &lt;bring&gt; my dog?"));
  EXPECT_THAT(unanswered.body, Not(HasSubstr("where is the printer")));
  const HttpResponse activity = Get("/console/activity", cookie);
  EXPECT_THAT(activity.body, HasSubstr("<tr><td>Questions asked</td><td>2</td></tr>"));
  EXPECT_THAT(activity.body, HasSubstr("<tr><td>Answered by the bot</td><td>1</td></tr>"));
  // Bob signed in sees none of Alice's questions.
  EXPECT_THAT(Get("/console/unanswered", SignIn(kBob)).body, Not(HasSubstr("dog")));
}

TEST_F(ConsoleTest, ServesItsAssetsAndRefusesUnknownRoutes) {
  const HttpResponse css = Get("/console/console.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get("/console/console.js").status, 200);
  const HttpResponse icon = Get("/console/icon.svg");  // linked from every page: no favicon 404
  EXPECT_EQ(icon.status, 200);
  EXPECT_EQ(icon.content_type, "image/svg+xml");
  EXPECT_THAT(Get("/console/login?token=x").body, HasSubstr("href=\"/console/icon.svg\""));
  EXPECT_EQ(Get("/console/nothing").status, 404);
  EXPECT_EQ(Post("/console/playground", {}).status, 405);
}

}  // namespace
}  // namespace faqbot::server
