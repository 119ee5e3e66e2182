// RepeatedWarning: a warning that a poller would repeat at every tick while a dependency is down
// (the inbox, outbox and training workers while the database is): logged the first time, then at
// most once per interval with how many were held back since, and a line at info once it clears.
// A log flood of the same line every few hundred milliseconds tells an operator nothing more.
// Thread-safe; the clock is injected.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace faqbot {

class RepeatedWarning {
 public:
  explicit RepeatedWarning(const Clock& clock,
                           std::chrono::seconds interval = std::chrono::seconds(60));

  // Logs `message` at warn level now, or counts it toward the next line that is logged.
  void Warn(std::string_view message);
  // The condition cleared: logs `recovered` at info when a warning was logged since the last
  // Clear (nothing otherwise), and the next Warn is logged at once.
  void Clear(std::string_view recovered);

 private:
  const Clock& clock_;
  const std::chrono::seconds interval_;
  std::mutex mu_;
  bool warned_ = false;   // since the last Clear
  Clock::TimePoint last_{};
  size_t held_back_ = 0;  // since the last line logged
};

}  // namespace faqbot
