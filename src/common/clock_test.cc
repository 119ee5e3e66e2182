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

}  // namespace
}  // namespace faqbot
