#include "common/clock_alarms.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace faqbot {
namespace {

using std::chrono::seconds;

// Records which alarms fired, in order; thread-safe.
class Fired {
 public:
  std::function<void()> Record(std::string name) {
    return [this, name] {
      std::lock_guard lock(mu_);
      names_.push_back(name);
    };
  }
  std::vector<std::string> names() const {
    std::lock_guard lock(mu_);
    return names_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> names_;
};

// Spins until `done` holds (each step of these tests takes microseconds of real time; a broken
// ClockAlarms makes the test time out rather than pass).
template <typename Predicate>
void Await(Predicate done) {
  while (!done()) std::this_thread::yield();
}

TEST(ClockAlarmsTest, FiresInDeadlineOrderOnlyWhenTheClockGetsThere) {
  FakeClock clock;
  ClockAlarms alarms(clock);
  Fired fired;
  const Clock::TimePoint t0 = clock.Now();
  alarms.At(t0 + seconds(3), fired.Record("c"));
  alarms.At(t0 + seconds(1), fired.Record("a"));
  alarms.At(t0 + seconds(2), fired.Record("b"));
  Await([&] { return clock.sleepers() == 1; });
  EXPECT_TRUE(fired.names().empty());

  clock.Advance(seconds(2));
  Await([&] { return alarms.pending() == 1; });
  Await([&] { return fired.names().size() == 2; });
  EXPECT_EQ(fired.names(), (std::vector<std::string>{"a", "b"}));

  clock.Advance(seconds(1));
  Await([&] { return fired.names().size() == 3; });
  EXPECT_EQ(fired.names().back(), "c");
  Await([&] { return clock.sleepers() == 0; });  // nothing pending: not a clock sleeper
}

TEST(ClockAlarmsTest, AnAlarmAlreadyDueFiresWithoutTheClockMoving) {
  FakeClock clock;
  ClockAlarms alarms(clock);
  Fired fired;
  alarms.At(clock.Now(), fired.Record("now"));
  Await([&] { return fired.names().size() == 1; });
}

TEST(ClockAlarmsTest, AnEarlierAlarmWakesTheHelper) {
  FakeClock clock;
  ClockAlarms alarms(clock);
  Fired fired;
  alarms.At(clock.Now() + seconds(60), fired.Record("late"));
  Await([&] { return clock.sleepers() == 1; });
  alarms.At(clock.Now(), fired.Record("early"));  // the helper sleeps until +60 s: must wake
  Await([&] { return fired.names().size() == 1; });
  EXPECT_EQ(fired.names()[0], "early");
}

TEST(ClockAlarmsTest, CancelledAlarmNeverFires) {
  FakeClock clock;
  ClockAlarms alarms(clock);
  Fired fired;
  const ClockAlarms::Id id = alarms.At(clock.Now() + seconds(1), fired.Record("cancelled"));
  alarms.At(clock.Now() + seconds(2), fired.Record("kept"));
  EXPECT_TRUE(alarms.Cancel(id));
  EXPECT_FALSE(alarms.Cancel(id));
  clock.Advance(seconds(2));
  Await([&] { return fired.names().size() == 1; });
  EXPECT_EQ(fired.names()[0], "kept");
  EXPECT_EQ(alarms.pending(), 0u);
}

TEST(ClockAlarmsTest, CallbacksMaySetAndCancelAlarms) {
  FakeClock clock;
  ClockAlarms alarms(clock);
  Fired fired;
  alarms.At(clock.Now() + seconds(1), [&] {
    fired.Record("first")();
    alarms.At(clock.Now() + seconds(1), fired.Record("second"));
  });
  clock.Advance(seconds(1));
  Await([&] { return fired.names().size() == 1 && alarms.pending() == 1; });
  clock.Advance(seconds(1));
  Await([&] { return fired.names().size() == 2; });
}

TEST(ClockAlarmsTest, ShutdownDropsPendingAlarmsAndReturnsWithoutTheClockMoving) {
  FakeClock clock;
  std::atomic<bool> fired{false};
  ClockAlarms alarms(clock);
  alarms.At(clock.Now() + seconds(1), [&] { fired = true; });
  Await([&] { return clock.sleepers() == 1; });
  alarms.Shutdown();
  EXPECT_EQ(alarms.pending(), 0u);
  alarms.At(clock.Now(), [&] { fired = true; });
  EXPECT_EQ(alarms.pending(), 0u);
  clock.Advance(seconds(5));
  EXPECT_FALSE(fired.load());
  alarms.Shutdown();  // idempotent
}

TEST(ClockAlarmsTest, WorksOnTheSystemClock) {
  ClockAlarms alarms(SystemClock::Instance());
  Fired fired;
  alarms.At(SystemClock::Instance().Now(), fired.Record("now"));
  Await([&] { return fired.names().size() == 1; });
  alarms.At(SystemClock::Instance().Now() + std::chrono::hours(1), fired.Record("never"));
  alarms.Shutdown();  // does not wait for the hour
  EXPECT_EQ(fired.names().size(), 1u);
}

}  // namespace
}  // namespace faqbot
