// Assistant: asking an owner's bot, the hand-off to the owner when it is not sure, learning from
// the owner's reply, and feedback.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <utility>

#include "assistant/assistant.h"
#include "assistant/assistant_internal.h"
#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "common/string_util.h"
#include "common/utf8.h"
#include "store/limits.h"

namespace faqbot::assistant {
namespace {

// An asked question's words as a topic's question or phrasing keeps them: stored as they came,
// they may hold control characters no topic may (a question that could never be settled).
std::string LearnableWords(const store::AskedQuestion& asked) {
  return store::ControlCharactersAsSpaces(asked.text);
}

// "<@owner> says - answer", the old system's reply.
Reply AnswerReply(const store::UserRef& owner, const std::string& answer) {
  Reply r;
  r.paragraphs.push_back(Line({Mention(owner.user_id), Words(" says - "), UserText(answer)}));
  return r;
}

// "You asked <@owner>: question" — what every message to an asker about their question opens with.
Paragraph YouAsked(const store::AskedQuestion& asked) {
  return Line(
      {Words("You asked "), Mention(asked.owner.user_id), Words(": "), UserText(asked.text)});
}

// "<@asker> asked you: question" — what the owner's hand-off DM opens with — and "<@asker>
// asked: question", what it says once the question is settled.
Paragraph AskedYou(const store::AskedQuestion& asked) {
  return Line({Mention(asked.asker.user_id), Words(" asked you: "), UserText(asked.text)});
}
Paragraph Asked(const store::AskedQuestion& asked) {
  return Line({Mention(asked.asker.user_id), Words(" asked: "), UserText(asked.text)});
}

// The owner's hand-off DM once its asker picked `topic` from the suggestions: it keeps the one
// press that teaches the bot the asker's words.
Reply PickedHandoffDm(const store::AskedQuestion& asked, const store::PublishedTopic& topic) {
  Reply picked;
  picked.paragraphs.push_back(AskedYou(asked));
  picked.paragraphs.push_back(
      Line({Words("✅ "), Mention(asked.asker.user_id), Words(" picked "),
            UserText(topic.content.question), Words(" from my suggestions and got its answer.")}));
  picked.buttons = {Btn("It's “" + topic.content.question + "”", kActionHandoffTopic,
                        HandoffValue({asked.id, topic.topic_id}), Button::Style::kPrimary)};
  picked.context.push_back(Line("If that's right, one press teaches your bot these words."));
  return picked;
}

// The owner's answer to `asked`, as its asker receives it.
Reply AnswerTo(const store::AskedQuestion& asked, const std::string& answer) {
  Reply r = AnswerReply(asked.owner, answer);
  r.paragraphs.insert(r.paragraphs.begin(), YouAsked(asked));
  return r;
}

// What changes for the bot's askers when an owner's answer is learned.
std::string LiveOrDraft(bool live) {
  return live ? "It's live: your bot answers it from now on." : "It goes live when you publish.";
}

// A reply of one line of spans.
Reply OneLine(Paragraph line) {
  Reply r;
  r.paragraphs.push_back(std::move(line));
  return r;
}

// "Added <words> as another way to ask <question>." — without a second full stop after a
// question mark.
Paragraph AddedAsPhrasing(const std::string& words, const std::string& question) {
  return Line({Words("Added "), UserText(words), Words(" as another way to ask "),
               UserText(question), AfterUserText(question, ".")});
}

bool IsOpen(const store::AskedQuestion& q) {
  return q.outcome == store::QuestionOutcome::kHandedOff ||
         q.outcome == store::QuestionOutcome::kDeclined ||
         (q.outcome == store::QuestionOutcome::kAnswered && q.feedback == store::Feedback::kDown);
}

// At most this many other waiting askers get an answer with one reply of the owner, and at most
// this many waiting questions are matched again by the new model.
constexpr size_t kMaxAnsweredAlong = 50;
constexpr size_t kMaxPredictedAlong = 50;
// A press handled again after its process stopped finds the questions that process closed along
// with it by their last change: at most this long after the press's own question was settled.
constexpr int64_t kClosedAlongWithinMillis = 60'000;
// A typed "undo" takes back an *It's X* or *Answer it* at most this old.
constexpr int64_t kTypedUndoWithinMillis = 60 * 60 * 1000;
// DialogueState::undo of an *Answer it*: the topic it made.
constexpr std::string_view kUndoTopicPrefix = "topic:";
// A message the concierge does not understand, sent this soon after a question was handed to
// the owner, may be their answer to it: the bot asks.
constexpr int64_t kAnswerOfferWindowMillis = 30 * 60 * 1000;

}  // namespace

// ---- asking ----

void Assistant::Ask(Turn& turn, const std::string& owner_id, const std::string& raw_question) {
  const store::UserRef owner{turn.who.team_id, owner_id};
  const std::string question(Utf8Prefix(raw_question, store::kMaxQuestionBytes));
  if (!store::ValidateId(owner_id, "owner").ok()) {
    return Say(turn, Say1("That doesn't look like a person. Write `ask @person your question`."));
  }
  auto model = registry_.Get(owner);
  if (!model.ok()) return AskUnpublished(turn, owner, question, model.status());

  const nlu::Prediction prediction = (*model)->Predict(question, options_.handoff_candidates);
  const std::optional<store::PublishedTopic> topic =
      LiveTopic(owner, TopicIdOfIntent(prediction.intent));
  AskRecord record = MakeAskRecord(turn, owner, question, prediction, topic);
  if (topic) {
    turn.ask_outcome = "answered";
    SayAnswer(turn, owner, *topic, prediction.confidence, record);
    turn.after_replies.push_back([this, record = std::move(record)] { (void)RecordAsk(record); });
    return;
  }
  turn.ask_outcome = owner == turn.who ? "declined" : "handed_off";
  SayDeclined(turn, owner, record, prediction);
}

void Assistant::AskUnpublished(Turn& turn, const store::UserRef& owner,
                               const std::string& question, const Status& why) {
  if (why.code() != StatusCode::kFailedPrecondition) {
    turn.ask_outcome = "unavailable";
    LogWarn("assistant: cannot load the bot of {}/{}: {}", owner.team_id, owner.user_id,
            why.ToString());
    return Say(turn, Say1("Seems like this user's bot is not responding right now... "
                          ":crying_cat_face: Please try again in a minute."));
  }
  turn.ask_outcome = owner == turn.who ? "declined" : "handed_off";
  Reply r;
  r.paragraphs.push_back(Line({Words("Seems like "), Mention(owner.user_id),
                               Words(" has not published any topics yet... :crying_cat_face: "
                                     "I've let them know you asked.")}));
  Say(turn, r);
  store::NewQuestion record{turn.who, owner, question, store::QuestionOutcome::kHandedOff,
                            std::nullopt, 0.0, turn.reply_to.channel, turn.reply_to.thread_ts};
  auto asked = store_.RecordQuestion(record);
  if (asked.ok() && !(owner == turn.who)) HandOff(turn, *asked, {});
}

std::optional<store::PublishedTopic> Assistant::LiveTopic(const store::UserRef& owner,
                                                          std::optional<int64_t> topic_id) {
  if (!topic_id) return std::nullopt;
  // The answer as published: the live topic set holds exactly what the model was trained on.
  auto live = store_.GetLivePublication(owner, false);
  if (!live.ok() || !live->has_value()) return std::nullopt;
  for (const auto& t : (*live)->topics) {
    if (t.topic_id == *topic_id) return t;
  }
  return std::nullopt;
}

std::vector<store::PublishedTopic> Assistant::LiveTopicsOf(
    const store::UserRef& owner, const std::vector<std::string>& intents) {
  auto live = store_.GetLivePublication(owner, false);
  if (!live.ok() || !live->has_value()) return {};
  return LiveTopicsOf((*live)->topics, intents);
}

std::vector<store::PublishedTopic> Assistant::LiveTopicsOf(
    const std::vector<store::PublishedTopic>& live, const std::vector<std::string>& intents) const {
  std::vector<store::PublishedTopic> found;
  for (const auto& name : intents) {
    const auto topic_id = TopicIdOfIntent(name);
    if (!topic_id || found.size() >= static_cast<size_t>(options_.handoff_candidates)) continue;
    for (const auto& t : live) {
      if (t.topic_id == *topic_id) found.push_back(t);
    }
  }
  return found;
}

Assistant::AskRecord Assistant::MakeAskRecord(Turn& turn, const store::UserRef& owner,
                                              const std::string& question,
                                              const nlu::Prediction& prediction,
                                              const std::optional<store::PublishedTopic>& topic) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char key[24];
  std::snprintf(key, sizeof key, "q%016llx", static_cast<unsigned long long>(rng()));
  store::NewQuestion record{
      turn.who,
      owner,
      question,
      topic ? store::QuestionOutcome::kAnswered : store::QuestionOutcome::kHandedOff,
      TopicIdOfIntent(prediction.intent),
      prediction.confidence,
      turn.reply_to.channel,
      turn.reply_to.thread_ts};
  return {std::move(record), key};
}

Result<store::AskedQuestion> Assistant::RecordAsk(const AskRecord& record) {
  auto asked = store_.RecordQuestion(record.question, record.key);
  if (!asked.ok()) LogWarn("assistant: cannot record a question: {}", asked.status().ToString());
  return asked;
}

