// DialogueState: where one person is in a conversation with the concierge, persisted in the
// Store (as a small JSON object) after every step, so a restart in the middle of "what answer
// should I give?" continues where it was.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace faqbot::assistant {

struct DialogueState {
  enum class Step {
    kIdle,
    kAwaitQuestion,     // add topic: waiting for the question
    kAwaitAnswer,       // add topic: waiting for the answer to `question`
    kAwaitPhrasing,     // waiting for another phrasing of topic `topic_id`
    kAwaitNewAnswer,    // edit: waiting for the new answer of topic `topic_id`
    kConfirmDelete,     // waiting for yes/no to delete topic `topic_id`
    kConfirmDeleteAll,  // waiting for yes/no to delete every topic
    kConfirmPublish,    // waiting for yes/no to publish (no topics: to take the bot down)
    kAwaitNewQuestion,  // edit: waiting for the new question of topic `topic_id`
    kConfirmSimilar,    // add topic: `question` looks like live topic `topic_id`; phrasing of it?
    kAwaitNewName,      // edit: waiting for the new name of topic `topic_id`
    kConfirmAnswer,     // the owner's message `question` looks like the answer to hand-off
                        // `handoff_id`: send it?
    kOfferMore,         // topic `topic_id` was just added: "anything else?" (yes: another one)
    kConfirmNewTopic,   // the owner's message `question` sounds like a question people ask
                        // them: add it as a topic?
    kShowingTopic,      // topic `topic_id` was just shown (its card): "change the answer",
                        // "rename it", "delete it" mean that one
  };
  Step step = Step::kIdle;
  std::string question;    // kAwaitAnswer
  // kAwaitPhrasing, kAwaitNewAnswer, kConfirmDelete; kAwaitAnswer of a hand-off: the topic its
  // message left out (an undone *It's*)
  int64_t topic_id = 0;
  int64_t handoff_id = 0;  // the asked question being answered (kAwaitAnswer from a hand-off)
  // The message whose button started this step (the hand-off DM), updated when the step ends.
  std::string message_channel = {};
  std::string message_ts = {};
  bool message_is_list = false;  // the message is the unanswered list (refreshed, not replaced)
  // What a typed "undo" takes back, whatever the step: the *Undo* button value of the owner's
  // latest *It's X* (HandoffValue), or "topic:<id>" for the topic their latest *Answer it* made;
  // empty when nothing. `undo_at`: when (Unix ms).
  std::string undo = {};
  int64_t undo_at = 0;

  bool operator==(const DialogueState&) const = default;

  std::string Serialize() const;
  // An empty string is kIdle. DataLoss for anything unreadable.
  static Result<DialogueState> Parse(const std::string& text);
};

}  // namespace faqbot::assistant
