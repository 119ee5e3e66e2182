#include "common/utf8.h"

#include <utf8proc.h>

namespace faqbot {

size_t Utf8CharBytes(std::string_view text, size_t i) {
  const auto b = static_cast<unsigned char>(text[i]);
  const size_t n = b < 0x80           ? 1
                   : (b >> 5) == 0x6  ? 2
                   : (b >> 4) == 0xE  ? 3
                   : (b >> 3) == 0x1E ? 4
                                      : 1;
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

size_t Utf16Length(std::string_view text) {
  size_t units = 0;
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8CharBytes(text, i);
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  return text.substr(0, Utf8CutPoint(text, max_bytes));
}

void Utf8Truncate(std::string& text, size_t max_bytes) {
  text.resize(Utf8CutPoint(text, max_bytes));
}

size_t Utf8Decode(std::string_view text, size_t i, int32_t* cp) {
  utf8proc_int32_t decoded = -1;
  const auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                    static_cast<utf8proc_ssize_t>(text.size() - i), &decoded);
  *cp = decoded;
  return len > 0 ? static_cast<size_t>(len) : 0;
}

std::string Utf8Valid(std::string_view text) {
  std::string valid;
  valid.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      valid.push_back(text[i++]);
      continue;
    }
    int32_t cp = 0;
    const size_t n = Utf8Decode(text, i, &cp);
    if (n == 0) {
      valid.append("\xEF\xBF\xBD");
      ++i;
    } else {
      valid.append(text.substr(i, n));
      i += n;
    }
  }
  return valid;
}

bool IsWordCodePoint(int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
      return true;
    default:
      return false;
  }
}

bool IsIdeographicCodePoint(int32_t cp) {
  if (cp < 0x3005) return false;            // every Latin, Greek, Cyrillic, Arabic, Indic... letter
  return (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK unified ideographs
         (cp >= 0x3400 && cp <= 0x4DBF) ||  // extension A
         (cp >= 0x20000 && cp <= 0x323AF) ||  // extensions B-H
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // compatibility ideographs
         (cp >= 0x2F800 && cp <= 0x2FA1F) ||  // compatibility supplement
         (cp >= 0x3040 && cp <= 0x30FF) ||    // hiragana, katakana
         (cp >= 0x31F0 && cp <= 0x31FF) ||    // katakana phonetic extensions
         cp == 0x3005 || cp == 0x3007;        // 々 〇
}

}  // namespace faqbot
