// faqbot: one executable, one subcommand per capability. The CLI only dispatches; only this
// file turns a Status into an exit code.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/exit_code.h"
#include "common/logging.h"

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
      ->envname("FAQBOT_LOG_LEVEL");
  app.add_flag("--log-json", log_json, "log JSON lines on stderr")->envname("FAQBOT_LOG_JSON");

  // Each Register* adds its subcommands and stores the action to run when chosen.
  faqbot::app::CommandRegistry commands;
  faqbot::app::RegisterNluCommands(app, commands);
  faqbot::app::RegisterStoreCommands(app, commands);
  faqbot::app::RegisterServeCommand(app, commands);
  faqbot::app::RegisterShellCommand(app, commands);

  CLI11_PARSE(app, argc, argv);
  faqbot::InitLogging(log_json ? faqbot::LogFormat::kJson : faqbot::LogFormat::kText, log_level);

  faqbot::Status status = commands.RunSelected();
  if (!status.ok()) {
    std::fprintf(stderr, "faqbot: %s\n", status.ToString().c_str());
  }
  return faqbot::app::ExitCodeFor(status);
}
