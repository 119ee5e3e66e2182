// Assistant: the concierge dialogue in the owner's DM — teaching, listing, editing, deleting and
// publishing topics. Texts follow the old system's (seed-behaviour §1.7) where it had them.
#include <algorithm>
#include <cctype>
#include <map>

#include "assistant/assistant.h"
#include "assistant/assistant_internal.h"
#include "common/logging.h"
#include "common/string_util.h"
#include "store/limits.h"
#include "store/topic_state.h"

namespace faqbot::assistant {
namespace {

using Step = DialogueState::Step;

Button Btn(std::string label, std::string action, std::string value = "",
           Button::Style style = Button::Style::kDefault) {
  return {std::move(label), std::move(action), std::move(value), style};
}

std::vector<Button> MenuButtons() {
  return {Btn("Add a topic", "add_topic", "", Button::Style::kPrimary),
          Btn("Show my topics", "list_topics"), Btn("Publish", "publish"),
          Btn("Unanswered questions", "unanswered"), Btn("Help", "help")};
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "cancel" typed while a flow waits for text: exact words only, so an answer that merely
// mentions cancelling is still taken as an answer.
bool IsCancelWord(const std::string& text) {
  static const char* const kWords[] = {"cancel", "stop", "never mind", "nevermind",
                                       "abort",  "quit", "exit",       "cancel that"};
  std::string t = Lower(Trim(text));
  while (!t.empty() && (t.back() == '.' || t.back() == '!')) t.pop_back();
  return std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return t == w; });
}

}  // namespace

void Assistant::Converse(Turn& turn, const std::string& raw_text) {
  const std::string text = Trim(raw_text);
  if (AwaitsText(turn.state.step)) {
    if (IsCancelWord(text)) {
      turn.Set({});
      return Say(turn, Say1("Ok, cancelled. Nothing was changed."));
    }
    return ContinueFlow(turn, text);
  }
  const ConciergeNlu::Understanding u = concierge_.Understand(text);
  Dispatch(turn, u.intent, "");
}

void Assistant::Dispatch(Turn& turn, ConciergeIntent intent, const std::string& value) {
  const bool confirming = turn.state.step == Step::kConfirmDelete ||
                          turn.state.step == Step::kConfirmDeleteAll ||
                          turn.state.step == Step::kConfirmPublish;
  if (intent == ConciergeIntent::kAffirm || intent == ConciergeIntent::kDeny) {
    if (confirming) return Confirm(turn, intent == ConciergeIntent::kAffirm);
    if (intent == ConciergeIntent::kDeny) return Say(turn, Say1("That's fine, leaving as it is."));
    return Say(turn, Say1("Great, carry on! :heart_eyes_cat:"));
  }
  // Anything else leaves a pending question unanswered and moves on.
  if (turn.state.step != Step::kIdle) turn.Set({});
  switch (intent) {
    case ConciergeIntent::kGreet:
      return Greet(turn);
    case ConciergeIntent::kHelp:
      return Help(turn);
    case ConciergeIntent::kAddTopic:
      return StartAddTopic(turn);
    case ConciergeIntent::kListTopics:
      return ListTopics(turn);
    case ConciergeIntent::kEditTopic:
      return StartEdit(turn, value);
    case ConciergeIntent::kDeleteTopic:
      return StartDelete(turn, value);
    case ConciergeIntent::kDeleteAllTopics:
      return AskDeleteAll(turn);
    case ConciergeIntent::kPublish:
      return AskPublish(turn);
    case ConciergeIntent::kUnanswered:
      return ListUnanswered(turn);
    case ConciergeIntent::kAsk:
      return Say(turn, Say1("To ask someone's bot, write `ask @person your question` — here, in "
                            "a channel with `@faqbot ask @person …`, or with `/ask @person …`."));
    case ConciergeIntent::kCancel:
      return Say(turn, Say1("Ok, nothing to cancel."));
    case ConciergeIntent::kThanks:
      return Say(turn, Say1("You're welcome :smile_cat:"));
    case ConciergeIntent::kGoodbye:
      return Say(turn, Say1("Bye :wave:"));
    case ConciergeIntent::kOutOfScope: {
      Reply r = Say1("Sorry, I can't handle that request :scream_cat:");
      r.buttons = MenuButtons();
      return Say(turn, r);
    }
    case ConciergeIntent::kAffirm:
    case ConciergeIntent::kDeny:
      return;  // handled above
    case ConciergeIntent::kUnknown: {
      Reply r = Say1("I'm sorry, I didn't quite understand that. Could you rephrase? Or pick one:");
      r.buttons = MenuButtons();
      return Say(turn, r);
    }
  }
}

