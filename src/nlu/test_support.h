// Shared fixtures of the nlu tests: the real lexicon compiled by the build, and small helpers.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "nlu/lexicon.h"
#include "nlu/training_data.h"

namespace faqbot::nlu::testing {

// The lexicon the build compiled from Debian's WordNet (build/lexicon.fwn). Aborts the test
// binary if it is missing: every nlu test needs it.
inline std::shared_ptr<const Lexicon> BuiltLexicon() {
  static std::shared_ptr<const Lexicon> lexicon = [] {
    const std::string path = std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn";
    auto loaded = Lexicon::Load(path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "cannot load %s: %s\n", path.c_str(),
                   loaded.status().ToString().c_str());
      std::abort();
    }
    return *loaded;
  }();
  return lexicon;
}

inline TrainingData Faq(std::initializer_list<std::pair<std::string, std::string>> topics) {
  TrainingData data;
  for (const auto& [name, example] : topics) data.intents.push_back({name, {example}, ""});
  return data;
}

}  // namespace faqbot::nlu::testing
