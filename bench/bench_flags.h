// Command-line flags of the assistant benchmarks: `--name=value`, or `--name` alone for "1".
#pragma once

#include <string>

namespace faqbot::bench {

// The value of --`name` in argv, or `fallback` when absent.
inline std::string Flag(int argc, char** argv, const std::string& name, std::string fallback) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--" + name) return "1";
    if (arg.rfind("--" + name + "=", 0) == 0) return arg.substr(name.size() + 3);
  }
  return fallback;
}

}  // namespace faqbot::bench
