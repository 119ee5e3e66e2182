// ConciergeNlu: what an owner means when typing to faqbot in a DM ("hey, add a new topic").
//
// A faqbot nlu Model trained at start-up from the built-in Rasa NLU YAML file concierge.yml
// (compiled into the binary), so the concierge understands free text with the same engine as
// every FAQ bot. Buttons send intent names, which IntentFromName maps to the same intents.
// Immutable after Create; Understand is const and thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
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
  kUndo,  // take back the owner's latest *It's X* (its Undo button, typed)
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

  // Whether `text` is, word for word, one of the built-in examples of a command (add, list,
  // edit, delete, publish, unanswered, settings, console, help, undo), give or take the words
  // people put around one ("actually, show my topics first"), or a few words with "undo" among
  // them ("wait, wrong topic, undo"). Typed where a flow waits for a question
  // or an answer, such a message is a change of mind, not the text asked for. Unlike
  // Understand, no paraphrase counts: "where can I work out" is a question, even if the model
  // would read "help" into it.
  bool IsCommandPhrase(std::string_view text) const;

 private:
  ConciergeNlu(std::shared_ptr<const nlu::Model> model, std::set<std::string> commands)
      : model_(std::move(model)), commands_(std::move(commands)) {}
  static bool IsCommand(ConciergeIntent intent);
  // The words of `text` (LowerWords), without those said around a command.
  static std::string CommandKey(std::string_view text);
  std::shared_ptr<const nlu::Model> model_;
  std::set<std::string> commands_;  // CommandKey of every command example
};

}  // namespace faqbot::assistant
