// The subcommands of `faqbot`. Each Register* function adds its CLI11 subcommands to `app` and
// records, in `registry`, the action to run when one of them is chosen. Actions return a Status;
// main turns it into the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace faqbot::app {

inline constexpr std::string_view kVersion = "0.1.0";

class CommandRegistry {
 public:
  using Action = std::function<Status()>;
  // `command` is a leaf subcommand; `action` runs when the command line selected it.
  void Add(CLI::App* command, Action action) { actions_.emplace_back(command, std::move(action)); }
  // Runs the action of the parsed leaf subcommand; InvalidArgument when none was selected.
  Status RunSelected() const;

 private:
  std::vector<std::pair<CLI::App*, Action>> actions_;
};

// The workspace of owners who have never been seen on Slack (the terminal shell, imports
// before the first Slack event).
inline constexpr std::string_view kLocalTeam = "TLOCAL";

// `faqbot nlu train|parse|eval`: the matching engine (src/nlu).
void RegisterNluCommands(CLI::App& app, CommandRegistry& registry);

// `faqbot topics import|export|list`, `faqbot token create|list|revoke`, `faqbot console
// link|signout` and `faqbot db migrate` (src/store).
void RegisterStoreCommands(CLI::App& app, CommandRegistry& registry);

// The base URL people reach `faqbot serve` at, for web console links: $FAQBOT_PUBLIC_URL without
// a trailing '/', else http://localhost:<port> (`port` when given, else $FAQBOT_PORT, else 3000).
std::string PublicUrlFromEnv(int port = -1);
// Whether $FAQBOT_PUBLIC_URL (an http:// or https:// URL) and, when it is unset and `port` < 0,
// $FAQBOT_PORT (0–65535) can make that URL; FailedPrecondition saying which is wrong.
Status CheckPublicUrlEnv(int port = -1);

// `faqbot serve`: the assistant on Slack.
void RegisterServeCommand(CLI::App& app, CommandRegistry& registry);

// `faqbot shell --as U…`: the assistant in a terminal.
void RegisterShellCommand(CLI::App& app, CommandRegistry& registry);

}  // namespace faqbot::app
