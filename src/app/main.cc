// faqbot: one executable, one subcommand per capability. The CLI only dispatches; only this
// file turns a Status into an exit code.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/exit_code.h"
#include "common/logging.h"

namespace {

// "faqbot topcs export", "faqbot topics": CLI11 says only "A subcommand is required". Names
// the word it did not know, or that one is missing, and the commands it could have been, at
// the level where it was typed; false when the command line went wrong in another way.
bool SayMissingSubcommand(const CLI::App& app) {
  const CLI::App* level = &app;
  for (;;) {
    const auto chosen = level->get_subcommands();
    if (chosen.empty()) break;
    level = chosen.front();
  }
  if (level->get_require_subcommand_min() == 0 || !level->get_subcommands().empty()) return false;
  const std::vector<std::string> rest = app.remaining(true);
  if (!rest.empty() && (rest.front().empty() || rest.front().front() == '-')) return false;
  std::string known;
  for (const CLI::App* sub : level->get_subcommands({})) {
    known += (known.empty() ? "" : ", ") + sub->get_name();
  }
  std::string path = "faqbot";
  std::vector<std::string> names;
  for (const CLI::App* at = level; at != nullptr && at != &app; at = at->get_parent()) {
    names.insert(names.begin(), at->get_name());
  }
  for (const std::string& name : names) path += " " + name;
  if (rest.empty()) {
    std::fprintf(stderr, "%s: a command is needed (one of: %s)\n", path.c_str(), known.c_str());
  } else {
    std::fprintf(stderr, "%s: unknown command '%s' (one of: %s)\n", path.c_str(),
                 rest.front().c_str(), known.c_str());
  }
  std::fprintf(stderr, "Run with --help for more information.\n");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "faqbot: a self-hosted Slack assistant that answers the questions people keep "
      "asking you"};
  app.require_subcommand(1);
  // Options of the app given after the subcommand (`faqbot serve --log-json`) apply too.
  app.fallthrough();
  app.set_version_flag("--version", std::string(faqbot::app::kVersion));
  std::string log_level = "warn";
  bool log_json = false;
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
      ->envname("FAQBOT_LOG_LEVEL")
      ->transform(
          CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}, CLI::ignore_case));
  app.add_flag("--log-json", log_json, "log JSON lines on stderr")->envname("FAQBOT_LOG_JSON");

  // Each Register* adds its subcommands and stores the action to run when chosen.
  faqbot::app::CommandRegistry commands;
  faqbot::app::RegisterNluCommands(app, commands);
  faqbot::app::RegisterStoreCommands(app, commands);
  faqbot::app::RegisterServeCommand(app, commands);
  faqbot::app::RegisterShellCommand(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; a wrong command line is a usage error (sysexits).
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && SayMissingSubcommand(app)) {
      return faqbot::app::ExitCodeFor(faqbot::InvalidArgumentError(""));
    }
    const int code = app.exit(e);
    return code == 0 ? 0 : faqbot::app::ExitCodeFor(faqbot::InvalidArgumentError(""));
  }
  faqbot::InitLogging(log_json ? faqbot::LogFormat::kJson : faqbot::LogFormat::kText, log_level);

  faqbot::Status status = commands.RunSelected();
  // What a command printed must have reached its reader: an export into a full disk or a
  // closed pipe is a failure, not an empty backup.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    const faqbot::Status unwritten = faqbot::UnavailableError("cannot write to standard output: " +
                                                              std::string(std::strerror(errno)));
    if (status.ok()) status = unwritten;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "faqbot: %s\n", status.ToString().c_str());
  }
  return faqbot::app::ExitCodeFor(status);
}
