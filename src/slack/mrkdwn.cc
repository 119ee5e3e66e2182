#include "slack/mrkdwn.h"

#include <algorithm>
#include <array>

#include "common/utf8.h"

namespace faqbot::slack {
namespace {

// UTF-16 code units of a character of `bytes` UTF-8 bytes.
size_t CharUnits(size_t bytes) { return bytes == 4 ? 2 : 1; }

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Where to end one piece of `text` (whose bytes [0, limit) fit and limit < size) and where the
// next piece starts.
struct Cut {
  size_t end;
  size_t next;
};

// Where to end a piece of at most `limit` bytes: at a paragraph, a line or a space in the second
// half, else at a space from byte `min_word_cut` on, else between any two characters.
Cut FindCut(std::string_view text, size_t limit, size_t min_word_cut = 1) {
  // cut_ok[p]: text may end before byte p without breaking a character or an entity;
  // token_ok[p]: nor a <…> markup token.
  std::vector<char> cut_ok(limit + 1, 1);
  std::vector<char> token_ok(limit + 1, 1);
  for (size_t i = 1; i <= limit; ++i) {
    if (IsUtf8Continuation(text[i])) cut_ok[i] = 0;
  }
  static constexpr std::array<std::string_view, 3> kEntities = {"&amp;", "&lt;", "&gt;"};
  size_t open = std::string_view::npos;
  for (size_t i = 0; i <= limit; ++i) {
    if (text[i] == '&') {
      for (std::string_view e : kEntities) {
        if (text.compare(i, e.size(), e) != 0) continue;
        for (size_t k = i + 1; k < i + e.size() && k <= limit; ++k) cut_ok[k] = 0;
      }
    } else if (text[i] == '<') {
      open = i;
    } else if (text[i] == '>' && open != std::string_view::npos) {
      for (size_t k = open + 1; k <= i; ++k) token_ok[k] = 0;
      open = std::string_view::npos;
    }
  }
  if (open != std::string_view::npos) {
    // A token still open at the end of the window: unsafe if it closes later.
    const size_t close = text.find_first_of("<>", limit + 1);
    if (close != std::string_view::npos && text[close] == '>') {
      for (size_t k = open + 1; k <= limit; ++k) token_ok[k] = 0;
    }
  }

  auto safe = [&](size_t p) { return cut_ok[p] && token_ok[p]; };
  auto last = [&](size_t min, auto is_separator) -> size_t {
    for (size_t p = limit; p >= std::max<size_t>(min, 1); --p) {
      if (is_separator(p) && safe(p)) return p;
    }
    return 0;
  };
  auto skip_space = [&](size_t p) {
    while (p < text.size() && IsSpace(text[p])) ++p;
    return p;
  };

  const size_t half = limit / 2;
  if (size_t p = last(half, [&](size_t q) { return text.compare(q, 2, "\n\n") == 0; })) {
    return {p, skip_space(p)};
  }
  if (size_t p = last(half, [&](size_t q) { return text[q] == '\n'; })) return {p, skip_space(p)};
  if (size_t p = last(min_word_cut, [&](size_t q) { return text[q] == ' '; })) {
    return {p, skip_space(p)};
  }
  if (size_t p = last(1, [](size_t) { return true; })) return {p, p};
  // Only a token longer than the limit: cut inside it, still between whole characters.
  for (size_t p = limit; p >= 1; --p) {
    if (cut_ok[p]) return {p, p};
  }
  return {limit, limit};
}

// Bytes of the longest prefix of `text` within `max_length` units.
size_t FittingBytes(std::string_view text, size_t max_length) {
  size_t units = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = Utf8CharBytes(text, i);
    if (units + CharUnits(n) > max_length) break;
    units += CharUnits(n);
    i += n;
  }
  return i;
}

}  // namespace

std::string EscapeMrkdwn(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

namespace {

bool IsIdChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Whether `inside` (what is between '<' and '>') is a link, user or channel token to keep.
bool IsKeptToken(std::string_view inside) {
  const size_t bar = inside.find('|');
  const std::string_view target = inside.substr(0, bar);
  for (std::string_view scheme : {"https://", "http://", "mailto:"}) {
    if (target.size() > scheme.size() && target.substr(0, scheme.size()) == scheme) {
      return std::none_of(target.begin(), target.end(), [](char c) { return IsSpace(c); });
    }
  }
  if (target.size() >= 3 && ((target[0] == '@' && (target[1] == 'U' || target[1] == 'W')) ||
                             (target[0] == '#' && (target[1] == 'C' || target[1] == 'G')))) {
    return std::all_of(target.begin() + 2, target.end(), IsIdChar);
  }
  return false;
}

}  // namespace

std::string EscapeMrkdwnKeepingLinks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t done = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '<') continue;
    const size_t close = text.find_first_of("<>", i + 1);
    if (close == std::string_view::npos || text[close] != '>') continue;
    const std::string_view inside = text.substr(i + 1, close - i - 1);
    if (!IsKeptToken(inside)) continue;
    // `inside` holds no '<' or '>': escaping it escapes its '&' only.
    out += EscapeMrkdwn(text.substr(done, i - done)) + '<' + EscapeMrkdwn(inside) + '>';
    done = close + 1;
    i = close;
  }
  out += EscapeMrkdwn(text.substr(done));
  return out;
}

size_t SlackTextLength(std::string_view text) { return Utf16Length(text); }

std::vector<std::string> SplitText(std::string_view text, size_t max_length) {
  max_length = std::max<size_t>(max_length, 2);  // room for any one character
  std::vector<std::string> pieces;
  while (!text.empty()) {
    const size_t limit = FittingBytes(text, max_length);
    if (limit == text.size()) {
      pieces.emplace_back(text);
      break;
    }
    const Cut cut = FindCut(text, limit);
    pieces.emplace_back(text.substr(0, cut.end));
    text.remove_prefix(cut.next);
  }
  return pieces;
}

std::string TruncateText(std::string_view text, size_t max_length, std::string_view mark) {
  if (SlackTextLength(text) <= max_length) return std::string(text);
  const size_t mark_length = SlackTextLength(mark);
  if (mark_length >= max_length) return std::string(text.substr(0, FittingBytes(text, max_length)));
  const size_t limit = FittingBytes(text, max_length - mark_length);
  // A space only in the first half ("question — <one 3,000-character word>"): cutting there
  // would drop most of what fits, so the word is cut instead.
  std::string out(text.substr(0, FindCut(text, limit, limit / 2).end));
  out += mark;
  return out;
}

std::string DecodeSlackEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      if (text.substr(i, 4) == "&lt;") {
        out += '<';
        i += 3;
        continue;
      }
      if (text.substr(i, 4) == "&gt;") {
        out += '>';
        i += 3;
        continue;
      }
      if (text.substr(i, 5) == "&amp;") {
        out += '&';
        i += 4;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace faqbot::slack
