#include "nlu/vector_dot.h"

namespace faqbot::nlu {

__attribute__((target_clones("avx2", "default"))) int32_t DotI8(const int8_t* a, const int8_t* b,
                                                                size_t n) {
  int32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]);
  return sum;
}

__attribute__((target_clones("avx2", "default"))) float DotF32(const float* a, const float* b,
                                                               size_t n) {
  // Eight partial sums, so the compiler may vectorise without reassociating one float sum.
  float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (size_t k = 0; k < 8; ++k) partial[k] += a[i + k] * b[i + k];
  }
  float sum = 0;
  for (; i < n; ++i) sum += a[i] * b[i];
  for (float p : partial) sum += p;
  return sum;
}

}  // namespace faqbot::nlu
