// Assistant: teaching topics in the owner's DM — adding (with "looks like your topic X"),
// listing, showing one with its phrasings, changing its question or answer, adding and removing
// phrasings, deleting, and the unanswered list. The rules themselves live in Topics.
#include <charconv>
#include <cstdio>
#include <map>

#include "assistant/assistant.h"
#include "assistant/assistant_internal.h"
#include "common/logging.h"
#include "store/limits.h"
#include "store/topic_state.h"

namespace faqbot::assistant {

std::string Fingerprint(const std::string& text) {
  uint32_t h = 2166136261u;
  for (unsigned char c : text) h = (h ^ c) * 16777619u;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

namespace {

using Step = DialogueState::Step;

Reply CannotReach(const std::string& what) {
  return Say1("Seems like I cannot " + what + " right now :scream_cat: Please try again in a "
              "minute.");
}

// The live topics of a publication; none for no publication or a taken-down bot.
bool HasLiveTopics(const std::optional<store::Publication>& live) {
  return live && !live->topics.empty();
}

}  // namespace

void Assistant::StartAddTopic(Turn& turn) {
  auto count = store_.CountTopics(turn.who);
  if (count.ok() && *count >= static_cast<int64_t>(store::kMaxTopicsPerOwner)) {
    return Say(turn, Say1("You already have " + Count(static_cast<size_t>(*count), "topic") +
                          ", the most I keep for one person. Delete some first."));
  }
  turn.Set({Step::kAwaitQuestion, "", 0, 0});
  Say(turn, Say1("What question should I expect? (Type *cancel* to stop.)"));
}

void Assistant::TakeNewQuestion(Turn& turn, const std::string& question) {
  if (question.size() > store::kMaxQuestionBytes) {
    return Say(turn, Say1("That question is too long (" + std::to_string(question.size()) +
                          " bytes; the limit is " + std::to_string(store::kMaxQuestionBytes) +
                          "). Could you make it shorter?"));
  }
  // Already answered by a live topic? Then it is probably another way to ask that one.
  if (auto match = topics_.Match(turn.who, question, options_.similar_topic_confidence)) {
    turn.Set({Step::kConfirmSimilar, question, match->topic.topic_id, 0});
    Reply r;
    r.paragraphs.push_back(
        Line({Words("This looks like your topic "), UserText(match->topic.content.question),
              Words(" — your bot already answers this with it.")}));
    r.paragraphs.push_back(Line("Add it as another phrasing of that topic, or keep it as a new "
                                "topic?"));
    const std::string value = ConfirmationOf(turn.state);
    r.buttons = {Btn("Add as a phrasing of “" + match->topic.content.question + "”", "affirm",
                     value, Button::Style::kPrimary),
                 Btn("Keep as a new topic", "deny", value)};
    return Say(turn, r);
  }
  turn.Set({Step::kAwaitAnswer, question, 0, 0});
  Say(turn, Say1("What answer should I provide?"));
}

bool Assistant::OfferAsTopic(Turn& turn, const std::string& text) {
  if (!LooksLikeQuestion(text) || text.size() > store::kMaxQuestionBytes) return false;
  turn.Set({Step::kConfirmNewTopic, text, 0, 0});
  Reply r;
  r.paragraphs.push_back(Line({UserText(text), Words(" sounds like a question people ask you. "
                                                     "Shall I add it as a topic?")}));
  r.paragraphs.push_back(Line({Words("To try it on your bot instead, write *ask* "),
                               Mention(turn.who.user_id), Words(" and the question.")}));
  const std::string value = ConfirmationOf(turn.state);
  r.buttons = {Btn("Add it as a topic", "affirm", value, Button::Style::kPrimary),
               Btn("No", "deny", value)};
  Say(turn, std::move(r));
  return true;
}

void Assistant::AddTopicFromAnswer(Turn& turn, const std::string& answer) {
  auto topic = topics_.Add(turn.who, {turn.state.question, {}, answer});
  if (!topic.ok()) {
    if (topic.status().code() == StatusCode::kUnavailable) {
      // Keep the question: the same answer can be sent again once the database is back.
      return Say(turn, Say1("Seems like I cannot add new topic for you right now :scream_cat: "
                            "Send the answer again in a minute, or type *cancel*."));
    }
    return Say(turn, Say1("I couldn't add that topic: " + topic.status().message() +
                          ". Send another answer, or type *cancel*."));
  }
  turn.Set({Step::kOfferMore, "", topic->id, 0});
  Reply r = Say1("Topic added" + CommaName(NameOf(turn.who)) +
                 " :kissing_cat: It goes live when you publish.");
  r.paragraphs.push_back(Line("Would you like to add anything else?"));
  r.buttons = {Btn("Yes, one more, please.", "add_topic", "", Button::Style::kPrimary),
               Btn("Another phrasing of this one", kActionAddPhrasing, std::to_string(topic->id)),
               Btn("Publish now", "publish"), Btn("All good for now.", "deny")};
  Say(turn, r);
}

void Assistant::ListTopics(Turn& turn) {
  auto topics = store_.ListTopics(turn.who);
  auto live = store_.GetLivePublication(turn.who, false);
  if (!topics.ok() || !live.ok()) return Say(turn, CannotReach("get your topics"));
  if (topics->empty() && !HasLiveTopics(*live)) {
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
  r.paragraphs.push_back(Line("Here are your current topics :smirk_cat: ✅ live, 🅾 not yet "
                              "published (" +
                              std::to_string(live_count) + " of " + std::to_string(topics->size()) +
                              " live)."));
  for (const auto& [t, state] : overview.topics) {
    ListItem item;
    if (state == store::TopicState::kNeedsAnswer) {
      item.text = Line({Words("✏ "), UserText(t.content.question),
                        Words(" — needs an answer: publishing leaves it out")});
    } else {
      item.text = Line({Words(state == store::TopicState::kLive ? "✅ " : "🅾 "),
                        UserText(t.content.question), Words(" — "), UserText(t.content.answer)});
    }
    if (!t.content.phrasings.empty()) {
      item.text.spans.push_back(Words(" (+" + Count(t.content.phrasings.size(), "phrasing") + ")"));
    }
    const std::string id = std::to_string(t.id);
    item.buttons = {Btn("Edit", "edit_topic", id), Btn("Add phrasing", kActionAddPhrasing, id),
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

void Assistant::ShowTopic(Turn& turn, const std::string& value) {
  if (!ParseId(value)) {
    Say(turn, Say1("Which one? Press *Edit* next to a topic:"));
    return ListTopics(turn);
  }
  auto topic = OwnedTopic(turn, value);
  if (!topic) return;
  const store::Topic& t = *topic;
  const std::string tid = std::to_string(t.id);
  Reply r;
  r.paragraphs.push_back(Line({Words("*Question:* "), UserText(t.content.question)}));
  r.paragraphs.push_back(Line({Words("*Answer:* "), t.content.answer.empty()
                                                        ? Words("none yet: it needs an answer "
                                                                "before it can be published")
                                                        : UserText(t.content.answer)}));
  r.paragraphs.push_back(Line({Words("*Name:* "), UserText(t.content.name),
                               Words(" (the intent name API clients see)")}));
  r.paragraphs.push_back(Line(t.content.phrasings.empty()
                                  ? "No other phrasings yet."
                                  : "Also asked as (" + Count(t.content.phrasings.size(),
                                                              "phrasing") + "):"));
  for (size_t i = 0; i < t.content.phrasings.size(); ++i) {
    ListItem item;
    item.text = Line({UserText(t.content.phrasings[i])});
    item.buttons = {Btn("Remove", kActionRemovePhrasing,
                        tid + ":" + std::to_string(i) + ":" + Fingerprint(t.content.phrasings[i]),
                        Button::Style::kDanger)};
    r.items.push_back(std::move(item));
  }
  r.buttons = {Btn("Change question", kActionEditQuestion, tid),
               Btn("Change answer", kActionEditAnswer, tid),
               Btn("Rename", kActionEditName, tid),
               Btn("Add phrasing", kActionAddPhrasing, tid),
               Btn("Delete", "delete_topic", tid, Button::Style::kDanger)};
  r.context.push_back(Line("Changes go live when you publish."));
  Say(turn, r);
  turn.Set({Step::kShowingTopic, "", t.id, 0});  // "change the answer" now means this one
}

std::optional<store::Topic> Assistant::OwnedTopic(Turn& turn, const std::string& value) {
  auto id = ParseId(value);
  auto topic = id ? store_.GetTopic(turn.who, *id)
                  : Result<std::optional<store::Topic>>(std::optional<store::Topic>());
  if (!topic.ok()) {
    Say(turn, CannotReach("get that topic"));
    return std::nullopt;
  }
  if (!topic->has_value()) Say(turn, Say1("I can't find that topic any more."));
  return *topic;
}

void Assistant::StartEditQuestion(Turn& turn, const std::string& value) {
  auto topic = OwnedTopic(turn, value);
  if (!topic) return;
  turn.Set({Step::kAwaitNewQuestion, "", topic->id, 0});
  Reply r;
  r.paragraphs.push_back(
      Line({Words("What should the question be instead of "), UserText(topic->content.question),
            AfterUserText(topic->content.question, "?")}));
  r.context.push_back(Line("Type *cancel* to keep it."));
  Say(turn, r);
}

void Assistant::StartEditAnswer(Turn& turn, const std::string& value) {
  auto topic = OwnedTopic(turn, value);
  if (!topic) return;
  turn.Set({Step::kAwaitNewAnswer, "", topic->id, 0});
  Reply r;
  r.paragraphs.push_back(Line({Words("What should the new answer to "),
                               UserText(topic->content.question), Words(" be?")}));
  r.paragraphs.push_back(Line({Words("Now: "), UserText(topic->content.answer)}));
  r.context.push_back(Line("Type *cancel* to keep it."));
  Say(turn, r);
}

void Assistant::StartEditName(Turn& turn, const std::string& value) {
  auto topic = OwnedTopic(turn, value);
  if (!topic) return;
  turn.Set({Step::kAwaitNewName, "", topic->id, 0});
  Reply r;
  r.paragraphs.push_back(Line({Words("What should the name of "), UserText(topic->content.question),
                               Words(" be? Now: "), UserText(topic->content.name)}));
  r.context.push_back(Line("API clients see it as the intent name. Type *cancel* to keep it."));
  Say(turn, r);
}

void Assistant::EditFromText(Turn& turn, const std::string& text) {
  const Step step = turn.state.step;
  const char* what = step == Step::kAwaitNewQuestion ? "question"
                     : step == Step::kAwaitNewName   ? "name"
                                                     : "answer";
  auto updated = step == Step::kAwaitNewQuestion
                     ? topics_.SetQuestion(turn.who, turn.state.topic_id, text)
                 : step == Step::kAwaitNewName ? topics_.SetName(turn.who, turn.state.topic_id, text)
                                               : topics_.SetAnswer(turn.who, turn.state.topic_id, text);
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kNotFound) turn.Set({});
    return Say(turn, Say1(std::string("I couldn't change that ") + what + ": " +
                          updated.status().message()));
  }
  turn.Set({});
  Reply r;
  if (step == Step::kAwaitNewName) {
    r.paragraphs.push_back(
        Line({Words("Renamed "), UserText(updated->content.question), Words(" to "),
              UserText(updated->content.name),
              AfterUserText(updated->content.name,
                            ". API clients see the new name when you publish.")}));
  } else {
    r.paragraphs.push_back(
        Line({Words(step == Step::kAwaitNewQuestion ? "Updated the question to "
                                                    : "Updated the answer of "),
              UserText(updated->content.question),
              AfterUserText(updated->content.question, ". It goes live when you publish.")}));
  }
  r.buttons = {Btn("Publish", "publish", "", Button::Style::kPrimary),
               Btn("Show this topic", "edit_topic", std::to_string(updated->id)),
               Btn("Show my topics", "list_topics")};
  Say(turn, r);
}

void Assistant::StartPhrasing(Turn& turn, const std::string& value) {
  auto topic = OwnedTopic(turn, value);
  if (!topic) return;
  turn.Set({Step::kAwaitPhrasing, "", topic->id, 0});
  Reply r;
  r.paragraphs.push_back(
      Line({Words("How else might people ask "), UserText(topic->content.question),
            AfterUserText(topic->content.question, "?")}));
  r.context.push_back(Line("Type *cancel* to stop."));
  Say(turn, r);
}

void Assistant::AddPhrasingFromText(Turn& turn, const std::string& text) {
  auto updated = topics_.AddPhrasing(turn.who, turn.state.topic_id, text);
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kNotFound) {
      turn.Set({});
      return Say(turn, Say1("I can't find that topic any more. Nothing was changed."));
    }
    return Say(turn, Say1("I couldn't add that phrasing: " + updated.status().message() +
                          ". Try another one, or type *cancel*."));
  }
  turn.Set({});
  Reply r;
  r.paragraphs.push_back(
      Line({Words("Got it — "), UserText(text), Words(" also asks "),
            UserText(updated->content.question),
            AfterUserText(updated->content.question, ". Publish to make it live.")}));
  r.buttons = {Btn("Another phrasing", kActionAddPhrasing, std::to_string(updated->id)),
               Btn("Publish", "publish", "", Button::Style::kPrimary)};
  Say(turn, r);
}

void Assistant::RemovePhrasing(Turn& turn, const std::string& value) {
  // "<topic id>:<index>:<fingerprint>"
  const size_t a = value.find(':');
  const size_t b = a == std::string::npos ? a : value.find(':', a + 1);
  if (b == std::string::npos) return Say(turn, Say1("I can't find that topic any more."));
  auto topic = OwnedTopic(turn, value.substr(0, a));
  if (!topic) return;
  const std::string fingerprint = value.substr(b + 1);
  const auto& phrasings = topic->content.phrasings;
  // The phrasing shown at that index, or wherever it moved; none when it is gone already.
  std::optional<size_t> index;
  size_t shown = 0;
  const std::string shown_text = value.substr(a + 1, b - a - 1);
  auto [end, ec] = std::from_chars(shown_text.data(), shown_text.data() + shown_text.size(), shown);
  if (ec == std::errc() && end == shown_text.data() + shown_text.size() &&
      shown < phrasings.size() && Fingerprint(phrasings[shown]) == fingerprint) {
    index = shown;
  }
  for (size_t i = 0; !index && i < phrasings.size(); ++i) {
    if (Fingerprint(phrasings[i]) == fingerprint) index = i;
  }
  if (!index) return Say(turn, Say1("That phrasing is gone already — nothing changed."));
  const std::string removed = phrasings[*index];
  auto updated = topics_.RemovePhrasing(turn.who, topic->id, *index);
  if (!updated.ok()) {
    return Say(turn, Say1("I couldn't remove that phrasing: " + updated.status().message()));
  }
  Reply r;
  r.paragraphs.push_back(Line(
      {Words("Removed "), UserText(removed), Words(" from "), UserText(updated->content.question),
       AfterUserText(updated->content.question, ". It goes live when you publish.")}));
  r.buttons = {Btn("Show this topic", "edit_topic", std::to_string(updated->id)),
               Btn("Publish", "publish", "", Button::Style::kPrimary)};
  Say(turn, r);
}

void Assistant::StartDelete(Turn& turn, const std::string& value) {
  if (!ParseId(value)) {
    Say(turn, Say1("Which one? Press *Delete* next to a topic:"));
    return ListTopics(turn);
  }
  auto topic = OwnedTopic(turn, value);
  if (!topic) return;
  turn.Set({Step::kConfirmDelete, topic->content.question, topic->id, 0});
  Reply r;
  r.paragraphs.push_back(Line({Words("Delete "), UserText(topic->content.question),
                               AfterUserText(topic->content.question, "?")}));
  const std::string confirms = "delete:" + std::to_string(topic->id);
  r.buttons = {Btn("Yes, please.", "affirm", confirms, Button::Style::kDanger),
               Btn("Not yet.", "deny", confirms)};
  Say(turn, r);
}

std::optional<Reply> UnansweredList(store::Store& store, const store::UserRef& owner, int limit,
                                    const NearestTopics& nearest) {
  auto waiting = store.ListUnanswered(owner, 500);
  if (!waiting.ok()) return std::nullopt;
  if (waiting->empty()) return Say1("No questions are waiting for you :tada:");
  // The same question asked several times is listed once, with its count and latest asker.
  struct Group {
    const store::AskedQuestion* latest = nullptr;
    int count = 0;
    bool disliked = false;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  for (const auto& q : *waiting) {
    const std::string key = QuestionKey(q.text);
    auto [it, fresh] = groups.try_emplace(key);
    if (fresh) order.push_back(key);
    it->second.latest = &q;
    ++it->second.count;
    it->second.disliked |= q.feedback == store::Feedback::kDown;
  }
  Reply r = Say1(Count(order.size(), "question") + " waiting for you:");
  int shown = 0;
  for (const auto& key : order) {
    if (shown++ >= limit) break;
    const Group& g = groups[key];
    ListItem item;
    item.text = Line({UserText(g.latest->text)});
    if (g.count > 1) item.text.spans.push_back(Words(" ×" + std::to_string(g.count)));
    item.text.spans.push_back(Words(" — asked by "));
    item.text.spans.push_back(Mention(g.latest->asker.user_id));
    if (g.disliked) item.text.spans.push_back(Words(" (👎 on my answer)"));
    const std::string id = HandoffValue({g.latest->id, 0, /*from_list=*/true});
    item.buttons = {Btn("Answer it", kActionHandoffAnswer, id, Button::Style::kPrimary)};
    // As on the hand-off DM: one press teaches the bot these words (questions held back from
    // a DM by its pacing are answered from here).
    if (nearest) {
      for (const auto& t : nearest(g.latest->text)) {
        item.buttons.push_back(Btn("It's “" + t.content.question + "”", kActionHandoffTopic,
                                   HandoffValue({g.latest->id, t.topic_id, /*from_list=*/true})));
      }
    }
    item.buttons.push_back(Btn("Ignore", kActionHandoffIgnore, id));
    r.items.push_back(std::move(item));
  }
  return r;
}

NearestTopics Assistant::NearestLiveTopics(const store::UserRef& owner) {
  auto model = registry_.Get(owner);
  auto live = store_.GetLivePublication(owner, false);
  if (!model.ok() || !live.ok() || !live->has_value()) return {};
  return [this, model = *std::move(model),
          topics = std::move((*live)->topics)](const std::string& question) {
    const nlu::Prediction p = model->Predict(question, options_.handoff_candidates);
    std::vector<std::string> candidates;
    for (const auto& ranked : p.ranking) candidates.push_back(ranked.name);
    return LiveTopicsOf(topics, candidates);
  };
}

std::optional<Reply> Assistant::UnansweredList(const store::UserRef& owner) {
  return assistant::UnansweredList(store_, owner, options_.unanswered_limit,
                                   NearestLiveTopics(owner));
}

void Assistant::ListUnanswered(Turn& turn) {
  auto list = UnansweredList(turn.who);
  if (!list) return Say(turn, CannotReach("get your questions"));
  Say(turn, std::move(*list));
}

}  // namespace faqbot::assistant