void Assistant::SayAnswer(Turn& turn, const store::UserRef& owner,
                          const store::PublishedTopic& topic, float confidence,
                          const AskRecord& record) {
  Reply r = AnswerReply(owner, topic.content.answer);
  r.context.push_back(MatchedLine(topic, confidence));
  // The question is stored after this reply goes out: the buttons name it by its key.
  r.buttons = FeedbackButtons(std::string(kQuestionKeyPrefix) + record.key);
  Say(turn, r);
}

void Assistant::SayDeclined(Turn& turn, const store::UserRef& owner, const AskRecord& record,
                            const nlu::Prediction& prediction) {
  Reply r;
  const std::vector<Button> suggestions = SuggestionButtons(owner, prediction, record.key);
  if (owner == turn.who) {
    // The owner trying their own bot: a pick teaches it these words.
    r.paragraphs.push_back(Line("Your bot doesn't know that one yet — add it as a topic?"));
    r.buttons = {Btn("Add a topic", "add_topic", "", Button::Style::kPrimary)};
    if (!suggestions.empty()) {
      r.paragraphs.push_back(
          Line("Or is it one of these? Pick one to teach your bot these words."));
      r.buttons.insert(r.buttons.end(), suggestions.begin(), suggestions.end());
    }
    Say(turn, r);
    turn.after_replies.push_back([this, record] { (void)RecordAsk(record); });
    return;
  }
  r.paragraphs.push_back(Line({Words("I don't know that one yet — I've asked "),
                               Mention(owner.user_id), Words(". I'll tell you their answer.")}));
  // What the bot was not sure enough to answer may still be there: the asker can tell.
  if (!suggestions.empty()) {
    r.paragraphs.push_back(Line("Meanwhile — is it one of these? Pick one to see its answer."));
    r.buttons = suggestions;
  }
  Say(turn, r);
  std::vector<std::string> candidates;
  for (const auto& ranked : prediction.ranking) candidates.push_back(ranked.name);
  // The owner's hand-off names the stored question, so it is built once the record is written.
  turn.after_replies.push_back([this, &turn, record, candidates = std::move(candidates)] {
    auto asked = RecordAsk(record);
    if (asked.ok()) HandOff(turn, *asked, candidates);
  });
}

std::vector<Button> Assistant::SuggestionButtons(const store::UserRef& owner,
                                                 const nlu::Prediction& prediction,
                                                 const std::string& key) {
  std::vector<std::string> sure_enough;  // the ranking is best first
  for (const auto& ranked : prediction.ranking) {
    if (ranked.confidence < options_.suggestion_min_confidence) break;
    sure_enough.push_back(ranked.name);
  }
  std::vector<Button> buttons;
  for (const auto& t : LiveTopicsOf(owner, sure_enough)) {
    buttons.push_back(Btn("“" + t.content.question + "”", kActionSuggestionPick,
                          key + ":" + std::to_string(t.topic_id)));
  }
  return buttons;
}

void Assistant::SuggestionPick(Turn& turn, const std::string& value) {
  const size_t colon = value.rfind(':');
  const std::optional<int64_t> topic_id =
      colon == std::string::npos ? std::nullopt : ParseId(value.substr(colon + 1));
  if (!topic_id) return Say(turn, Say1("I can't find that question any more."));
  auto found = store_.FindQuestionByKey(value.substr(0, colon));
  if (!found.ok() && found.status().code() != StatusCode::kInvalidArgument) {
    return Say(turn, Say1("I couldn't do that just now — please try again."));
  }
  if (!found.ok() || !found->has_value()) {
    return Say(turn, Say1("I can't find that question any more."));  // or a forged value
  }
  const store::AskedQuestion& asked = **found;
  if (!(asked.asker == turn.who)) {
    // Asked in a channel, the buttons are everyone's: the refusal is for the presser only.
    turn.reply_to.MakePrivateInSharedChannel();
    return Say(turn, Say1("Only the person who asked can pick an answer."));
  }
  const std::optional<store::PublishedTopic> topic = LiveTopic(asked.owner, *topic_id);
  if (!topic) {
    return Say(turn, OneLine(Line({Words("That topic isn't answered any more — "),
                                   Mention(asked.owner.user_id), Words(" will answer you.")})));
  }
  if (asked.owner == turn.who) return OwnerPicksOwnSuggestion(turn, asked, *topic);
  // Settling the question first makes the pick one-shot, and leaves it alone when the owner
  // answered meanwhile.
  auto closed = store_.CloseQuestion(asked.id, store::QuestionOutcome::kAnswered, *topic_id);
  if (!closed.ok()) return Say(turn, Say1("I couldn't do that just now — please try again."));
  if (!*closed) return Say(turn, Say1("Your question was settled already — nothing changed."));
  metrics::Faqbot().suggestions_picked.With().Inc();
  Reply r = AnswerTo(asked, topic->content.answer);
  r.context.push_back(Line({Words("You picked "), UserText(topic->content.question),
                            AfterUserText(topic->content.question, ". Not it? 👎 asks "),
                            Mention(asked.owner.user_id), Words(" again.")}));
  r.buttons = FeedbackButtons(std::to_string(asked.id));
  ReplacePressedOrSay(turn, std::move(r));
  // The owner's hand-off DM says so, and keeps the one press that teaches the bot the pick.
  UpdateHandoffDm(turn, asked, PickedHandoffDm(asked, *topic));
}

void Assistant::OwnerPicksOwnSuggestion(Turn& turn, const store::AskedQuestion& asked,
                                        const store::PublishedTopic& topic) {
  auto closed = store_.CloseQuestion(asked.id, store::QuestionOutcome::kResolved, topic.topic_id);
  if (!closed.ok()) return Say(turn, Say1("I couldn't do that just now — please try again."));
  if (!*closed) return Say(turn, Say1("You settled that one already — nothing changed."));
  const std::optional<Learned> learned = LearnItsTopic(turn, asked, topic.topic_id);
  if (!learned) return;
  Reply r;
  r.paragraphs.push_back(AddedAsPhrasing(asked.text, topic.content.question));
  r.paragraphs.push_back(Line(LiveOrDraft(learned->live.has_value())));
  if (!learned->live) r.buttons = {Btn("Publish", "publish", "", Button::Style::kPrimary)};
  ReplacePressedOrSay(turn, std::move(r));
}

std::optional<Learned> Assistant::LearnItsTopic(Turn& turn, const store::AskedQuestion& asked,
                                                int64_t topic_id) {
  auto learned = topics_.LearnPhrasing(turn.who, topic_id, LearnableWords(asked));
  if (!learned.ok()) {
    Reopen(asked);
    Say(turn, Say1(learned.status().code() == StatusCode::kNotFound
                       ? "I can't find that topic any more."
                       : "I couldn't add it as a phrasing: " + learned.status().message() +
                             ". Please try again."));
    return std::nullopt;
  }
  CountResolved("its_topic", learned->live ? "phrasing" : "");
  return *std::move(learned);
}

std::optional<int64_t> Assistant::PickedTopic(int64_t id) {
  // A question with a hand-off that is now answered with a topic (and not rated 👎) was answered
  // by its asker's pick: the bot answers without a hand-off otherwise.
  auto now = store_.GetQuestion(id);
  if (!now.ok() || !now->has_value()) return std::nullopt;
  const store::AskedQuestion& q = **now;
  if (q.outcome != store::QuestionOutcome::kAnswered || IsOpen(q)) return std::nullopt;
  return q.topic_id;
}

// ---- the hand-off ----

void Assistant::HandOff(Turn& turn, const store::AskedQuestion& asked,
                        const std::vector<std::string>& candidates, bool paced, int64_t left_out) {
  // Paced through the database, so an owner gets one DM per interval however many processes
  // take the questions. A held-back question waits in the unanswered list; the next DM mentions
  // it. When the database cannot say, the DM goes: a question is never silently parked.
  const std::optional<int> also_waiting = ClaimHandoffDm(
      asked.owner, paced ? options_.handoff_dm_interval : std::chrono::milliseconds(0), {asked.id});
  if (!also_waiting) return;
  Reply r = HandoffMessage(asked, candidates, left_out);
  MentionAlsoWaiting(r, *also_waiting);
  turn.others.emplace_back(Destination::Direct(asked.owner), std::move(r));
}

std::optional<int> Assistant::ClaimHandoffDm(const store::UserRef& owner,
                                             std::chrono::milliseconds interval,
                                             const std::set<int64_t>& named) {
  auto claim = store_.ClaimHandoffDm(owner, interval);
  if (!claim.ok()) {
    LogWarn("assistant: hand-off pacing unavailable, sending the DM: {}",
            claim.status().ToString());
    return 0;
  }
  if (!claim->has_value()) return std::nullopt;
  return StillHeldBack(owner, **claim, named);
}

void Assistant::MentionAlsoWaiting(Reply& r, int also_waiting) {
  if (also_waiting <= 0) return;
  r.context.push_back(Line("…and " + Count(static_cast<size_t>(also_waiting), "more question") +
                           " waiting for you: say *unanswered questions*."));
}

