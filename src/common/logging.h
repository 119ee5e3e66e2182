// Logging: thin, process-wide wrappers over spdlog so modules log without owning a logger.
// Lines go to stderr, as text or as JSON lines (one object per line) for log shippers.
//
// While a thread handles one Slack event, a ScopedLogContext names it (event id, team, user):
// every line that thread logs meanwhile carries them, as the fields "event_id", "team" and
// "user" of a JSON line, or as " [event=… team=… user=…]" after a text line.
//
// Secrets must never be passed to these functions; as a last guard, anything shaped like a Slack
// token (xoxb-…, xapp-…, …) in a message is written as "xoxb-[redacted]". Thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace faqbot {

// What the current thread is working on, for log lines and for measuring it.
struct LogContext {
  std::string event_id;  // Slack's event id, or the Socket Mode envelope id
  std::string team_id;
  std::string user_id;
  // When the event reached the process (its Clock's Now()); nullopt when unknown.
  std::optional<Clock::TimePoint> arrived = std::nullopt;
};

// Makes `context` the calling thread's log context until destroyed, then restores the previous
// one. Not copyable; must be destroyed on the thread that made it.
class ScopedLogContext {
 public:
  explicit ScopedLogContext(LogContext context);
  ~ScopedLogContext();
  ScopedLogContext(const ScopedLogContext&) = delete;
  ScopedLogContext& operator=(const ScopedLogContext&) = delete;

 private:
  LogContext context_;
  const LogContext* previous_;
};

// The calling thread's log context; nullptr outside any ScopedLogContext.
const LogContext* CurrentLogContext();

// `text` with every Slack token in it (xoxb-, xoxp-, xoxa-, xoxe-, xoxs-, xapp- followed by
// token characters) replaced by its prefix and "[redacted]".
std::string RedactSlackTokens(std::string_view text);

enum class LogFormat { kText, kJson };

// Configures the default logger: format and level ("trace".."off"). Call once from main;
// without it, spdlog's default (text, info) applies.
void InitLogging(LogFormat format, std::string_view level);
// The same, with lines going to `sink` instead of stderr (tests read them back).
void InitLogging(LogFormat format, std::string_view level, spdlog::sink_ptr sink);

template <typename... Args>
void LogInfo(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::info(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void LogWarn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::warn(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void LogError(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::error(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void LogDebug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::debug(fmt, std::forward<Args>(args)...);
}

}  // namespace faqbot
