#include "assistant/model_registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <unordered_map>

#include "nlu/test_support.h"

namespace faqbot::assistant {
namespace {

using nlu::testing::BuiltLexicon;
using nlu::testing::Faq;

std::shared_ptr<const nlu::Model> Train(const std::string& topic, const std::string& question) {
  return *nlu::Model::Train(Faq({{topic, question}, {"other", "where is the coffee machine"}}),
                            BuiltLexicon());
}

// A fake of the Store's "live model" read: owners → model bytes (and their publication
// version), with a call counter.
struct FakeStore {
  std::mutex mu;
  std::unordered_map<std::string, std::string> bytes;
  std::unordered_map<std::string, int64_t> versions;  // 1 when not given
  std::atomic<int> reads{0};
  Status fail;
  ModelRegistry::Loader loader() {
    return [this](const OwnerKey& o) -> Result<std::optional<store::LiveModel>> {
      ++reads;
      std::lock_guard lock(mu);
      if (!fail.ok()) return fail;
      const std::string key = o.team_id + "/" + o.user_id;
      auto it = bytes.find(key);
      if (it == bytes.end()) return std::optional<store::LiveModel>();
      return std::optional<store::LiveModel>(
          store::LiveModel{versions.count(key) ? versions[key] : 1, it->second});
    };
  }
};

const OwnerKey kAlice{"T1", "UALICE"};
const OwnerKey kBob{"T1", "UBOB"};

TEST(ModelRegistryTest, LoadsOnceThenServesFromMemory) {
  FakeStore store;
  store.bytes["T1/UALICE"] = Train("wifi", "what is the wifi password")->Serialize();
  ModelRegistry registry(BuiltLexicon(), store.loader());
  for (int i = 0; i < 3; ++i) {
    auto m = registry.Get(kAlice);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ((*m)->Predict("wifi password?").intent, "wifi");
  }
  EXPECT_EQ(store.reads.load(), 1);
  EXPECT_EQ(registry.cached_models(), 1u);
}

TEST(ModelRegistryTest, NothingPublishedAndStoreErrorsAreReportedNotCached) {
  FakeStore store;
  ModelRegistry registry(BuiltLexicon(), store.loader());
  EXPECT_EQ(registry.Get(kBob).status().code(), StatusCode::kFailedPrecondition);
  store.fail = UnavailableError("database down");
  EXPECT_EQ(registry.Get(kBob).status().code(), StatusCode::kUnavailable);
  store.fail = Status::Ok();
  store.bytes["T1/UBOB"] = Train("parking", "where can I park")->Serialize();
  EXPECT_TRUE(registry.Get(kBob).ok());
  store.bytes["T1/UBOB"] = "garbage";
  registry.Invalidate(kBob);
  EXPECT_EQ(registry.Get(kBob).status().code(), StatusCode::kDataLoss);
}

TEST(ModelRegistryTest, PublishSwapsWhileHoldersKeepTheOldModel) {
  FakeStore store;
  ModelRegistry registry(BuiltLexicon(), store.loader());
  registry.Publish(kAlice, 1, Train("wifi", "what is the wifi password"));
  auto old_model = *registry.Get(kAlice);
  registry.Publish(kAlice, 2, Train("vpn", "how do I set up the vpn"));
  EXPECT_EQ(old_model->Predict("wifi password").intent, "wifi");  // in-flight question
  EXPECT_EQ((*registry.Get(kAlice))->Predict("vpn setup").intent, "vpn");
  EXPECT_EQ(store.reads.load(), 0);  // published models need no store read
}

TEST(ModelRegistryTest, CachedGivesOnlyTheModelOfThatVersionAndNeverLoads) {
  FakeStore store;
  store.bytes["T1/UALICE"] = Train("vpn", "how do I set up the vpn")->Serialize();
  ModelRegistry registry(BuiltLexicon(), store.loader());
  EXPECT_EQ(registry.Cached(kAlice, 1), nullptr);  // stored, not loaded
  EXPECT_EQ(store.reads.load(), 0);
  const auto wifi = Train("wifi", "what is the wifi password");
  registry.Publish(kAlice, 2, wifi);
  EXPECT_EQ(registry.Cached(kAlice, 2), wifi);
  EXPECT_EQ(registry.Cached(kAlice, 1), nullptr);
  EXPECT_EQ(registry.Cached(kAlice, 3), nullptr);
  EXPECT_EQ(registry.Cached(kBob, 2), nullptr);
  EXPECT_EQ(store.reads.load(), 0);
}

TEST(ModelRegistryTest, EvictsLeastRecentlyUsedBeyondTheBudget) {
  FakeStore store;
  const auto model = Train("wifi", "what is the wifi password");
  const size_t one = model->ApproximateMemoryBytes();
  ModelRegistry registry(BuiltLexicon(), store.loader(), {.max_bytes = one * 2 + one / 2});
  for (const char* user : {"U1", "U2", "U3"}) {
    store.bytes[std::string("T1/") + user] = model->Serialize();
  }
  ASSERT_TRUE(registry.Get({"T1", "U1"}).ok());
  ASSERT_TRUE(registry.Get({"T1", "U2"}).ok());
  ASSERT_TRUE(registry.Get({"T1", "U1"}).ok());  // U1 is now the most recent
  ASSERT_TRUE(registry.Get({"T1", "U3"}).ok());  // evicts U2
  EXPECT_EQ(registry.cached_models(), 2u);
  EXPECT_LE(registry.cached_bytes(), one * 2 + one / 2);
  const int reads = store.reads.load();
  ASSERT_TRUE(registry.Get({"T1", "U1"}).ok());
  EXPECT_EQ(store.reads.load(), reads);  // still cached
  ASSERT_TRUE(registry.Get({"T1", "U2"}).ok());
  EXPECT_EQ(store.reads.load(), reads + 1);  // was evicted
}

TEST(ModelRegistryTest, ConcurrentGetsShareOneLoad) {
  FakeStore store;
  store.bytes["T1/UALICE"] = Train("wifi", "what is the wifi password")->Serialize();
  std::atomic<bool> release{false};
  auto slow = [&](const OwnerKey& o) {
    while (!release.load()) std::this_thread::yield();
    return store.loader()(o);
  };
  ModelRegistry registry(BuiltLexicon(), slow);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { ok += registry.Get(kAlice).ok() ? 1 : 0; });
  }
  release = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(store.reads.load(), 1);
}

}  // namespace
}  // namespace faqbot::assistant

