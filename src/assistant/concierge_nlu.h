// ConciergeNlu: what an owner means when typing to faqbot in a DM ("hey, add a new topic").
//
// A faqbot nlu Model trained at start-up from the built-in Rasa NLU YAML file concierge.yml
// (compiled into the binary), so the concierge understands free text with the same engine as
// every FAQ bot. Buttons send intent names, which IntentFromName maps to the same intents.
// Immutable after Create; Understand is const and thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "nlu/lexicon.h"
#include "nlu/model.h"

namespace faqbot::assistant {

enum class ConciergeIntent {
  kGreet,
  kHelp,
  kAddTopic,
  kListTopics,
  kEditTopic,
  kDeleteTopic,
  kDeleteAllTopics,
  kPublish,
  kUnanswered,
  kSettings,
  kOpenConsole,  // a sign-in link to the web console (also the App Home button)
  kAsk,
  kAffirm,
  kDeny,
  kCancel,
  kThanks,
  kGoodbye,
  kOutOfScope,
  kUnknown,  // the model declined: not sure what was meant
};

// "add_topic" for kAddTopic: the names of concierge.yml, also used as button values.
std::string_view IntentName(ConciergeIntent intent);
// The intent of a name; nullopt for names that are not concierge intents.
std::optional<ConciergeIntent> IntentFromName(std::string_view name);

// The built-in training data (concierge.yml).
std::string_view ConciergeYaml();

class ConciergeNlu {
 public:
  struct Understanding {
    ConciergeIntent intent;
    float confidence;  // of `intent`; the threshold when kUnknown
  };

  // Trains the concierge model. Errors only if the built-in YAML is broken (a bug: Internal).
  static Result<std::unique_ptr<ConciergeNlu>> Create(std::shared_ptr<const nlu::Lexicon> lexicon);

  Understanding Understand(std::string_view text) const;

 private:
  explicit ConciergeNlu(std::shared_ptr<const nlu::Model> model) : model_(std::move(model)) {}
  std::shared_ptr<const nlu::Model> model_;
};

}  // namespace faqbot::assistant