int Assistant::StillHeldBack(const store::UserRef& owner, const store::Store::HandoffClaim& claim,
                             const std::set<int64_t>& except) {
  if (claim.held_back == 0) return 0;
  // A press on the DM that did go may have answered them all (the same question from several
  // askers), or the owner the list; and the same words as a question the owner was (or is about
  // to be) shown are not news, since one press answers them all. A second's slack covers a
  // question recorded just before that DM and claimed just after.
  auto waiting = store_.ListUnanswered(owner);
  if (!waiting.ok()) return claim.held_back;
  const int64_t since = claim.previous_dm_at.value_or(0) - 1000;
  std::set<std::string> shown;
  for (const auto& q : *waiting) {
    if (except.contains(q.id) || !q.handoff_ts.empty()) shown.insert(QuestionKey(q.text));
  }
  std::set<std::string> held;
  for (const auto& q : *waiting) {
    if (except.contains(q.id) || !q.handoff_ts.empty() || q.asked_at < since) continue;
    if (std::string key = QuestionKey(q.text); !shown.contains(key)) held.insert(std::move(key));
  }
  return static_cast<int>(held.size());
}

void Assistant::RemindOfHeldBackHandoffs() {
  constexpr int kOwnersPerCall = 100;
  const int64_t interval_ms = options_.handoff_dm_interval.count();
  auto owners = store_.ListHeldBackHandoffs(clock_.UnixMillis() - interval_ms, kOwnersPerCall);
  if (!owners.ok()) {
    return held_back_warning_.Warn("assistant: cannot look for held-back hand-offs: " +
                                   owners.status().ToString());
  }
  held_back_warning_.Clear("assistant: looking for held-back hand-offs again");
  for (const auto& held : *owners) {
    std::lock_guard person(LockFor(held.owner));
    // Settled meanwhile (a press on the DM that went can answer every asker of the same
    // question): nothing to say, and no DM recorded that would hold back the next hand-off.
    const int waiting = StillHeldBack(held.owner, {held.held_back, held.last_dm_at}, {});
    if (waiting == 0) {
      if (Status forgot = store_.ForgetHeldBackHandoffs(held.owner, held.last_dm_at);
          !forgot.ok()) {
        LogWarn("assistant: cannot clear the held-back count of {}/{}: {}", held.owner.team_id,
                held.owner.user_id, forgot.ToString());
      }
      continue;
    }
    // Claimed like a hand-off DM: when one went since (this process's or another's), it told
    // of them, and this one is not sent. A granted claim counts the same questions as above:
    // none can be held back once the interval after that DM is over.
    auto claim = store_.ClaimHandoffDm(held.owner, options_.handoff_dm_interval);
    if (!claim.ok() || !claim->has_value()) continue;
    Reply r = Say1(waiting == 1 ? "Since my last message, another question came in that I "
                                  "couldn't answer."
                                : "Since my last message, " + std::to_string(waiting) +
                                      " more questions came in that I couldn't answer.");
    r.buttons = {Btn("Show them", "unanswered", "", Button::Style::kPrimary)};
    if (Status sent = messenger_.Send(Destination::Direct(held.owner), r); !sent.ok()) {
      LogWarn("assistant: cannot tell {}/{} of the questions waiting: {}", held.owner.team_id,
              held.owner.user_id, sent.ToString());
    }
  }
}

Reply Assistant::HandoffMessage(const store::AskedQuestion& asked,
                                const std::vector<std::string>& candidates, int64_t left_out) {
  Reply r;
  r.paragraphs.push_back(AskedYou(asked));
  if (asked.feedback == store::Feedback::kDown) {
    // Answered, and the answer missed: which one, so the owner can tell what to fix.
    std::optional<store::Topic> missed;
    if (asked.topic_id) {
      if (auto topic = store_.GetTopic(asked.owner, *asked.topic_id);
          topic.ok() && topic->has_value()) {
        missed = **topic;
      }
    }
    std::vector<Span> line = {Words("👎 "), Mention(asked.asker.user_id),
                              Words(" said the answer they got missed")};
    if (missed) {
      line.push_back(Words(asked.outcome == store::QuestionOutcome::kAnswered
                               ? " — I had answered with your topic “"
                               : " — your answer to topic “"));
      line.push_back(UserText(missed->content.question));
      line.push_back(Words("”"));
    }
    line.push_back(Words(". Teach me, and I'll pass it on."));
    r.paragraphs.push_back(Line(std::move(line)));
  } else {
    r.paragraphs.push_back(Line("I didn't know the answer. Teach me, and I'll pass it on."));
  }
  // The topic left out rides along, so the message comes back without it after *Answer it*.
  r.buttons.push_back(Btn("Answer it", kActionHandoffAnswer, HandoffValue({asked.id, left_out}),
                          Button::Style::kPrimary));
  // The model's nearest live topics, best first: one press teaches the bot this phrasing.
  for (const auto& t : LiveTopicsOf(asked.owner, candidates)) {
    r.buttons.push_back(Btn("It's “" + t.content.question + "”", kActionHandoffTopic,
                            HandoffValue({asked.id, t.topic_id})));
  }
  r.buttons.push_back(Btn("Ignore", kActionHandoffIgnore, HandoffValue({asked.id})));
  if (options_.threads)
    r.context.push_back(Line("Or reply in this thread: your reply is the answer."));
  // Where it goes is kept (MessagePosted), so it can say how the question was settled elsewhere.
  r.track = HandoffTrack(asked.id);
  return r;
}

void Assistant::MessagePosted(const std::string& key, const std::string& channel,
                              const std::string& ts) {
  const std::optional<int64_t> id = ParseHandoffTrack(key);
  if (!id) return;
  // Known already: a press on this very message (Slack showed it before telling us its ts)
  // recorded it, and that press updated it with what was done and by whom.
  auto before = store_.GetQuestion(*id);
  if (before.ok() && before->has_value() && (*before)->handoff_channel == channel &&
      (*before)->handoff_ts == ts) {
    return;
  }
  Status kept = store_.SetHandoffMessage(*id, channel, ts);
  if (!kept.ok()) {
    LogWarn("assistant: cannot keep where the hand-off DM of question {} went: {}", *id,
            kept.ToString());
    return;
  }
  // Settled before its place was known (the asker picked a suggestion, or the owner used the
  // unanswered list, while the DM waited its turn to go out): nobody could update it then, so
  // it is updated now. Read after keeping the place, as a settling reads again after closing
  // (UpdateHandoffDm): one of the two sees the other.
  auto now = store_.GetQuestion(*id);
  if (!now.ok() || !now->has_value() || IsOpen(**now)) return;
  Status sent = messenger_.Send(Destination::Update((*now)->owner, channel, ts), SettledDm(**now));
  if (!sent.ok()) {
    LogWarn("assistant: cannot update the hand-off DM of settled question {}: {}", *id,
            sent.ToString());
  }
}

Reply Assistant::SettledDm(const store::AskedQuestion& asked) {
  const std::optional<store::PublishedTopic> topic =
      asked.topic_id ? LiveTopic(asked.owner, *asked.topic_id) : std::nullopt;
  if (asked.outcome == store::QuestionOutcome::kAnswered && topic) {
    return PickedHandoffDm(asked, *topic);
  }
  Reply done;
  done.paragraphs.push_back(Asked(asked));
  if (asked.outcome == store::QuestionOutcome::kIgnored) {
    done.paragraphs.push_back(Line("Ignored meanwhile."));
  } else if (topic) {
    done.paragraphs.push_back(
        Line({Words("✅ Settled meanwhile: it's "), UserText(topic->content.question), Words(".")}));
  } else {
    done.paragraphs.push_back(Line("✅ Answered meanwhile."));
  }
  return done;
}

void Assistant::UpdateHandoffDm(Turn& turn, const store::AskedQuestion& asked, Reply done,
                                const std::string& except_ts) {
  std::string channel = asked.handoff_channel;
  std::string ts = asked.handoff_ts;
  if (ts.empty()) {
    // Read before the question was settled; its DM may have gone out since (MessagePosted).
    auto now = store_.GetQuestion(asked.id);
    if (now.ok() && now->has_value()) {
      channel = (*now)->handoff_channel;
      ts = (*now)->handoff_ts;
    }
  }
  if (channel.empty() || ts.empty() || ts == except_ts) return;
  if (turn.pressed && turn.pressed->ts == ts && turn.pressed->channel == channel) {
    return;  // the press updates it
  }
  turn.others.emplace_back(Destination::Update(asked.owner, channel, ts), std::move(done));
}

void Assistant::UpdateHandoffDmsAlong(Turn& turn, const std::vector<store::AskedQuestion>& along,
                                      const Paragraph& how) {
  for (const auto& q : along) {
    Reply done;
    done.paragraphs.push_back(Asked(q));
    done.paragraphs.push_back(how);
    UpdateHandoffDm(turn, q, std::move(done));
  }
}

std::optional<store::AskedQuestion> Assistant::OwnedQuestion(Turn& turn, int64_t id) {
  auto asked = store_.GetQuestion(id);
  if (!asked.ok()) {
    Say(turn, Say1("Sorry, I can't reach my memory right now :scream_cat: Please try again in a "
                   "minute."));
    return std::nullopt;
  }
  if (!asked->has_value()) {
    Say(turn, Say1("I can't find that question any more."));
    return std::nullopt;
  }
  if (!((*asked)->owner == turn.who)) {
    Say(turn, Say1("Only the person who was asked can answer that one."));
    return std::nullopt;
  }
  return **asked;
}

