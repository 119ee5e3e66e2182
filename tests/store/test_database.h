// A fresh, empty database per test, on either engine: a SQLite file in a temporary folder, or a
// new database on the throwaway PostgreSQL server that CTest starts (fixture `postgres`, see
// pg_cluster.sh). Without that server the PostgreSQL cases fail; they are never skipped.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace faqbot::store::testing {

enum class Engine { kSqlite, kPostgres };
std::string EngineName(Engine engine);

// The admin URL of the test server: $FAQBOT_TEST_POSTGRES_URL, else the URL the CTest fixture
// wrote to <build>/pg-fixture/url. Empty when neither exists.
std::string PostgresAdminUrl();

class TestDatabase {
 public:
  // Creates the database; check status() before use.
  explicit TestDatabase(Engine engine);
  ~TestDatabase();  // drops it
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const Status& status() const { return status_; }
  // The URL to give Store::Open.
  const std::string& url() const { return url_; }
  Engine engine() const { return engine_; }

 private:
  Engine engine_;
  Status status_;
  std::string url_;
  std::string dir_;      // SQLite: the temporary folder
  std::string db_name_;  // PostgreSQL: the database
};

// Runs `pg_cluster.sh <command> <state_dir>` from the source tree; its exit status as a Status.
Status RunClusterScript(const std::string& command, const std::string& state_dir);

}  // namespace faqbot::store::testing
