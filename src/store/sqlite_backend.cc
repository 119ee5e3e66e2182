#include "store/sqlite_backend.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <unordered_map>

#include "common/logging.h"
#include "store/connection_pool.h"

namespace faqbot::store {
namespace {

Status ErrorFor(sqlite3* db, int rc, std::string_view what) {
  const int extended = db ? sqlite3_extended_errcode(db) : rc;
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError(std::move(message));
      }
      return InvalidArgumentError(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return AbortedError(std::move(message));
    case SQLITE_TOOBIG:
      return ResourceExhaustedError(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(std::move(message));
    case SQLITE_FULL:  // the disk: not the request's size, and worth trying again once freed
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return UnavailableError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

}  // namespace

// One sqlite3 handle with its prepared statements. Used by one thread at a time.
class SqliteBackend::Connection final : public SqlTransaction {
 public:
  ~Connection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Connection>> Open(const SqliteOptions& options) {
    auto conn = std::unique_ptr<Connection>(new Connection());
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(options.path.c_str(), &conn->db_, flags, nullptr);
    if (rc != SQLITE_OK) return ErrorFor(conn->db_, rc, "cannot open " + options.path);
    sqlite3_extended_result_codes(conn->db_, 1);
    sqlite3_busy_timeout(conn->db_, static_cast<int>(options.busy_timeout.count()));
    // journal_mode also proves the file is a database: a non-database fails here.
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                               "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY"}) {
      FAQBOT_RETURN_IF_ERROR(conn->Simple(pragma));
    }
    return conn;
  }

  void SetBusyTimeout(std::chrono::milliseconds timeout) {
    sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
  }

  Status Simple(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return ErrorFor(db_, rc, sql);
    return Status::Ok();
  }

