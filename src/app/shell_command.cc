// `faqbot shell --as U…`: chat with the assistant in a terminal, as one or several people, over
// the same Store and engine as `faqbot serve` — for trying it without Slack.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "app/commands.h"
#include "app/runtime.h"
#include "app/shell_input.h"
#include "app/terminal_messenger.h"
#include "common/string_util.h"
#include "store/database_url.h"
#include "store/limits.h"

namespace faqbot::app {
namespace {

struct ShellFlags {
  std::string as;
  std::string team = std::string(kLocalTeam);
  std::string database;
  std::string lexicon;
};

constexpr const char* kShellHelp =
    "Type to the assistant as in a Slack DM (\"hi\", \"add a topic\", \"ask @U… question\").\n"
    "A number presses that button. /as U… switches person, /quit leaves.\n"
    "End a line with \\ to go on on the next one (a pasted answer is kept whole).\n";

// A Slack user id: "U" (or "W", an Enterprise Grid user) and upper-case letters and digits.
Status ValidateUserId(const std::string& id, const std::string& what) {
  FAQBOT_RETURN_IF_ERROR(store::ValidateId(id, what));
  const bool shaped = id.size() >= 2 && (id[0] == 'U' || id[0] == 'W') &&
                      std::all_of(id.begin(), id.end(), [](char c) {
                        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                      });
  if (!shaped) {
    return InvalidArgumentError(what + " \"" + id + "\" is not a Slack user id (U… in capitals)");
  }
  return Status::Ok();
}

Status Shell(const ShellFlags& f) {
  FAQBOT_RETURN_IF_ERROR(ValidateUserId(f.as, "--as"));
  FAQBOT_RETURN_IF_ERROR(store::ValidateId(f.team, "--team"));
  TerminalMessenger messenger(stdout);
  RuntimeOptions options;
  options.database_url = store::ResolveDatabaseUrl(f.database);
  options.lexicon_path = f.lexicon;
  FAQBOT_ASSIGN_OR_RETURN(auto runtime,
                          AssistantRuntime::Create(options, messenger, SystemClock::Instance()));
  store::UserRef me{f.team, f.as};
  messenger.set_viewer(me);
  std::printf("faqbot shell — you are @%s in workspace %s.\n%s", me.user_id.c_str(),
              me.team_id.c_str(), kShellHelp);
  // Lines piped in (a script, a demo) arrive faster than any person types: each waits for the
  // publish the previous one started, so "publish", "yes", then an ask finds the bot live.
  const bool scripted = isatty(STDIN_FILENO) == 0;
  const auto settle = [&] {
    if (scripted) (void)runtime->WaitForTraining(std::chrono::seconds(30));
  };
  // A terminal then marks pasted text, so a pasted multi-line answer is one message.
  if (!scripted) std::printf("%s", kBracketedPasteOn);
  const auto more = [] {
    std::printf("... ");
    std::fflush(stdout);
  };
  while (true) {
    std::printf("@%s> ", me.user_id.c_str());
    std::fflush(stdout);
    const std::optional<std::string> read = ReadShellMessage(std::cin, more);
    if (!read) break;
    const std::string& line = *read;
    if (line == "/quit" || line == "/exit") break;
    if (line == "/as" || line.rfind("/as ", 0) == 0) {
      const std::string who = Trim(line.substr(3));
      if (who.empty()) {
        std::printf("/as U… switches person; you are @%s.\n", me.user_id.c_str());
        continue;
      }
      if (Status ok = ValidateUserId(who, "/as"); !ok.ok()) {
        std::printf("%s\n", ok.message().c_str());
        continue;
      }
      me.user_id = who;
      messenger.set_viewer(me);
      continue;
    }
    if (line == "/help") {
      std::printf("%s", kShellHelp);
      continue;
    }
    if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos &&
        line.size() < 6) {
      auto button = messenger.ButtonNumber(std::stoi(line));
      if (!button) {
        std::printf("no button %s\n", line.c_str());
        continue;
      }
      runtime->assistant().HandleButton({me, button->action, button->value, "", "", "", ""});
      settle();
      continue;
    }
    assistant::UserMessage message;
    message.surface = assistant::UserMessage::Surface::kDirect;
    message.from = me;
    message.text = MentionsFromTerminal(line);
    message.channel = "";
    runtime->assistant().HandleMessage(message);
    settle();
  }
  if (!scripted) std::printf("%s", kBracketedPasteOff);
  // Let a publish in progress finish and report before leaving.
  runtime->Shutdown();
  std::printf("\n");
  return Status::Ok();
}

}  // namespace

void RegisterShellCommand(CLI::App& app, CommandRegistry& registry) {
  auto flags = std::make_shared<ShellFlags>();
  CLI::App* shell = app.add_subcommand(
      "shell", "chat with the assistant in this terminal (buttons as numbered choices)");
  shell->add_option("--as", flags->as, "who you are: a Slack user id (U…)")->required();
  shell->add_option("--team", flags->team, "your workspace id (default TLOCAL)");
  shell->add_option("--database", flags->database,
                    "database URL (default: $FAQBOT_DATABASE_URL, else sqlite:./faqbot.db)");
  shell->add_option("--lexicon", flags->lexicon, "the compiled WordNet lexicon file");
  registry.Add(shell, [flags] { return Shell(*flags); });
}

}  // namespace faqbot::app
