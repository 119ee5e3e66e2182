#include "server/rate_limiter.h"

#include <gtest/gtest.h>

namespace faqbot::server {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiterTest, AllowsTheBurstThenRefusesWithTheWaitForTheNextRequest) {
  FakeClock clock;
  RateLimiter limiter(clock, {.per_second = 20, .burst = 40});
  for (int i = 0; i < 40; ++i) EXPECT_FALSE(limiter.Acquire(1).has_value()) << i;
  auto wait = limiter.Acquire(1);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(*wait), milliseconds(50));
  // Other keys have their own bucket.
  EXPECT_FALSE(limiter.Acquire(2).has_value());
  // 50 ms earns exactly one request at 20/s.
  clock.Advance(milliseconds(50));
  EXPECT_FALSE(limiter.Acquire(1).has_value());
  EXPECT_TRUE(limiter.Acquire(1).has_value());
}

TEST(RateLimiterTest, SustainsTheRateAndRefillsOnlyUpToTheBurst) {
  FakeClock clock;
  RateLimiter limiter(clock, {.per_second = 10, .burst = 5});
  // One request every 100 ms is always allowed, forever.
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(limiter.Acquire(7).has_value()) << i;
    clock.Advance(milliseconds(100));
  }
  // A long idle time refills to the burst, not beyond.
  clock.Advance(std::chrono::hours(1));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Acquire(7).has_value()) << i;
  EXPECT_TRUE(limiter.Acquire(7).has_value());
}

TEST(RateLimiterTest, ForgetsBucketsThatRefilled) {
  FakeClock clock;
  RateLimiter limiter(clock, {.per_second = 10, .burst = 5});
  for (int64_t key = 0; key < 100; ++key) EXPECT_FALSE(limiter.Acquire(key).has_value());
  EXPECT_EQ(limiter.tracked_keys(), 100u);
  clock.Advance(std::chrono::seconds(1));  // 0.5 s refills 5 at 10/s
  EXPECT_FALSE(limiter.Acquire(1000).has_value());
  EXPECT_EQ(limiter.tracked_keys(), 1u);
}

}  // namespace
}  // namespace faqbot::server
