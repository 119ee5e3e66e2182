#include "common/repeated_warning.h"

#include "common/logging.h"

namespace faqbot {

RepeatedWarning::RepeatedWarning(const Clock& clock, std::chrono::seconds interval)
    : clock_(clock), interval_(interval) {}

void RepeatedWarning::Warn(std::string_view message) {
  const Clock::TimePoint now = clock_.Now();
  size_t held_back = 0;
  {
    std::lock_guard lock(mu_);
    if (warned_ && now - last_ < interval_) {
      ++held_back_;
      return;
    }
    held_back = held_back_;
    held_back_ = 0;
    warned_ = true;
    last_ = now;
  }
  if (held_back == 0) {
    LogWarn("{}", message);
  } else {
    LogWarn("{} (and {} more time{} in the last {} s)", message, held_back,
            held_back == 1 ? "" : "s", interval_.count());
  }
}

void RepeatedWarning::Clear(std::string_view recovered) {
  {
    std::lock_guard lock(mu_);
    if (!warned_) return;
    warned_ = false;
    held_back_ = 0;
  }
  LogInfo("{}", recovered);
}

}  // namespace faqbot
