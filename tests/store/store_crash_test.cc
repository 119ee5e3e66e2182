// A writer killed with SIGKILL in the middle of writing: after reopening, the database is
// intact, every write the writer saw committed is there, and its half-done job is claimable.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>

#include "store/sqlite_backend.h"
#include "store/store.h"
#include "test_database.h"

namespace faqbot::store {
namespace {

using testing::Engine;
using testing::TestDatabase;

class StoreCrashTest : public ::testing::TestWithParam<Engine> {};

TEST_P(StoreCrashTest, KilledWriterLosesNoCommittedRowAndItsJobIsClaimableAgain) {
  TestDatabase db(GetParam());
  ASSERT_TRUE(db.status().ok()) << db.status();
  {
    // Migrate first, so the child starts writing at once.
    auto store = Store::Open(db.url(), SystemClock::Instance());
    ASSERT_TRUE(store.ok()) << store.status();
  }
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(FAQBOT_CRASH_WRITER, FAQBOT_CRASH_WRITER, db.url().c_str(), nullptr);
    _exit(127);
  }
  close(out[1]);
  FILE* lines = fdopen(out[0], "r");
  ASSERT_NE(lines, nullptr);
  int64_t job_id = 0;
  std::set<int64_t> committed;
  char buf[128];
  while (committed.size() < 150 && std::fgets(buf, sizeof buf, lines)) {
    long long id = 0;
    if (std::sscanf(buf, "claimed %lld", &id) == 1) job_id = id;
    if (std::sscanf(buf, "committed %lld", &id) == 1) committed.insert(id);
  }
  kill(child, SIGKILL);
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  // Lines the writer printed before it died but we had not read yet: committed too.
  while (std::fgets(buf, sizeof buf, lines)) {
    long long id = 0;
    if (std::sscanf(buf, "committed %lld", &id) == 1) committed.insert(id);
  }
  std::fclose(lines);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the writer stopped by itself";
  ASSERT_GT(job_id, 0);
  ASSERT_GE(committed.size(), 150u);

  if (GetParam() == Engine::kSqlite) {
    auto backend = SqliteBackend::Open({db.url().substr(7)});
    ASSERT_TRUE(backend.ok());
    EXPECT_TRUE((*backend)->CheckIntegrity().ok());
  }
  // Well after the writer's lease (5 s of real time).
  FakeClock later(SystemClock::Instance().UnixSeconds() + 60);
  auto store = Store::Open(db.url(), later);
  ASSERT_TRUE(store.ok()) << store.status();
  auto topics = (*store)->ListTopics({"T0CRASH", "U0WRITER"});
  ASSERT_TRUE(topics.ok()) << topics.status();
  std::set<int64_t> present;
  for (const auto& t : *topics) {
    present.insert(t.id);
    EXPECT_EQ(t.content.answer.size(), 30'000u) << "a torn row";
    EXPECT_EQ(t.content.phrasings.size(), 2u);
  }
  for (int64_t id : committed) EXPECT_TRUE(present.count(id)) << "lost committed topic " << id;
  // At most the one write in flight may have landed beyond what the writer reported.
  EXPECT_LE(present.size(), committed.size() + 1);

  auto job = (*store)->ClaimPublishJob("survivor", std::chrono::seconds(30));
  ASSERT_TRUE(job.ok()) << job.status();
  ASSERT_TRUE(job->has_value());
  EXPECT_EQ((*job)->id, job_id);
  EXPECT_EQ((*job)->attempts, 2);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreCrashTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const auto& info) { return testing::EngineName(info.param); });

}  // namespace
}  // namespace faqbot::store
