#include "store/topic_state.h"

#include <unordered_map>
#include <unordered_set>

namespace faqbot::store {

TopicOverview Overview(const std::vector<Topic>& topics, const std::optional<Publication>& live) {
  std::unordered_map<int64_t, const PublishedTopic*> published;
  if (live) {
    for (const auto& p : live->topics) published.emplace(p.topic_id, &p);
  }
  TopicOverview out;
  std::unordered_set<int64_t> present;
  for (const auto& t : topics) {
    auto it = published.find(t.id);
    if (NeedsAnswer(t.content)) {
      out.topics.emplace_back(t, TopicState::kNeedsAnswer);
      ++out.needs_answer;
      continue;  // not present in the next publication: a live one is removed
    }
    present.insert(t.id);
    const bool is_live = it != published.end() && it->second->content == t.content;
    out.topics.emplace_back(t, is_live ? TopicState::kLive : TopicState::kUnpublished);
    if (!is_live) out.publish_changes_something = true;
  }
  if (live) {
    for (const auto& p : live->topics) {
      if (!present.count(p.topic_id)) out.removed_on_publish.push_back(p);
    }
  }
  if (!out.removed_on_publish.empty()) out.publish_changes_something = true;
  out.publish_takes_bot_down = present.empty() && !out.removed_on_publish.empty();
  return out;
}

}  // namespace faqbot::store
