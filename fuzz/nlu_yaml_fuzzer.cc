// Fuzzes the Rasa NLU YAML reader: any bytes must give training data or a clear error, and
// whatever it accepts must survive a write/read round trip. The flow-nesting scan that runs
// before the parser must count at least as deep as the parser nests what it loads.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nlu/nlu_yaml.h"
#include "nlu/text_normalizer.h"
#include "nlu/yaml_nesting.h"
#include "nlu/yaml_nesting_testing.h"

namespace {

// Whether the flow-nesting scan counts less deep than yaml-cpp nests a document it loads: the
// scan would then let through a file whose nesting costs the parser memory. (It may count
// deeper, by design, where yaml-cpp's scanner could read on.) Only for text the reader passes
// to the scan: valid UTF-8 (yaml-cpp's decoding of a bad lead byte swallows what follows)
// without control characters.
bool ScanCountsTooShallow(std::string_view text) {
  if (faqbot::nlu::FirstInvalidUtf8(text) != std::string_view::npos) return false;
  // Nor does it pass control characters (it reads them as spaces).
  if (std::any_of(text.begin(), text.end(), faqbot::nlu::IsYamlControlByte)) return false;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception&) {
    return false;  // the parser refuses it
  }
  // A key in a flow sequence ("[a: b]") makes a mapping with no brackets of its own: two
  // levels for the parser, one for the scan.
  const int brackets = (faqbot::nlu::testing::FlowDepth(root) + 1) / 2;
  return brackets > 0 && faqbot::nlu::YamlFlowNestingWithin(text, brackets - 1).within;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (ScanCountsTooShallow(text)) std::abort();
  auto parsed = faqbot::nlu::ParseNluYaml(text, "fuzz.yml");
  if (!parsed.ok()) return 0;
  auto again = faqbot::nlu::ParseNluYaml(faqbot::nlu::WriteNluYaml(*parsed), "again.yml");
  if (!again.ok() || again->intents.size() != parsed->intents.size()) std::abort();
  return 0;
}
