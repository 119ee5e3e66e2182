#include "common/clock.h"

#include <ctime>
#include <thread>

namespace faqbot {

Clock::TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now());
}

int64_t SystemClock::UnixSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::UnixMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SystemClock::SleepFor(Duration d) { std::this_thread::sleep_for(d); }

bool SystemClock::SleepUntil(TimePoint deadline, std::stop_token stop) {
  // Nothing notifies `cv`: the wait ends at the deadline or through the stop callback that
  // condition_variable_any registers on `stop`.
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  const auto until = std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline.time_since_epoch()));
  cv.wait_until(lock, stop, until, [] { return false; });
  return !stop.stop_requested();
}

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

FakeClock::FakeClock(int64_t unix_seconds) : epoch_ms_(unix_seconds * 1000) {}

Clock::TimePoint FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return TimePoint(elapsed_);
}

int64_t FakeClock::UnixSeconds() const { return UnixMillis() / 1000; }

int64_t FakeClock::UnixMillis() const {
  std::lock_guard lock(mu_);
  return epoch_ms_ + std::chrono::duration_cast<std::chrono::milliseconds>(elapsed_).count();
}

void FakeClock::SleepFor(Duration d) {
  std::unique_lock lock(mu_);
  const Duration until = elapsed_ + d;
  ++sleepers_;
  cv_.wait(lock, [&] { return elapsed_ >= until; });
  --sleepers_;
}

bool FakeClock::SleepUntil(TimePoint deadline, std::stop_token stop) {
  std::unique_lock lock(mu_);
  ++sleepers_;
  const bool reached = cv_.wait(lock, stop, [&] { return TimePoint(elapsed_) >= deadline; });
  --sleepers_;
  return reached;
}

void FakeClock::Advance(Duration d) {
  {
    std::lock_guard lock(mu_);
    elapsed_ += d;
  }
  cv_.notify_all();
}

void FakeClock::SetUnixSeconds(int64_t unix_seconds) {
  std::lock_guard lock(mu_);
  epoch_ms_ =
      unix_seconds * 1000 - std::chrono::duration_cast<std::chrono::milliseconds>(elapsed_).count();
}

int FakeClock::sleepers() const {
  std::lock_guard lock(mu_);
  return sleepers_;
}

std::string UtcMinute(int64_t unix_millis) {
  if (unix_millis == 0) return "never";
  const std::time_t seconds = static_cast<std::time_t>(unix_millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

}  // namespace faqbot
