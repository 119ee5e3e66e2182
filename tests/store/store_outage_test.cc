// The database going away: calls fail with a clear Unavailable error, nothing is half-written,
// and the Store recovers by itself when the database returns.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "store/postgres_backend.h"
#include "store/sqlite_backend.h"
#include "store/store.h"
#include "test_database.h"

namespace faqbot::store {
namespace {

const UserRef kAlice{"T0001", "U0ALICE"};

// A private throwaway server (pg_cluster.sh), stopped and deleted at the end of the test.
class PrivatePostgres {
 public:
  PrivatePostgres()
      : state_(std::string(FAQBOT_BINARY_DIR) + "/pg-outage-" + std::to_string(getpid()) + "-" +
               std::to_string(next_++)) {
    started_ = testing::RunClusterScript("start", state_);
    std::ifstream in(state_ + "/url");
    std::getline(in, url_);
  }
  ~PrivatePostgres() { (void)testing::RunClusterScript("stop", state_); }
  const Status& status() const { return started_; }
  const std::string& url() const { return url_; }
  Status Run(const std::string& command) { return testing::RunClusterScript(command, state_); }

 private:
  static inline int next_ = 0;
  std::string state_;
  Status started_;
  std::string url_;
};

TEST(StoreOutageTest, PostgresStoppedGivesUnavailableAndRecoversWhenItReturns) {
  // A private server: stopping the shared one would disturb the other tests.
  PrivatePostgres server;
  ASSERT_TRUE(server.status().ok()) << server.status();
  const std::string& url = server.url();
  ASSERT_FALSE(url.empty());

  FakeClock clock;
  auto opened = Store::Open(url, clock);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  std::atomic<int> notifications{0}, resyncs{0};
  ASSERT_TRUE(store
                  .SubscribePublications([&](const UserRef& owner, int64_t) {
                    if (owner == kAlice) ++notifications;
                    if (owner.user_id.empty()) ++resyncs;
                  })
                  .ok());
  ASSERT_TRUE(store.AddTopic(kAlice, {"before", {}, "a"}).ok());

  ASSERT_TRUE(server.Run("pause").ok());
  auto failed = store.AddTopic(kAlice, {"during", {}, "a"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status();
  EXPECT_THAT(failed.status().message(), ::testing::HasSubstr("database"));
  EXPECT_EQ(store.ListTopics(kAlice).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Store::Open(url, clock).status().code(), StatusCode::kUnavailable);

  ASSERT_TRUE(server.Run("resume").ok());
  auto after = store.AddTopic(kAlice, {"after", {}, "a"});
  ASSERT_TRUE(after.ok()) << after.status();
  auto topics = store.ListTopics(kAlice);
  ASSERT_TRUE(topics.ok());
  ASSERT_EQ(topics->size(), 2u);
  EXPECT_EQ((*topics)[0].content.question, "before");
  EXPECT_EQ((*topics)[1].content.question, "after");

  // The LISTEN connection comes back by itself and asks for a resynchronisation, then
  // publications are announced again.
  for (int i = 0; i < 500 && resyncs.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(resyncs.load(), 1);
  ASSERT_TRUE(store.EnqueuePublish(kAlice).ok());
  auto job = store.ClaimPublishJob("w", std::chrono::seconds(30));
  ASSERT_TRUE(job.ok() && job->has_value());
  ASSERT_TRUE(store.CompletePublishJob(**job, {{}, "model", 0}).ok());
  for (int i = 0; i < 500 && notifications.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(notifications.load(), 1);
}

TEST(StoreOutageTest, AFrozenPostgresFailsCallsAfterTheDeadlineAndRecoversWhenThawed) {
  PrivatePostgres server;
  ASSERT_TRUE(server.status().ok()) << server.status();
  PostgresOptions options;
  options.url = server.url();
  options.pool_size = 2;
  options.deadline = std::chrono::milliseconds(1'000);
  options.connect_timeout_seconds = 2;
  auto backend = PostgresBackend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  FakeClock clock;
  auto opened = Store::Open(std::move(backend).value(), clock);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  ASSERT_TRUE(store.AddTopic(kAlice, {"before", {}, "a"}).ok());

  // The server stops answering but keeps its connections open (a hung host, a stopped VM): no
  // call may wait forever, however many there are at once (more than the pool holds).
  ASSERT_TRUE(server.Run("freeze").ok());
  std::vector<std::future<Status>> calls;
  for (int i = 0; i < 5; ++i) {
    calls.push_back(std::async(std::launch::async, [&store, i] {
      return i % 2 == 0 ? store.AddTopic(kAlice, {"during", {}, "a"}).status()
                        : store.ListTopics(kAlice).status();
    }));
  }
  for (auto& call : calls) {
    ASSERT_EQ(call.wait_for(std::chrono::seconds(60)), std::future_status::ready)
        << "a call to a frozen server never returned";
    const Status status = call.get();
    EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status;
    EXPECT_THAT(status.message(), ::testing::HasSubstr("database")) << status;
  }
  // Found not answering: one call at a time tries it again (up to the deadline), the others
  // fail at once instead of each holding its thread for the deadline.
  auto probe =
      std::async(std::launch::async, [&store] { return store.ListTopics(kAlice).status(); });
  Status quick;
  while (probe.wait_for(std::chrono::milliseconds(10)) == std::future_status::timeout) {
    quick = store.AddTopic(kAlice, {"during", {}, "a"}).status();
    if (quick.message().find("another call is trying it again") != std::string::npos) break;
  }
  EXPECT_EQ(quick.code(), StatusCode::kUnavailable) << quick;
  EXPECT_THAT(quick.message(), ::testing::HasSubstr("another call is trying it again")) << quick;
  EXPECT_EQ(probe.get().code(), StatusCode::kUnavailable);

  ASSERT_TRUE(server.Run("thaw").ok());
  auto after = store.AddTopic(kAlice, {"after", {}, "a"});
  ASSERT_TRUE(after.ok()) << after.status();
  auto topics = store.ListTopics(kAlice);
  ASSERT_TRUE(topics.ok()) << topics.status();
  std::vector<std::string> questions;
  for (const auto& t : *topics) questions.push_back(t.content.question);
  // Nothing sent to the frozen server got past BEGIN: the cut connections rolled it back.
  EXPECT_THAT(questions, ::testing::ElementsAre("before", "after"));
}

TEST(StoreOutageTest, AQueryThatOutlivesTheDeadlineIsCutAndItsConnectionDropped) {
  testing::TestDatabase db(testing::Engine::kPostgres);
  ASSERT_TRUE(db.status().ok()) << db.status();
  PostgresOptions options;
  options.url = db.url();
  options.pool_size = 1;
  options.deadline = std::chrono::milliseconds(500);
  auto backend = PostgresBackend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  Status slow = (*backend)->WithTransaction(
      TxMode::kRead, [](SqlTransaction& tx) { return tx.Exec("SELECT pg_sleep(30)").status(); });
  EXPECT_EQ(slow.code(), StatusCode::kUnavailable) << slow;
  EXPECT_THAT(slow.message(), ::testing::HasSubstr("did not answer within 500 ms")) << slow;
  // The next call has a new connection and works.
  size_t rows = 0;
  ASSERT_TRUE((*backend)
                  ->WithTransaction(TxMode::kRead,
                                    [&](SqlTransaction& tx) -> Status {
                                      FAQBOT_ASSIGN_OR_RETURN(SqlRows read, tx.Exec("SELECT 1"));
                                      rows = read.size();
                                      return Status::Ok();
                                    })
                  .ok());
  EXPECT_EQ(rows, 1u);
  // A schema change has no deadline.
  EXPECT_TRUE((*backend)
                  ->WithTransaction(
                      TxMode::kSchema,
                      [](SqlTransaction& tx) { return tx.Exec("SELECT pg_sleep(1)").status(); })
                  .ok());
}

TEST(StoreOutageTest, PublicationsAreAnnouncedToOtherProcessesOnPostgres) {
  testing::TestDatabase db(testing::Engine::kPostgres);
  ASSERT_TRUE(db.status().ok()) << db.status();
  FakeClock clock;
  auto writer = Store::Open(db.url(), clock);
  auto reader = Store::Open(db.url(), clock);
  ASSERT_TRUE(writer.ok() && reader.ok());
  std::mutex mu;
  std::vector<std::pair<UserRef, int64_t>> heard;
  ASSERT_TRUE((*reader)
                  ->SubscribePublications([&](const UserRef& owner, int64_t version) {
                    std::lock_guard lock(mu);
                    heard.emplace_back(owner, version);
                  })
                  .ok());
  ASSERT_TRUE((*writer)->EnqueuePublish(kAlice).ok());
  auto job = (*writer)->ClaimPublishJob("w", std::chrono::seconds(30));
  ASSERT_TRUE(job.ok() && job->has_value());
  ASSERT_TRUE((*writer)->CompletePublishJob(**job, {{}, "model", 0}).ok());
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(mu);
      if (!heard.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].first, kAlice);
  EXPECT_EQ(heard[0].second, 1);
}

TEST(StoreOutageTest, SqliteThatCannotBeOpenedIsUnavailable) {
  FakeClock clock;
  auto missing_dir = Store::Open("sqlite:/nonexistent-dir/for/sure/faqbot.db", clock);
  EXPECT_EQ(missing_dir.status().code(), StatusCode::kUnavailable) << missing_dir.status();
  // A file that is not a database is reported, not overwritten.
  testing::TestDatabase db(testing::Engine::kSqlite);
  const std::string path = db.url().substr(7);
  {
    std::ofstream junk(path);
    junk << std::string(8192, 'x');
  }
  auto not_a_db = Store::Open(db.url(), clock);
  EXPECT_EQ(not_a_db.status().code(), StatusCode::kDataLoss) << not_a_db.status();
  std::ifstream check(path);
  std::string first;
  std::getline(check, first);
  EXPECT_EQ(first, std::string(8192, 'x'));
}

// Another program holding the SQLite file's lock (a backup, the sqlite3 shell): calls fail
// with Unavailable after the busy timeout's few attempts, not Aborted after a minute, and work
// again once the lock is released.
TEST(StoreOutageTest, SqliteLockedByAnotherProgramIsUnavailableSoon) {
  FakeClock clock;
  testing::TestDatabase db(testing::Engine::kSqlite);
  SqliteOptions options;
  options.path = db.url().substr(7);
  options.busy_timeout = std::chrono::milliseconds(50);
  auto backend = SqliteBackend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  auto opened = Store::Open(std::unique_ptr<SqlBackend>(std::move(backend).value()), clock);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  ASSERT_TRUE(store.AddTopic(kAlice, {"q?", {}, "a"}).ok());

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(options.path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto locked = store.AddTopic(kAlice, {"r?", {}, "b"});
  EXPECT_EQ(locked.status().code(), StatusCode::kUnavailable) << locked.status();
  EXPECT_THAT(locked.status().message(), ::testing::HasSubstr("locked"));
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_TRUE(store.AddTopic(kAlice, {"r?", {}, "b"}).ok());
  EXPECT_EQ(*store.CountTopics(kAlice), 2);
}

// Bookkeeping (when an API token was last used) does not wait out the busy timeout behind another
// program's lock: the request it belongs to goes on at once.
TEST(StoreOutageTest, TouchingATokenDoesNotWaitForALockedSqlite) {
  FakeClock clock;
  testing::TestDatabase db(testing::Engine::kSqlite);
  SqliteOptions options;
  options.path = db.url().substr(7);
  options.busy_timeout = std::chrono::milliseconds(20'000);
  auto backend = SqliteBackend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  auto opened = Store::Open(std::unique_ptr<SqlBackend>(std::move(backend).value()), clock);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  auto token = store.AddApiToken(kAlice, std::string(64, 'a'), "ci");
  ASSERT_TRUE(token.ok()) << token.status();

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(options.path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto started = std::chrono::steady_clock::now();
  const Status touched = store.TouchApiToken(token->id, 1'000);
  // Not the 20 s busy timeout (nor its three attempts): the lock is not waited for at all.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(touched.code(), StatusCode::kUnavailable) << touched;
  EXPECT_THAT(touched.message(), ::testing::HasSubstr("busy"));
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  // Free again: recorded, and the connection waits for locks as before.
  ASSERT_TRUE(store.TouchApiToken(token->id, 2'000).ok());
  auto found = store.FindApiToken(std::string(64, 'a'));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->last_used_at, 2'000);
}

// A full disk is an outage to wait out (HTTP 503, Slack retries), not a request too large (413).
TEST(StoreOutageTest, AFullSqliteIsUnavailable) {
  testing::TestDatabase db(testing::Engine::kSqlite);
  SqliteOptions options;
  options.path = db.url().substr(7);
  auto backend = SqliteBackend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  SqlBackend& sql = **backend;
  const Status full = sql.WithTransaction(TxMode::kWrite, [](SqlTransaction& tx) -> Status {
    // What a full disk says, on a connection allowed no more pages than it has.
    FAQBOT_RETURN_IF_ERROR(tx.Exec("CREATE TABLE filler (b BLOB)", {}).status());
    FAQBOT_ASSIGN_OR_RETURN(auto pages, tx.Exec("PRAGMA page_count", {}));
    FAQBOT_RETURN_IF_ERROR(
        tx.Exec("PRAGMA max_page_count = " + std::to_string(pages.at(0).at(0).Int() + 1), {})
            .status());
    return tx.Exec("INSERT INTO filler VALUES (zeroblob(1000000))", {}).status();
  });
  EXPECT_EQ(full.code(), StatusCode::kUnavailable) << full;
  EXPECT_THAT(full.message(), ::testing::HasSubstr("full"));
}

// The file deleted (or replaced) under a running process: nothing more is accepted into the
// unlinked file, which nobody would open again — every call says why, until a restart.
TEST(StoreOutageTest, ASqliteFileDeletedOrReplacedWhileOpenIsUnavailable) {
  for (const bool replaced : {false, true}) {
    FakeClock clock;
    testing::TestDatabase db(testing::Engine::kSqlite);
    const std::string path = db.url().substr(7);
    auto opened = Store::Open(db.url(), clock);
    ASSERT_TRUE(opened.ok()) << opened.status();
    Store& store = **opened;
    ASSERT_TRUE(store.AddTopic(kAlice, {"q?", {}, "a"}).ok());
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    if (replaced) std::ofstream(path) << "";
    auto refused = store.AddTopic(kAlice, {"r?", {}, "b"});
    EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status();
    EXPECT_THAT(refused.status().message(),
                ::testing::HasSubstr(replaced ? "was replaced" : "was deleted"));
    EXPECT_EQ(store.CountTopics(kAlice).status().code(), StatusCode::kUnavailable);
  }
}

TEST(StoreOutageTest, MalformedUrlsAreRefused) {
  FakeClock clock;
  EXPECT_EQ(Store::Open("mysql://localhost/x", clock).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Store::Open("sqlite:", clock).status().code(), StatusCode::kInvalidArgument);
  auto unreachable = Store::Open("postgresql://nobody:secret@127.0.0.1:1/none", clock);
  EXPECT_EQ(unreachable.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(unreachable.status().message(), ::testing::Not(::testing::HasSubstr("secret")));
}

}  // namespace
}  // namespace faqbot::store