void Assistant::HandoffAnswer(Turn& turn, const HandoffRef& ref) {
  auto asked = OwnedQuestion(turn, ref.question_id);
  if (!asked) return;
  if (!IsOpen(*asked)) return AlreadyHandled(turn, ref);
  DialogueState next{DialogueState::Step::kAwaitAnswer, asked->text, ref.topic_id, asked->id};
  if (turn.pressed) {
    next.message_channel = turn.pressed->channel;
    next.message_ts = turn.pressed->ts;
    next.message_is_list = ref.from_list;
  }
  turn.Set(std::move(next));
  // The buttons go at once; the message says who answers (and, once answered, what).
  Reply answering;
  answering.paragraphs.push_back(Asked(*asked));
  answering.paragraphs.push_back(Line({Words("✍️ "), Mention(turn.who.user_id),
                                       Words(" is answering it — type the answer below.")}));
  if (ref.from_list) {
    UpdateHandoffDm(turn, *asked, std::move(answering));
  } else {
    UpdatePressed(turn, ref, std::move(answering));
  }
  Reply r;
  r.paragraphs.push_back(
      Line({Words("What answer should I give to "), UserText(asked->text),
            AfterUserText(asked->text, "? I'll send it to "), Mention(asked->asker.user_id),
            Words(" and keep it as a new topic.")}));
  r.context.push_back(Line("Type *cancel* to stop."));
  Say(turn, r);
}

void Assistant::HandoffTopic(Turn& turn, const HandoffRef& ref) {
  auto asked = OwnedQuestion(turn, ref.question_id);
  if (!asked) return;
  if (ref.topic_id == 0) return Say(turn, Say1("I can't find that topic any more."));
  if (const std::optional<std::string> unanswered = WithoutAnswer(turn.who, ref.topic_id)) {
    return Say(turn, OneLine(Line({UserText(*unanswered),
                                   Words(" has no answer yet, so there is nothing to send. Give "
                                         "it an answer, then press the button again.")})));
  }
  // Closing the question first makes the button one-shot, across presses and processes.
  auto closed = store_.CloseQuestion(asked->id, store::QuestionOutcome::kResolved, ref.topic_id);
  if (!closed.ok()) return Say(turn, Say1("I couldn't do that just now — please try again."));
  // The asker may have picked a suggested topic meanwhile: the owner's word settles it (and the
  // bot learns it); the asker needs no second copy of the same answer.
  bool asker_has_it = false;
  // Settled so by this very press, in a process that stopped before the answer went out: the
  // rest is done now (learning the words again changes nothing).
  const bool resuming = !*closed && turn.resumed &&
                        asked->outcome == store::QuestionOutcome::kResolved &&
                        asked->topic_id == ref.topic_id;
  if (resuming) {
    LogWarn("assistant: resuming It's-topic of question {} cut short by a stopped process",
            asked->id);
  } else if (!*closed) {
    const std::optional<int64_t> picked = PickedTopic(asked->id);
    if (!picked) return AlreadyHandled(turn, ref);
    auto reopened = store_.ReopenQuestion(asked->id, *picked);
    if (!reopened.ok() || !*reopened) return AlreadyHandled(turn, ref);
    closed = store_.CloseQuestion(asked->id, store::QuestionOutcome::kResolved, ref.topic_id);
    if (!closed.ok() || !*closed) return AlreadyHandled(turn, ref);
    asker_has_it = *picked == ref.topic_id;
  }
  const std::optional<Learned> learned = LearnItsTopic(turn, *asked, ref.topic_id);
  if (!learned) return;
  StopAwaitingAnswerTo(turn, asked->id);
  // The asker gets the answer askers get from now on: the live one.
  std::string answer = learned->topic.content.answer;
  if (learned->live) {
    for (const auto& t : learned->live->topics) {
      if (t.topic_id == ref.topic_id) answer = t.content.answer;
    }
  } else if (const auto live = LiveTopic(turn.who, ref.topic_id)) {
    answer = live->content.answer;  // the draft changed (its answer cleared): not live yet
  }
  // The asker first, then everyone else waiting.
  if (!asker_has_it) DeliverAnswer(turn, *asked, ref.topic_id, answer);
  const std::vector<store::AskedQuestion> along =
      AnswerWaiting(turn, *asked, ref.topic_id, answer, learned->live.has_value(), resuming);
  std::vector<int64_t> along_ids;
  for (const auto& q : along) along_ids.push_back(q.id);
  const size_t people = PeopleAnswered(*asked, along) - (asker_has_it ? 1 : 0);
  Reply r;
  r.paragraphs.push_back(AddedAsPhrasing(asked->text, learned->topic.content.question));
  r.paragraphs.push_back(Line(
      LiveOrDraft(learned->live.has_value()) +
      (people > 0 ? " I've sent the answer to " + Count(people, "person", "people") + " who asked."
                  : "")));
  if (asker_has_it) {
    r.context.push_back(Line(
        {Mention(asked->asker.user_id), Words(" had already picked it from my suggestions.")}));
  }
  // A wrong press is undone as quickly as it was made, for everyone it answered.
  const std::string undo = HandoffValue({asked->id, ref.topic_id, false, along_ids, asker_has_it});
  turn.RememberUndo(undo, clock_.UnixMillis());
  r.buttons = {Btn("Undo", kActionHandoffUndo, undo)};
  if (!learned->live) r.buttons.push_back(Btn("Publish", "publish", "", Button::Style::kPrimary));
  Say(turn, r);
  Reply done;
  done.paragraphs.push_back(Asked(*asked));
  done.paragraphs.push_back(Line({Words("✅ "), Mention(turn.who.user_id),
                                  Words(" said it's "), UserText(learned->topic.content.question),
                                  Words(learned->live ? " — learned and live." : " — kept as a draft.")}));
  UpdateHandoffDm(turn, *asked, done);
  UpdateHandoffDmsAlong(turn, along,
                        Line({Words("✅ Answered along with "), UserText(asked->text), Words(": "),
                              Mention(turn.who.user_id), Words(" said it's "),
                              UserText(learned->topic.content.question), Words(".")}));
  UpdatePressed(turn, ref, std::move(done));
}

std::vector<std::string> Assistant::NearestIntents(const store::UserRef& owner,
                                                   const std::string& text, int64_t except) {
  std::vector<std::string> nearest;
  auto model = registry_.Get(owner);
  if (!model.ok()) return nearest;
  const size_t wanted = static_cast<size_t>(options_.handoff_candidates) + (except != 0 ? 1 : 0);
  const std::string left_out = except != 0 ? TopicIntent(except) : std::string();
  for (const auto& r : (*model)->Predict(text, wanted).ranking) {
    if (r.name != left_out) nearest.push_back(r.name);
  }
  return nearest;
}

void Assistant::RememberPressedHandoffDm(const Turn& turn, const HandoffRef& ref) {
  if (ref.from_list || !turn.pressed || turn.pressed->kind != Destination::Kind::kUpdate ||
      turn.pressed->channel.empty() || turn.pressed->ts.empty()) {
    return;
  }
  auto asked = store_.GetQuestion(ref.question_id);
  if (!asked.ok() || !asked->has_value() || !(*asked)->handoff_ts.empty() ||
      !((*asked)->owner == turn.who)) {
    return;
  }
  if (Status kept =
          store_.SetHandoffMessage(ref.question_id, turn.pressed->channel, turn.pressed->ts);
      !kept.ok()) {
    LogWarn("assistant: cannot keep where the hand-off DM of question {} is: {}", ref.question_id,
            kept.ToString());
  }
}

void Assistant::RestoreAbandonedHandoff(Turn& turn) {
  const DialogueState& was = turn.loaded;
  if (was.step != DialogueState::Step::kAwaitAnswer || was.handoff_id == 0) return;
  if (turn.state.step == DialogueState::Step::kAwaitAnswer &&
      turn.state.handoff_id == was.handoff_id) {
    return;  // still answering it
  }
  auto asked = store_.GetQuestion(was.handoff_id);
  // Settled (the answer went, or a press elsewhere): whatever settled it updated its DM.
  if (!asked.ok() || !asked->has_value() || !IsOpen(**asked)) return;
  const Reply again =
      HandoffMessage(**asked, NearestIntents(turn.who, (*asked)->text, was.topic_id), was.topic_id);
  std::set<std::pair<std::string, std::string>> updated;
  // The hand-off DM, and the message *Answer it* was pressed on when that was another (not the
  // unanswered list, which is shown afresh when asked for).
  if (!(*asked)->handoff_ts.empty()) {
    updated.insert({(*asked)->handoff_channel, (*asked)->handoff_ts});
    turn.others.emplace_back(
        Destination::Update(turn.who, (*asked)->handoff_channel, (*asked)->handoff_ts), again);
  }
  if (!was.message_is_list && !was.message_ts.empty() &&
      updated.insert({was.message_channel, was.message_ts}).second) {
    turn.others.emplace_back(Destination::Update(turn.who, was.message_channel, was.message_ts),
                             again);
  }
}

void Assistant::StopAwaitingAnswerTo(Turn& turn, int64_t question_id) {
  if ((turn.state.step == DialogueState::Step::kAwaitAnswer ||
       turn.state.step == DialogueState::Step::kConfirmAnswer) &&
      turn.state.handoff_id == question_id) {
    turn.Set({});
  }
}

