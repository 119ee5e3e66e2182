#include "assistant/home_tab.h"

#include <algorithm>

#include "assistant/assistant_internal.h"
#include "common/logging.h"
#include "common/utf8.h"
#include "store/topic_state.h"

namespace faqbot::assistant {
namespace {

constexpr int64_t kMillisPerDay = 24 * 60 * 60 * 1000;

Reply Head(const store::TopicOverview& overview) {
  size_t live = 0, drafts = 0, unanswered = 0;
  for (const auto& [t, state] : overview.topics) {
    if (t.content.answer.empty()) {
      ++unanswered;
    } else if (state == store::TopicState::kLive) {
      ++live;
    } else {
      ++drafts;
    }
  }
  Reply r = Say1("*Your FAQ bot*");
  if (overview.topics.empty()) {
    r.paragraphs.push_back(
        Line("You have no topics yet. Add the questions people keep asking "
             "you, with your answers, then publish."));
  } else {
    std::string line = Count(overview.topics.size(), "topic") + ": " + std::to_string(live) +
                       " ✅ live, " + std::to_string(drafts) + " 🅾 not yet published";
    if (unanswered > 0) {
      line += ", " + std::to_string(unanswered) +
              (unanswered == 1 ? " ❗ needs an answer" : " ❗ need an answer");
    }
    r.paragraphs.push_back(Line(line + "."));
  }
  if (overview.publish_changes_something) {
    r.context.push_back(Line("Publish to make your bot answer with the topics as they are now."));
  }
  r.buttons = {Btn("Add topic", kActionHomeAddTopic, "", Button::Style::kPrimary)};
  if (overview.publish_changes_something) {
    // The Home tab publishes at the press, where the DM asks first: Slack asks here instead.
    Button publish = Btn("Publish", kActionHomePublish);
    if (overview.publish_takes_bot_down) {
      // Nothing left to answer with: publishing takes the bot down. Say so plainly.
      publish.style = Button::Style::kDanger;
      publish.confirm =
          Button::Confirm{"Take your bot offline?",
                          "You have no topics left to publish: your bot stops answering the " +
                              Count(overview.removed_on_publish.size(), "topic") +
                              " it knows, and askers hear that you haven't published any.",
                          "Take it offline"};
    } else {
      publish.confirm = Button::Confirm{
          "Publish your topics?",
          "From then on your bot answers with your topics as they are now" +
              std::string(drafts > 0 ? " (" + std::to_string(drafts) + " not yet published)" : "") +
              ".",
          "Publish"};
    }
    r.buttons.push_back(std::move(publish));
  }
  r.buttons.push_back(Btn("Open the web console", kActionOpenConsole));
  return r;
}

Reply Activity(const Result<store::OwnerActivity>& activity, int days) {
  Reply r = Say1("*Last " + Count(static_cast<size_t>(days), "day") + "*");
  if (!activity.ok()) {
    r.paragraphs.push_back(Line("I can't read the figures right now."));
    return r;
  }
  const store::OwnerActivity& a = *activity;
  r.paragraphs.push_back(
      Line("Asked: " + std::to_string(a.asked) + " · Answered by your bot: " +
           std::to_string(a.answered) + " · Handed off to you: " + std::to_string(a.handed_off) +
           " (" + std::to_string(a.resolved) + " answered since) · 👍 " +
           std::to_string(a.thumbs_up) + " · 👎 " + std::to_string(a.thumbs_down)));
  return r;
}

std::string Preview(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  return std::string(Utf8Prefix(text, max_bytes)) + "…";
}

}  // namespace

HomeTab::HomeTab(store::Store& store, Topics& topics, Messenger& messenger, Executor& executor,
                 Clock& clock, HomeTabOptions options)
    : store_(store),
      topics_(topics),
      messenger_(messenger),
      executor_(executor),
      clock_(clock),
      options_(options) {}

HomeTab::~HomeTab() {
  std::unique_lock lock(state_->mu);
  state_->stopped = true;
  state_->idle.wait(lock, [&] { return state_->running == 0; });
}

Result<HomeView> HomeTab::Build(const store::UserRef& owner, int page) {
  FAQBOT_ASSIGN_OR_RETURN(auto topics, store_.ListTopics(owner));
  FAQBOT_ASSIGN_OR_RETURN(auto live, store_.GetLivePublication(owner, false));
  const store::TopicOverview overview = store::Overview(topics, live);
  HomeView view;
  view.sections.push_back(Head(overview));
  const int64_t since = clock_.UnixMillis() - options_.activity_days * kMillisPerDay;
  view.sections.push_back(Activity(store_.GetOwnerActivity(owner, since), options_.activity_days));

  const int per_page = std::max(1, options_.topics_per_page);
  const int pages = std::max<int>(
      1, static_cast<int>((overview.topics.size() + static_cast<size_t>(per_page) - 1) /
                          static_cast<size_t>(per_page)));
  page = std::clamp(page, 0, pages - 1);
  Reply list;
  if (!overview.topics.empty()) {
    list = Say1("*Your topics*" + (pages > 1 ? " (page " + std::to_string(page + 1) + " of " +
                                                   std::to_string(pages) + ")"
                                             : std::string()));
    const size_t first = static_cast<size_t>(page) * static_cast<size_t>(per_page);
    const size_t end = std::min(overview.topics.size(), first + static_cast<size_t>(per_page));
    for (size_t i = first; i < end; ++i) {
      const auto& [t, state] = overview.topics[i];
      ListItem item;
      if (t.content.answer.empty()) {
        item.text = Line({Words("❗ "), UserText(t.content.question), Words(" — needs an answer")});
      } else {
        item.text = Line({Words(state == store::TopicState::kLive ? "✅ " : "🅾 "),
                          UserText(t.content.question), Words(" — "),
                          UserText(Preview(t.content.answer, options_.answer_preview_bytes))});
      }
      if (!t.content.phrasings.empty()) {
        item.text.spans.push_back(
            Words(" (+" + Count(t.content.phrasings.size(), "phrasing") + ")"));
      }
      item.buttons = {Btn("Edit", kActionHomeEditTopic, std::to_string(t.id))};
      list.items.push_back(std::move(item));
    }
    if (page > 0)
      list.buttons.push_back(Btn("Previous", kActionHomePage, std::to_string(page - 1)));
    if (page + 1 < pages) {
      list.buttons.push_back(Btn("Next", kActionHomePage, std::to_string(page + 1)));
    }
    if (!overview.removed_on_publish.empty()) {
      list.context.push_back(Line("✖ " + Count(overview.removed_on_publish.size(), "live topic") +
                                  " deleted since: the next publish removes them."));
    }
    view.sections.push_back(std::move(list));
  }

  auto unanswered =
      UnansweredList(store_, owner, options_.unanswered_shown,
                     options_.nearest_topics ? options_.nearest_topics(owner) : NearestTopics());
  if (!unanswered) return UnavailableError("cannot read the unanswered questions");
  view.sections.push_back(std::move(*unanswered));
  return view;
}

void HomeTab::Refresh(const store::UserRef& owner) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopped) return;
    if (!state_->queued.insert(owner).second) return;  // joins the one queued
  }
  const bool posted = executor_.Post([this, state = state_, owner] {
    {
      std::lock_guard lock(state->mu);
      state->queued.erase(owner);
      if (state->stopped) return;
      ++state->running;
    }
    Show(owner);
    std::lock_guard lock(state->mu);
    --state->running;
    state->idle.notify_all();
  });
  if (!posted) {
    std::lock_guard lock(state_->mu);
    state_->queued.erase(owner);
    LogDebug("home: not refreshing the Home of {}/{}: shutting down", owner.team_id, owner.user_id);
  }
}

