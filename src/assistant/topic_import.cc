#include "assistant/topic_import.h"

#include <set>

#include "assistant/reply.h"
#include "assistant/training_queue.h"
#include "nlu/nlu_yaml.h"
#include "store/limits.h"

namespace faqbot::assistant {

Result<std::vector<store::TopicContent>> TopicsFromNlu(const nlu::TrainingData& data,
                                                       std::string_view source) {
  const std::string file(source);
  std::vector<store::TopicContent> incoming;
  for (const auto& intent : data.intents) {
    if (intent.response.empty()) {
      return InvalidArgumentError(file + ": intent '" + intent.name +
                                  "' has no answer (add `responses: utter_" + intent.name +
                                  ": - text: …`)");
    }
    store::TopicContent content;
    content.question = intent.examples.front();
    content.phrasings.assign(intent.examples.begin() + 1, intent.examples.end());
    content.answer = intent.response;
    if (content.phrasings.size() > store::kMaxPhrasings) {
      return ResourceExhaustedError(
          file + ": intent '" + intent.name + "' has " + std::to_string(intent.examples.size()) +
          " examples; a topic keeps at most " + std::to_string(store::kMaxPhrasings + 1));
    }
    incoming.push_back(std::move(content));
  }
  return incoming;
}

Result<ImportCounts> ImportTopics(store::Store& store, const store::UserRef& owner,
                                  const std::vector<store::TopicContent>& incoming,
                                  const AddTopicFn& add) {
  FAQBOT_ASSIGN_OR_RETURN(auto existing, store.ListTopics(owner));
  std::set<std::string> known;
  for (const auto& t : existing) known.insert(t.content.question);
  ImportCounts counts;
  for (const auto& content : incoming) {
    if (known.count(content.question)) {
      ++counts.skipped;
      continue;
    }
    auto topic = add(content);
    if (!topic.ok()) {
      return topic.status().WithContext("after importing " +
                                        Count(static_cast<size_t>(counts.added), "topic"));
    }
    known.insert(content.question);
    ++counts.added;
  }
  return counts;
}

Result<std::string> ExportTopicsYaml(store::Store& store, const store::UserRef& owner) {
  FAQBOT_ASSIGN_OR_RETURN(auto topics, store.ListTopics(owner));
  return nlu::WriteNluYaml(TopicsAsTrainingData(topics));
}

}  // namespace faqbot::assistant