void Assistant::HandoffIgnore(Turn& turn, const HandoffRef& ref) {
  auto asked = OwnedQuestion(turn, ref.question_id);
  if (!asked) return;
  auto closed = store_.CloseQuestion(asked->id, store::QuestionOutcome::kIgnored, std::nullopt);
  if (!closed.ok()) return Say(turn, Say1("I couldn't do that just now — please try again."));
  if (!*closed) return AlreadyHandled(turn, ref);
  StopAwaitingAnswerTo(turn, asked->id);
  CountResolved("ignored");
  Say(turn, Say1("Ok, ignored."));
  Reply done;
  done.paragraphs.push_back(Asked(*asked));
  done.paragraphs.push_back(Line({Words("Ignored by "), Mention(turn.who.user_id), Words(".")}));
  UpdateHandoffDm(turn, *asked, done);
  UpdatePressed(turn, ref, std::move(done));
}

void Assistant::HandoffUndo(Turn& turn, const HandoffRef& ref) {
  auto asked = OwnedQuestion(turn, ref.question_id);
  if (!asked) return;
  // Reopening first makes the button one-shot, across presses and processes.
  auto reopened = store_.ReopenQuestion(asked->id, ref.topic_id);
  if (!reopened.ok()) return Say(turn, Say1("I couldn't do that just now — please try again."));
  if (!*reopened && !HandedBackStillLearned(*asked, ref.topic_id)) {
    // A note of its own: the pressed message keeps saying what the first press undid.
    return Say(turn, Say1("_Undone already, or answered since — nothing changed._"));
  }
  if (const auto remembered = ParseHandoffValue(turn.state.undo);
      remembered && remembered->question_id == asked->id) {
    turn.ForgetUndo();  // a typed "undo" now has nothing to take back
  }
  auto unlearned = topics_.UnlearnPhrasing(turn.who, ref.topic_id, LearnableWords(*asked));
  if (!unlearned.ok()) {
    (void)store_.SetQuestionOutcome(asked->id, store::QuestionOutcome::kResolved, ref.topic_id);
    return Say(turn, Say1(unlearned.status().code() == StatusCode::kNotFound
                              ? "I can't find that topic any more."
                              : "I couldn't undo that: " + unlearned.status().message() +
                                    ". Please try again."));
  }
  Reply done;
  done.paragraphs.push_back(
      Line({Words("↩️ Undone: "), UserText(asked->text), Words(" is no longer a way to ask "),
            UserText(unlearned->topic.content.question),
            Words(unlearned->live ? " — your bot has forgotten it." : ".")}));
  ReplacePressedOrSay(turn, std::move(done));
  // Handed over again, without the topic that was wrong: the nearest others, as a hand-off.
  const std::vector<std::string> candidates = NearestIntents(turn.who, asked->text, ref.topic_id);
  // Everyone who was sent X's answer for these words hears that it was not for them, and the
  // others' questions wait again beside this one (the same answer will reach them all): those
  // answered along with the press, and those the live bot answered with X since, asked in the
  // same words (the same mistake).
  const std::string& wrong_question = unlearned->topic.content.question;
  TellAsker(turn, *asked, Correction(*asked, wrong_question, ref.asker_picked));
  std::vector<store::AskedQuestion> others;
  for (int64_t id : ref.along) {
    auto other = store_.GetQuestion(id);
    if (other.ok() && other->has_value() && (*other)->owner == turn.who) {
      others.push_back(**other);
    }
  }
  auto answered_since = store_.ListAnsweredAs(turn.who, ref.topic_id, asked->updated_at,
                                              static_cast<int>(kMaxAnsweredAlong));
  if (answered_since.ok()) {
    const std::string key = QuestionKey(asked->text);
    for (auto& q : *answered_since) {
      if (QuestionKey(q.text) == key) others.push_back(std::move(q));
    }
  }
  std::vector<Span> told;
  std::set<std::pair<std::string, std::string>> corrected = {
      {asked->asker.user_id, QuestionKey(asked->text)}};
  std::set<std::string> mentioned = {asked->asker.user_id};
  std::set<int64_t> named = {asked->id};
  std::vector<store::AskedQuestion> reopened_along;
  for (const auto& q : others) {
    auto again = store_.ReopenQuestion(q.id, ref.topic_id);
    if (!again.ok() || !*again) continue;  // answered since, or undone already
    named.insert(q.id);
    reopened_along.push_back(q);
    if (corrected.insert({q.asker.user_id, QuestionKey(q.text)}).second) {
      TellAsker(turn, q, Correction(q, wrong_question));
    }
    if (!mentioned.insert(q.asker.user_id).second) continue;
    told.push_back(told.empty() ? Words("Told too, and waiting with it again: ") : Words(", "));
    told.push_back(Mention(q.asker.user_id));
  }
  Reply again = HandoffMessage(*asked, candidates, ref.topic_id);
  again.context.push_back(
      Line({Mention(asked->asker.user_id),
            Words(ref.asker_picked ? " had picked " : " was sent the answer of "),
            UserText(wrong_question),
            Words(ref.asker_picked ? " from my suggestions and has been told it is not the answer."
                                   : " and has been told it was not for them.")}));
  if (!told.empty()) {
    told.push_back(Words(" — your answer reaches them all."));
    again.context.push_back(Line(std::move(told)));
  }
  // This is a hand-off DM: it tells of the questions it names, so no "another question came in"
  // follows for them, and counts the others held back meanwhile, as a hand-off does.
  MentionAlsoWaiting(again,
                     ClaimHandoffDm(turn.who, std::chrono::milliseconds(0), named).value_or(0));
  Say(turn, again);
  // Their earlier hand-off DMs no longer say they were settled.
  const Paragraph undone_line =
      Line({Words("↩️ "), Mention(turn.who.user_id), Words(" took back “It's "),
            UserText(wrong_question), Words("” — the question waits for you again.")});
  Reply was;
  was.paragraphs.push_back(Asked(*asked));
  was.paragraphs.push_back(undone_line);
  UpdateHandoffDm(turn, *asked, std::move(was));
  UpdateHandoffDmsAlong(turn, reopened_along, undone_line);
}

bool Assistant::HandedBackStillLearned(const store::AskedQuestion& asked, int64_t topic_id) {
  if (!IsOpen(asked)) return false;
  const std::string learned = LearnableWords(asked);
  const auto has = [&](const std::vector<std::string>& phrasings) {
    return std::find(phrasings.begin(), phrasings.end(), learned) != phrasings.end();
  };
  if (const auto live = LiveTopic(asked.owner, topic_id); live && has(live->content.phrasings)) {
    return true;
  }
  auto draft = store_.GetTopic(asked.owner, topic_id);
  return draft.ok() && draft->has_value() && has((*draft)->content.phrasings);
}

void Assistant::UndoLast(Turn& turn) {
  const std::string undo = turn.state.undo;
  const bool recent =
      !undo.empty() && clock_.UnixMillis() - turn.state.undo_at <= kTypedUndoWithinMillis;
  if (!undo.empty()) turn.ForgetUndo();  // one "undo" per press
  if (recent && undo.starts_with(kUndoTopicPrefix)) {
    // *Answer it*: the question became a topic of its own, which the owner may delete.
    Say(turn, Say1("Your latest answer became a topic of its own. To take it back, delete it:"));
    return ShowTopic(turn, undo.substr(kUndoTopicPrefix.size()));
  }
  const std::optional<HandoffRef> ref = recent ? ParseHandoffValue(undo) : std::nullopt;
  if (!ref) {
    return Say(turn, Say1("There's nothing for me to undo: typing *undo* takes back the last "
                          "*It's …* you picked for a question in the past hour. Older ones are in "
                          "your topics — press *Edit* next to one to change it."));
  }
  HandoffUndo(turn, *ref);
}

Reply Assistant::Correction(const store::AskedQuestion& asked, const std::string& wrong_question,
                            bool asker_picked) {
  Reply r;
  r.paragraphs.push_back(YouAsked(asked));
  if (asker_picked) {
    // They chose it themselves: not the bot's mistake, and not one to apologise for as such.
    r.paragraphs.push_back(Line({Mention(asked.owner.user_id),
                                 Words(" says the topic you picked from my suggestions ("),
                                 UserText(wrong_question),
                                 Words(") isn't the answer to it. I've handed your question back to "),
                                 Mention(asked.owner.user_id), Words(".")}));
    return r;
  }
  r.paragraphs.push_back(Line({Words("Sorry — the answer I sent you was for another question ("),
                               UserText(wrong_question), Words("). I've handed yours back to "),
                               Mention(asked.owner.user_id), Words(".")}));
  return r;
}