  Result<SqlRows> Exec(std::string_view sql, const SqlParams& params) override {
    FAQBOT_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    // Reset whatever happens, so the cached statement is reusable and holds no lock.
    struct Resetter {
      sqlite3_stmt* s;
      ~Resetter() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{stmt};
    if (static_cast<size_t>(sqlite3_bind_parameter_count(stmt)) != params.size()) {
      return InternalError("statement expects " +
                           std::to_string(sqlite3_bind_parameter_count(stmt)) +
                           " parameters, got " + std::to_string(params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = std::visit(
          [&](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, SqlNull>) {
              return sqlite3_bind_null(stmt, index);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              return sqlite3_bind_int64(stmt, index, v);
            } else if constexpr (std::is_same_v<T, double>) {
              return sqlite3_bind_double(stmt, index, v);
            } else if constexpr (std::is_same_v<T, std::string>) {
              return sqlite3_bind_text64(stmt, index, v.data(), v.size(), SQLITE_STATIC,
                                         SQLITE_UTF8);
            } else {
              return sqlite3_bind_blob64(stmt, index, v.bytes.data(), v.bytes.size(),
                                         SQLITE_STATIC);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) return ErrorFor(db_, rc, "bind");
    }
    SqlRows rows;
    const int columns = sqlite3_column_count(stmt);
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return ErrorFor(db_, rc, "statement failed");
      SqlRow row;
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            row.emplace_back();
            break;
          case SQLITE_BLOB: {
            const void* data = sqlite3_column_blob(stmt, c);
            const int size = sqlite3_column_bytes(stmt, c);
            row.emplace_back(std::string(static_cast<const char*>(data), size));
            break;
          }
          default: {
            const unsigned char* text = sqlite3_column_text(stmt, c);
            const int size = sqlite3_column_bytes(stmt, c);
            row.emplace_back(std::string(reinterpret_cast<const char*>(text), size));
          }
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status Notify(std::string_view, std::string_view) override { return Status::Ok(); }

 private:
  Connection() = default;

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return ErrorFor(db_, rc, "prepare");
    statements_.emplace(std::string(sql), stmt);
    return stmt;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

class SqliteBackend::Pool : public ConnectionPool<Connection> {
 public:
  explicit Pool(const SqliteOptions& options)
      : ConnectionPool(options.pool_size, [options] { return Connection::Open(options); }) {}
};

Result<std::unique_ptr<SqliteBackend>> SqliteBackend::Open(SqliteOptions options) {
  if (options.path == ":memory:") options.pool_size = 1;
  if (options.pool_size < 1) options.pool_size = 1;
  auto pool = std::make_unique<Pool>(options);
  // Open one connection now, so a bad path or a non-database fails here and not later.
  FAQBOT_ASSIGN_OR_RETURN(auto first, pool->Acquire());
  pool->Release(std::move(first));
  std::optional<FileIdentity> file;
  struct stat st {};
  if (options.path != ":memory:" && ::stat(options.path.c_str(), &st) == 0) {
    file = FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  }
  return std::unique_ptr<SqliteBackend>(
      new SqliteBackend(std::move(pool), std::move(options), file));
}

SqliteBackend::SqliteBackend(std::unique_ptr<Pool> pool, SqliteOptions options,
                             std::optional<FileIdentity> file)
    : pool_(std::move(pool)), options_(std::move(options)), file_(file) {
  dialect_.name = "sqlite";
  dialect_.skip_locked = false;
}

Status SqliteBackend::CheckFileInPlace() const {
  if (!file_) return Status::Ok();
  struct stat st {};
  const bool gone = ::stat(options_.path.c_str(), &st) != 0;
  if (!gone && static_cast<uint64_t>(st.st_dev) == file_->device &&
      static_cast<uint64_t>(st.st_ino) == file_->inode) {
    return Status::Ok();
  }
  const std::string what = "the database file " + options_.path +
                           (gone ? " was deleted" : " was replaced by another file") +
                           " while in use: nothing more is written to it (it would be lost); "
                           "restart faqbot to use the file now at that path";
  if (!told_gone_.exchange(true)) LogError("sqlite: {}", what);
  return UnavailableError(what);
}

SqliteBackend::~SqliteBackend() = default;

const Dialect& SqliteBackend::dialect() const { return dialect_; }

Status SqliteBackend::WithTransaction(TxMode mode, const Body& body) {
  FAQBOT_RETURN_IF_ERROR(CheckFileInPlace());
  Status last;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    const auto started = std::chrono::steady_clock::now();
    FAQBOT_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
    const bool if_free = mode == TxMode::kWriteIfFree;
    if (if_free) conn->SetBusyTimeout(std::chrono::milliseconds(0));
    Status status = conn->Simple(mode == TxMode::kRead ? "BEGIN" : "BEGIN IMMEDIATE");
    if (if_free) conn->SetBusyTimeout(options_.busy_timeout);
    if (status.ok()) {
      status = body(*conn);
      if (status.ok()) {
        status = conn->Simple("COMMIT");
      }
      if (!status.ok()) (void)conn->Simple("ROLLBACK");
    }
    pool_->Release(std::move(conn));
    if (if_free && status.code() == StatusCode::kAborted) {
      return UnavailableError("the database is busy (another writer holds it): " +
                              status.message());
    }
    if (status.code() != StatusCode::kAborted) return status;
    last = status;
    // A lock race is lost at once (another writer's snapshot); a lock waited on for the whole
    // busy timeout is held for long, and waiting again would only keep the caller waiting.
    if (std::chrono::steady_clock::now() - started >= options_.busy_timeout) break;
    LogDebug("sqlite: transaction attempt {} lost a lock race: {}", attempt, status.message());
  }
  // Still locked (SQLite's own "database is locked", not a conflict a transaction reported):
  // not a race between this process's writers but a lock held for long, most likely by another
  // program; the caller may try again later (HTTP: 503).
  if (last.message().find("is locked") == std::string::npos) return last;
  LogWarn("sqlite: the database stayed locked: {}", last.message());
  return UnavailableError("the database is locked (by another program?): " + last.message());
}

Status SqliteBackend::Listen(std::string, Listener) { return Status::Ok(); }

std::string SqliteBackend::TranslateDdl(std::string_view ddl) const {
  return ExpandDdlTokens(ddl, "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB", "REAL");
}

Status SqliteBackend::CheckIntegrity() {
  bool intact = false;
  std::string report;
  FAQBOT_RETURN_IF_ERROR(WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) -> Status {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec("PRAGMA integrity_check"));
    for (const auto& row : rows) {
      if (!row.empty()) report += row[0].str() + "\n";
    }
    intact = rows.size() == 1 && !rows[0].empty() && rows[0][0].str() == "ok";
    return Status::Ok();
  }));
  if (!intact) return DataLossError("sqlite integrity check failed: " + report);
  return Status::Ok();
}

}  // namespace faqbot::store
