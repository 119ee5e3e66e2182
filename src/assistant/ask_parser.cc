#include "assistant/ask_parser.h"

#include <cctype>

#include "common/string_util.h"

namespace faqbot::assistant {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void SkipSpaces(std::string_view& s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
}

// Slack user ids: U or W followed by upper-case letters and digits.
bool IsUserId(std::string_view id) {
  if (id.size() < 3 || id.size() > 32 || (id[0] != 'U' && id[0] != 'W')) return false;
  for (char c : id) {
    if (!std::isupper(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// Consumes "<@U123>" or "<@U123|name>" at the front of `s`; returns the id, or "" (s unchanged).
std::string TakeMention(std::string_view& s) {
  if (s.size() < 4 || s[0] != '<' || s[1] != '@') return {};
  const size_t close = s.find('>');
  if (close == std::string_view::npos) return {};
  std::string_view inner = s.substr(2, close - 2);
  if (const size_t bar = inner.find('|'); bar != std::string_view::npos)
    inner = inner.substr(0, bar);
  if (!IsUserId(inner)) return {};
  s.remove_prefix(close + 1);
  return std::string(inner);
}

// "ask a question", "ask <@U1> something": words that stand for a question not written yet.
bool IsPlaceholder(std::string_view question) {
  std::string q = AsciiLower(question);
  while (!q.empty() &&
         (q.back() == '?' || q.back() == '.' || q.back() == '!' || IsSpace(q.back()))) {
    q.pop_back();
  }
  for (const std::string_view prefix : {"you ", "them ", "him ", "her "}) {
    if (q.starts_with(prefix)) q.erase(0, prefix.size());
  }
  for (const std::string_view placeholder :
       {"question", "a question", "a quick question", "some questions", "questions", "something",
        "anything", "smth", "sth", "a thing", "the question", "my question"}) {
    if (q == placeholder) return true;
  }
  return false;
}

// After the mention: "<@U1>, question" / "<@U1>: question" → "question".
AskParse Finish(std::string owner, std::string_view rest) {
  AskParse out;
  out.owner_user_id = std::move(owner);
  SkipSpaces(rest);
  while (!rest.empty() && (rest.front() == ',' || rest.front() == ':' || rest.front() == '-')) {
    rest.remove_prefix(1);
    SkipSpaces(rest);
  }
  out.question = TrimText(rest);
  out.kind = out.question.empty() || IsPlaceholder(out.question) ? AskParse::Kind::kMissingQuestion
                                                                 : AskParse::Kind::kAsk;
  return out;
}

}  // namespace

AskParse ParseAskMessage(std::string_view text, std::string_view bot_user_id) {
  std::string_view s = text;
  SkipSpaces(s);
  bool addressed = false;  // the message starts with a mention of the app
  if (!bot_user_id.empty()) {
    std::string_view probe = s;
    if (TakeMention(probe) == bot_user_id) {
      s = probe;
      SkipSpaces(s);
      while (!s.empty() && (s.front() == ',' || s.front() == ':')) {
        s.remove_prefix(1);
        SkipSpaces(s);
      }
      addressed = true;
    }
  }
  const auto question_for_everyone = [&]() {
    AskParse out;
    out.question = TrimText(s);
    if (!addressed || out.question.empty()) return AskParse{};
    out.kind = IsPlaceholder(out.question) ? AskParse::Kind::kMissingMention
                                           : AskParse::Kind::kAskEveryone;
    return out;
  };
  if (s.size() < 3 || std::tolower(static_cast<unsigned char>(s[0])) != 'a' ||
      std::tolower(static_cast<unsigned char>(s[1])) != 's' ||
      std::tolower(static_cast<unsigned char>(s[2])) != 'k') {
    return question_for_everyone();
  }
  std::string_view rest = s.substr(3);
  if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);
  // "asking", "asked": not the command.
  if (!rest.empty() && !IsSpace(rest.front())) return question_for_everyone();
  AskParse parsed = ParseAskArguments(rest);
  // "ask @faqbot …": the app is nobody's bot — the question is for everyone.
  if (!bot_user_id.empty() && parsed.owner_user_id == bot_user_id) {
    parsed.owner_user_id.clear();
    parsed.kind = parsed.kind == AskParse::Kind::kAsk ? AskParse::Kind::kAskEveryone
                                                      : AskParse::Kind::kMissingMention;
  }
  return parsed;
}

AskParse ParseAskArguments(std::string_view text) {
  std::string_view s = text;
  SkipSpaces(s);
  std::string owner = TakeMention(s);
  if (owner.empty()) {
    AskParse out;
    out.question = TrimText(s);
    // "@alice …" typed as text, or a broken "<@…": a mention that did not work, not a question.
    const bool failed_mention = !out.question.empty() && (out.question[0] == '@' ||
                                                          out.question.rfind("<@", 0) == 0);
    out.kind = out.question.empty() || failed_mention || IsPlaceholder(out.question)
                   ? AskParse::Kind::kMissingMention
                   : AskParse::Kind::kAskEveryone;
    return out;
  }
  return Finish(std::move(owner), s);
}

}  // namespace faqbot::assistant
