// Internal to the Assistant's .cc files.
#pragma once

#include <optional>
#include <string>

#include "assistant/assistant.h"

namespace faqbot::assistant {

// One person's message or button press being handled: who, where replies go, their dialogue.
struct Assistant::Turn {
  store::UserRef who;
  Destination reply_to;
  DialogueState state;
  int64_t version = 0;  // of the stored state; 0 when none is stored
  bool state_changed = false;
  // Replies to this person, sent only after the new state is stored: a prompt is never shown
  // for a step a crash would forget.
  std::vector<Reply> replies;
  // Messages to other people (hand-offs, delivered answers), sent after `replies`.
  std::vector<std::pair<Destination, Reply>> others;
  // Start the training queue's worker once the replies are out, so "published shortly" always
  // comes before "published".
  bool start_training = false;

  void Set(DialogueState next) {
    state = std::move(next);
    state_changed = true;
  }
};

// Button actions beyond the concierge intents.
inline constexpr const char* kActionAddPhrasing = "add_phrasing";
inline constexpr const char* kActionFeedbackUp = "feedback_up";
inline constexpr const char* kActionFeedbackDown = "feedback_down";
inline constexpr const char* kActionHandoffAnswer = "handoff_answer";
inline constexpr const char* kActionHandoffTopic = "handoff_topic";
inline constexpr const char* kActionHandoffIgnore = "handoff_ignore";

// "12" → 12; nullopt for anything else.
std::optional<int64_t> ParseId(const std::string& value);
// The topic id of a model intent name "topic_12"; nullopt for others (nlu_fallback).
std::optional<int64_t> TopicIdOfIntent(const std::string& intent);
// ", Alice" or "" — so a missing display name never leaves "Topic added, " behind.
std::string CommaName(const std::string& name);
// Steps that take the next message as free text (a question, an answer, a phrasing).
inline bool AwaitsText(DialogueState::Step step) {
  using Step = DialogueState::Step;
  return step == Step::kAwaitQuestion || step == Step::kAwaitAnswer ||
         step == Step::kAwaitPhrasing || step == Step::kAwaitNewAnswer;
}

// A reply of one line.
Reply Say1(std::string words);

}  // namespace faqbot::assistant
