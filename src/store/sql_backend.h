// SqlBackend: the narrow seam between the Store and a database engine. Two real
// implementations, SQLite (sqlite_backend.h) and PostgreSQL (postgres_backend.h); the Store
// writes its SQL once, with `?` placeholders, and every engine difference is a Dialect flag or a
// migration token.
//
// Values are engine-neutral: NULL, a 64-bit integer, a double, ASCII text (ids, states) or bytes
// (user text, model files: stored exactly as given, whatever their encoding).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace faqbot::store {

struct SqlNull {};
struct SqlBytes {
  std::string bytes;
};
// One bound parameter.
using SqlValue = std::variant<SqlNull, int64_t, double, std::string, SqlBytes>;
using SqlParams = std::vector<SqlValue>;

inline SqlValue Bytes(std::string_view s) { return SqlBytes{std::string(s)}; }
inline SqlValue Text(std::string_view s) { return std::string(s); }
inline SqlValue OptionalInt(std::optional<int64_t> v) {
  if (v) return *v;
  return SqlNull{};
}
// Text, or NULL for the empty string (an optional unique key: NULLs never collide).
inline SqlValue OptionalText(std::string_view s) {
  if (s.empty()) return SqlNull{};
  return std::string(s);
}

// One result cell: NULL, or the value's bytes (integers and doubles in decimal text).
class SqlCell {
 public:
  SqlCell() = default;
  explicit SqlCell(std::string bytes) : value_(std::move(bytes)) {}

  bool is_null() const { return !value_.has_value(); }
  // The bytes; empty for NULL.
  const std::string& str() const;
  // The value as an integer; 0 for NULL or non-numeric text.
  int64_t Int() const;
  std::optional<int64_t> OptInt() const;
  double Double() const;

 private:
  std::optional<std::string> value_;
};

using SqlRow = std::vector<SqlCell>;
using SqlRows = std::vector<SqlRow>;

// Engine differences the Store's SQL has to know about.
struct Dialect {
  // "postgresql" or "sqlite", for logs and errors.
  std::string name;
  // `SELECT … FOR UPDATE SKIP LOCKED` exists (PostgreSQL). SQLite serialises writers instead.
  bool skip_locked = false;
  // Appended to a SELECT that must lock the rows it reads until commit (" FOR UPDATE"); empty
  // where a write transaction already excludes every other writer (SQLite).
  std::string row_lock;
  // A statement that serialises schema migrations across processes; empty when not needed.
  std::string migration_lock;
  // A statement that serialises outbox claims across processes until commit (whether a reply
  // may be claimed depends on the leases of its conversation's older replies, which a claim
  // running at the same time may be changing); empty where writers are serialised anyway.
  std::string outbox_claim_lock;
  // Notify reaches other processes (PostgreSQL); otherwise the Store tells its own process.
  bool notifies_other_processes = false;
};

// A transaction on one connection. Not thread-safe: used by one thread inside WithTransaction.
class SqlTransaction {
 public:
  virtual ~SqlTransaction() = default;
  // Runs one statement with `?` placeholders bound to `params` in order; returns its rows
  // (statements without results return none). Errors: AlreadyExists (a unique constraint),
  // Unavailable (the connection broke), Aborted (a serialisation conflict or lock timeout; the
  // whole transaction is retried by WithTransaction), Internal (any other engine error).
  virtual Result<SqlRows> Exec(std::string_view sql, const SqlParams& params = {}) = 0;
  // Tells other processes on the same database, after commit, that `channel` changed
  // (PostgreSQL NOTIFY; no-op where there is one process per database file).
  virtual Status Notify(std::string_view channel, std::string_view payload) = 0;
};

enum class TxMode {
  kRead,   // reads only
  kWrite,  // takes the write lock at the start (SQLite BEGIN IMMEDIATE), so no upgrade deadlock
  // A write that does not wait for a lock another writer holds (SQLite: the busy timeout and the
  // retries are skipped; Unavailable at once): bookkeeping, such as when an API token was last
  // used, that must not keep a request waiting while another program holds the database.
  kWriteIfFree,
  // A schema change (migrations): a write that holds the migration lock and may build an index
  // over a big table, so no backend cuts it short however long it takes.
  kSchema,
};

class SqlBackend {
 public:
  using Body = std::function<Status(SqlTransaction&)>;
  using Listener = std::function<void(std::string_view payload)>;

  virtual ~SqlBackend() = default;

  virtual const Dialect& dialect() const = 0;

  // Runs `body` in one transaction on a pooled connection and commits when it returns ok; rolls
  // back otherwise and returns its Status. Serialisation conflicts and busy databases retry the
  // whole body a bounded number of times, so `body` must have no effects outside the database.
  // A broken connection is discarded; the next call reconnects. A server that does not answer
  // within the backend's deadline (if it has one) fails the call with Unavailable. Thread-safe.
  virtual Status WithTransaction(TxMode mode, const Body& body) = 0;

  // Calls `listener` (on a backend thread) for every Notify on `channel` committed by any
  // process, including this one, after Listen returns and until the backend is destroyed.
  // After the listening connection was lost and came back, calls it once with an empty payload:
  // notifications may have been missed, resynchronise. Only one listener per channel.
  // Engines without cross-process notification accept the call and never call back; the Store
  // informs its own process's subscribers itself.
  virtual Status Listen(std::string channel, Listener listener) = 0;

  // Turns the engine-neutral DDL of a migration into this engine's: replaces the tokens
  // {{ID}} (auto-increment integer primary key), {{BLOB}}, {{DOUBLE}}.
  virtual std::string TranslateDdl(std::string_view ddl) const = 0;
};

// Replaces the migration tokens {{ID}}, {{BLOB}} and {{DOUBLE}} in `ddl` (for TranslateDdl).
std::string ExpandDdlTokens(std::string_view ddl, std::string_view id, std::string_view blob,
                            std::string_view dbl);

}  // namespace faqbot::store
