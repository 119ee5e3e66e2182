// Clock: the one seam for time. Everything that reads the time or waits takes a Clock&, so tests
// check timeouts, retry backoff, dedup windows and signature timestamps without sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <string>

namespace faqbot {

class Clock {
 public:
  using Duration = std::chrono::nanoseconds;
  using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

  virtual ~Clock() = default;

  // Monotonic time, for measuring intervals and deadlines.
  virtual TimePoint Now() const = 0;
  // Wall-clock seconds since the Unix epoch (Slack timestamps, stored rows).
  virtual int64_t UnixSeconds() const = 0;
  // Wall-clock milliseconds since the Unix epoch.
  virtual int64_t UnixMillis() const = 0;
  // Blocks the calling thread for `d` of this clock's time. A FakeClock returns once Advance has
  // moved it far enough, so a test thread controls every wait.
  virtual void SleepFor(Duration d) = 0;
  // Blocks the calling thread until this clock reaches `deadline` or `stop` is requested,
  // whichever comes first (at once if either already holds). True when the deadline was
  // reached, false when stopped. Lets a thread that waits for the clock be woken early.
  virtual bool SleepUntil(TimePoint deadline, std::stop_token stop) = 0;
};

// The real clock. Thread-safe; stateless.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  int64_t UnixSeconds() const override;
  int64_t UnixMillis() const override;
  void SleepFor(Duration d) override;
  bool SleepUntil(TimePoint deadline, std::stop_token stop) override;

  // A process-wide instance, for composition roots only (main, test fixtures).
  static SystemClock& Instance();
};

// A clock that moves only when told. Thread-safe: Advance wakes threads blocked in SleepFor and
// SleepUntil.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_seconds = 1'700'000'000);

  TimePoint Now() const override;
  int64_t UnixSeconds() const override;
  int64_t UnixMillis() const override;
  void SleepFor(Duration d) override;
  bool SleepUntil(TimePoint deadline, std::stop_token stop) override;

  void Advance(Duration d);
  void SetUnixSeconds(int64_t unix_seconds);
  // Number of threads currently blocked in SleepFor or SleepUntil (tests wait for a sleeper
  // before advancing).
  int sleepers() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  Duration elapsed_{0};
  int64_t epoch_ms_;
  int sleepers_ = 0;
};

// Unix milliseconds as "2026-11-29 04:20 UTC" (to the minute); "never" for 0. For listings.
std::string UtcMinute(int64_t unix_millis);

}  // namespace faqbot
