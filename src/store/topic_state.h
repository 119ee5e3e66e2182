// What an owner sees in "show my topics": whether each topic is live — exactly this text is in
// the published model — or not yet published, and which live topics a publish would remove.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "store/store_types.h"

namespace faqbot::store {

enum class TopicState {
  kLive,         // ✅ published with exactly this question, phrasings and answer
  kUnpublished,  // 🅾 new or changed since the last publish
  kNeedsAnswer,  // ✏ a draft without an answer: publishing leaves it out (store_types.h)
};

struct TopicOverview {
  std::vector<std::pair<Topic, TopicState>> topics;  // in the order given
  // Published topics that no longer exist (deleted since) or lost their answer: a publish
  // removes them.
  std::vector<PublishedTopic> removed_on_publish;
  // Topics in state kNeedsAnswer.
  size_t needs_answer = 0;
  // True when publishing now would change what askers get.
  bool publish_changes_something = false;
  // True when publishing now would take a live bot down: no topic with an answer is left, and
  // the live publication answers some (removed_on_publish lists them all).
  bool publish_takes_bot_down = false;
};

TopicOverview Overview(const std::vector<Topic>& topics, const std::optional<Publication>& live);

}  // namespace faqbot::store
