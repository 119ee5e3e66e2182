// Percentiles of a latency sample, for the end-to-end benchmarks' reports.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace faqbot::bench {

struct LatencySummary {
  size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;  // milliseconds
};

// Nearest-rank percentiles of `ms` (milliseconds).
inline LatencySummary Summarize(std::vector<double> ms) {
  LatencySummary s;
  s.count = ms.size();
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  const auto rank = [&](double p) {
    const size_t r = static_cast<size_t>(std::ceil(p * static_cast<double>(ms.size())));
    return ms[std::min(ms.size() - 1, r == 0 ? 0 : r - 1)];
  };
  s.p50 = rank(0.50);
  s.p90 = rank(0.90);
  s.p99 = rank(0.99);
  s.max = ms.back();
  double sum = 0;
  for (double v : ms) sum += v;
  s.mean = sum / static_cast<double>(ms.size());
  return s;
}

inline void PrintSummary(const std::string& what, const LatencySummary& s) {
  std::printf(
      "%-44s n=%-5zu p50 %8.2f ms  p90 %8.2f ms  p99 %8.2f ms  max %8.2f ms  mean %8.2f ms\n",
      what.c_str(), s.count, s.p50, s.p90, s.p99, s.max, s.mean);
}

}  // namespace faqbot::bench
