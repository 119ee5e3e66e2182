// Topics in and out of documents: Rasa NLU YAML (intents, examples, `responses:`), a Rasa domain
// file's responses, and faqbot's JSON. Written once for every surface that imports or exports
// (`faqbot topics import|export`, the HTTP API, the web console).
//
// An intent becomes a topic named after it: its first example is the question, the others are
// phrasings, `utter_<intent>` is the answer. An intent without a response becomes a draft that
// needs an answer (store::NeedsAnswer) unless a domain file gives one (or, imported over a topic
// of the same name, Store::ImportTopics keeps that topic's answer). Export writes each topic
// under its name, so import → export gives back the same intents, examples and responses.
//
// JSON (application/json), in and out:
//   {"topics": [{"name": "wifi_password", "question": "what is the wifi password?",
//                "phrasings": ["wifi pw"], "answer": "It is on the badge."}]}
// Export adds "id" and "needs_answer" to each topic; import ignores them. On import "name" may
// be left out (made from the question) and "phrasings" and "answer" default to empty.
//
// Pure functions; thread-safe. Errors: InvalidArgument (malformed document, names, duplicate
// names; the message says where), ResourceExhausted (a limit of store/limits.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store_types.h"

namespace faqbot::assistant {

// Largest document imported (YAML or JSON), in bytes.
inline constexpr size_t kMaxTopicsDocumentBytes = 32u << 20;

// The topics of a Rasa NLU YAML document; `source` (a file name) prefixes errors.
Result<std::vector<store::TopicContent>> TopicsFromNluYaml(std::string_view yaml,
                                                           std::string_view source = "<input>");
// The topics of a JSON document of the shape above.
Result<std::vector<store::TopicContent>> TopicsFromJson(std::string_view json);

// Gives the topics that need an answer the response `utter_<name>` of a Rasa domain file, where
// it has one. Returns how many got one.
Result<int> AddDomainResponses(std::string_view domain_yaml, std::string_view source,
                               std::vector<store::TopicContent>& topics);

// The topics as Rasa NLU YAML (answers under `responses:`) and as JSON.
std::string TopicsAsNluYaml(const std::vector<store::Topic>& topics);
std::string TopicsAsJson(const std::vector<store::Topic>& topics);

}  // namespace faqbot::assistant
