#include "test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <random>

namespace faqbot::store::testing {

std::string EngineName(Engine engine) { return engine == Engine::kSqlite ? "Sqlite" : "Postgres"; }

std::string PostgresAdminUrl() {
  if (const char* env = std::getenv("FAQBOT_TEST_POSTGRES_URL"); env && *env) return env;
  std::ifstream in(std::string(FAQBOT_BINARY_DIR) + "/pg-fixture/url");
  std::string url;
  std::getline(in, url);
  return url;
}

namespace {
std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 100000);
}

// The URL with its database name replaced by `db`.
std::string WithDatabase(const std::string& admin_url, const std::string& db) {
  const size_t slash = admin_url.find('/', admin_url.find("://") + 3);
  const size_t query = admin_url.find('?');
  std::string base = slash == std::string::npos ? admin_url : admin_url.substr(0, slash);
  std::string params = query == std::string::npos ? "" : admin_url.substr(query);
  return base + "/" + db + params;
}
}  // namespace

TestDatabase::TestDatabase(Engine engine) : engine_(engine) {
  if (engine == Engine::kSqlite) {
    std::string pattern = (std::filesystem::temp_directory_path() / "faqbot-store-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      status_ = InternalError("mkdtemp failed");
      return;
    }
    dir_ = pattern;
    url_ = "sqlite:" + dir_ + "/faqbot.db";
    return;
  }
  const std::string admin = PostgresAdminUrl();
  if (admin.empty()) {
    status_ = FailedPreconditionError(
        "no PostgreSQL test server: run the tests through CTest (fixture postgres) or set "
        "FAQBOT_TEST_POSTGRES_URL");
    return;
  }
  db_name_ = "faqbot_test_" + UniqueSuffix();
  try {
    pqxx::connection conn(admin);
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE DATABASE " + db_name_);
  } catch (const std::exception& e) {
    status_ = UnavailableError(std::string("cannot create test database: ") + e.what());
    return;
  }
  url_ = WithDatabase(admin, db_name_);
}

TestDatabase::~TestDatabase() {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  if (!db_name_.empty() && status_.ok()) {
    try {
      pqxx::connection conn(PostgresAdminUrl());
      pqxx::nontransaction tx(conn);
      tx.exec("DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The server is gone already; the cluster is thrown away anyway.
    }
  }
}

Status RunClusterScript(const std::string& command, const std::string& state_dir) {
  const std::string cmd = std::string(FAQBOT_SOURCE_DIR) + "/tests/store/pg_cluster.sh " + command +
                          " " + state_dir + " >/dev/null";
  const int rc = std::system(cmd.c_str());
  if (rc != 0) return InternalError("pg_cluster.sh " + command + " failed");
  return Status::Ok();
}

}  // namespace faqbot::store::testing
