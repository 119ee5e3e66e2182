// Internal to the Assistant's .cc files.
#pragma once

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assistant/assistant.h"

namespace faqbot::assistant {

// One person's message or button press being handled: who, where replies go, their dialogue.
struct Assistant::Turn {
  store::UserRef who;
  Destination reply_to;
  DialogueState state;
  DialogueState loaded;  // the state as the turn found it
  int64_t version = 0;   // of the stored state; 0 when none is stored
  bool state_changed = false;
  // Replies to this person, sent only after the new state is stored: a prompt is never shown
  // for a step a crash would forget.
  std::vector<Reply> replies;
  // Store writes that the replies need not wait for (a direct ask's record), run after `replies`
  // are handed to the messenger and before `others` are (which may depend on them).
  std::vector<std::function<void()>> after_replies;
  // Messages to other people (hand-offs, delivered answers), sent after `replies`.
  std::vector<std::pair<Destination, Reply>> others;
  // Start the training queue's worker once the replies are out, so "published shortly" always
  // comes before "published".
  bool start_training = false;
  // The message whose button was pressed (a button press only): one-shot buttons replace it
  // with what was done.
  std::optional<Destination> pressed;
  // Handled before by a process that stopped midway (UserMessage/ButtonPress::resumed): a
  // question it settled may still wait for its answer to go out.
  bool resumed = false;
  // Metrics (faqbot_asks_total): where a message came from ("dm", "mention", "slash", "channel",
  // "everyone") and, when it was a question asked of bots, what became of it ("answered",
  // "declined", …); empty when it was not one.
  std::string_view surface;
  std::string_view ask_outcome;