void HomeTab::Show(const store::UserRef& owner) {
  int page = 0;
  {
    std::lock_guard lock(state_->mu);
    if (auto it = state_->pages.find(owner); it != state_->pages.end()) page = it->second;
  }
  auto view = Build(owner, page);
  Status shown = view.ok() ? messenger_.ShowHome(owner, *view) : view.status();
  if (!shown.ok()) {
    LogWarn("home: cannot show the Home of {}/{}: {}", owner.team_id, owner.user_id,
            shown.ToString());
  }
}

bool HomeTab::Handles(const std::string& action) {
  return action == kActionHomeAddTopic || action == kActionHomeEditTopic ||
         action == kActionHomePublish || action == kActionHomePage ||
         action == kActionHomeMergeTopic || action == kActionHomeKeepTopic;
}

Status HomeTab::Press(const ButtonPress& press) {
  if (press.action == kActionHomeAddTopic)
    return messenger_.OpenForm(press.from, press.trigger_id, {});
  if (press.action == kActionHomeEditTopic) {
    const std::optional<int64_t> id = ParseId(press.value);
    if (!id) return InvalidArgumentError("not a topic id: " + press.value);
    FAQBOT_ASSIGN_OR_RETURN(auto topic, store_.GetTopic(press.from, *id));
    if (!topic) {
      // A Home older than the last change (or a forged press): say so and show it as it is.
      TellInDm(press.from, "I can't find that topic among yours any more (deleted?).");
      Refresh(press.from);
      return NotFoundError("topic " + press.value + " not found");
    }
    return messenger_.OpenForm(press.from, press.trigger_id, EditForm(*topic));
  }
  if (press.action == kActionHomePage) {
    const std::optional<int64_t> page = press.value == "0" ? 0 : ParseId(press.value);
    if (!page || *page > 100'000) return InvalidArgumentError("not a page: " + press.value);
    {
      std::lock_guard lock(state_->mu);
      state_->pages[press.from] = static_cast<int>(*page);
    }
    Refresh(press.from);
    return Status::Ok();
  }
  if (press.action == kActionHomePublish) {
    // The Home may be older than the last change: a publish that changes nothing (no topics at
    // all, or exactly what is live) is not made.
    auto topics = store_.ListTopics(press.from);
    auto live = store_.GetLivePublication(press.from, false);
    if (topics.ok() && live.ok() && !store::Overview(*topics, *live).publish_changes_something) {
      TellInDm(press.from, topics->empty()
                               ? "You don't have any topics to publish yet. Add one first?"
                               : "Your bot already answers with your topics as they are now "
                                 ":white_check_mark:");
      Refresh(press.from);
      return Status::Ok();
    }
    auto enqueued = topics_.Publish(press.from);
    if (!enqueued.ok()) {
      TellInDm(press.from,
               "I couldn't publish your topics :scream_cat: Please try again in a "
               "minute.");
      return enqueued.status();
    }
    TellInDm(press.from, enqueued->topics == 0
                             ? "Your bot goes offline shortly: it stops answering until you "
                               "publish topics again. I'll ping you back when done."
                             : "Your topics will be published shortly :heart_eyes_cat: I'll ping "
                               "you back when done.");
    return Status::Ok();
  }
  if (press.action == kActionHomeMergeTopic) {
    const size_t colon = press.value.find(':');
    const std::optional<int64_t> added =
        colon == std::string::npos ? std::nullopt : ParseId(press.value.substr(0, colon));
    const std::optional<int64_t> into =
        colon == std::string::npos ? std::nullopt : ParseId(press.value.substr(colon + 1));
    if (!added || !into) return InvalidArgumentError("not a merge: " + press.value);
    FAQBOT_ASSIGN_OR_RETURN(const bool first, FirstAnswerTo(press, *added));
    return first ? MergeTopic(press, *added, *into) : Status::Ok();
  }
  if (press.action == kActionHomeKeepTopic) {
    const std::optional<int64_t> added = ParseId(press.value);
    if (!added) return InvalidArgumentError("not a topic id: " + press.value);
    FAQBOT_ASSIGN_OR_RETURN(const bool first, FirstAnswerTo(press, *added));
    if (first) {
      ReplacePressed(press, Say1("Ok, kept as a new topic. It goes live when you publish."));
    }
    return Status::Ok();
  }
  return InvalidArgumentError("not a Home button: " + press.action);
}

Status HomeTab::Submit(const FormSubmission& submission) {
  if (submission.form_id != kTopicFormId) {
    return InvalidArgumentError("not a topic form: " + submission.form_id);
  }
  FAQBOT_ASSIGN_OR_RETURN(TopicForm form, ParseTopicForm(submission));
  if (!ValidateTopicForm(form).empty()) {
    return InvalidArgumentError("the form has errors; it showed them");
  }
  if (form.question_kept || form.answer_kept || form.phrasings_shown) {
    // What the form could not show stays: put back from the topic as it is now.
    FAQBOT_ASSIGN_OR_RETURN(auto stored, store_.GetTopic(submission.from, form.topic_id));
    if (stored) form = WithKeptTexts(std::move(form), stored->content);
  }
  const store::TopicContent content{form.question, form.phrasings, form.answer};
  Result<store::Topic> saved = form.topic_id == 0
                                   ? topics_.Add(submission.from, content)
                                   : topics_.Edit(submission.from, form.topic_id, content);
  if (!saved.ok()) {
    TellInDm(submission.from,
             saved.status().code() == StatusCode::kNotFound
                 ? "I couldn't save that topic: it is not one of yours any more (deleted?)."
                 : "I couldn't save that topic :scream_cat: " + saved.status().message());
    return saved.status();
  }
  if (form.topic_id != 0) return Status::Ok();
  // As in the DM: a question the live bot already answers is probably another way to ask.
  const std::optional<LiveMatch> match =
      topics_.Match(submission.from, form.question, options_.similar_topic_confidence);
  if (!match) return Status::Ok();
  const std::string& like = match->topic.content.question;
  Reply r;
  r.paragraphs.push_back(
      Line({Words("Your new topic "), UserText(form.question), Words(" looks like your topic "),
            UserText(like), Words(" — your bot already answers it with that one.")}));
  r.paragraphs.push_back(
      Line("Add it as another phrasing of that topic (its answer stays), or keep it as a new "
           "topic?"));
  r.buttons = {Btn("Add as a phrasing of “" + like + "”", kActionHomeMergeTopic,
                   std::to_string(saved->id) + ":" + std::to_string(match->topic.topic_id),
                   Button::Style::kPrimary),
               Btn("Keep as a new topic", kActionHomeKeepTopic, std::to_string(saved->id))};
  Status sent = messenger_.Send(Destination::Direct(submission.from), r);
  if (!sent.ok()) LogWarn("home: cannot message {}: {}", submission.from.user_id, sent.ToString());
  return Status::Ok();
}

Result<bool> HomeTab::FirstAnswerTo(const ButtonPress& press, int64_t added) {
  // Kept as long as a topic id could be pressed on: the prompt's message stays in the DM.
  constexpr std::chrono::hours kRemembered{24 * 365};
  const std::string mark =
      "home-similar:" + press.from.team_id + ":" + press.from.user_id + ":" + std::to_string(added);
  auto first = store_.MarkEventIfNew(mark, kRemembered);
  if (!first.ok()) {
    TellInDm(press.from, "I couldn't do that just now — please try again.");
    return first.status();
  }
  if (!*first) TellInDm(press.from, "You answered that one already — nothing changed.");
  return *first;
}

Status HomeTab::MergeTopic(const ButtonPress& press, int64_t added, int64_t into) {
  FAQBOT_ASSIGN_OR_RETURN(auto topic, store_.GetTopic(press.from, added));
  if (!topic) {
    // Deleted since.
    ReplacePressed(press, Say1("_That topic is not there any more — nothing changed._"));
    return Status::Ok();
  }
  auto learned = topics_.MergeInto(press.from, added, into);
  if (!learned.ok()) {
    // The answer is taken (one-shot): the owner finishes by hand.
    TellInDm(press.from,
             learned.status().code() == StatusCode::kNotFound
                 ? "I can't find that topic any more."
                 : "I couldn't add it as a phrasing :scream_cat: " + learned.status().message() +
                       " It stays a topic of its own: edit the other topic to add "
                       "its question as a phrasing.");
    return learned.status();
  }
  Reply done;
  done.paragraphs.push_back(Line(
      {Words("Done: "), UserText(topic->content.question),
       Words(!topic->content.phrasings.empty() ? " and its other phrasings are now ways to ask "
                                               : " is now another way to ask "),
       UserText(learned->topic.content.question), Words(".")}));
  done.paragraphs.push_back(Line(learned->live ? "It's live: your bot answers it already."
                                               : "It goes live when you publish."));
  ReplacePressed(press, done);
  return Status::Ok();
}

void HomeTab::ReplacePressed(const ButtonPress& press, const Reply& reply) {
  const Destination to = PressedMessage(press).value_or(Destination::Direct(press.from));
  Status sent = messenger_.Send(to, reply);
  if (!sent.ok()) LogWarn("home: cannot message {}: {}", press.from.user_id, sent.ToString());
}

void HomeTab::TellInDm(const store::UserRef& who, const std::string& words) {
  Status sent = messenger_.Send(Destination::Direct(who), Say1(words));
  if (!sent.ok())
    LogWarn("home: cannot message {}/{}: {}", who.team_id, who.user_id, sent.ToString());
}

}  // namespace faqbot::assistant
