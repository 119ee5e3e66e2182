// ClockAlarms: callbacks run when an injected Clock reaches their deadlines, for code whose
// waiting cannot block its own thread (an event loop). One helper thread sleeps on the Clock
// until the earliest deadline (Clock::SleepUntil, woken early when an earlier alarm is set or
// on Shutdown) and runs the callbacks that are due, in deadline order. With a FakeClock, alarms
// fire only when the test advances it; the helper thread is a FakeClock sleeper exactly while
// an alarm is pending.
//
// Thread-safety: every method may be called from any thread, including from a callback. A
// callback runs on the helper thread and must be quick (post the real work elsewhere). The clock
// is borrowed and must outlive this object. Not copyable.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>

#include "common/clock.h"

namespace faqbot {

class ClockAlarms {
 public:
  using Id = uint64_t;

  // Starts the helper thread.
  explicit ClockAlarms(Clock& clock);
  ~ClockAlarms();  // Shutdown()
  ClockAlarms(const ClockAlarms&) = delete;
  ClockAlarms& operator=(const ClockAlarms&) = delete;

  // Runs `fire` once the clock reaches `deadline` (soon, if it already has). Returns the id for
  // Cancel. After Shutdown the alarm is dropped and never fires.
  Id At(Clock::TimePoint deadline, std::function<void()> fire);
  // Drops alarm `id`. True when it was still pending; false when it fired (or is firing), was
  // cancelled before, or never existed.
  bool Cancel(Id id);
  // Stops the helper thread; pending alarms never fire. Idempotent. Must not be called from a
  // callback.
  void Shutdown();

  // Alarms set and not yet fired or cancelled.
  size_t pending() const;

 private:
  void Run(std::stop_token stop);

  Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable_any idle_;  // the helper waits here while no alarm is pending
  // Pending alarms by (deadline, id): ids break ties in the order the alarms were set.
  std::map<std::pair<Clock::TimePoint, Id>, std::function<void()>> alarms_;
  std::map<Id, Clock::TimePoint> deadline_of_;
  Id next_id_ = 1;
  bool shut_down_ = false;
  // Requested to wake the helper from its current SleepUntil (an earlier alarm, Shutdown).
  std::stop_source wake_;
  std::jthread thread_;  // last: starts after everything above is ready
};

}  // namespace faqbot