void Assistant::Greet(Turn& turn) {
  const std::string name = NameOf(turn.who);
  Reply r = Say1("Hey" + CommaName(name) + "! How can I help? :wave:");
  r.buttons = MenuButtons();
  Say(turn, r);
}

void Assistant::Help(Turn& turn) {
  Reply r;
  r.paragraphs.push_back(
      Line("I answer the questions people keep asking you, so you can focus on important stuff "
           ":muscle:"));
  r.paragraphs.push_back(Line(
      "Teach me a topic (a question and its answer), then publish: from then on anyone can write "
      "`ask @you their question` — here, in a channel with `@faqbot ask @you …`, or with "
      "`/ask @you …` — and get your answer in whatever words they use. When I'm not sure, I say "
      "so and ask you; your reply becomes a new topic."));
  r.paragraphs.push_back(
      Line("Say things like *add a topic*, *show my topics*, *publish*, *unanswered questions*; "
           "*cancel* leaves whatever we are doing."));
  r.buttons = MenuButtons();
  Say(turn, r);
}

void Assistant::StartAddTopic(Turn& turn) {
  auto count = store_.CountTopics(turn.who);
  if (count.ok() && *count >= static_cast<int64_t>(store::kMaxTopicsPerOwner)) {
    return Say(turn, Say1("You already have " + std::to_string(*count) +
                          " topics, the most I keep for one person. Delete some first."));
  }
  turn.Set({Step::kAwaitQuestion, "", 0, 0});
  Say(turn, Say1("What question should I expect? (Type *cancel* to stop.)"));
}

void Assistant::ContinueFlow(Turn& turn, const std::string& text) {
  if (text.empty()) return Say(turn, Say1("I need some text here — or type *cancel*."));
  switch (turn.state.step) {
    case Step::kAwaitQuestion: {
      if (text.size() > store::kMaxQuestionBytes) {
        return Say(turn, Say1("That question is too long (" + std::to_string(text.size()) +
                              " bytes; the limit is " + std::to_string(store::kMaxQuestionBytes) +
                              "). Could you make it shorter?"));
      }
      turn.Set({Step::kAwaitAnswer, text, 0, 0});
      return Say(turn, Say1("What answer should I provide?"));
    }
    case Step::kAwaitAnswer:
      return AddTopicFromAnswer(turn, text);
    case Step::kAwaitPhrasing: {
      auto topic = store_.GetTopic(turn.who, turn.state.topic_id);
      if (!topic.ok() || !topic->has_value()) {
        turn.Set({});
        return Say(turn, Say1("I can't find that topic any more. Nothing was changed."));
      }
      store::TopicEdit edit;
      edit.phrasings = (*topic)->content.phrasings;
      edit.phrasings->push_back(text);
      auto updated = store_.UpdateTopic(turn.who, turn.state.topic_id, edit);
      if (!updated.ok()) {
        return Say(turn, Say1("I couldn't add that phrasing: " + updated.status().message() +
                              ". Try another one, or type *cancel*."));
      }
      turn.Set({});
      Reply r;
      r.paragraphs.push_back(
          Line({Words("Got it — "), UserText(text), Words(" also asks "),
                UserText(updated->content.question), Words(". Publish to make it live.")}));
      r.buttons = {Btn("Another phrasing", kActionAddPhrasing, std::to_string(updated->id)),
                   Btn("Publish", "publish", "", Button::Style::kPrimary)};
      return Say(turn, r);
    }
    case Step::kAwaitNewAnswer: {
      store::TopicEdit edit;
      edit.answer = text;
      auto updated = store_.UpdateTopic(turn.who, turn.state.topic_id, edit);
      if (!updated.ok()) {
        if (updated.status().code() == StatusCode::kNotFound) turn.Set({});
        return Say(turn, Say1("I couldn't change that answer: " + updated.status().message()));
      }
      turn.Set({});
      Reply r;
      r.paragraphs.push_back(
          Line({Words("Updated the answer to "), UserText(updated->content.question),
                Words(". It goes live when you publish.")}));
      r.buttons = {Btn("Publish", "publish", "", Button::Style::kPrimary),
                   Btn("Show my topics", "list_topics")};
      return Say(turn, r);
    }
    default:
      return;
  }
}

