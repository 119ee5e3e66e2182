#include "nlu/text_normalizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "common/utf8.h"

namespace faqbot::nlu {
namespace {

bool IsApostrophe(utf8proc_int32_t cp) { return cp == '\'' || cp == 0x2019 || cp == 0x2018; }

// `:name:` with name of [a-z0-9_+-]; returns its length at i, or 0.
size_t EmojiLengthAt(std::string_view s, size_t i) {
  if (s[i] != ':') return 0;
  size_t j = i + 1;
  while (j < s.size() && j - i <= 64) {
    const char c = s[j];
    if (c == ':') return j > i + 1 ? j - i + 1 : 0;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '+' || c == '-';
    if (!ok) return 0;
    ++j;
  }
  return 0;
}

// Appends what a reader sees of the Slack token `inner` (the text between < and >).
void AppendSlackToken(std::string_view inner, std::string& out) {
  if (inner.empty()) return;
  const size_t bar = inner.find('|');
  const char lead = inner[0];
  if (lead == '@' || lead == '!') return;  // user mentions and <!here>-style commands: no words
  if (lead == '#') {                       // channel: keep its name when given
    if (bar != std::string_view::npos) out.append(" ").append(inner.substr(bar + 1)).append(" ");
    return;
  }
  // A link: its label when given, else the address itself, split into words by the tokeniser.
  out.append(" ").append(bar != std::string_view::npos ? inner.substr(bar + 1) : inner);
  out.append(" ");
}

// NormalizeText's folding of any text: NFKC, casefolding, accents and control characters.
std::string FoldUnicode(const std::string& text) {
  // Replace invalid bytes first: utf8proc_map refuses the whole string otherwise.
  std::string clean;
  clean.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    utf8proc_int32_t cp;
    const size_t n = Utf8Decode(text, i, &cp);
    if (n == 0) {
      clean.push_back(' ');
      ++i;
    } else {
      clean.append(text, i, n);
      i += n;
    }
  }
  utf8proc_uint8_t* mapped = nullptr;
  const auto options = static_cast<utf8proc_option_t>(
      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
      UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_LUMP | UTF8PROC_STRIPCC);
  const auto len = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(clean.data()),
                                static_cast<utf8proc_ssize_t>(clean.size()), &mapped, options);
  std::string folded;
  if (len >= 0 && mapped != nullptr) folded.assign(reinterpret_cast<char*>(mapped), len);
  std::free(mapped);
  return folded;
}

// What utf8proc_map with NormalizeText's options makes of ASCII text, without its per-character
// property lookups: upper case folded, tab, line feed, vertical tab, form feed and carriage
// return to spaces, other control characters removed (text_normalizer_test compares the two for
// every ASCII character).
std::string FoldAscii(const std::string& text) {
  std::string folded;
  folded.reserve(text.size());
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z') {
      folded.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') {
      folded.push_back(' ');
    } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) {
      folded.push_back(c);
    }
  }
  return folded;
}

}  // namespace

size_t FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  utf8proc_int32_t cp;
  while (i < text.size()) {
    const size_t n = Utf8Decode(text, i, &cp);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

bool IsValidUtf8(std::string_view text) { return FirstInvalidUtf8(text) == std::string_view::npos; }

std::string StripSlackMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '<') {
      const size_t close = text.find('>', i + 1);
      if (close != std::string_view::npos && close - i < 2048) {
        AppendSlackToken(text.substr(i + 1, close - i - 1), out);
        i = close + 1;
        continue;
      }
    }
    if (const size_t n = EmojiLengthAt(text, i); n > 0) {
      out.push_back(' ');
      i += n;
      continue;
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::string NormalizeText(std::string_view raw) {
  const std::string text = StripSlackMarkup(raw);
  const bool ascii = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  const std::string folded = ascii ? FoldAscii(text) : FoldUnicode(text);
  // Collapse whitespace.
  std::string out;
  out.reserve(folded.size());
  bool space = true;
  for (char c : folded) {
    const bool is_space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (is_space) {
      if (!space) out.push_back(' ');
      space = true;
    } else {
      out.push_back(c);
      space = false;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> Tokenize(std::string_view s, const TokenizeOptions& options) {
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp;
    const size_t n = Utf8Decode(s, i, &cp);
    if (n == 0) {
      flush();
      ++i;
      continue;
    }
    if (options.split_ideographs && IsIdeographicCodePoint(cp)) {
      flush();
      tokens.emplace_back(s.substr(i, n));
    } else if (IsWordCodePoint(cp)) {
      current.append(s.substr(i, n));
    } else if (IsApostrophe(cp) && !current.empty()) {
      // Contractions: "haven't" → have not; "it's", "we're", "i'll" → it, we, i.
      size_t j = i + n;
      std::string suffix;
      while (j < s.size()) {
        utf8proc_int32_t c2;
        const size_t m = Utf8Decode(s, j, &c2);
        if (m == 0 || !IsWordCodePoint(c2)) break;
        suffix.append(s.substr(j, m));
        j += m;
      }
      if (suffix == "t" && current.size() > 1 && current.back() == 'n') {
        current.pop_back();
        if (current == "ca") current = "can";
        if (current == "wo") current = "will";
        flush();
        tokens.emplace_back("not");
        i = j;
        continue;
      }
      flush();
      if (suffix == "s" || suffix == "re" || suffix == "m" || suffix == "ll" || suffix == "ve" ||
          suffix == "d") {
        i = j;
        continue;
      }
    } else {
      flush();
    }
    i += n;
  }
  flush();
  return tokens;
}

}  // namespace faqbot::nlu
