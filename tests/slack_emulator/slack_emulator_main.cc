// faqbot-slack-emulator: the loopback Slack for manual runs. Prints its port and the settings to
// point faqbot at it, then serves until interrupted (Ctrl-C).
//
//   faqbot-slack-emulator [port]
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "slack_emulator.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  faqbot::slack_emulator::SlackEmulatorOptions options;
  if (argc > 2) {
    std::fprintf(stderr, "usage: faqbot-slack-emulator [port]\n");
    return 64;
  }
  if (argc == 2) {
    const std::string arg = argv[1];
    if (arg == "-h" || arg == "--help") {
      std::printf(
          "usage: faqbot-slack-emulator [port]\n  The loopback Slack Web API for manual "
          "runs; port 0 or none picks a free one.\n");
      return 0;
    }
    char* end = nullptr;
    const long port = std::strtol(arg.c_str(), &end, 10);
    if (end == arg.c_str() || *end != '\0' || port < 0 || port > 65535) {
      std::fprintf(stderr, "faqbot-slack-emulator: not a port number: %s\n", arg.c_str());
      return 64;
    }
    options.port = static_cast<uint16_t>(port);
  }
  faqbot::slack_emulator::SlackEmulator emulator(options);
  // A small roster so users.info answers for the ids the fixtures use.
  emulator.AddUser({"U0ALICE", "alice", "Alice Liddell", "alice", false});
  emulator.AddUser({"U0BOB", "bob", "Bob Builder", "bob", false});
  if (faqbot::Status s = emulator.Start(); !s.ok()) {
    std::fprintf(stderr, "faqbot-slack-emulator: %s\n", s.ToString().c_str());
    return 1;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::printf("port %u\n", static_cast<unsigned>(emulator.port()));
  std::printf("FAQBOT_SLACK_API_URL=%s\n", emulator.base_url().c_str());
  std::printf("bot token %s, app token %s\n", options.bot_token.c_str(), options.app_token.c_str());
  std::fflush(stdout);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  emulator.Stop();
  return 0;
}