void Assistant::AddTopicFromAnswer(Turn& turn, const std::string& answer) {
  store::TopicContent content{turn.state.question, {}, answer};
  auto topic = store_.AddTopic(turn.who, content);
  if (!topic.ok()) {
    if (topic.status().code() == StatusCode::kUnavailable) {
      // Keep the question: the same answer can be sent again once the database is back.
      return Say(turn, Say1("Seems like I cannot add new topic for you right now :scream_cat: "
                            "Send the answer again in a minute, or type *cancel*."));
    }
    return Say(turn, Say1("I couldn't add that topic: " + topic.status().message() +
                          ". Send another answer, or type *cancel*."));
  }
  const int64_t handoff = turn.state.handoff_id;
  turn.Set({});
  const std::string name = NameOf(turn.who);
  Reply r = Say1("Topic added" + CommaName(name) + " :kissing_cat: It goes live when you publish.");
  r.paragraphs.push_back(Line("Would you like to add anything else?"));
  r.buttons = {Btn("Yes, one more, please.", "add_topic", "", Button::Style::kPrimary),
               Btn("Another phrasing of this one", kActionAddPhrasing, std::to_string(topic->id)),
               Btn("Publish now", "publish"), Btn("All good for now.", "deny")};
  Say(turn, r);

  if (handoff != 0) {
    auto asked = store_.GetQuestion(handoff);
    if (asked.ok() && asked->has_value() && (*asked)->owner == turn.who) {
      (void)store_.SetQuestionOutcome(handoff, store::QuestionOutcome::kResolved, topic->id);
      DeliverAnswer(turn, **asked, answer);
    }
  }
}

void Assistant::ListTopics(Turn& turn) {
  auto topics = store_.ListTopics(turn.who);
  auto live = store_.GetLivePublication(turn.who, false);
  if (!topics.ok() || !live.ok()) {
    return Say(turn, Say1("Seems like I cannot get your topics currently :scream_cat: Please try "
                          "again in a minute."));
  }
  if (topics->empty() && !live->has_value()) {
    Reply r =
        Say1("You don't have any topics yet" + CommaName(NameOf(turn.who)) + ". Add one now?");
    r.buttons = {Btn("Let's add new topic.", "add_topic", "", Button::Style::kPrimary),
                 Btn("What else can you do?", "help")};
    return Say(turn, r);
  }
  const store::TopicOverview overview = store::Overview(*topics, *live);
  Reply r;
  size_t live_count = 0;
  for (const auto& [t, state] : overview.topics) live_count += state == store::TopicState::kLive;
  r.paragraphs.push_back(
      Line("Here are your current topics :smirk_cat: ✅ live, 🅾 not yet "
           "published (" +
           std::to_string(live_count) + " of " + std::to_string(topics->size()) + " live)."));
  for (const auto& [t, state] : overview.topics) {
    ListItem item;
    item.text = Line({Words(state == store::TopicState::kLive ? "✅ " : "🅾 "),
                      UserText(t.content.question), Words(" — "), UserText(t.content.answer)});
    if (!t.content.phrasings.empty()) {
      item.text.spans.push_back(Words(" (+" + std::to_string(t.content.phrasings.size()) +
                                      " phrasing" + (t.content.phrasings.size() == 1 ? "" : "s") +
                                      ")"));
    }
    const std::string id = std::to_string(t.id);
    item.buttons = {Btn("Edit answer", "edit_topic", id),
                    Btn("Add phrasing", kActionAddPhrasing, id),
                    Btn("Delete", "delete_topic", id, Button::Style::kDanger)};
    r.items.push_back(std::move(item));
  }
  for (const auto& removed : overview.removed_on_publish) {
    ListItem item;
    item.text = Line({Words("✖ "), UserText(removed.content.question),
                      Words(" — live now, deleted: the next publish removes it")});
    r.items.push_back(std::move(item));
  }
  if (!overview.publish_changes_something) {
    r.context.push_back(Line("Everything is live: your bot answers exactly these topics."));
  }
  r.buttons = {Btn("Let's add new topic.", "add_topic"),
               Btn("Publish all current topics.", "publish", "", Button::Style::kPrimary),
               Btn("Delete all topics.", "delete_all_topics", "", Button::Style::kDanger)};
  Say(turn, r);
}