bool Assistant::AnswerInHandoffThread(Turn& turn, const UserMessage& m) {
  const std::string answer = TrimText(m.text);
  if (answer.empty()) return false;
  auto found = store_.FindQuestionByHandoffMessage(turn.who, m.channel, m.thread_ts);
  if (!found.ok()) {
    LogWarn("assistant: cannot tell which question the thread {} answers: {}", m.thread_ts,
            found.status().ToString());
    return false;
  }
  if (!found->has_value()) return false;
  const store::AskedQuestion& asked = **found;
  // Said where the owner wrote: in the thread.
  if (turn.reply_to.kind == Destination::Kind::kChannel) turn.reply_to.thread_ts = m.thread_ts;
  if (!IsOpen(asked)) {
    Reply r;
    r.paragraphs.push_back(Asked(asked));
    r.paragraphs.push_back(Line("That question was settled already — nothing changed."));
    Say(turn, std::move(r));
    return true;
  }
  if (concierge_.IsCommandPhrase(answer) || ReadsLikeLearningCommand(answer) ||
      IsCancelWord(answer)) {
    // "undo", "cancel", "show my topics" in the thread: most likely not for the asker — asked.
    Say(turn, AskIfAnswer(turn, asked, answer,
                          {Words("“"), UserText(answer), Words("” reads like a command. Is it")}));
    return true;
  }
  AnswerNow(turn, asked, answer, m.channel, m.thread_ts);
  return true;
}

void Assistant::AnswerNow(Turn& turn, const store::AskedQuestion& asked, const std::string& answer,
                          const std::string& message_channel, const std::string& message_ts) {
  const DialogueState before = turn.state;
  DialogueState answering{DialogueState::Step::kAwaitAnswer, asked.text, 0, asked.id};
  answering.message_channel = message_channel;
  answering.message_ts = message_ts;
  turn.Set(std::move(answering));
  AnswerHandoff(turn, answer);
  // Another flow in progress (adding a topic, say) goes on where it was; one about this question
  // (*Answer it* pressed, or "is that your answer?") is over.
  const bool same = before.handoff_id == asked.id;
  if (turn.state.step == DialogueState::Step::kIdle && before.step != DialogueState::Step::kIdle &&
      !same) {
    turn.Set(before);
  }
}

std::optional<std::string> Assistant::WithoutAnswer(const store::UserRef& owner, int64_t topic_id) {
  const std::optional<store::PublishedTopic> live = LiveTopic(owner, topic_id);
  if (live && !live->content.answer.empty()) return std::nullopt;
  auto draft = store_.GetTopic(owner, topic_id);
  if (!draft.ok() || !draft->has_value() || !store::NeedsAnswer((*draft)->content)) {
    return std::nullopt;
  }
  return (*draft)->content.question;
}

Status Assistant::SettleAsTopic(const store::UserRef& owner, int64_t question_id,
                                int64_t topic_id) {
  if (WithoutAnswer(owner, topic_id)) {
    return FailedPreconditionError("that topic has no answer yet: give it one first");
  }
  return SettleElsewhere(owner, question_id, [&](Turn& turn, const store::AskedQuestion&) {
    HandoffTopic(turn, HandoffRef{question_id, topic_id});
  });
}

Status Assistant::SettleAsIgnored(const store::UserRef& owner, int64_t question_id) {
  return SettleElsewhere(owner, question_id, [&](Turn& turn, const store::AskedQuestion&) {
    HandoffIgnore(turn, HandoffRef{question_id});
  });
}

Status Assistant::SettleWithAnswer(const store::UserRef& owner, int64_t question_id,
                                   const std::string& answer) {
  const std::string text = TrimText(answer);
  if (text.empty()) return InvalidArgumentError("the answer is empty");
  return SettleElsewhere(owner, question_id, [&](Turn& turn, const store::AskedQuestion& asked) {
    AnswerNow(turn, asked, text, "", "");
  });
}

Status Assistant::SettleElsewhere(
    const store::UserRef& owner, int64_t question_id,
    const std::function<void(Turn&, const store::AskedQuestion&)>& settle) {
  const auto owned = [&]() -> Result<store::AskedQuestion> {
    FAQBOT_ASSIGN_OR_RETURN(auto q, store_.GetQuestion(question_id));
    if (!q.has_value() || !(q->owner == owner)) {
      return NotFoundError("question " + std::to_string(question_id) + " not found");
    }
    return *std::move(q);
  };
  {
    Turn turn;
    turn.who = owner;
    turn.reply_to = Destination::Direct(owner);
    std::lock_guard person(LockFor(owner));
    TurnFinisher finish{this, &turn};
    FAQBOT_RETURN_IF_ERROR(LoadState(turn));
    FAQBOT_ASSIGN_OR_RETURN(const store::AskedQuestion asked, owned());
    if (!IsOpen(asked)) return FailedPreconditionError("that question was settled already");
    settle(turn, asked);
  }
  FAQBOT_ASSIGN_OR_RETURN(const store::AskedQuestion after, owned());
  if (IsOpen(after)) {
    return UnavailableError(
        "the question could not be settled just now (your DM with the bot "
        "says why)");
  }
  return Status::Ok();
}

bool Assistant::OfferAsAnswer(Turn& turn, const std::string& text) {
  if (text.empty() || text.back() == '?' || LowerWords(text).size() < 3) return false;
  auto waiting = store_.ListUnanswered(turn.who, 500);
  if (!waiting.ok()) return false;
  const int64_t since = clock_.UnixMillis() - kAnswerOfferWindowMillis;
  const store::AskedQuestion* last = nullptr;  // handed to them (again) most recently
  int64_t last_at = since;
  for (const auto& q : *waiting) {
    if (q.asker == turn.who) continue;  // their own tries wait for no answer
    const int64_t at = std::max(q.asked_at, q.updated_at);
    if (at >= last_at) {
      last = &q;
      last_at = at;
    }
  }
  if (last == nullptr) return false;
  Reply r = AskIfAnswer(turn, *last, text, {Words("Is that")});
  // "It's the password one": more likely *It's X* than an answer in those words.
  if (const std::optional<store::PublishedTopic> named = ItsNamedTopic(turn.who, text)) {
    const std::string value = r.buttons.front().value;
    r.buttons = {Btn("It's “" + named->content.question + "”", kActionHandoffTopic,
                     HandoffValue({last->id, named->topic_id}), Button::Style::kPrimary),
                 Btn("Send my words as the answer", "affirm", value), Btn("No", "deny", value)};
  }
  Say(turn, std::move(r));
  return true;
}

Reply Assistant::AskIfAnswer(Turn& turn, const store::AskedQuestion& asked, const std::string& text,
                             std::vector<Span> lead) {
  turn.Set({DialogueState::Step::kConfirmAnswer, text, 0, asked.id});
  lead.insert(lead.end(), {Words(" your answer to "), Mention(asked.asker.user_id),
                           Words("? They asked: "), UserText(asked.text)});
  Reply r;
  r.paragraphs.push_back(Line(std::move(lead)));
  const std::string value = ConfirmationOf(turn.state);
  r.buttons = {Btn("Yes, send it", "affirm", value, Button::Style::kPrimary),
               Btn("No", "deny", value)};
  return r;
}

std::optional<store::PublishedTopic> Assistant::ItsNamedTopic(const store::UserRef& owner,
                                                              const std::string& text) {
  const std::string lower = AsciiLower(text);
  for (const char* its : {"it's ", "it’s ", "it is ", "its ", "that's ", "that is ", "same as "}) {
    const std::string prefix = its;
    if (lower.rfind(prefix, 0) != 0) continue;
    const std::optional<int64_t> id = NamedTopic(owner, text.substr(prefix.size()));
    return id ? LiveTopic(owner, *id) : std::nullopt;
  }
  return std::nullopt;
}

