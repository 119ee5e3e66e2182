// TerminalMessenger: the assistant's Messenger for `faqbot shell`. Prints every reply as plain
// text (mentions as @U…, user text verbatim) and numbers its buttons, so typing a number presses
// one. Thread-safe: training results arrive from another thread.
#pragma once

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "assistant/messenger.h"

namespace faqbot::app {

class TerminalMessenger final : public assistant::Messenger {
 public:
  explicit TerminalMessenger(std::FILE* out) : out_(out) {}

  // The person at the keyboard; replies to others are shown with "→ @U…".
  void set_viewer(const store::UserRef& viewer);

  Status Send(const assistant::Destination& to, const assistant::Reply& reply) override;
  std::string DisplayName(const store::UserRef& user) override;
  // The terminal has no Home tab and no dialogs: FailedPrecondition.
  Status ShowHome(const store::UserRef& user, const assistant::HomeView& view) override;
  Status OpenForm(const store::UserRef& user, const std::string& trigger_id,
                  const assistant::TopicForm& form) override;

  // The button numbered `n` in what was printed so far; nullopt if none.
  std::optional<assistant::Button> ButtonNumber(int n) const;

 private:
  std::FILE* out_;
  mutable std::mutex mu_;
  store::UserRef viewer_;
  std::vector<assistant::Button> buttons_;  // numbered from 1
};

// Terminal input to Slack's text form: "@U123" → "<@U123>".
std::string MentionsFromTerminal(const std::string& line);

}  // namespace faqbot::app
