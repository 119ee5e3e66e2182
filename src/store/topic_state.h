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
};

struct TopicOverview {
  std::vector<std::pair<Topic, TopicState>> topics;  // in the order given
  // Published topics that no longer exist (deleted since): a publish removes them.
  std::vector<PublishedTopic> removed_on_publish;
  // True when publishing now would change what askers get.
  bool publish_changes_something = false;
};

TopicOverview Overview(const std::vector<Topic>& topics, const std::optional<Publication>& live);

}  // namespace faqbot::store
