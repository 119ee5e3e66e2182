// The public intent data sets' split folders (seq.in / label, one question a line), as
// ../shared/bench/nlu_eval.py reads them: blank questions are skipped.
#pragma once

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace faqbot::bench {

// (question, label) pairs of `dir`/seq.in and `dir`/label; empty when the folder does not exist.
inline std::vector<std::pair<std::string, std::string>> ReadIntentSplit(const std::string& dir) {
  std::ifstream texts(dir + "/seq.in"), labels(dir + "/label");
  std::vector<std::pair<std::string, std::string>> out;
  std::string t, l;
  while (std::getline(texts, t) && std::getline(labels, l)) {
    if (t.find_first_not_of(" \t\r") != std::string::npos) out.emplace_back(t, l);
  }
  return out;
}

}  // namespace faqbot::bench
