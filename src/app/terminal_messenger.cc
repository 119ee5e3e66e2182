#include "app/terminal_messenger.h"

#include <cctype>

namespace faqbot::app {
namespace {

std::string Render(const assistant::Paragraph& p) {
  std::string out;
  for (const auto& span : p.spans) {
    out += span.kind == assistant::Span::Kind::kMention ? "@" + span.value : span.value;
  }
  return out;
}

}  // namespace

void TerminalMessenger::set_viewer(const store::UserRef& viewer) {
  std::lock_guard lock(mu_);
  viewer_ = viewer;
}

Status TerminalMessenger::Send(const assistant::Destination& to, const assistant::Reply& reply) {
  std::lock_guard lock(mu_);
  std::string out = "faqbot";
  if (!to.user.user_id.empty() && !(to.user == viewer_)) out += " → @" + to.user.user_id;
  // A terminal cannot change what it printed: an update is shown as what the message now says.
  if (to.kind == assistant::Destination::Kind::kUpdate) out += " (an earlier message now reads)";
  out += ":\n";
  for (const auto& p : reply.paragraphs) out += "  " + Render(p) + "\n";
  auto add_buttons = [&](const std::vector<assistant::Button>& buttons, const char* indent) {
    if (buttons.empty()) return;
    out += indent;
    for (const auto& b : buttons) {
      buttons_.push_back(b);
      out += "[" + std::to_string(buttons_.size()) + "] " + b.label + "  ";
    }
    out += "\n";
  };
  for (const auto& item : reply.items) {
    out += "  • " + Render(item.text) + "\n";
    add_buttons(item.buttons, "      ");
  }
  add_buttons(reply.buttons, "  ");
  for (const auto& p : reply.context) out += "  (" + Render(p) + ")\n";
  std::fputs(out.c_str(), out_);
  std::fflush(out_);
  return Status::Ok();
}

std::string TerminalMessenger::DisplayName(const store::UserRef&) { return ""; }

std::optional<assistant::Button> TerminalMessenger::ButtonNumber(int n) const {
  std::lock_guard lock(mu_);
  if (n < 1 || static_cast<size_t>(n) > buttons_.size()) return std::nullopt;
  return buttons_[n - 1];
}

std::string MentionsFromTerminal(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    const bool at_word_start = i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1]));
    if (line[i] == '@' && at_word_start && i + 1 < line.size() &&
        std::isalnum(static_cast<unsigned char>(line[i + 1]))) {
      size_t end = i + 1;
      while (end < line.size() && (std::isalnum(static_cast<unsigned char>(line[end])) ||
                                   line[end] == '_' || line[end] == '.' || line[end] == '-')) {
        ++end;
      }
      out += "<@" + line.substr(i + 1, end - i - 1) + ">";
      i = end - 1;
    } else {
      out += line[i];
    }
  }
  return out;
}

Status TerminalMessenger::ShowHome(const store::UserRef&, const assistant::HomeView&) {
  return FailedPreconditionError("the terminal has no Home tab");
}

Status TerminalMessenger::OpenForm(const store::UserRef&, const std::string&,
                                   const assistant::TopicForm&) {
  return FailedPreconditionError("the terminal has no dialogs");
}

}  // namespace faqbot::app
