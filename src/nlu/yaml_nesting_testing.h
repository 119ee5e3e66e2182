// For the tests and the fuzzer of yaml_nesting: how deep the flow collections of a document
// yaml-cpp loaded nest, read from the nodes' styles — the answer the scan must agree with.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace faqbot::nlu::testing {

inline int FlowDepth(const YAML::Node& node) {
  if (!node.IsSequence() && !node.IsMap()) return 0;
  int deepest = 0;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (node.IsMap()) {
      deepest = std::max({deepest, FlowDepth(it->first), FlowDepth(it->second)});
    } else {
      deepest = std::max(deepest, FlowDepth(*it));
    }
  }
  return deepest + (node.Style() == YAML::EmitterStyle::Flow ? 1 : 0);
}

}  // namespace faqbot::nlu::testing