void Assistant::AnswerHandoff(Turn& turn, const std::string& answer) {
  const DialogueState pending = turn.state;
  auto asked = OwnedQuestion(turn, pending.handoff_id);
  if (!asked) return turn.Set({});
  auto closed = store_.CloseQuestion(asked->id, store::QuestionOutcome::kResolved, std::nullopt);
  if (!closed.ok()) {
    return Say(turn, Say1("Seems like I cannot add new topic for you right now :scream_cat: "
                          "Send the answer again in a minute, or type *cancel*."));
  }
  // Settled by this very answer, in a process that stopped before the answer went out: the rest
  // is done now, with the topic that process added if it got that far.
  std::optional<int64_t> added_before;
  bool resuming = false;
  if (!*closed && turn.resumed && asked->outcome == store::QuestionOutcome::kResolved) {
    auto topics = store_.ListTopics(turn.who);
    if (topics.ok()) {
      for (const auto& t : *topics) {
        if (t.content.question == LearnableWords(*asked) && t.content.answer == answer &&
            (!asked->topic_id || *asked->topic_id == t.id)) {
          added_before = t.id;
        }
      }
    }
    resuming = added_before.has_value() || !asked->topic_id;
  }
  if (!*closed && !resuming) {
    turn.Set({});
    if (asked->outcome == store::QuestionOutcome::kAnswered &&
        asked->feedback == store::Feedback::kUp) {
      // The asker took back their 👎 meanwhile: the owner's words are shown, not lost silently.
      return Say(turn, OneLine(Line({Mention(asked->asker.user_id),
                                     Words(" said my answer helped after all, so I didn't send "
                                           "yours: “"),
                                     UserText(answer),
                                     Words("”. To keep it as a topic, say *add a topic*.")})));
    }
    return Say(turn, Say1("That question was answered already — I kept nothing new."));
  }
  if (resuming) {
    LogWarn("assistant: resuming the answer to question {} cut short by a stopped process",
            asked->id);
  }
  // The words are a topic's own question already (its answer missed, 👎; or it is a draft): the
  // answer becomes that topic's — a second topic of the same words would lose to the first, and
  // the words would keep their old answer. Words that are another topic's phrasing leave it and
  // lead to the new topic.
  std::optional<store::Topic> same_words;
  std::optional<std::pair<store::Topic, std::string>> moved;
  if (!added_before) {
    if (auto topics = store_.ListTopics(turn.who); topics.ok()) {
      const std::string key = QuestionKey(asked->text);
      for (const auto& t : *topics) {
        if (!same_words && QuestionKey(t.content.question) == key) same_words = t;
        for (const auto& p : t.content.phrasings) {
          if (!moved && QuestionKey(p) == key) moved = {t, p};
        }
      }
    }
  }
  if (same_words) moved.reset();
  if (moved) {
    if (auto unlearned = topics_.UnlearnPhrasing(turn.who, moved->first.id, moved->second);
        !unlearned.ok()) {
      LogWarn("assistant: cannot move the phrasing of question {} from topic {}: {}", asked->id,
              moved->first.id, unlearned.status().ToString());
      moved.reset();
    }
  }
  auto learned = added_before ? topics_.LearnStoredTopic(turn.who, *added_before)
                 : same_words ? topics_.LearnAnswer(turn.who, same_words->id, answer)
                              : topics_.LearnTopic(turn.who, {LearnableWords(*asked), {}, answer});
  if (!learned.ok()) {
    Reopen(*asked);  // the same answer can be sent again
    return Say(turn, Say1("I couldn't add that topic: " + learned.status().message() +
                          ". Send the answer again, or type *cancel*."));
  }
  (void)store_.SetQuestionOutcome(asked->id, store::QuestionOutcome::kResolved,
                                  learned->topic.id);
  CountResolved("answered", learned->live ? "topic" : "");
  turn.Set({});
  if (same_words) {
    turn.ForgetUndo();  // no topic of its own to take back: the topic's answer changed
  } else {
    turn.RememberUndo(std::string(kUndoTopicPrefix) + std::to_string(learned->topic.id),
                      clock_.UnixMillis());
  }
  DeliverAnswer(turn, *asked, learned->topic.id, answer);  // the asker first, then the others
  const std::vector<store::AskedQuestion> along =
      AnswerWaiting(turn, *asked, learned->topic.id, answer, learned->live.has_value(), resuming);
  const size_t people = PeopleAnswered(*asked, along);
  const std::string sent_to =
      " I've sent your answer to " + Count(people, "person", "people") + " who asked.";
  Reply r;
  if (same_words) {
    r.paragraphs.push_back(
        Line({Words("Changed the answer of "), UserText(same_words->content.question),
              Words(CommaName(NameOf(turn.who)) +
                    " :kissing_cat: " + LiveOrDraft(learned->live.has_value()) + sent_to)}));
  } else {
    r = Say1("Topic added" + CommaName(NameOf(turn.who)) +
             " :kissing_cat: " + LiveOrDraft(learned->live.has_value()) + sent_to);
  }
  if (moved) {
    r.context.push_back(
        Line({UserText(moved->second), Words(" is no longer a way to ask "),
              UserText(moved->first.content.question), Words(": it leads to this answer now.")}));
  }
  r.buttons = {Btn("Another phrasing of this one", kActionAddPhrasing,
                   std::to_string(learned->topic.id)),
               Btn("Show my topics", "list_topics")};
  if (!learned->live) r.buttons.push_back(Btn("Publish now", "publish"));
  Say(turn, r);
  Reply done;
  done.paragraphs.push_back(Asked(*asked));
  done.paragraphs.push_back(
      Line({Words("✅ "), Mention(turn.who.user_id), Words(" answered: "), UserText(answer)}));
  UpdateHandoffDm(turn, *asked, done, pending.message_ts);
  UpdateHandoffDmsAlong(turn, along,
                        Line({Words("✅ Answered along with "), UserText(asked->text), Words(": "),
                              Mention(turn.who.user_id), Words(" answered: "), UserText(answer)}));
  if (!pending.message_ts.empty()) {
    if (pending.message_is_list) {
      // The unanswered list stays a list, without what was just answered.
      if (auto list = UnansweredList(turn.who)) done = std::move(*list);
    }
    turn.others.emplace_back(
        Destination::Update(turn.who, pending.message_channel, pending.message_ts),
        std::move(done));
  }
}

std::vector<store::AskedQuestion> Assistant::AnswerWaiting(Turn& turn,
                                                           const store::AskedQuestion& answered,
                                                           int64_t topic_id,
                                                           const std::string& answer, bool live,
                                                           bool resuming) {
  std::vector<store::AskedQuestion> closed_along;
  const std::string key = QuestionKey(answered.text);
  // Someone who asked the same words twice gets the answer once.
  std::set<std::pair<std::string, std::string>> told = {{answered.asker.user_id, key}};
  if (resuming) {
    // The stopped process may have closed some along with it and stopped before their answers
    // went out: they are sent again (at least once, as the press's own asker's is).
    auto settled = store_.ListSettledAs(answered.owner, topic_id, answered.updated_at,
                                        answered.updated_at + kClosedAlongWithinMillis,
                                        static_cast<int>(kMaxAnsweredAlong) + 1);
    if (settled.ok()) {
      for (const auto& q : *settled) {
        if (q.id == answered.id || closed_along.size() >= kMaxAnsweredAlong) continue;
        if (told.insert({q.asker.user_id, QuestionKey(q.text)}).second) {
          DeliverAnswer(turn, q, topic_id, answer);
        }
        closed_along.push_back(q);
      }
    }
  }
  auto waiting = store_.ListUnanswered(answered.owner, 500);
  if (!waiting.ok()) return closed_along;
  // With the change live, the new model decides what is "the same question"; otherwise only the
  // same words are.
  std::shared_ptr<const nlu::Model> model;
  if (live) {
    auto loaded = registry_.Get(answered.owner);
    if (loaded.ok()) model = *loaded;
  }
  size_t predicted = 0;
  // Newest first: the same words anywhere in the queue, the model's judgement for the most
  // recent kMaxPredictedAlong (each costs a prediction inside the owner's turn).
  for (auto it = waiting->rbegin(); it != waiting->rend(); ++it) {
    const store::AskedQuestion& q = *it;
    if (closed_along.size() >= kMaxAnsweredAlong) break;
    if (q.id == answered.id || q.outcome == store::QuestionOutcome::kAnswered) continue;
    const std::string q_key = QuestionKey(q.text);
    bool same = q_key == key;
    if (!same && model && predicted < kMaxPredictedAlong) {
      ++predicted;
      same = model->Predict(q.text, 1).intent == TopicIntent(topic_id);
    }
    if (!same) continue;
    auto closed = store_.CloseQuestion(q.id, store::QuestionOutcome::kResolved, topic_id);
    if (!closed.ok() || !*closed) continue;  // another reply got there first
    if (told.insert({q.asker.user_id, q_key}).second) DeliverAnswer(turn, q, topic_id, answer);
    closed_along.push_back(q);
  }
  return closed_along;
}

size_t Assistant::PeopleAnswered(const store::AskedQuestion& answered,
                                 const std::vector<store::AskedQuestion>& along) {
  std::set<std::string> people = {answered.asker.user_id};
  for (const auto& q : along) people.insert(q.asker.user_id);
  return people.size();
}

void Assistant::CountResolved(std::string_view action, std::string_view live_kind) {
  const metrics::FaqbotMetrics& m = metrics::Faqbot();
  m.handoffs_resolved.With({action}).Inc();
  if (!live_kind.empty()) m.learned.With({live_kind}).Inc();
}

void Assistant::Reopen(const store::AskedQuestion& asked) {
  Status reopened = store_.SetQuestionOutcome(asked.id, asked.outcome, std::nullopt);
  if (!reopened.ok()) {
    LogWarn("assistant: cannot reopen question {}: {}", asked.id, reopened.ToString());
  }
}

void Assistant::AlreadyHandled(Turn& turn, const HandoffRef& ref) {
  const std::optional<int64_t> picked = PickedTopic(ref.question_id);
  const std::optional<store::PublishedTopic> topic =
      picked ? LiveTopic(turn.who, *picked) : std::nullopt;
  if (topic) {
    Say(turn, OneLine(Line({Words("The asker picked "), UserText(topic->content.question),
                            Words(" from my suggestions meanwhile — if that's right, *It's …* "
                                  "with that topic teaches it to your bot.")})));
  } else {
    Say(turn, Say1("That question was handled already — nothing changed."));
  }
  if (ref.from_list) UpdatePressed(turn, ref, Reply{});
}

void Assistant::UpdatePressed(Turn& turn, const HandoffRef& ref, Reply done) {
  if (!turn.pressed) return;
  if (ref.from_list) {
    // The unanswered list stays a list: it is shown again without what was just handled.
    auto list = UnansweredList(turn.who);
    if (!list) return;
    done = std::move(*list);
  }
  turn.others.emplace_back(*turn.pressed, std::move(done));
}

void Assistant::DeliverAnswer(Turn& turn, const store::AskedQuestion& asked, int64_t topic_id,
                              const std::string& answer) {
  Reply r = AnswerTo(asked, answer);
  // The owner's word may miss too (a wrong *It's X*): 👎 hands the question back to them. The
  // buttons name the topic answered, so those of an answer replaced since are told apart.
  r.buttons =
      FeedbackButtons(std::to_string(asked.id) + kAnsweredAsSeparator + std::to_string(topic_id));
  TellAsker(turn, asked, std::move(r));
}

