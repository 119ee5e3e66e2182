// Rasa NLU YAML (the `nlu.yml` format of Rasa 2.x/3.x), read and written.
//
//   version: "3.1"
//   nlu:
//   - intent: card_arrival
//     examples: |
//       - when will my card arrive?
//       - where is my new card
//   responses:               # optional; faqbot writes answers here as utter_<intent>
//     utter_card_arrival:
//     - text: "Cards arrive within 5 working days."
//
// Entity annotations ("[Berlin](city)", "[Berlin]{...}") are reduced to their text. `synonym`,
// `regex` and `lookup` items are skipped. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "nlu/training_data.h"

namespace faqbot::nlu {

// Largest YAML document read, in bytes.
inline constexpr size_t kMaxNluYamlBytes = 32u << 20;

// Parses `text`; `source_name` (a file name) prefixes every error as "name:line: message".
// Errors (InvalidArgument): not YAML, no `nlu:` list, an intent without a name or examples,
// duplicate intents, invalid UTF-8, an empty document, oversized input.
Result<TrainingData> ParseNluYaml(std::string_view text, std::string_view source_name = "<input>");

// The responses of a Rasa file (a domain.yml, or an NLU file): the first `text` of each
// `utter_<intent>` under `responses:`, by intent name; other keys are ignored. Errors
// (InvalidArgument, ResourceExhausted) as ParseNluYaml's for the document itself.
Result<std::map<std::string, std::string>> ParseRasaResponses(
    std::string_view text, std::string_view source_name = "<input>");

// Reads and parses a file (NotFound when missing).
Result<TrainingData> ReadNluYamlFile(const std::string& path);

// A C0 control character other than tab and the line breaks, or DEL: not allowed in YAML, and
// read as a space by ParseNluYaml and ParseRasaResponses (WriteNluYaml never writes one raw).
bool IsYamlControlByte(char c);

// Writes `data` as Rasa NLU YAML, with a `responses:` section for intents that carry one.
// ParseNluYaml(WriteNluYaml(d)) == d for any valid d.
std::string WriteNluYaml(const TrainingData& data);

}  // namespace faqbot::nlu
