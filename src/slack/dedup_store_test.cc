#include "slack/dedup_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace faqbot::slack {
namespace {

bool Mark(DedupStore& store, std::string_view id, int64_t expires) {
  auto r = store.MarkIfNew(id, expires);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() && *r;
}

TEST(InMemoryDedupStoreTest, FirstSeenThenDuplicate) {
  FakeClock clock(1000);
  InMemoryDedupStore store(clock);
  EXPECT_TRUE(Mark(store, "Ev1", 1600));
  EXPECT_FALSE(Mark(store, "Ev1", 1600));
  EXPECT_FALSE(Mark(store, "Ev1", 9999));
  EXPECT_TRUE(Mark(store, "Ev2", 1600));
  EXPECT_EQ(store.size(), 2u);
}

TEST(InMemoryDedupStoreTest, ForgetsAfterExpiry) {
  FakeClock clock(1000);
  InMemoryDedupStore store(clock);
  EXPECT_TRUE(Mark(store, "Ev1", 1600));
  clock.SetUnixSeconds(1599);
  EXPECT_FALSE(Mark(store, "Ev1", 2199));  // a duplicate does not extend the record
  clock.SetUnixSeconds(1600);
  EXPECT_TRUE(Mark(store, "Ev1", 2200));
  EXPECT_FALSE(Mark(store, "Ev1", 2200));
}

TEST(InMemoryDedupStoreTest, PurgesExpiredRecords) {
  FakeClock clock(1000);
  InMemoryDedupStore store(clock);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(Mark(store, "old" + std::to_string(i), 1100));
  EXPECT_EQ(store.size(), 100u);
  clock.SetUnixSeconds(1200);
  EXPECT_TRUE(Mark(store, "new", 1800));
  EXPECT_EQ(store.size(), 1u);
}

TEST(InMemoryDedupStoreTest, AlreadyExpiredIdIsNewButNotKept) {
  FakeClock clock(1000);
  InMemoryDedupStore store(clock);
  EXPECT_TRUE(Mark(store, "Ev1", 1000));
  EXPECT_EQ(store.size(), 0u);
}

TEST(InMemoryDedupStoreTest, BoundedSizeForgetsTheEarliestExpiryFirst) {
  FakeClock clock(1000);
  InMemoryDedupStore store(clock, {.max_entries = 3});
  EXPECT_TRUE(Mark(store, "a", 1500));
  EXPECT_TRUE(Mark(store, "b", 1100));
  EXPECT_TRUE(Mark(store, "c", 1300));
  EXPECT_TRUE(Mark(store, "d", 1400));  // evicts b
  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(Mark(store, "a", 1500));
  EXPECT_FALSE(Mark(store, "c", 1500));
  EXPECT_FALSE(Mark(store, "d", 1500));
  EXPECT_TRUE(Mark(store, "b", 1100));  // forgotten: accepted again
}

TEST(InMemoryDedupStoreTest, FullStoreStillRecognisesItsEarliestRecord) {
  FakeClock clock(1000);
  InMemoryDedupStore store(clock, {.max_entries = 2});
  EXPECT_TRUE(Mark(store, "a", 1100));
  EXPECT_TRUE(Mark(store, "b", 1200));
  EXPECT_FALSE(Mark(store, "a", 1100));  // not evicted by the lookup itself
  EXPECT_EQ(store.size(), 2u);
}

TEST(InMemoryDedupStoreTest, ConcurrentMarksOfOneIdHaveOneWinner) {
  FakeClock clock(1000);
  InMemoryDedupStore store(clock);
  for (int round = 0; round < 50; ++round) {
    const std::string id = "Ev" + std::to_string(round);
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        auto r = store.MarkIfNew(id, 2000);
        if (r.ok() && *r) ++winners;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1) << id;
  }
}

}  // namespace
}  // namespace faqbot::slack
