// The console's pages: topics, one topic, the playground, the unanswered queue, the figures,
// import / export and API tokens. Every user-provided text goes through HtmlEscape.
#include <cmath>

#include "assistant/reply.h"
#include "assistant/topic_import.h"
#include "assistant/training_queue.h"
#include "common/clock.h"
#include "nlu/explain.h"
#include "nlu/nlu_yaml.h"
#include "server/api_tokens.h"
#include "server/console.h"
#include "server/console_html.h"
#include "slack/form_decoding.h"
#include "store/topic_state.h"

namespace faqbot::server {
namespace {

std::string Mark(std::string_view css, std::string_view text) {
  return "<span class=\"mark " + std::string(css) + "\">" + std::string(text) + "</span>";
}

std::string Percent(double fraction) {
  return std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%";
}

std::string TopicForm(std::string_view csrf, const std::string& question) {
  return "<form method=\"post\" action=\"/console/topics\" class=\"card\" id=\"add-topic\">" +
         CsrfInput(csrf) +
         "<input type=\"hidden\" name=\"do\" value=\"add\">"
         "<label for=\"question\">Question</label>"
         "<input type=\"text\" id=\"question\" name=\"question\" required value=\"" +
         HtmlEscape(question) +
         "\"><label for=\"answer\">Answer</label>"
         "<textarea id=\"answer\" name=\"answer\"></textarea>"
         "<label for=\"phrasings\">Other phrasings <span class=\"muted\">(one per line, "
         "optional)</span></label><textarea id=\"phrasings\" name=\"phrasings\"></textarea>"
         "<button type=\"submit\" class=\"primary\">Add topic</button></form>";
}

}  // namespace

HttpResponse Console::TopicsPage(const Request& r) {
  const store::UserRef& owner = r.session.owner;
  auto topics = store_.ListTopics(owner);
  if (!topics.ok()) return ErrorPage(&r, topics.status());
  auto live = store_.GetLivePublication(owner, false);
  if (!live.ok()) return ErrorPage(&r, live.status());
  auto jobs = store_.CountActivePublishJobs(owner);
  if (!jobs.ok()) return ErrorPage(&r, jobs.status());
  const store::TopicOverview overview = store::Overview(*topics, *live);

  std::string body;
  body += "<p class=\"muted\">Signed in as " + HtmlEscape(owner.user_id) + " (" +
          HtmlEscape(owner.team_id) + "). ";
  body += *live ? "Published version " + std::to_string((*live)->version) + " answers " +
                      std::to_string((*live)->topics.size()) + " topics."
                : std::string("Nothing published yet.");
  body += "</p>";
  if (*jobs > 0) body += "<p id=\"publishing\">⏳ Publishing…</p>";
  // The DM's "learn from my answers" setting: whether an answer to a hand-off goes live at once.
  auto settings = topics_.Settings(owner);
  if (!settings.ok()) return ErrorPage(&r, settings.status());
  body += std::string("<p id=\"learning\">Learn from my answers: <strong>") +
          (settings->learn ? "on" : "off") + "</strong> <span class=\"muted\">" +
          (settings->learn ? "(an answer or <em>It's …</em> to a hand-off goes live at once)"
                           : "(answers to hand-offs wait for a publish)") +
          "</span> " +
          PostButton("/console/settings", r.csrf, {{"learn", settings->learn ? "off" : "on"}},
                     settings->learn ? "Turn off" : "Turn on", "") +
          "</p>";
  if (overview.publish_changes_something) {
    body += "<p>" + PostButton("/console/publish", r.csrf, {}, "Publish", "primary") +
            " <span class=\"muted\">Askers get the topics marked draft after you publish.</span>"
            "</p>";
  }
  body += "<h2>Your topics (" + std::to_string(topics->size()) + ")</h2><div id=\"topics\">";
  if (topics->empty()) body += "<p>No topics yet: add the first one below.</p>";
  for (const auto& [topic, state] : overview.topics) {
    body += "<div class=\"card topic\" data-topic=\"" + std::to_string(topic.id) + "\">";
    body += "<a class=\"topic-q\" href=\"/console/topic?id=" + std::to_string(topic.id) + "\">" +
            HtmlEscape(topic.content.question) + "</a> <code class=\"name\">" +
            HtmlEscape(topic.content.name) + "</code>";
    body += state == store::TopicState::kLive ? Mark("live", "✅ live") : Mark("draft", "🅾 draft");
    if (topic.content.answer.empty()) body += Mark("needs", "needs an answer");
    if (!topic.content.phrasings.empty()) {
      body += " <span class=\"muted\">+" + std::to_string(topic.content.phrasings.size()) +
              " phrasing" + (topic.content.phrasings.size() == 1 ? "" : "s") + "</span>";
    }
    body += "<div class=\"answer\">" + HtmlEscape(topic.content.answer) + "</div></div>";
  }
  for (const auto& removed : overview.removed_on_publish) {
    body += "<div class=\"card\">" + HtmlEscape(removed.content.question) +
            Mark("removed", "✖ live, deleted: the next publish removes it") + "</div>";
  }
  body += "</div><h2>Add a topic</h2>" + TopicForm(r.csrf, r.Field("question"));
  return Html(r, "Topics", "topics", std::move(body));
}

HttpResponse Console::TopicPage(const Request& r) {
  auto id_field = r.Id("id", "topic");
  if (!id_field.ok()) return ErrorPage(&r, id_field.status());
  const int64_t id = *id_field;
  auto topic = store_.GetTopic(r.session.owner, id);
  if (!topic.ok()) return ErrorPage(&r, topic.status());
  if (!topic->has_value()) {
    return ErrorPage(&r, NotFoundError("topic " + std::to_string(id) + " is not one of yours"));
  }
  const store::Topic& t = **topic;
  const std::string ids = std::to_string(t.id);
  auto field_form = [&](std::string_view action, std::string_view label, std::string_view name,
                        const std::string& value, bool area) {
    std::string html = "<form method=\"post\" action=\"/console/topics\" class=\"card\">" +
                       CsrfInput(r.csrf) + "<input type=\"hidden\" name=\"id\" value=\"" + ids +
                       "\"><input type=\"hidden\" name=\"do\" value=\"" +
                       std::string(action) + "\"><label for=\"" + std::string(name) + "\">" +
                       std::string(label) + "</label>";
    if (area) {
      html += "<textarea id=\"" + std::string(name) + "\" name=\"text\">" + HtmlEscape(value) +
              "</textarea>";
    } else {
      html += "<input type=\"text\" id=\"" + std::string(name) + "\" name=\"text\" value=\"" +
              HtmlEscape(value) + "\">";
    }
    return html + "<button type=\"submit\">Save</button></form>";
  };
  std::string body;
  if (r.Field("did") == "added") {
    // As in the DM: a question the live bot already answers is probably another way to ask.
    if (const auto like =
            topics_.Match(r.session.owner, t.content.question, options_.similar_topic_confidence);
        like && like->topic.topic_id != t.id) {
      const std::string into = std::to_string(like->topic.topic_id);
      body +=
          "<div class=\"card\" id=\"similar\"><p>This looks like your topic <a href=\"/console/"
          "topic?id=" +
          into + "\">" + HtmlEscape(like->topic.content.question) +
          "</a> — your bot already answers this question with it.</p>" +
          PostButton("/console/topics", r.csrf, {{"do", "merge"}, {"id", ids}, {"into", into}},
                     "Add as a phrasing of that topic", "primary") +
          "<p class=\"muted\">Its question and phrasings become that topic's; that topic's "
          "answer stays. Or keep both: nothing to do.</p></div>";
    }
  }
  if (t.content.answer.empty()) body += "<p>" + Mark("needs", "needs an answer") + "</p>";
  body += field_form("name", "Name (the intent name API clients and exports see)", "name",
                     t.content.name, false);
  body += field_form("question", "Question", "question", t.content.question, false);
  body += field_form("answer", "Answer", "answer", t.content.answer, true);
  body += "<h2>Other phrasings</h2><div class=\"card\" id=\"phrasings\">";
  if (t.content.phrasings.empty()) body += "<p class=\"muted\">None yet.</p>";
  for (size_t i = 0; i < t.content.phrasings.size(); ++i) {
    body += "<div>" + HtmlEscape(t.content.phrasings[i]) + " " +
            PostButton("/console/topics", r.csrf,
                       {{"do", "remove_phrasing"},
                        {"id", ids},
                        {"index", std::to_string(i)},
                        {"phrasing", t.content.phrasings[i]}},
                       "Remove") +
            "</div>";
  }
  body += "</div>" + field_form("add_phrasing", "Add a phrasing", "phrasing", "", false);
  body += "<p><button form=\"delete\" type=\"submit\" class=\"danger\" "
          "data-confirm=\"Delete this topic?\">Delete topic</button></p>"
          "<form id=\"delete\" method=\"post\" action=\"/console/topics\">" +
          CsrfInput(r.csrf) + "<input type=\"hidden\" name=\"do\" value=\"delete\">"
          "<input type=\"hidden\" name=\"id\" value=\"" + ids + "\"></form>";
  return Html(r, "Topic", "topics", std::move(body));
}

HttpResponse Console::Playground(const Request& r) {
  const store::UserRef& owner = r.session.owner;
  const std::string question = r.Field("q");
  std::string body =
      "<form method=\"get\" action=\"/console/playground\" class=\"card\">"
      "<label for=\"q\">Ask your bot something</label>"
      "<input type=\"search\" id=\"q\" name=\"q\" value=\"" + HtmlEscape(question) + "\">"
      "<button type=\"submit\" class=\"primary\">Ask</button>"
      "<p class=\"muted\">Answered by your published bot, exactly as askers on Slack would be; "
      "nothing is recorded.</p></form>";
  if (question.empty()) return Html(r, "Playground", "playground", std::move(body));
  if (question.size() > nlu::kMaxExampleBytes) {
    return ErrorPage(&r, ResourceExhaustedError("that question is too long"));
  }
  auto model = registry_.Get(owner);
  if (!model.ok()) {
    if (model.status().code() != StatusCode::kFailedPrecondition) {
      return ErrorPage(&r, model.status());
    }
    body += "<p id=\"answer\">Nothing is published yet: your bot cannot answer. Publish your "
            "topics first.</p>";
    return Html(r, "Playground", "playground", std::move(body));
  }
  auto live = store_.GetLivePublication(owner, false);
  if (!live.ok()) return ErrorPage(&r, live.status());
  auto live_topic = [&](const std::string& intent) -> const store::PublishedTopic* {
    const auto id = assistant::TopicIdOfIntent(intent);
    if (!id || !*live) return nullptr;
    for (const auto& t : (*live)->topics) {
      if (t.topic_id == *id) return &t;
    }
    return nullptr;
  };
  const nlu::Prediction prediction = (*model)->Predict(question, options_.ranking);
  const store::PublishedTopic* answer = live_topic(prediction.intent);
  body += "<h2>Answer</h2><div class=\"card\" id=\"answer\">";
  if (answer) {
    body += "<div class=\"answer\">" + HtmlEscape(answer->content.answer) + "</div>"
            "<p class=\"muted\">from “" + HtmlEscape(answer->content.question) + "”, " +
            Percent(prediction.confidence) + " sure</p>";
  } else {
    body += "<p>Not sure: the bot says “I don't know that one yet” and hands the question to "
            "you (it answers from " + Percent(prediction.confidence) + " sure).</p>";
  }
  body += "</div><h2>Ranking</h2><table id=\"ranking\"><tr><th>Topic</th><th>Intent</th>"
          "<th>Confidence</th></tr>";
  for (const auto& ranked : prediction.ranking) {
    const store::PublishedTopic* t = live_topic(ranked.name);
    body += "<tr><td>" + HtmlEscape(t ? t->content.question : ranked.name) + "</td><td><code>" +
            HtmlEscape(t && !t->content.name.empty() ? t->content.name : ranked.name) +
            "</code></td><td>" +
            Percent(ranked.confidence) + " <progress max=\"100\" value=\"" +
            std::to_string(static_cast<int>(std::lround(ranked.confidence * 100))) +
            "\"></progress></td></tr>";
  }
  body += "</table>";
  // Why: the words of the question the best topics have, and how they meet.
  const auto& lexicon = registry_.lexicon();
  body += "<h2>Why</h2><div id=\"why\">";
  size_t explained = 0;
  for (const auto& ranked : prediction.ranking) {
    const store::PublishedTopic* t = live_topic(ranked.name);
    if (!t || !lexicon) continue;
    if (explained++ == 3) break;
    std::vector<std::string> examples{t->content.question};
    examples.insert(examples.end(), t->content.phrasings.begin(), t->content.phrasings.end());
    const nlu::Explanation why = nlu::Explain(question, examples, *lexicon);
    body += "<div class=\"card\"><div class=\"topic-q\">" + HtmlEscape(t->content.question) +
            "</div><p class=\"muted\">" + Percent(why.covered) +
            " of the question's weight found in this topic</p><table>";
    for (const auto& m : why.matches) {
      body += "<tr><td>" + HtmlEscape(m.query_word) + "</td><td>" +
              std::string(nlu::WordLinkName(m.link)) + "</td><td>" +
              HtmlEscape(m.example_word) + "</td><td class=\"muted\">weight " +
              Percent(m.weight) + "</td></tr>";
    }
    body += "</table>";
    if (!why.unmatched.empty()) {
      std::string words;
      for (const auto& w : why.unmatched) words += (words.empty() ? "" : ", ") + w;
      body += "<p class=\"muted\">Not in this topic: " + HtmlEscape(words) + "</p>";
    }
    body += "</div>";
  }
  body += "</div>";
  return Html(r, "Playground", "playground", std::move(body));
}

HttpResponse Console::Unanswered(const Request& r) {
  auto waiting = store_.ListUnanswered(r.session.owner, 200);
  if (!waiting.ok()) return ErrorPage(&r, waiting.status());
  const bool settles = options_.settle_as_topic && options_.settle_with_answer;
  const assistant::NearestTopics nearest = settles && options_.nearest_topics
                                               ? options_.nearest_topics(r.session.owner)
                                               : assistant::NearestTopics();
  std::string body =
      settles ? "<p class=\"muted\">Questions your bot declined or got 👎 on. Answer one, or say "
                "which topic it is: everyone who asked it gets the answer, and your bot learns "
                "it.</p>"
              : "<p class=\"muted\">Questions your bot declined or got 👎 on. Answer one by "
                "adding it as a topic; in Slack, the hand-off message also answers the asker.</p>";
  body += "<table id=\"unanswered\"><tr><th>Question</th><th>Asked</th><th></th></tr>";
  if (waiting->empty()) body += "<tr><td colspan=\"3\">No questions are waiting 🎉</td></tr>";
  for (const auto& q : *waiting) {
    const std::string id = std::to_string(q.id);
    body += "<tr id=\"question-" + id + "\"><td>" + HtmlEscape(q.text);
    if (q.feedback == store::Feedback::kDown) body += " <span class=\"muted\">(👎)</span>";
    body += "</td><td class=\"muted\">" + HtmlEscape(UtcMinute(q.asked_at)) + "</td><td>";
    if (settles) {
      body += "<form class=\"reply\" method=\"post\" action=\"/console/unanswered\">" +
              CsrfInput(r.csrf) +
              "<input type=\"hidden\" name=\"do\" value=\"answer\"><input type=\"hidden\" "
              "name=\"id\" value=\"" +
              id +
              "\"><textarea name=\"answer\" rows=\"2\" required placeholder=\"Your answer\" "
              "aria-label=\"Your answer\"></textarea><button type=\"submit\" class=\"primary\">"
              "Send answer</button></form>";
      if (nearest) {
        for (const auto& t : nearest(q.text)) {
          body += PostButton("/console/unanswered", r.csrf,
                             {{"do", "its"}, {"id", id}, {"topic", std::to_string(t.topic_id)}},
                             "It's “" + t.content.question + "”", "");
        }
      }
    }
    body += "<a class=\"button\" href=\"/console/?question=" +
            HtmlEscape(slack::PercentEncode(q.text)) + "#add-topic\">Add as topic</a>";
    if (options_.settle_ignore) {
      body += " " + PostButton("/console/unanswered", r.csrf, {{"do", "ignore"}, {"id", id}},
                               "Ignore", "");
    }
    body += "</td></tr>";
  }
  body += "</table>";
  return Html(r, "Unanswered questions", "unanswered", std::move(body));
}

HttpResponse Console::SettleQuestion(const Request& r) {
  auto id = r.Id("id", "question");
  if (!id.ok()) return ErrorPage(&r, id.status());
  const std::string what = r.Field("do");
  if (what == "ignore" && options_.settle_ignore) {
    Status settled = options_.settle_ignore(r.session.owner, *id);
    if (!settled.ok()) return ErrorPage(&r, settled);
    return Redirect("/console/unanswered?did=ignored");
  }
  if (!options_.settle_as_topic || !options_.settle_with_answer) {
    return ErrorPage(&r, FailedPreconditionError("answering from the console is not set up"));
  }
  if (what == "answer") {
    Status settled = options_.settle_with_answer(r.session.owner, *id, r.Field("answer"));
    if (!settled.ok()) return ErrorPage(&r, settled);
    return Redirect("/console/unanswered?did=answered");
  }
  if (what == "its") {
    auto topic = r.Id("topic", "topic");
    if (!topic.ok()) return ErrorPage(&r, topic.status());
    Status settled = options_.settle_as_topic(r.session.owner, *id, *topic);
    if (!settled.ok()) return ErrorPage(&r, settled);
    return Redirect("/console/unanswered?did=taught");
  }
  return ErrorPage(&r, InvalidArgumentError("unknown change \"" + what + "\""));
}

HttpResponse Console::Activity(const Request& r) {
  const int64_t since = clock_.UnixMillis() - options_.activity_period.count();
  auto activity = store_.GetOwnerActivity(r.session.owner, since);
  if (!activity.ok()) return ErrorPage(&r, activity.status());
  const store::OwnerActivity& a = *activity;
  auto row = [](std::string_view label, int64_t n) {
    return "<tr><td>" + std::string(label) + "</td><td>" + std::to_string(n) + "</td></tr>";
  };
  std::string body = "<table id=\"activity\">" + row("Questions asked", a.asked) +
                     row("Answered by the bot", a.answered) +
                     row("Handed to you", a.handed_off) + row("Answered by you since", a.resolved) +
                     row("👍", a.thumbs_up) + row("👎", a.thumbs_down) + "</table>";
  if (a.asked > 0) {
    body += "<p>Your bot answered " + Percent(static_cast<double>(a.answered) / a.asked) +
            " of the questions by itself.</p>";
  }
  body += "<p class=\"muted\">Since " + HtmlEscape(UtcMinute(since)) + ".</p>";
  return Html(r, "Last 7 days", "activity", std::move(body));
}

HttpResponse Console::ImportPage(const Request& r) {
  std::string body =
      "<p><a class=\"button\" href=\"/console/export\" id=\"export\">Download your topics "
      "(Rasa NLU YAML)</a></p><h2>Import</h2>"
      "<form method=\"post\" action=\"/console/import\" class=\"card\">" + CsrfInput(r.csrf) +
      "<label for=\"yaml-file\">A Rasa NLU YAML file</label>"
      "<input type=\"file\" id=\"yaml-file\" accept=\".yml,.yaml,text/yaml\">"
      "<label for=\"yaml-text\">or paste it</label>"
      "<textarea id=\"yaml-text\" name=\"yaml\" rows=\"12\"></textarea>"
      "<p class=\"muted\">Each intent becomes a topic (its first example the question, its "
      "<code>utter_</code> response the answer; without one it waits for an answer). A topic "
      "whose name you have already is updated. Imported topics are drafts until you "
      "publish.</p>"
      "<button type=\"submit\" class=\"primary\">Import</button></form>";
  return Html(r, "Import / export", "import", std::move(body));
}

HttpResponse Console::Import(const Request& r) {
  const store::UserRef& owner = r.session.owner;
  const std::string yaml = r.Field("yaml");
  if (yaml.size() > kMaxImportBytes) {
    return ErrorPage(
        &r, ResourceExhaustedError("the file is " + std::to_string(yaml.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxImportBytes) +
                                   " bytes (as for PUT /api/v1/topics)"));
  }
  auto incoming = assistant::TopicsFromNluYaml(yaml, "the uploaded file");
  if (!incoming.ok()) return ErrorPage(&r, incoming.status());
  auto imported = topics_.Import(owner, *incoming, /*replace=*/false);
  if (!imported.ok()) return ErrorPage(&r, imported.status());
  const auto needs_answer = static_cast<size_t>(imported->needs_answer);
  std::string body = "<p id=\"imported\">Imported " +
                     assistant::Count(incoming->size(), "topic") + " (" +
                     std::to_string(imported->added) + " new, " +
                     std::to_string(imported->updated) + " updated, " +
                     std::to_string(imported->unchanged) + " already there)";
  if (needs_answer > 0) {
    body += "; " + assistant::Count(needs_answer, "topic") + " still need an answer";
  }
  body += ". They go live when you publish.</p><p><a class=\"button\" href=\"/console/\">See "
          "your topics</a></p>";
  return Html(r, "Import / export", "import", std::move(body));
}

HttpResponse Console::Export(const Request& r) {
  auto topics = topics_.List(r.session.owner);
  if (!topics.ok()) return ErrorPage(&r, topics.status());
  HttpResponse response = Document(200, "application/x-yaml; charset=utf-8",
                                   assistant::TopicsAsNluYaml(*topics));
  response.headers["Content-Disposition"] = "attachment; filename=\"faqbot-topics.yml\"";
  return response;
}

HttpResponse Console::TokensPage(const Request& r) {
  auto tokens = store_.ListApiTokens(r.session.owner);
  if (!tokens.ok()) return ErrorPage(&r, tokens.status());
  std::string body = "<p class=\"muted\">A token lets an HTTP client use your bot through the "
                     "Rasa-compatible API (<code>POST /model/parse</code>). Only its hash is "
                     "kept: a new token is shown once.</p>";
  // A one-time value: the form sent again (a reload of the page showing the new token) creates
  // no second token.
  auto once = RandomHex(16);
  if (!once.ok()) return ErrorPage(&r, once.status());
  body += "<form method=\"post\" action=\"/console/tokens\" class=\"card\">" + CsrfInput(r.csrf) +
          "<input type=\"hidden\" name=\"once\" value=\"" + *once +
          "\"><input type=\"hidden\" name=\"do\" value=\"create\"><label for=\"name\">Label</label>"
          "<input type=\"text\" id=\"name\" name=\"name\" placeholder=\"e.g. ci\">"
          "<button type=\"submit\" class=\"primary\">Create a token</button></form>";
  body += "<table id=\"tokens\"><tr><th>Id</th><th>Label</th><th>Created</th><th>Last used</th>"
          "<th></th></tr>";
  for (const auto& t : *tokens) {
    body += "<tr><td>" + std::to_string(t.id) + "</td><td>" + HtmlEscape(t.name) + "</td><td>" +
            UtcMinute(t.created_at) + "</td><td>" + UtcMinute(t.last_used_at) + "</td><td>" +
            PostButton("/console/tokens", r.csrf, {{"do", "revoke"}, {"id", std::to_string(t.id)}},
                       "Revoke", "danger") +
            "</td></tr>";
  }
  body += "</table>";
  return Html(r, "API tokens", "tokens", std::move(body));
}

HttpResponse Console::ChangeTokens(const Request& r) {
  const store::UserRef& owner = r.session.owner;
  if (r.Field("do") == "create") {
    // The form's one-time value is kept with the token: the form sent again, to this process or
    // another behind the same load balancer, makes no second token.
    auto created = CreateApiToken(store_, owner, r.Field("name"), r.Field("once"));
    if (created.status().code() == StatusCode::kAlreadyExists && !r.Field("once").empty()) {
      return Redirect("/console/tokens?did=created_before");
    }
    if (!created.ok()) return ErrorPage(&r, created.status());
    std::string body = "<p>Token " + std::to_string(created->info.id) +
                       " created. Copy it now: it is not shown again.</p>"
                       "<p class=\"card secret\" id=\"new-token\">" +
                       HtmlEscape(created->token) +
                       "</p><p><a class=\"button\" href=\"/console/tokens\">Done</a></p>";
    return Html(r, "API tokens", "tokens", std::move(body));
  }
  if (r.Field("do") == "revoke") {
    auto id = r.Id("id", "token");
    if (!id.ok()) return ErrorPage(&r, id.status());
    if (Status s = store_.RevokeApiToken(owner, *id); !s.ok()) return ErrorPage(&r, s);
    return Redirect("/console/tokens?did=revoked");
  }
  return ErrorPage(&r, InvalidArgumentError("unknown change \"" + r.Field("do") + "\""));
}

}  // namespace faqbot::server