void Assistant::StartEdit(Turn& turn, const std::string& value) {
  auto id = ParseId(value);
  if (!id) {
    Say(turn, Say1("Which one? Press *Edit answer* next to a topic:"));
    return ListTopics(turn);
  }
  auto topic = store_.GetTopic(turn.who, *id);
  if (!topic.ok() || !topic->has_value()) {
    return Say(turn, Say1("I can't find that topic any more."));
  }
  turn.Set({Step::kAwaitNewAnswer, "", *id, 0});
  Reply r;
  r.paragraphs.push_back(Line({Words("What should the new answer to "),
                               UserText((*topic)->content.question), Words(" be?")}));
  r.paragraphs.push_back(Line({Words("Now: "), UserText((*topic)->content.answer)}));
  r.context.push_back(Line("Type *cancel* to keep it."));
  Say(turn, r);
}

void Assistant::StartPhrasing(Turn& turn, const std::string& value) {
  auto id = ParseId(value);
  auto topic = id ? store_.GetTopic(turn.who, *id)
                  : Result<std::optional<store::Topic>>(InvalidArgumentError("no topic"));
  if (!topic.ok() || !topic->has_value()) {
    return Say(turn, Say1("I can't find that topic any more."));
  }
  turn.Set({Step::kAwaitPhrasing, "", *id, 0});
  Reply r;
  r.paragraphs.push_back(Line(
      {Words("How else might people ask "), UserText((*topic)->content.question), Words("?")}));
  r.context.push_back(Line("Type *cancel* to stop."));
  Say(turn, r);
}

void Assistant::StartDelete(Turn& turn, const std::string& value) {
  auto id = ParseId(value);
  if (!id) {
    Say(turn, Say1("Which one? Press *Delete* next to a topic:"));
    return ListTopics(turn);
  }
  auto topic = store_.GetTopic(turn.who, *id);
  if (!topic.ok() || !topic->has_value()) {
    return Say(turn, Say1("I can't find that topic any more."));
  }
  turn.Set({Step::kConfirmDelete, "", *id, 0});
  Reply r;
  r.paragraphs.push_back(
      Line({Words("Delete "), UserText((*topic)->content.question), Words("?")}));
  r.buttons = {Btn("Yes, please.", "affirm", "", Button::Style::kDanger), Btn("Not yet.", "deny")};
  Say(turn, r);
}

void Assistant::AskDeleteAll(Turn& turn) {
  auto count = store_.CountTopics(turn.who);
  if (count.ok() && *count == 0) {
    return Say(turn, Say1("You don't have any topics to delete."));
  }
  turn.Set({Step::kConfirmDeleteAll, "", 0, 0});
  Reply r = Say1("Are you sure you want to drop all topics?");
  r.buttons = {Btn("Yes, please.", "affirm", "", Button::Style::kDanger), Btn("Not yet.", "deny")};
  Say(turn, r);
}

void Assistant::AskPublish(Turn& turn) {
  auto topics = store_.ListTopics(turn.who);
  auto live = store_.GetLivePublication(turn.who, false);
  if (!topics.ok() || !live.ok()) {
    return Say(turn, Say1("Seems like I cannot publish your topics currently :scream_cat: Please "
                          "try again in a minute."));
  }
  if (topics->empty()) {
    Reply r = Say1(live->has_value()
                       ? "You have deleted every topic. Add one before publishing — your bot "
                         "keeps answering with what it knew before."
                       : "You don't have any topics to publish yet. Add one first?");
    r.buttons = {Btn("Let's add new topic.", "add_topic", "", Button::Style::kPrimary)};
    return Say(turn, r);
  }
  if (!store::Overview(*topics, *live).publish_changes_something) {
    return Say(turn, Say1("Your bot already answers exactly these " +
                          std::to_string(topics->size()) + " topics :white_check_mark:"));
  }
  turn.Set({Step::kConfirmPublish, "", 0, 0});
  Reply r =
      Say1("Are you sure you want to publish all " + std::to_string(topics->size()) + " topics?");
  r.buttons = {Btn("Yes, please.", "affirm", "", Button::Style::kPrimary), Btn("Not yet.", "deny")};
  Say(turn, r);
}

