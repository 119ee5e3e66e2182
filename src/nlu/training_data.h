// Training data: what a bot is taught, independent of its file format.
#pragma once

#include <string>
#include <vector>

namespace faqbot::nlu {

// One topic (Rasa: intent) and the questions that ask for it.
struct Intent {
  std::string name;
  std::vector<std::string> examples;
  std::string response;  // the answer, when the source carries one (may be empty)
};

struct TrainingData {
  std::vector<Intent> intents;
};

}  // namespace faqbot::nlu