void Assistant::TellAsker(Turn& turn, const store::AskedQuestion& asked, Reply reply) {
  Destination to = Destination::Direct(asked.asker);
  if (!asked.channel.empty() && !asked.thread_ts.empty()) {
    // Asked in a channel: answer in the same thread.
    to.kind = Destination::Kind::kChannel;
    to.channel = asked.channel;
    to.thread_ts = asked.thread_ts;
  }
  turn.others.emplace_back(std::move(to), std::move(reply));
}

// ---- feedback ----

void Assistant::Feedback(Turn& turn, const std::string& value, bool helpful) {
  const std::string_view suffix(kWatchedSuffix);
  const bool watched = value.size() > suffix.size() &&
                       std::string_view(value).substr(value.size() - suffix.size()) == suffix;
  std::string named = watched ? value.substr(0, value.size() - suffix.size()) : value;
  // An owner's answer names the topic it answered with (DeliverAnswer); the bot's do not.
  std::optional<int64_t> answered_as;
  if (const size_t at = named.find(kAnsweredAsSeparator); at != std::string::npos) {
    answered_as = ParseId(named.substr(at + 1));
    named.resize(at);
  }
  std::optional<int64_t> id = ParseId(named);
  if (named.starts_with(kQuestionKeyPrefix)) {
    auto found = store_.FindQuestionByKey(named.substr(kQuestionKeyPrefix.size()));
    if (found.ok() && found->has_value()) id = (*found)->id;
  }
  if (!id) return Say(turn, Say1("I can't find that answer any more."));
  // In a channel (watched, or an ask with a mention of the app) the buttons are everyone's: what
  // the press says back is for the presser only.
  turn.reply_to.MakePrivateInSharedChannel();
  auto found = store_.GetQuestion(*id);
  if (!found.ok()) return Say(turn, Say1("I couldn't record that, sorry — try again later."));
  if (!found->has_value()) return Say(turn, Say1("I can't find that answer any more."));
  const store::AskedQuestion asked = **found;  // as it was before this press
  if (asked.asker != turn.who) {
    return Say(turn, Say1("Only the person who asked can rate this answer."));
  }
  // Taken back by the owner (*Undo*): nothing of it is left to rate, and the question waits for
  // them again (a 👎 then 👍 leaves it waiting too, with the 👎 kept).
  const bool waiting_again = asked.outcome == store::QuestionOutcome::kHandedOff ||
                             asked.outcome == store::QuestionOutcome::kDeclined;
  if (waiting_again && asked.feedback != store::Feedback::kDown) {
    return Say(turn,
               OneLine(Line({Words("That answer was taken back — "), Mention(asked.owner.user_id),
                             Words(" has your question again and will answer it.")})));
  }
  // Answered by the owner since (the bot's answer, or the owner's earlier one, rated 👎 and
  // answered anew): a 👎 of the answer replaced says nothing of the one that replaced it.
  const bool replaced = asked.outcome == store::QuestionOutcome::kResolved &&
                        (!answered_as || asked.topic_id != answered_as);
  if (replaced && !helpful) {
    return Say(turn, OneLine(Line({Mention(asked.owner.user_id),
                                   Words(" has answered your question since — a 👎 under that "
                                         "answer tells them it missed.")})));
  }
  Result<bool> rated = store_.SetQuestionFeedback(
      asked.id, turn.who, helpful ? store::Feedback::kUp : store::Feedback::kDown);
  if (!rated.ok()) return Say(turn, Say1("I couldn't record that, sorry — try again later."));
  // The same button pressed again (a double click, another device) changes nothing: the owner
  // was told once. A 👎 counts once per answer: while the question waits for its owner again it
  // changes nothing, and after the owner answered it anew (the 👎 still on record) it hands that
  // answer back too.
  if (helpful ? !*rated : IsOpen(asked)) return;
  metrics::Faqbot().feedback.With({helpful ? "helpful" : "unhelpful"}).Inc();
  if (helpful) return AnswerHelped(turn, asked);
  AnswerMissed(turn, asked, watched);
}

void Assistant::AnswerHelped(Turn& turn, const store::AskedQuestion& asked) {
  if (asked.outcome == store::QuestionOutcome::kAnswered &&
      asked.feedback == store::Feedback::kDown) {
    // The bot's answer helped after all: the question no longer waits for its owner.
    Reply settled;
    settled.paragraphs.push_back(AskedYou(asked));
    settled.paragraphs.push_back(
        Line({Words("👍 "), Mention(asked.asker.user_id),
              Words(" said my answer helped after all — nothing waits for you.")}));
    UpdateHandoffDm(turn, asked, std::move(settled));
  }
  Say(turn, Say1("Glad it helped :heart_eyes_cat:"));
}

void Assistant::AnswerMissed(Turn& turn, const store::AskedQuestion& asked, bool watched) {
  const bool owners_answer =
      asked.outcome == store::QuestionOutcome::kResolved && asked.topic_id.has_value();
  // The hand-off says the answer missed, and which topic gave it.
  store::AskedQuestion rated = asked;
  rated.feedback = store::Feedback::kDown;
  const int64_t missed_topic = asked.topic_id.value_or(0);
  if (owners_answer) {
    // Settled by the owner: back in their queue (a bot's answer rated 👎 waits there as it is).
    auto reopened = store_.ReopenQuestion(asked.id, *asked.topic_id);
    if (!reopened.ok()) {
      (void)store_.SetQuestionFeedback(asked.id, turn.who, asked.feedback);
      return Say(turn, Say1("I couldn't record that, sorry — try again later."));
    }
  }
  if (watched) {
    // In a watched channel the answer was unasked for: a miss goes away rather than stay in
    // everyone's view, and the owner gets the question like any other miss.
    Reply hidden;
    hidden.paragraphs.push_back(Line({Words("_I hid my answer here: "), Mention(turn.who.user_id),
                                      Words(" said it missed. I've passed the question to "),
                                      Mention(asked.owner.user_id), Words("._")}));
    ReplacePressed(turn, hidden);
    return HandOff(turn, rated, NearestIntents(asked.owner, asked.text, missed_topic),
                   /*paced=*/false, missed_topic);
  }
  Reply r;
  r.paragraphs.push_back(
      Line({Words("Thanks — I've let "), Mention(asked.owner.user_id),
            Words(owners_answer ? " know their answer missed." : " know my answer missed.")}));
  Say(turn, r);
  // A hand-off DM settled before (an asker's pick) no longer offers that topic.
  Reply missed;
  missed.paragraphs.push_back(AskedYou(asked));
  missed.paragraphs.push_back(Line({Words("👎 "), Mention(asked.asker.user_id),
                                    Words(" said the answer they got missed; the question "
                                          "waits for you again.")}));
  UpdateHandoffDm(turn, asked, std::move(missed));
  // A person saying an answer missed is told to the owner at once, not held back by the pacing,
  // with the nearest other topics to pick from.
  HandOff(turn, rated, NearestIntents(asked.owner, asked.text, missed_topic), /*paced=*/false,
          missed_topic);
}

// ---- values of hand-off buttons ----

std::string HandoffTrack(int64_t question_id) { return "handoff:" + std::to_string(question_id); }

std::optional<int64_t> ParseHandoffTrack(const std::string& key) {
  constexpr std::string_view kPrefix = "handoff:";
  if (!key.starts_with(kPrefix)) return std::nullopt;
  return ParseId(key.substr(kPrefix.size()));
}

std::string HandoffValue(const HandoffRef& ref) {
  std::string value = std::to_string(ref.question_id);
  if (ref.topic_id != 0) value += ":" + std::to_string(ref.topic_id);
  for (size_t i = 0; i < ref.along.size(); ++i) {
    value += (i == 0 ? "+" : ",") + std::to_string(ref.along[i]);
  }
  if (ref.asker_picked) value += "/picked";
  if (ref.from_list) value += "/list";
  return value;
}

std::optional<HandoffRef> ParseHandoffValue(const std::string& value) {
  HandoffRef ref;
  std::string rest = value;
  // The flags, written last in this order (HandoffValue): each taken off the end.
  const auto take = [&rest](std::string_view suffix) {
    if (rest.size() <= suffix.size() || !rest.ends_with(suffix)) return false;
    rest.resize(rest.size() - suffix.size());
    return true;
  };
  ref.from_list = take("/list");
  ref.asker_picked = take("/picked");
  if (const size_t plus = rest.find('+'); plus != std::string::npos) {
    for (size_t start = plus + 1;;) {
      const size_t comma = std::min(rest.find(',', start), rest.size());
      auto id = ParseId(rest.substr(start, comma - start));
      if (!id || ref.along.size() >= kMaxAnsweredAlong) return std::nullopt;
      ref.along.push_back(*id);
      if (comma == rest.size()) break;
      start = comma + 1;
    }
    rest.resize(plus);
  }
  const size_t colon = rest.find(':');
  auto question = ParseId(rest.substr(0, colon));
  if (!question) return std::nullopt;
  ref.question_id = *question;
  if (colon != std::string::npos) {
    auto topic = ParseId(rest.substr(colon + 1));
    if (!topic) return std::nullopt;
    ref.topic_id = *topic;
  }
  return ref;
}

}  // namespace faqbot::assistant