  // The next step; what a typed "undo" takes back stays (RememberUndo, ForgetUndo change it).
  void Set(DialogueState next) {
    next.undo = std::move(state.undo);
    next.undo_at = state.undo_at;
    state = std::move(next);
    state_changed = true;
  }
  void RememberUndo(std::string undo, int64_t at) {
    state.undo = std::move(undo);
    state.undo_at = at;
    state_changed = true;
  }
  void ForgetUndo() { RememberUndo({}, 0); }
};

// Button actions beyond the concierge intents.
inline constexpr const char* kActionAddPhrasing = "add_phrasing";
inline constexpr const char* kActionFeedbackUp = "feedback_up";
inline constexpr const char* kActionFeedbackDown = "feedback_down";
inline constexpr const char* kActionHandoffAnswer = "handoff_answer";
inline constexpr const char* kActionHandoffTopic = "handoff_topic";
inline constexpr const char* kActionHandoffIgnore = "handoff_ignore";
inline constexpr const char* kActionHandoffUndo = "handoff_undo";
// A topic the asker picked among the suggestions under "I don't know that one yet"; the value is
// "<question key>:<topic id>".
inline constexpr const char* kActionSuggestionPick = "suggestion_pick";
inline constexpr const char* kActionLearnOn = "learn_on";
inline constexpr const char* kActionLearnOff = "learn_off";
inline constexpr const char* kActionEditQuestion = "edit_question";
inline constexpr const char* kActionEditAnswer = "edit_answer";
inline constexpr const char* kActionEditName = "edit_name";
inline constexpr const char* kActionRemovePhrasing = "remove_phrasing";
inline constexpr const char* kActionAskOwner = "ask_owner";

// The slash command of help channels (`/faqbot watch`); other commands are asks (`/ask`).
inline constexpr const char* kFaqbotCommand = "/faqbot";
// Ends the value of the feedback buttons of an answer in a watched channel ("12/watched"): a 👎
// there hides the answer.
inline constexpr const char* kWatchedSuffix = "/watched";
// Parts the feedback value of an owner's answer: "12@5", question 12 answered as topic 5.
inline constexpr char kAnsweredAsSeparator = '@';

// Whether a message written in a channel, not to the bot, reads like a question: it ends with a
// question mark ("?", the full-width "？", the Arabic "؟") or starts with "¿" or an English
// question word, and has at least three words (or, in scripts written without spaces, six
// characters). Chatter ("lunch?", "thanks all") is not.
bool LooksLikeQuestion(std::string_view text);

// What a hand-off button points at: "<question id>[:<topic id>][/list]" — the asked question,
// the topic of an "It's …" button, and whether it sits in the unanswered list (which is
// refreshed after a press) rather than in the hand-off DM (which is replaced by what was done).
struct HandoffRef {
  int64_t question_id = 0;
  int64_t topic_id = 0;
  bool from_list = false;
  // *Undo* of *It's X*: the other askers' questions that were sent X's answer along with it.
  std::vector<int64_t> along = {};
  // *Undo* of *It's X*: the asker had picked X from the suggestions themselves (not sent it).
  bool asker_picked = false;
};
std::string HandoffValue(const HandoffRef& ref);
std::optional<HandoffRef> ParseHandoffValue(const std::string& value);

// The Reply::track of question `question_id`'s hand-off DM ("handoff:<id>"), and back (nullopt
// for any other key).
std::string HandoffTrack(int64_t question_id);
std::optional<int64_t> ParseHandoffTrack(const std::string& key);

// The owner's unanswered questions (repeats grouped, at most `limit`) as a list with the
// hand-off buttons "Answer it", *It's …* for each of `nearest`'s topics (when given) and
// "Ignore"; nullopt when they cannot be read.
std::optional<Reply> UnansweredList(store::Store& store, const store::UserRef& owner, int limit,
                                    const NearestTopics& nearest = {});

// The words of `text`, lower-cased: runs of ASCII letters, digits and apostrophes ("don't" is
// one word), and of non-ASCII bytes (other scripts' letters); "Wi-Fi" gives "wi", "fi".
std::vector<std::string> LowerWords(std::string_view text);
// "cancel" typed while a flow waits for text: a cancel word alone, give or take the words people
// put around it ("no wait, cancel", "forget it"), also in a few other languages (concierge.cc).
bool IsCancelWord(const std::string& text);
// "learn from my answers: off", "turn off learning", "enable learning": the learning setting,
// typed; which way (true: on), or nullopt when the text is not that (concierge.cc).
std::optional<bool> LearningCommand(const std::string& text);
// The learning setting typed as a command would be ("turn off learning", "learn from my answers:
// off"), not an answer that speaks of learning ("we don't run learning sessions"): while a flow
// waits for an answer, a change of mind rather than the answer.
bool ReadsLikeLearningCommand(const std::string& text);

// What the yes/no buttons of the confirmation `state` waits for carry as their value ("" for a
// state that waits for none); a press whose value is not this one's changes nothing
// (concierge_publish.cc).
std::string ConfirmationOf(const DialogueState& state);

// 32 bits of FNV-1a over `text`, as 8 hex digits: a button carries it to name the words it was
// shown for (a Remove button's phrasing, a confirmation's question), so a press after the words
// changed (a double press, an older offer) acts on nothing else (concierge_topics.cc).
std::string Fingerprint(const std::string& text);

// The form of a question that groups repeats of it ("Where is the wiki? " ~ "where is the wiki?").
std::string QuestionKey(const std::string& text);

// "12" → 12; nullopt for anything else.
std::optional<int64_t> ParseId(const std::string& value);
// ", Alice" or "" — so a missing display name never leaves "Topic added, " behind.
std::string CommaName(const std::string& name);
// Steps that take the next message as free text (a question, an answer, a phrasing).
inline bool AwaitsText(DialogueState::Step step) {
  using Step = DialogueState::Step;
  return step == Step::kAwaitQuestion || step == Step::kAwaitAnswer ||
         step == Step::kAwaitPhrasing || step == Step::kAwaitNewAnswer ||
         step == Step::kAwaitNewQuestion || step == Step::kAwaitNewName;
}

// A reply of one line.
Reply Say1(std::string words);
// "92% sure".
inline std::string Percent(float confidence) {
  return std::to_string(static_cast<int>(std::lround(confidence * 100))) + "% sure";
}
// The small print under an answer: "Matched <question> · 92% sure".
inline Paragraph MatchedLine(const store::PublishedTopic& topic, float confidence) {
  return Line(
      {Words("Matched "), UserText(topic.content.question), Words(" · " + Percent(confidence))});
}
inline Button Btn(std::string label, std::string action, std::string value = "",
                  Button::Style style = Button::Style::kDefault) {
  return {std::move(label), std::move(action), std::move(value), style};
}
// The prefix of a feedback value that is a question's key (Store::FindQuestionByKey), not its id.
inline constexpr std::string_view kQuestionKeyPrefix = "k:";
// 👍 / 👎 under an answer; `value` names the asked question (asking.cc Feedback).
inline std::vector<Button> FeedbackButtons(const std::string& value) {
  return {Btn("👍 Helpful", kActionFeedbackUp, value),
          Btn("👎 Not what I asked", kActionFeedbackDown, value)};
}
// The main menu: add, list, publish, unanswered, settings, help.
std::vector<Button> MenuButtons();

}  // namespace faqbot::assistant
