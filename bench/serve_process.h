// A real `faqbot serve` child process for the end-to-end benchmarks: signed HTTP mode (no app
// token) against the loopback Slack emulator, on an ephemeral port, with a SQLite database.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace faqbot::bench {

struct ServeProcessOptions {
  std::string binary = std::string(FAQBOT_BINARY_DIR) + "/faqbot";
  std::string database_url;   // sqlite:…
  std::string slack_api_url;  // the emulator's base_url()
  std::string bot_token = "xoxb-emulator-bot-token";
  std::string signing_secret;
  std::vector<std::string> extra_args;  // e.g. {"--event-threads", "8"}
  // The child's stderr (its log) goes here; empty: /dev/null.
  std::string log_path;
};

// Starts the child and waits for its first stdout line ("faqbot serve: listening on
// http://0.0.0.0:PORT …"). The destructor stops it (Stop).
// Not copyable; not thread-safe.
class ServeProcess {
 public:
  // Errors: Unavailable when the child cannot be started or exits before listening.
  static Result<std::unique_ptr<ServeProcess>> Start(const ServeProcessOptions& options);
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // "http://127.0.0.1:PORT" + path.
  std::string Url(const std::string& path) const;
  // SIGTERM, then waits up to 5 s for the drain (SIGKILL after that); returns the exit status
  // as waitpid reports it. Idempotent.
  int Stop();

 private:
  ServeProcess() = default;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int stdout_fd_ = -1;
};

// The "VmRSS:" of /proc/PID/status (self when pid is 0) in bytes; 0 when unreadable.
size_t ResidentBytes(pid_t pid = 0);
// CPU seconds (user + system) of the process so far, from /proc/PID/stat; -1 when unreadable.
double CpuSeconds(pid_t pid);

}  // namespace faqbot::bench
