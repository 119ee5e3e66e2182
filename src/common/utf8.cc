#include "common/utf8.h"

namespace faqbot {

size_t Utf8CharBytes(std::string_view text, size_t i) {
  const auto b = static_cast<unsigned char>(text[i]);
  const size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
  if (i + n > text.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if (!IsUtf8Continuation(text[i + k])) return 1;
  }
  return n;
}

size_t Utf8CutPoint(std::string_view text, size_t max_bytes) {
  if (max_bytes >= text.size()) return text.size();
  // Walk back to the start of the character that max_bytes falls in (at most 3 bytes back for
  // well-formed text), then keep it only when it ends within the limit.
  size_t start = max_bytes;
  while (start > 0 && max_bytes - start < 3 && IsUtf8Continuation(text[start])) --start;
  if (IsUtf8Continuation(text[start])) return max_bytes;  // not UTF-8 here: any cut will do
  const size_t end = start + Utf8CharBytes(text, start);
  return end <= max_bytes ? end : start;
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  return text.substr(0, Utf8CutPoint(text, max_bytes));
}

void Utf8Truncate(std::string& text, size_t max_bytes) {
  text.resize(Utf8CutPoint(text, max_bytes));
}

}  // namespace faqbot