void Assistant::Confirm(Turn& turn, bool yes) {
  const DialogueState pending = turn.state;
  turn.Set({});
  if (!yes) return Say(turn, Say1("That's fine, leaving as it is."));
  const std::string name = NameOf(turn.who);
  switch (pending.step) {
    case Step::kConfirmDelete: {
      Status deleted = store_.DeleteTopic(turn.who, pending.topic_id);
      if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) {
        return Say(turn, Say1("Seems like I cannot delete that topic currently :scream_cat: "));
      }
      Reply r = Say1("Deleted. If it was live, it keeps answering until you publish.");
      r.buttons = {Btn("Publish", "publish"), Btn("Show my topics", "list_topics")};
      return Say(turn, r);
    }
    case Step::kConfirmDeleteAll: {
      auto deleted = store_.DeleteAllTopics(turn.who);
      if (!deleted.ok()) {
        return Say(turn, Say1("Seems like I cannot delete your topics currently :scream_cat: "
                              "Please try again in a minute."));
      }
      return Say(turn, Say1("Ok" + CommaName(name) + ", all topics are dropped :crying_cat_face: " +
                            "Your published bot keeps answering until you publish again."));
    }
    case Step::kConfirmPublish: {
      // Recorded first, announced, then started: the "published" DM always comes second.
      auto enqueued = training_.Enqueue(turn.who, /*schedule=*/false);
      if (!enqueued.ok()) {
        return Say(turn, Say1("Seems like I cannot publish your topics currently :scream_cat: "
                              "Please try again in a minute."));
      }
      Say(turn, Say1("Ok" + CommaName(name) + ", all topics will be published shortly " +
                     ":heart_eyes_cat: I'll ping you back when done."));
      turn.start_training = true;
      return;
    }
    default:
      return Say(turn, Say1("Great, carry on! :heart_eyes_cat:"));
  }
}

void Assistant::ListUnanswered(Turn& turn) {
  auto waiting = store_.ListUnanswered(turn.who, 500);
  if (!waiting.ok()) {
    return Say(turn, Say1("Seems like I cannot get your questions currently :scream_cat:"));
  }
  if (waiting->empty()) return Say(turn, Say1("No questions are waiting for you :tada:"));
  // The same question asked several times is listed once, with its count and latest asker.
  struct Group {
    const store::AskedQuestion* latest = nullptr;
    int count = 0;
    bool disliked = false;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  for (const auto& q : *waiting) {
    const std::string key = Lower(Trim(q.text));
    auto [it, fresh] = groups.try_emplace(key);
    if (fresh) order.push_back(key);
    it->second.latest = &q;
    ++it->second.count;
    it->second.disliked |= q.feedback == store::Feedback::kDown;
  }
  Reply r = Say1(std::to_string(order.size()) + " question" + (order.size() == 1 ? "" : "s") +
                 " waiting for you:");
  int shown = 0;
  for (const auto& key : order) {
    if (shown++ >= options_.unanswered_limit) break;
    const Group& g = groups[key];
    ListItem item;
    item.text = Line({UserText(g.latest->text)});
    if (g.count > 1) item.text.spans.push_back(Words(" ×" + std::to_string(g.count)));
    item.text.spans.push_back(Words(" — asked by "));
    item.text.spans.push_back(Mention(g.latest->asker.user_id));
    if (g.disliked) item.text.spans.push_back(Words(" (👎 on my answer)"));
    const std::string id = std::to_string(g.latest->id);
    item.buttons = {Btn("Answer it", kActionHandoffAnswer, id, Button::Style::kPrimary),
                    Btn("Ignore", kActionHandoffIgnore, id)};
    r.items.push_back(std::move(item));
  }
  Say(turn, r);
}

}  // namespace faqbot::assistant
