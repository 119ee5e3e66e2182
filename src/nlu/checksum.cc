#include "nlu/checksum.h"

#include <cstring>

namespace faqbot::nlu {

uint64_t Checksum64(std::string_view bytes) {
  // 64-bit multiply-xorshift over 8-byte words, then the tail; every byte affects the result.
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = 0xCBF29CE484222325ull ^ (bytes.size() * kMul);
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  for (; i < bytes.size(); ++i) {
    h = (h ^ static_cast<unsigned char>(bytes[i])) * kMul;
    h ^= h >> 29;
  }
  h ^= h >> 32;
  return h * kMul ^ (h >> 31);
}

}  // namespace faqbot::nlu
