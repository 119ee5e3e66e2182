#include "assistant/reply.h"

namespace faqbot::assistant {

Span Words(std::string text) { return {Span::Kind::kText, std::move(text)}; }
Span UserText(std::string text) { return {Span::Kind::kUserText, std::move(text)}; }
Span Mention(const std::string& user_id) { return {Span::Kind::kMention, user_id}; }
Paragraph Line(std::vector<Span> spans) { return {std::move(spans)}; }
Paragraph Line(std::string words) { return {{Words(std::move(words))}}; }

Span AfterUserText(std::string_view user_text, std::string words) {
  constexpr std::string_view kEnds = ".?!";
  const size_t last = user_text.find_last_not_of(" \t\n");
  const bool ended = last != std::string_view::npos && kEnds.find(user_text[last]) != kEnds.npos;
  if (ended && !words.empty() && kEnds.find(words.front()) != kEnds.npos) words.erase(0, 1);
  return Words(std::move(words));
}

namespace {
void Append(std::string& out, const Paragraph& p) {
  for (const auto& span : p.spans) {
    if (span.kind == Span::Kind::kMention) {
      out += "<@" + span.value + ">";
    } else {
      out += span.value;
    }
  }
}
}  // namespace

std::string Count(size_t n, std::string_view singular, std::string_view plural) {
  std::string out = std::to_string(n) + " ";
  if (n == 1) return out.append(singular);
  if (plural.empty()) return out.append(singular).append("s");
  return out.append(plural);
}

std::string LeftOut(size_t needs_answer) {
  if (needs_answer == 0) return "";
  return " " + Count(needs_answer, "topic") + (needs_answer == 1 ? " needs" : " need") +
         " an answer and " + (needs_answer == 1 ? "stays" : "stay") + " out of it.";
}

std::string PlainText(const Reply& reply) {
  std::string out;
  for (const auto& p : reply.paragraphs) {
    Append(out, p);
    out += "\n";
  }
  for (const auto& item : reply.items) {
    out += "• ";
    Append(out, item.text);
    for (const auto& b : item.buttons) out += " [" + b.label + "]";
    out += "\n";
  }
  for (const auto& b : reply.buttons) out += "[" + b.label + "] ";
  if (!reply.buttons.empty()) out += "\n";
  for (const auto& p : reply.context) {
    out += "  ";
    Append(out, p);
    out += "\n";
  }
  return out;
}

}  // namespace faqbot::assistant
