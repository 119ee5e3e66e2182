// Assistant: asking an owner's bot, the hand-off to the owner when it is not sure, and feedback.
#include <cmath>

#include "assistant/assistant.h"
#include "assistant/assistant_internal.h"
#include "common/logging.h"
#include "common/utf8.h"
#include "store/limits.h"

namespace faqbot::assistant {
namespace {

Button Btn(std::string label, std::string action, std::string value = "",
           Button::Style style = Button::Style::kDefault) {
  return {std::move(label), std::move(action), std::move(value), style};
}

// "<@owner> says - answer", the old system's reply, with the matched topic in small print.
Reply AnswerReply(const store::UserRef& owner, const std::string& answer) {
  Reply r;
  r.paragraphs.push_back(Line({Mention(owner.user_id), Words(" says - "), UserText(answer)}));
  return r;
}

}  // namespace

void Assistant::Ask(Turn& turn, const std::string& owner_id, const std::string& raw_question) {
  const store::UserRef owner{turn.who.team_id, owner_id};
  const std::string question(Utf8Prefix(raw_question, store::kMaxQuestionBytes));
  if (!store::ValidateId(owner_id, "owner").ok()) {
    return Say(turn, Say1("That doesn't look like a person. Write `ask @person your question`."));
  }

  auto model = registry_.Get(owner);
  if (!model.ok()) {
    if (model.status().code() == StatusCode::kFailedPrecondition) {
      Reply r;
      r.paragraphs.push_back(Line({Words("Seems like "), Mention(owner_id),
                                   Words(" has not published any topics yet... :crying_cat_face: "
                                         "I've let them know you asked.")}));
      Say(turn, r);
      store::NewQuestion record{turn.who,
                                owner,
                                question,
                                store::QuestionOutcome::kHandedOff,
                                std::nullopt,
                                0.0,
                                turn.reply_to.channel,
                                turn.reply_to.thread_ts};
      auto asked = store_.RecordQuestion(record);
      if (asked.ok() && !(owner == turn.who)) HandOff(turn, *asked, {});
      return;
    }
    LogWarn("assistant: cannot load the bot of {}/{}: {}", owner.team_id, owner.user_id,
            model.status().ToString());
    return Say(turn, Say1("Seems like this user's bot is not responding right now... "
                          ":crying_cat_face: Please try again in a minute."));
  }

  const nlu::Prediction prediction = (*model)->Predict(question, options_.handoff_candidates);
  const std::optional<int64_t> topic_id = TopicIdOfIntent(prediction.intent);
  std::optional<store::Topic> topic;
  std::string answer;
  if (topic_id) {
    // The answer as published: the live topic set holds exactly what the model was trained on.
    auto live = store_.GetLivePublication(owner, false);
    if (live.ok() && live->has_value()) {
      for (const auto& t : (*live)->topics) {
        if (t.topic_id == *topic_id) {
          store::Topic found;
          found.id = t.topic_id;
          found.owner = owner;
          found.content = t.content;
          topic = found;
        }
      }
    }
  }
  const bool answered = topic.has_value();
  store::NewQuestion record{
      turn.who,
      owner,
      question,
      answered ? store::QuestionOutcome::kAnswered : store::QuestionOutcome::kHandedOff,
      topic_id,
      prediction.confidence,
      turn.reply_to.channel,
      turn.reply_to.thread_ts};
  auto asked = store_.RecordQuestion(record);
  if (!asked.ok()) {
    LogWarn("assistant: cannot record a question: {}", asked.status().ToString());
  }

  if (answered) {
    Reply r = AnswerReply(owner, topic->content.answer);
    r.context.push_back(Line(
        {Words("Matched "), UserText(topic->content.question),
         Words(" · " + std::to_string(static_cast<int>(std::lround(prediction.confidence * 100))) +
               "% sure")}));
    if (asked.ok()) {
      const std::string id = std::to_string(asked->id);
      r.buttons = {Btn("👍 Helpful", kActionFeedbackUp, id),
                   Btn("👎 Not what I asked", kActionFeedbackDown, id)};
    }
    return Say(turn, r);
  }

  Reply r;
  if (owner == turn.who) {
    r.paragraphs.push_back(Line("Your bot doesn't know that one yet — add it as a topic?"));
    r.buttons = {Btn("Add a topic", "add_topic", "", Button::Style::kPrimary)};
    return Say(turn, r);
  }
  r.paragraphs.push_back(Line({Words("I don't know that one yet — I've asked "), Mention(owner_id),
                               Words(". I'll tell you their answer.")}));
  Say(turn, r);
  if (!asked.ok()) return;
  std::vector<std::string> candidates;
  for (const auto& ranked : prediction.ranking) candidates.push_back(ranked.name);
  HandOff(turn, *asked, candidates);
}

void Assistant::HandOff(Turn& turn, const store::AskedQuestion& asked,
                        const std::vector<std::string>& candidates) {
  int also_waiting = 0;
  {
    std::lock_guard lock(handoff_mu_);
    const Clock::TimePoint now = clock_.Now();
    auto [it, first] = handoff_pacing_.try_emplace(asked.owner);
    if (!first && now - it->second.last_dm < options_.handoff_dm_interval) {
      ++it->second.waiting;  // recorded in the unanswered list; the next DM mentions it
      return;
    }
    also_waiting = it->second.waiting;
    it->second = {now, 0};
    if (handoff_pacing_.size() > 100'000) handoff_pacing_.clear();
  }
  Reply r;
  r.paragraphs.push_back(
      Line({Mention(asked.asker.user_id), Words(" asked you: "), UserText(asked.text)}));
  r.paragraphs.push_back(Line("I didn't know the answer. Teach me, and I'll pass it on."));
  const std::string id = std::to_string(asked.id);
  r.buttons.push_back(Btn("Answer it", kActionHandoffAnswer, id, Button::Style::kPrimary));
  auto live = store_.GetLivePublication(asked.owner, false);
  if (live.ok() && live->has_value()) {
    int offered = 0;
    for (const auto& name : candidates) {
      auto topic_id = TopicIdOfIntent(name);
      if (!topic_id || offered >= options_.handoff_candidates) continue;
      for (const auto& t : (*live)->topics) {
        if (t.topic_id != *topic_id) continue;
        std::string label = "It's “" + t.content.question + "”";
        r.buttons.push_back(
            Btn(std::move(label), kActionHandoffTopic, id + ":" + std::to_string(t.topic_id)));
        ++offered;
      }
    }
  }
  r.buttons.push_back(Btn("Ignore", kActionHandoffIgnore, id));
  if (also_waiting > 0) {
    r.context.push_back(Line("…and " + std::to_string(also_waiting) + " more question" +
                             (also_waiting == 1 ? "" : "s") +
                             " waiting for you: say *unanswered questions*."));
  }
  turn.others.emplace_back(Destination::Direct(asked.owner), std::move(r));
}

std::optional<store::AskedQuestion> Assistant::OwnedQuestion(Turn& turn, const std::string& value) {
  auto id = ParseId(value.substr(0, value.find(':')));
  auto asked = id ? store_.GetQuestion(*id)
                  : Result<std::optional<store::AskedQuestion>>(InvalidArgumentError("no id"));
  if (!asked.ok() || !asked->has_value()) {
    Say(turn, Say1("I can't find that question any more."));
    return std::nullopt;
  }
  if (!((*asked)->owner == turn.who)) {
    Say(turn, Say1("Only the person who was asked can answer that one."));
    return std::nullopt;
  }
  return **asked;
}

void Assistant::HandoffAnswer(Turn& turn, const std::string& value) {
  auto asked = OwnedQuestion(turn, value);
  if (!asked) return;
  turn.Set({DialogueState::Step::kAwaitAnswer, asked->text, 0, asked->id});
  Reply r;
  r.paragraphs.push_back(Line({Words("What answer should I give to "), UserText(asked->text),
                               Words("? I'll send it to "), Mention(asked->asker.user_id),
                               Words(" and keep it as a new topic.")}));
  r.context.push_back(Line("Type *cancel* to stop."));
  Say(turn, r);
}

void Assistant::HandoffTopic(Turn& turn, const std::string& value) {
  auto asked = OwnedQuestion(turn, value);
  if (!asked) return;
  const size_t colon = value.find(':');
  const int64_t topic_id =
      colon == std::string::npos ? 0 : ParseId(value.substr(colon + 1)).value_or(0);
  auto topic = store_.GetTopic(turn.who, topic_id);
  if (topic_id == 0 || !topic.ok() || !topic->has_value()) {
    return Say(turn, Say1("I can't find that topic any more."));
  }
  store::TopicEdit edit;
  edit.phrasings = (*topic)->content.phrasings;
  edit.phrasings->push_back(asked->text);
  auto updated = store_.UpdateTopic(turn.who, topic_id, edit);
  if (!updated.ok()) {
    return Say(turn, Say1("I couldn't add it as a phrasing: " + updated.status().message()));
  }
  (void)store_.SetQuestionOutcome(asked->id, store::QuestionOutcome::kResolved, topic_id);
  Reply r;
  r.paragraphs.push_back(
      Line({Words("Added "), UserText(asked->text), Words(" as another way to ask "),
            UserText(updated->content.question),
            Words(". I've sent the answer on; publish to make it live.")}));
  r.buttons = {Btn("Publish", "publish", "", Button::Style::kPrimary)};
  Say(turn, r);
  DeliverAnswer(turn, *asked, updated->content.answer);
}

void Assistant::HandoffIgnore(Turn& turn, const std::string& value) {
  auto asked = OwnedQuestion(turn, value);
  if (!asked) return;
  (void)store_.SetQuestionOutcome(asked->id, store::QuestionOutcome::kIgnored, std::nullopt);
  Say(turn, Say1("Ok, ignored."));
}

void Assistant::DeliverAnswer(Turn& turn, const store::AskedQuestion& asked,
                              const std::string& answer) {
  Reply r;
  r.paragraphs.push_back(
      Line({Words("You asked "), Mention(asked.owner.user_id), Words(": "), UserText(asked.text)}));
  r.paragraphs.push_back(Line({Mention(asked.owner.user_id), Words(" says - "), UserText(answer)}));
  Destination to = Destination::Direct(asked.asker);
  if (!asked.channel.empty() && !asked.thread_ts.empty()) {
    // Asked in a channel: answer in the same thread.
    to.kind = Destination::Kind::kChannel;
    to.channel = asked.channel;
    to.thread_ts = asked.thread_ts;
  }
  turn.others.emplace_back(std::move(to), std::move(r));
}

void Assistant::Feedback(Turn& turn, const std::string& value, bool helpful) {
  auto id = ParseId(value);
  if (!id) return Say(turn, Say1("I can't find that answer any more."));
  Status rated = store_.SetQuestionFeedback(
      *id, turn.who, helpful ? store::Feedback::kUp : store::Feedback::kDown);
  if (rated.code() == StatusCode::kPermissionDenied) {
    return Say(turn, Say1("Only the person who asked can rate this answer."));
  }
  if (!rated.ok()) return Say(turn, Say1("I couldn't record that, sorry — try again later."));
  if (helpful) return Say(turn, Say1("Glad it helped :heart_eyes_cat:"));
  auto asked = store_.GetQuestion(*id);
  if (asked.ok() && asked->has_value()) {
    Reply r;
    r.paragraphs.push_back(Line({Words("Thanks — I've let "), Mention((*asked)->owner.user_id),
                                 Words(" know my answer missed.")}));
    Say(turn, r);
    HandOff(turn, **asked, {});
  }
}

}  // namespace faqbot::assistant
