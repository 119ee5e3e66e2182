// SqliteBackend: the embedded default. One database file opened in WAL mode with
// synchronous=FULL (a committed transaction survives a crash or power loss), foreign keys on and
// a busy timeout; a small pool of connections so readers never wait for each other, while
// writers (BEGIN IMMEDIATE) queue on SQLite's single write lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "store/sql_backend.h"

namespace faqbot::store {

struct SqliteOptions {
  // The database file; ":memory:" for a private in-memory database (then one connection).
  std::string path = "./faqbot.db";
  // Connections kept open; each is used by one thread at a time.
  int pool_size = 4;
  // How long a statement waits for another connection's write lock before failing. Short: a
  // lock held longer is another program's (a backup, the sqlite3 shell), and the callers — HTTP
  // handlers among them — should hear "unavailable" in seconds rather than wait with it.
  std::chrono::milliseconds busy_timeout{3'000};
  // How many times a transaction that lost a lock race is run again; one that waited the whole
  // busy timeout for a lock, or lost every race, fails with Unavailable.
  int max_attempts = 3;
};

class SqliteBackend final : public SqlBackend {
 public:
  // Opens (creating when missing) the file and checks that it is a SQLite database.
  // Errors: Unavailable (cannot open or create), DataLoss (not a database, or corrupt).
  static Result<std::unique_ptr<SqliteBackend>> Open(SqliteOptions options);

  ~SqliteBackend() override;
  SqliteBackend(const SqliteBackend&) = delete;
  SqliteBackend& operator=(const SqliteBackend&) = delete;

  const Dialect& dialect() const override;
  Status WithTransaction(TxMode mode, const Body& body) override;
  Status Listen(std::string channel, Listener listener) override;
  std::string TranslateDdl(std::string_view ddl) const override;

  // Runs `PRAGMA integrity_check`; ok when the file is intact, DataLoss otherwise.
  Status CheckIntegrity();

 private:
  class Connection;
  class Pool;
  // Which file the path named when the database was opened (device and inode).
  struct FileIdentity {
    uint64_t device = 0;
    uint64_t inode = 0;
  };
  explicit SqliteBackend(std::unique_ptr<Pool> pool, SqliteOptions options,
                         std::optional<FileIdentity> file);
  // Unavailable once the path no longer names the file opened (deleted, or replaced by another):
  // what was written since would go to a file nobody will open again. Checked before every
  // transaction (one stat), so nothing more is accepted into it and /readyz says why.
  Status CheckFileInPlace() const;

  std::unique_ptr<Pool> pool_;
  SqliteOptions options_;
  Dialect dialect_;
  std::optional<FileIdentity> file_;  // none for ":memory:"
  mutable std::atomic<bool> told_gone_{false};
};

}  // namespace faqbot::store
