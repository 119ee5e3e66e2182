#include "assistant/topic_import.h"

#include <nlohmann/json.hpp>
#include <set>

#include "common/json_limits.h"
#include "nlu/nlu_yaml.h"
#include "store/limits.h"
#include "store/topic_name.h"

namespace faqbot::assistant {
namespace {

using Json = nlohmann::ordered_json;

Status CheckPhrasings(const std::string& name, size_t examples) {
  if (examples > store::kMaxPhrasings + 1) {
    return ResourceExhaustedError("intent '" + name + "' has " + std::to_string(examples) +
                                  " examples; a topic keeps at most " +
                                  std::to_string(store::kMaxPhrasings + 1) +
                                  " (its question and " + std::to_string(store::kMaxPhrasings) +
                                  " other phrasings)");
  }
  return Status::Ok();
}

// A string member of a JSON topic; `fallback` when absent.
Result<std::string> StringField(const Json& topic, const char* key, size_t index,
                                std::string fallback = {}) {
  const auto it = topic.find(key);
  if (it == topic.end() || it->is_null()) return fallback;
  if (!it->is_string()) {
    return InvalidArgumentError("topics[" + std::to_string(index) + "]." + key +
                                " is not a string");
  }
  return it->get<std::string>();
}

}  // namespace

Result<std::vector<store::TopicContent>> TopicsFromNluYaml(std::string_view yaml,
                                                           std::string_view source) {
  FAQBOT_ASSIGN_OR_RETURN(nlu::TrainingData data, nlu::ParseNluYaml(yaml, source));
  std::vector<store::TopicContent> topics;
  topics.reserve(data.intents.size());
  for (auto& intent : data.intents) {
    FAQBOT_RETURN_IF_ERROR(CheckPhrasings(intent.name, intent.examples.size())
                               .WithContext(source));
    FAQBOT_RETURN_IF_ERROR(store::ValidateTopicName(intent.name)
                               .WithContext(std::string(source) + ": intent '" + intent.name + "'"));
    store::TopicContent content;
    content.question = std::move(intent.examples.front());
    content.phrasings.assign(std::make_move_iterator(intent.examples.begin() + 1),
                             std::make_move_iterator(intent.examples.end()));
    content.answer = std::move(intent.response);
    content.name = std::move(intent.name);
    topics.push_back(std::move(content));
  }
  return topics;
}

Result<std::vector<store::TopicContent>> TopicsFromJson(std::string_view json) {
  if (json.size() > kMaxTopicsDocumentBytes) {
    return ResourceExhaustedError("the document is larger than " +
                                  std::to_string(kMaxTopicsDocumentBytes) + " bytes");
  }
  FAQBOT_RETURN_IF_ERROR(CheckJsonNesting(json, "the body"));
  const Json root = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return InvalidArgumentError("the body is not JSON");
  if (!root.is_object()) return InvalidArgumentError("the body is not a JSON object");
  const auto list = root.find("topics");
  if (list == root.end() || !list->is_array()) {
    return InvalidArgumentError("the body has no \"topics\" array");
  }
  // Topics without a name get one made from the question, unlike every name given.
  std::set<std::string> names;
  for (const Json& item : *list) {
    if (item.is_object() && item.contains("name") && item["name"].is_string()) {
      names.insert(item["name"].get<std::string>());
    }
  }
  std::vector<store::TopicContent> topics;
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    const std::string where = "topics[" + std::to_string(i) + "]";
    if (!item.is_object()) return InvalidArgumentError(where + " is not an object");
    store::TopicContent content;
    FAQBOT_ASSIGN_OR_RETURN(content.question, StringField(item, "question", i));
    if (content.question.empty()) return InvalidArgumentError(where + " has no \"question\"");
    FAQBOT_ASSIGN_OR_RETURN(content.answer, StringField(item, "answer", i));
    FAQBOT_ASSIGN_OR_RETURN(content.name, StringField(item, "name", i));
    if (const auto p = item.find("phrasings"); p != item.end() && !p->is_null()) {
      if (!p->is_array()) return InvalidArgumentError(where + ".phrasings is not an array");
      for (const auto& phrasing : *p) {
        if (!phrasing.is_string()) {
          return InvalidArgumentError(where + ".phrasings holds a non-string");
        }
        content.phrasings.push_back(phrasing.get<std::string>());
      }
    }
    if (content.phrasings.size() > store::kMaxPhrasings) {
      return ResourceExhaustedError(where + " has " + std::to_string(content.phrasings.size()) +
                                    " phrasings; a topic takes at most " +
                                    std::to_string(store::kMaxPhrasings) +
                                    " besides its question");
    }
    if (content.name.empty()) {
      content.name = store::UniqueTopicName(store::TopicNameFromQuestion(content.question), names);
      names.insert(content.name);
    }
    FAQBOT_RETURN_IF_ERROR(store::ValidateTopicName(content.name).WithContext(where));
    if (!seen.insert(content.name).second) {
      return InvalidArgumentError("two topics are named \"" + content.name + "\"");
    }
    topics.push_back(std::move(content));
  }
  return topics;
}

Result<int> AddDomainResponses(std::string_view domain_yaml, std::string_view source,
                               std::vector<store::TopicContent>& topics) {
  FAQBOT_ASSIGN_OR_RETURN(auto responses, nlu::ParseRasaResponses(domain_yaml, source));
  int added = 0;
  for (auto& topic : topics) {
    if (!store::NeedsAnswer(topic)) continue;
    if (auto it = responses.find(topic.name); it != responses.end() && !it->second.empty()) {
      topic.answer = it->second;
      ++added;
    }
  }
  return added;
}

std::string TopicsAsNluYaml(const std::vector<store::Topic>& topics) {
  nlu::TrainingData data;
  data.intents.reserve(topics.size());
  for (const auto& t : topics) {
    nlu::Intent intent;
    intent.name = t.content.name;
    intent.examples.push_back(t.content.question);
    intent.examples.insert(intent.examples.end(), t.content.phrasings.begin(),
                           t.content.phrasings.end());
    intent.response = t.content.answer;
    data.intents.push_back(std::move(intent));
  }
  return nlu::WriteNluYaml(data);
}

std::string TopicsAsJson(const std::vector<store::Topic>& topics) {
  Json list = Json::array();
  for (const auto& t : topics) {
    list.push_back({{"id", t.id},
                    {"name", t.content.name},
                    {"question", t.content.question},
                    {"phrasings", t.content.phrasings},
                    {"answer", t.content.answer},
                    {"needs_answer", store::NeedsAnswer(t.content)}});
  }
  return Json{{"topics", std::move(list)}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace faqbot::assistant
