#include "common/string_util.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/utf8.h"

namespace faqbot {

std::string Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(kSpace);
  return std::string(text.substr(begin, end - begin + 1));
}

namespace {

// Unicode White_Space, and the format characters that show nothing.
bool ShowsNothing(int32_t cp) {
  static constexpr std::array<int32_t, 18> kSingles = {
      0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x0020, 0x0085, 0x00A0, 0x00AD,
      0x1680, 0x180E, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF};
  return (cp >= 0x2000 && cp <= 0x200D) || (cp >= 0x2061 && cp <= 0x2064) ||
         std::find(kSingles.begin(), kSingles.end(), cp) != kSingles.end();
}

}  // namespace

std::string TrimText(std::string_view text) {
  size_t begin = 0;
  while (begin < text.size()) {
    int32_t cp = 0;
    const size_t n = Utf8Decode(text, begin, &cp);
    if (n == 0 || !ShowsNothing(cp)) break;
    begin += n;
  }
  size_t end = text.size();
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && IsUtf8Continuation(text[start])) --start;
    int32_t cp = 0;
    const size_t n = Utf8Decode(text, start, &cp);
    if (n != end - start || !ShowsNothing(cp)) break;
    end = start;
  }
  return std::string(text.substr(begin, end - begin));
}

bool IsBlankText(std::string_view text) { return TrimText(text).empty(); }

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string LowerHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

}  // namespace faqbot
