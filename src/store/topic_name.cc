#include "store/topic_name.h"

#include <utf8proc.h>

#include <array>
#include <vector>

#include "common/string_util.h"
#include "common/utf8.h"

namespace faqbot::store {
namespace {

// Words of how a question is asked rather than what it is about; a name without them reads like
// a Rasa intent ("wifi_password", not "what_is_the_wifi_password").
constexpr std::array<std::string_view, 40> kQuestionWords = {
    "a",    "about", "am",     "an",     "are",  "can",   "could", "do",    "does", "for",
    "have", "how",   "i",      "if",     "in",   "is",    "it",    "me",    "my",   "of",
    "on",   "our",   "please", "should", "tell", "that",  "the",   "there", "to",   "us",
    "was",  "we",    "what",   "whats",  "when", "where", "which", "who",   "why",  "you"};

constexpr size_t kMaxWords = 5;
constexpr size_t kMaxMadeBytes = 40;

bool IsQuestionWord(std::string_view word) {
  for (std::string_view w : kQuestionWords) {
    if (w == word) return true;
  }
  return false;
}

// `c` lower-cased, and a Latin letter with accents as its plain letter ("Ó" → "o").
utf8proc_int32_t Folded(utf8proc_int32_t c) {
  c = utf8proc_tolower(c);
  if (c < 0x80) return c;
  utf8proc_int32_t parts[8];
  int last_boundclass = 0;
  const utf8proc_ssize_t n =
      utf8proc_decompose_char(c, parts, 8, UTF8PROC_DECOMPOSE, &last_boundclass);
  if (n < 2 || n > 8 || parts[0] >= 0x80) return c;
  for (utf8proc_ssize_t i = 1; i < n; ++i) {
    if (utf8proc_category(parts[i]) != UTF8PROC_CATEGORY_MN) return c;
  }
  return parts[0];
}

// The words of `text`: runs of letters, numbers and marks (IsWordCodePoint), lower-cased and
// folded; apostrophes join ("what's" → "whats", "don't" → "dont"); invalid UTF-8 separates.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < text.size();) {
    int32_t c = -1;
    const size_t n = Utf8Decode(text, i, &c);
    i += n > 0 ? n : 1;
    if (n > 0 && (c == '\'' || c == 0x2019)) continue;
    if (n > 0 && IsWordCodePoint(c)) {
      utf8proc_uint8_t encoded[4];
      const utf8proc_ssize_t len = utf8proc_encode_char(Folded(c), encoded);
      word.append(reinterpret_cast<const char*>(encoded), static_cast<size_t>(len));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

}  // namespace

Status ValidateTopicName(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("a topic name cannot be empty");
  if (name.size() > kMaxTopicNameBytes) {
    return InvalidArgumentError("a topic name is at most " + std::to_string(kMaxTopicNameBytes) +
                                " bytes");
  }
  // Any blank a reader cannot see (a no-break space, a zero-width one) too: "wifi " would list
  // as a second "wifi".
  if (TrimText(name) != name) {
    return InvalidArgumentError("a topic name cannot start or end with a blank");
  }
  for (size_t i = 0; i < name.size();) {
    const auto byte = static_cast<unsigned char>(name[i]);
    const size_t n = Utf8CharBytes(name, i);
    if (n == 1 && byte >= 0x80) return InvalidArgumentError("a topic name must be UTF-8");
    if (byte < 0x20 || byte == 0x7F) {
      return InvalidArgumentError("a topic name cannot hold line breaks or control characters");
    }
    i += n;
  }
  return Status::Ok();
}

std::string TopicNameFromQuestion(std::string_view question) {
  const std::vector<std::string> all = Words(question);
  std::vector<std::string> words;
  for (const auto& w : all) {
    if (!IsQuestionWord(w)) words.push_back(w);
  }
  if (words.empty()) words = all;  // "How are you?" keeps its words rather than none
  std::string name;
  size_t used = 0;
  for (const auto& w : words) {
    if (used == kMaxWords) break;
    const size_t extra = w.size() + (name.empty() ? 0 : 1);
    if (name.size() + extra > kMaxMadeBytes) {
      if (name.empty()) name = std::string(Utf8Prefix(w, kMaxMadeBytes));
      break;
    }
    if (!name.empty()) name.push_back('_');
    name += w;
    ++used;
  }
  return name.empty() ? "topic" : name;
}

std::string UniqueTopicName(const std::string& base, const std::set<std::string>& taken) {
  if (!taken.count(base)) return base;
  for (size_t n = 2;; ++n) {
    const std::string suffix = "_" + std::to_string(n);
    std::string candidate(Utf8Prefix(base, kMaxTopicNameBytes - suffix.size()));
    candidate += suffix;
    if (!taken.count(candidate)) return candidate;
  }
}

}  // namespace faqbot::store
