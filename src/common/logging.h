// Logging: thin, process-wide wrappers over spdlog so modules log without owning a logger.
// Lines go to stderr, as text or as JSON lines (one object per line) for log shippers.
// Secrets must never be passed to these functions. Thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace faqbot {

enum class LogFormat { kText, kJson };

// Configures the default logger: format and level ("trace".."off"). Call once from main;
// without it, spdlog's default (text, info) applies.
void InitLogging(LogFormat format, std::string_view level);

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
