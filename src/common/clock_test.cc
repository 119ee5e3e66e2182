#include "common/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace faqbot {
namespace {

using std::chrono::seconds;

TEST(FakeClockTest, MovesOnlyWhenAdvanced) {
  FakeClock clock(1000);
  auto t0 = clock.Now();
  EXPECT_EQ(clock.UnixSeconds(), 1000);
  clock.Advance(seconds(5));
  EXPECT_EQ(clock.Now() - t0, seconds(5));
  EXPECT_EQ(clock.UnixSeconds(), 1005);
}

TEST(FakeClockTest, SleepForReturnsAfterAdvance) {
  FakeClock clock;
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepFor(seconds(3));
    woke = true;
  });
  while (clock.sleepers() == 0) std::this_thread::yield();
  clock.Advance(seconds(2));
  EXPECT_FALSE(woke.load());
  clock.Advance(seconds(1));
  sleeper.join();
  EXPECT_TRUE(woke.load());
}

TEST(FakeClockTest, SleepUntilReturnsTrueOnceTheDeadlineIsReached) {
  FakeClock clock;
  const Clock::TimePoint deadline = clock.Now() + seconds(3);
  std::atomic<int> result{-1};
  std::thread sleeper([&] { result = clock.SleepUntil(deadline, std::stop_token()) ? 1 : 0; });
  while (clock.sleepers() == 0) std::this_thread::yield();
  clock.Advance(seconds(3));
  sleeper.join();
  EXPECT_EQ(result.load(), 1);
  EXPECT_TRUE(clock.SleepUntil(deadline, std::stop_token()));  // already reached: no wait
}

TEST(FakeClockTest, SleepUntilReturnsFalseWhenStopped) {
  FakeClock clock;
  std::stop_source stop;
  std::atomic<int> result{-1};
  std::thread sleeper(
      [&] { result = clock.SleepUntil(clock.Now() + seconds(3), stop.get_token()) ? 1 : 0; });
  while (clock.sleepers() == 0) std::this_thread::yield();
  stop.request_stop();
  sleeper.join();
  EXPECT_EQ(result.load(), 0);
  EXPECT_EQ(clock.sleepers(), 0);
}

TEST(SystemClockTest, SleepUntilEndsAtTheDeadlineOrWhenStopped) {
  SystemClock& clock = SystemClock::Instance();
  EXPECT_TRUE(clock.SleepUntil(clock.Now(), std::stop_token()));
  // A deadline an hour away: only the stop request can end this wait.
  std::stop_source stop;
  std::atomic<int> result{-1};
  std::thread sleeper([&] {
    result = clock.SleepUntil(clock.Now() + std::chrono::hours(1), stop.get_token()) ? 1 : 0;
  });
  stop.request_stop();
  sleeper.join();
  EXPECT_EQ(result.load(), 0);
}

}  // namespace
}  // namespace faqbot
