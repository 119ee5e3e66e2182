// The inner product of int8 word vectors: the hot loop of word-vector similarity. Dispatches at
// load time to an AVX2 build where the CPU has it (GCC function multiversioning). Pure.
#pragma once

#include <cstddef>
#include <cstdint>

namespace faqbot::nlu {

int32_t DotI8(const int8_t* a, const int8_t* b, size_t n);

}  // namespace faqbot::nlu