namespace faqbot::assistant {
namespace {

// The Store announces every publication that goes live, this process's own too (PostgreSQL
// sends our NOTIFY back): news of the version already installed must not evict it.
TEST(ModelRegistryTest, NewsOfAPublicationDropsOnlyAnOlderModel) {
  FakeStore store;
  store.bytes["T1/UALICE"] = Train("vpn", "how do I set up the vpn")->Serialize();
  store.versions["T1/UALICE"] = 4;
  ModelRegistry registry(BuiltLexicon(), store.loader());
  registry.Publish(kAlice, 3, Train("wifi", "what is the wifi password"));

  registry.Invalidate(kAlice, 3);  // our own publish coming back
  EXPECT_EQ(registry.cached_version(kAlice), 3);
  registry.Invalidate(kAlice, 2);  // late news of an older one
  EXPECT_EQ(registry.cached_version(kAlice), 3);
  EXPECT_EQ((*registry.Get(kAlice))->Predict("wifi password").intent, "wifi");
  EXPECT_EQ(store.reads.load(), 0);

  registry.Invalidate(kAlice, 4);  // another process published
  EXPECT_EQ(registry.cached_version(kAlice), std::nullopt);
  EXPECT_EQ((*registry.Get(kAlice))->Predict("vpn setup").intent, "vpn");
  EXPECT_EQ(registry.cached_version(kAlice), 4);
  EXPECT_EQ(store.reads.load(), 1);
}

TEST(ModelRegistryTest, AModelOlderThanOneAnnouncedIsNeverCached) {
  FakeStore store;
  store.bytes["T1/UALICE"] = Train("vpn", "how do I set up the vpn")->Serialize();
  store.versions["T1/UALICE"] = 5;
  ModelRegistry registry(BuiltLexicon(), store.loader());
  registry.Invalidate(kAlice, 6);
  // A publish that finishes after a newer one went live is not installed.
  registry.Publish(kAlice, 5, Train("wifi", "what is the wifi password"));
  EXPECT_EQ(registry.cached_version(kAlice), std::nullopt);
  // A read that still sees the older version (a replica behind) serves it without keeping it.
  EXPECT_EQ((*registry.Get(kAlice))->Predict("vpn setup").intent, "vpn");
  EXPECT_EQ(registry.cached_version(kAlice), std::nullopt);
  store.versions["T1/UALICE"] = 6;
  ASSERT_TRUE(registry.Get(kAlice).ok());
  EXPECT_EQ(registry.cached_version(kAlice), 6);
  registry.Publish(kAlice, 7, Train("wifi", "what is the wifi password"));
  EXPECT_EQ(registry.cached_version(kAlice), 7);
}

TEST(ModelRegistryTest, InvalidateAllReloadsEveryOwner) {
  FakeStore store;
  store.bytes["T1/UALICE"] = Train("wifi", "what is the wifi password")->Serialize();
  store.bytes["T1/UBOB"] = Train("vpn", "how do I set up the vpn")->Serialize();
  ModelRegistry registry(BuiltLexicon(), store.loader());
  ASSERT_TRUE(registry.Get(kAlice).ok());
  ASSERT_TRUE(registry.Get(kBob).ok());
  EXPECT_EQ(store.reads.load(), 2);
  store.bytes["T1/UALICE"] = Train("parking", "where can visitors park")->Serialize();
  registry.InvalidateAll();
  EXPECT_EQ(registry.cached_models(), 0u);
  EXPECT_EQ((*registry.Get(kAlice))->Predict("where can visitors park").intent, "parking");
  ASSERT_TRUE(registry.Get(kBob).ok());
  EXPECT_EQ(store.reads.load(), 4);
}

}  // namespace
}  // namespace faqbot::assistant
