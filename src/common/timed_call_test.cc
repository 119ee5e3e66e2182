#include "common/timed_call.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>

namespace faqbot {
namespace {

using std::chrono::milliseconds;

TEST(TimedCallTest, AnswersWhatTheCallReturnsEachTime) {
  std::atomic<int> runs{0};
  TimedCall<int> call([&] { return runs.fetch_add(1) + 1; }, milliseconds(5000));
  EXPECT_EQ(call(), 1);
  EXPECT_EQ(call(), 2);
  EXPECT_EQ(call.limit(), milliseconds(5000));
}

TEST(TimedCallTest, ACallThatWaitsIsNotRunTwiceAndItsCallersGiveUpAtTheLimit) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> runs{0};
  TimedCall<std::string> call(
      [&] {
        runs.fetch_add(1);
        released.wait();
        return std::string("answered");
      },
      milliseconds(50));
  EXPECT_EQ(call(), std::nullopt);
  // Callers meanwhile wait for the same run.
  auto other = std::async(std::launch::async, [&] { return call(); });
  EXPECT_EQ(other.get(), std::nullopt);
  EXPECT_EQ(call(), std::nullopt);
  EXPECT_EQ(runs.load(), 1);
  release.set_value();
  // Once it is over, a call gets an answer again (the run's own, or a new run's).
  EXPECT_EQ(call(), "answered");
  EXPECT_LE(runs.load(), 2);
}

TEST(TimedCallTest, TheDestructorWaitsForTheRunInProgress) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> finished{false};
  auto call = std::make_unique<TimedCall<int>>(
      [&] {
        released.wait();
        finished = true;
        return 1;
      },
      milliseconds(10));
  EXPECT_EQ((*call)(), std::nullopt);
  auto destroyed = std::async(std::launch::async, [&] { call.reset(); });
  EXPECT_EQ(destroyed.wait_for(milliseconds(50)), std::future_status::timeout);
  release.set_value();
  destroyed.get();
  EXPECT_TRUE(finished.load());
}

}  // namespace
}  // namespace faqbot
