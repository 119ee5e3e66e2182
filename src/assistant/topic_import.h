// Rasa NLU YAML in and out of an owner's topics: what `faqbot topics import|export` and the web
// console's import and export pages both run. An intent becomes a topic (its first example the
// question, the others phrasings, its response the answer); topics go out as intents
// "topic_<id>" (TopicsAsTrainingData). Thread-safe as far as `add` and the Store are.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "nlu/training_data.h"
#include "store/store.h"

namespace faqbot::assistant {

// The topics `data` describes, checked before any is written, so a bad file imports nothing.
// `source` names the file in errors. Errors: InvalidArgument (an intent without an answer),
// ResourceExhausted (more examples than a topic keeps, limits.h).
Result<std::vector<store::TopicContent>> TopicsFromNlu(const nlu::TrainingData& data,
                                                       std::string_view source);

struct ImportCounts {
  int added = 0;
  int skipped = 0;  // a topic with the same question was there already
};

// Adds each of `incoming` whose question the owner has no topic for, through `add` (the CLI
// adds with Store::AddTopic, the console with Topics::Add). Errors: the Store's, `add`'s (with
// how many were added before it failed).
using AddTopicFn = std::function<Result<store::Topic>(const store::TopicContent&)>;
Result<ImportCounts> ImportTopics(store::Store& store, const store::UserRef& owner,
                                  const std::vector<store::TopicContent>& incoming,
                                  const AddTopicFn& add);

// The owner's topics as Rasa NLU YAML. Errors: the Store's.
Result<std::string> ExportTopicsYaml(store::Store& store, const store::UserRef& owner);

}  // namespace faqbot::assistant
