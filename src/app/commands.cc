#include "app/commands.h"

namespace faqbot::app {

Status CommandRegistry::RunSelected() const {
  for (const auto& [command, action] : actions_) {
    if (command->parsed()) return action();
  }
  return InvalidArgumentError("no command given; see --help");
}

}  // namespace faqbot::app
