// PostgresBackend: the backend for several faqbot processes over one PostgreSQL server
// (libpqxx 6.4). A bounded connection pool, `?` placeholders rewritten to `$n`, user text and
// model files as bytea (exact bytes, whatever their encoding), serialisation failures and
// deadlocks retried, a dedicated LISTEN connection for cross-process notifications.
//
// When the server goes away, calls fail with Unavailable ("database unavailable: …") and the
// broken connections are dropped; when it comes back, the next call reconnects. The listener
// thread reconnects by itself. When the server stops answering without going away, a call
// fails the same way after `PostgresOptions::deadline`.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "store/sql_backend.h"

namespace faqbot::store {

struct PostgresOptions {
  // A libpq connection URI: postgresql://user[:password]@host[:port]/dbname[?param=value…].
  // Never logged (it may carry a password).
  std::string url;
  // Connections kept open; each is used by one thread at a time.
  int pool_size = 4;
  // Seconds to wait for a connection (libpq connect_timeout) unless the URL sets its own.
  int connect_timeout_seconds = 5;
  // How many times a transaction that hit a serialisation failure or deadlock is run again.
  int max_attempts = 5;
  // How long the listener waits between reconnection attempts when the server is down.
  std::chrono::milliseconds listen_retry{500};
  // How long one transaction may wait on the server, and a caller on a free connection, before
  // the call fails with Unavailable (the transaction's connection is cut and dropped): a server
  // that stopped answering (frozen, or behind a network that drops everything) must not hold
  // the process's threads forever. Schema changes (TxMode::kSchema) have none. Zero: none.
  std::chrono::milliseconds deadline{10'000};
};

class PostgresBackend final : public SqlBackend {
 public:
  // Connects once to check the URL and the server. Errors: InvalidArgument (malformed URL),
  // Unavailable (server unreachable, authentication failed).
  static Result<std::unique_ptr<PostgresBackend>> Open(PostgresOptions options);

  ~PostgresBackend() override;  // stops the listener thread and closes every connection
  PostgresBackend(const PostgresBackend&) = delete;
  PostgresBackend& operator=(const PostgresBackend&) = delete;

  const Dialect& dialect() const override;
  Status WithTransaction(TxMode mode, const Body& body) override;
  Status Listen(std::string channel, Listener listener) override;
  std::string TranslateDdl(std::string_view ddl) const override;

  // The URL with any password replaced by "***", for logs.
  static std::string RedactUrl(std::string_view url);

 private:
  class Connection;
  class Pool;
  class ListenerThread;
  class Watchdog;
  PostgresBackend(std::unique_ptr<Pool> pool, PostgresOptions options);
  // WithTransaction's work; `timed`: under the deadline. `*answered` (when given) is set to
  // whether the server answered — false when the deadline cut the transaction or a new
  // connection timed out — and left alone when no connection was had (all busy, refused).
  Status Run(const Body& body, bool timed, std::optional<bool>* answered);

  std::unique_ptr<Pool> pool_;
  std::unique_ptr<Watchdog> watchdog_;
  PostgresOptions options_;
  Dialect dialect_;
  std::vector<std::unique_ptr<ListenerThread>> listeners_;
  // The last timed call found the server not answering; a call is trying it again.
  std::atomic<bool> unanswered_{false};
  std::atomic<bool> probing_{false};
};

}  // namespace faqbot::store
