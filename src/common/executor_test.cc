#include "common/executor.h"

#include <gtest/gtest.h>

#include <atomic>

namespace faqbot {
namespace {

TEST(ThreadPoolTest, ShutdownRunsEveryQueuedTask) {
  std::atomic<int> ran{0};
  ThreadPool pool(2);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.Post([&] { ++ran; }));
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 100);
  EXPECT_FALSE(pool.Post([] {}));
}

TEST(ThreadPoolTest, SurvivesThrowingTask) {
  std::atomic<int> ran{0};
  ThreadPool pool(1);
  pool.Post([] { throw std::runtime_error("boom"); });
  pool.Post([&] { ++ran; });
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 1);
}

TEST(ManualExecutorTest, RunsOnlyWhenAsked) {
  ManualExecutor ex;
  int ran = 0;
  ex.Post([&] {
    ++ran;
    ex.Post([&] { ++ran; });
  });
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(ex.RunAll(), 2u);
  EXPECT_EQ(ran, 2);
}

}  // namespace
}  // namespace faqbot
