#include "nlu/vector_dot.h"

namespace faqbot::nlu {

__attribute__((target_clones("avx2", "default"))) int32_t DotI8(const int8_t* a, const int8_t* b,
                                                                size_t n) {
  int32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]);
  return sum;
}

}  // namespace faqbot::nlu
