#include "slack/event_filter.h"

namespace faqbot::slack {
namespace {

// Messages and mentions carry the same author fields; a mention has no subtype.
std::optional<std::string> AuthoredTextReason(const std::string& user, const std::string& bot_id,
                                              const std::string& subtype, const std::string& text,
                                              const BotIdentity& self) {
  // Own bot first: its messages are dropped whatever their subtype.
  if ((!self.user_id.empty() && user == self.user_id) ||
      (!self.bot_id.empty() && bot_id == self.bot_id)) {
    return "own message";
  }
  if (!bot_id.empty() || subtype == "bot_message") return "message from another bot";
  if (!subtype.empty() && subtype != "thread_broadcast" && subtype != "file_share") {
    return "message subtype " + subtype;
  }
  if (text.empty()) return "message without text";
  if (user.empty()) return "message without an author";  // nobody to answer
  return std::nullopt;
}

}  // namespace

std::optional<std::string> FilterReason(const InboundEvent& event, const BotIdentity& self) {
  if (const auto* m = std::get_if<MessageEvent>(&event.payload)) {
    return AuthoredTextReason(m->user, m->bot_id, m->subtype, m->text, self);
  }
  if (const auto* m = std::get_if<AppMentionEvent>(&event.payload)) {
    return AuthoredTextReason(m->user, m->bot_id, /*subtype=*/"", m->text, self);
  }
  return std::nullopt;
}

}  // namespace faqbot::slack
