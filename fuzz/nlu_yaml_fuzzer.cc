// Fuzzes the Rasa NLU YAML reader: any bytes must give training data or a clear error, and
// whatever it accepts must survive a write/read round trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nlu/nlu_yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = faqbot::nlu::ParseNluYaml(text, "fuzz.yml");
  if (!parsed.ok()) return 0;
  auto again = faqbot::nlu::ParseNluYaml(faqbot::nlu::WriteNluYaml(*parsed), "again.yml");
  if (!again.ok() || again->intents.size() != parsed->intents.size()) std::abort();
  return 0;
}
