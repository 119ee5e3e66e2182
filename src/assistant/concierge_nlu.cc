#include "assistant/concierge_nlu.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "assistant/assistant_internal.h"
#include "nlu/nlu_yaml.h"

extern const char kFaqbotConciergeYaml[];  // generated from concierge.yml by CMake

namespace faqbot::assistant {
namespace {

constexpr std::array<std::pair<ConciergeIntent, std::string_view>, 20> kNames = {{
    {ConciergeIntent::kGreet, "greet"},
    {ConciergeIntent::kHelp, "help"},
    {ConciergeIntent::kAddTopic, "add_topic"},
    {ConciergeIntent::kListTopics, "list_topics"},
    {ConciergeIntent::kEditTopic, "edit_topic"},
    {ConciergeIntent::kDeleteTopic, "delete_topic"},
    {ConciergeIntent::kDeleteAllTopics, "delete_all_topics"},
    {ConciergeIntent::kPublish, "publish"},
    {ConciergeIntent::kUnanswered, "unanswered"},
    {ConciergeIntent::kSettings, "settings"},
    {ConciergeIntent::kOpenConsole, "open_console"},
    {ConciergeIntent::kAsk, "ask"},
    {ConciergeIntent::kAffirm, "affirm"},
    {ConciergeIntent::kDeny, "deny"},
    {ConciergeIntent::kCancel, "cancel"},
    {ConciergeIntent::kUndo, "undo"},
    {ConciergeIntent::kThanks, "thanks"},
    {ConciergeIntent::kGoodbye, "goodbye"},
    {ConciergeIntent::kOutOfScope, "out_of_scope"},
    {ConciergeIntent::kUnknown, "nlu_fallback"},
}};

}  // namespace

std::string_view IntentName(ConciergeIntent intent) {
  for (const auto& [i, name] : kNames) {
    if (i == intent) return name;
  }
  return "nlu_fallback";
}

std::optional<ConciergeIntent> IntentFromName(std::string_view name) {
  for (const auto& [i, n] : kNames) {
    if (n == name && i != ConciergeIntent::kUnknown) return i;
  }
  return std::nullopt;
}

std::string_view ConciergeYaml() { return kFaqbotConciergeYaml; }

Result<std::unique_ptr<ConciergeNlu>> ConciergeNlu::Create(
    std::shared_ptr<const nlu::Lexicon> lexicon) {
  auto data = nlu::ParseNluYaml(ConciergeYaml(), "concierge.yml");
  if (!data.ok()) return InternalError("built-in concierge intents: " + data.status().message());
  for (const auto& intent : data->intents) {
    if (!IntentFromName(intent.name)) {
      return InternalError("concierge.yml has an intent the code does not know: " + intent.name);
    }
  }
  auto model = nlu::Model::Train(*data, std::move(lexicon));
  if (!model.ok()) return InternalError("concierge model: " + model.status().message());
  std::set<std::string> commands;
  for (const auto& intent : data->intents) {
    if (!IsCommand(*IntentFromName(intent.name))) continue;
    for (const auto& example : intent.examples) commands.insert(CommandKey(example));
  }
  commands.erase("");
  return std::unique_ptr<ConciergeNlu>(new ConciergeNlu(*model, std::move(commands)));
}

bool ConciergeNlu::IsCommand(ConciergeIntent intent) {
  switch (intent) {
    case ConciergeIntent::kHelp:
    case ConciergeIntent::kAddTopic:
    case ConciergeIntent::kListTopics:
    case ConciergeIntent::kEditTopic:
    case ConciergeIntent::kDeleteTopic:
    case ConciergeIntent::kDeleteAllTopics:
    case ConciergeIntent::kPublish:
    case ConciergeIntent::kUnanswered:
    case ConciergeIntent::kSettings:
    case ConciergeIntent::kOpenConsole:
    case ConciergeIntent::kUndo:
      return true;
    default:
      return false;  // greetings, yes/no, thanks, cancel: ordinary answers too
  }
}

std::string ConciergeNlu::CommandKey(std::string_view text) {
  // Said around a command without changing it ("actually, show my topics first").
  static const std::set<std::string> kAround = {
      "actually", "wait", "no", "oh",  "ok",   "okay",  "hmm", "please", "first",
      "now",      "then", "so", "and", "oops", "sorry", "hey", "um",     "uh"};
  const std::vector<std::string> words = LowerWords(text);
  size_t first = 0, last = words.size();
  while (first < last && kAround.contains(words[first])) ++first;
  while (last > first && kAround.contains(words[last - 1])) --last;
  std::string key;
  for (size_t i = first; i < last; ++i) key += (key.empty() ? "" : " ") + words[i];
  return key;
}

bool ConciergeNlu::IsCommandPhrase(std::string_view text) const {
  const std::string key = CommandKey(text);
  if (commands_.contains(key)) return true;
  // "wait, wrong topic, undo": a few words with "undo" among them (an answer that mentions the
  // word says more: "press Ctrl+Z to undo").
  const std::vector<std::string> words = LowerWords(key);
  constexpr size_t kFewWords = 4;
  return words.size() <= kFewWords && std::find(words.begin(), words.end(), "undo") != words.end();
}

ConciergeNlu::Understanding ConciergeNlu::Understand(std::string_view text) const {
  const nlu::Prediction p = model_->Predict(text, 1);
  if (p.declined()) return {ConciergeIntent::kUnknown, p.confidence};
  return {IntentFromName(p.intent).value_or(ConciergeIntent::kUnknown), p.confidence};
}

}  // namespace faqbot::assistant
