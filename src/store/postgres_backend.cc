#include "store/postgres_backend.h"

#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <thread>

#include "common/logging.h"
#include "common/string_util.h"
#include "store/connection_pool.h"

namespace faqbot::store {

// One statement parameter in libpq's text format; NULL when `null`.
struct PgParam {
  bool null = false;
  std::string text;
};

}  // namespace faqbot::store

namespace pqxx {
template <>
struct string_traits<faqbot::store::PgParam> {
  static constexpr const char* name() noexcept { return "faqbot::store::PgParam"; }
  static constexpr bool has_null() noexcept { return true; }
  static bool is_null(const faqbot::store::PgParam& p) { return p.null; }
  static faqbot::store::PgParam null() { return {true, {}}; }
  static std::string to_string(const faqbot::store::PgParam& p) { return p.text; }
};
}  // namespace pqxx

namespace faqbot::store {
namespace {

constexpr unsigned kByteaOid = 17;

PgParam ToPgParam(const SqlValue& value) {
  return std::visit(
      [](const auto& v) -> PgParam {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, SqlNull>) {
          return {true, {}};
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return {false, std::to_string(v)};
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.17g", v);
          return {false, buf};
        } else if constexpr (std::is_same_v<T, std::string>) {
          return {false, v};
        } else {
          // bytea in hex input format: exact bytes, no escaping questions.
          static constexpr char kHex[] = "0123456789abcdef";
          std::string hex = "\\x";
          hex.reserve(2 + v.bytes.size() * 2);
          for (unsigned char c : v.bytes) {
            hex.push_back(kHex[c >> 4]);
            hex.push_back(kHex[c & 15]);
          }
          return {false, std::move(hex)};
        }
      },
      value);
}

// `?` → `$1`, `$2`, … The Store's SQL has no `?` inside string literals.
std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

// libpq's messages end with a line break, and some run over several lines.
std::string What(const std::exception& e) { return Trim(e.what()); }

// Converts whatever libpqxx threw into a Status; `broken` tells whether the connection is gone.
Status StatusFromException(std::exception_ptr error, bool* broken) {
  *broken = false;
  try {
    std::rethrow_exception(error);
  } catch (const pqxx::broken_connection& e) {
    *broken = true;
    return UnavailableError(std::string("database unavailable: ") + What(e));
  } catch (const pqxx::in_doubt_error& e) {
    *broken = true;
    return UnavailableError(std::string("database connection lost during commit: ") + What(e));
  } catch (const pqxx::unique_violation& e) {
    return AlreadyExistsError(What(e));
  } catch (const pqxx::transaction_rollback& e) {  // serialisation failure, deadlock
    return AbortedError(What(e));
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    // Class 08 (connection exception), 57P01..03 (admin shutdown, crash shutdown, cannot
    // connect now): the server is going away.
    if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0) {
      *broken = true;
      return UnavailableError(std::string("database unavailable: ") + What(e));
    }
    if (state == "54000" || state.rfind("53", 0) == 0) {
      return ResourceExhaustedError(What(e));
    }
    return InternalError("postgresql error " + state + ": " + What(e));
  } catch (const std::exception& e) {
    return InternalError(std::string("postgresql: ") + What(e));
  }
}

std::string WithConnectTimeout(const std::string& url, int seconds) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") +
         "connect_timeout=" + std::to_string(seconds);
}

}  // namespace

class PostgresBackend::Connection final : public SqlTransaction {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& url) {
    try {
      auto conn = std::unique_ptr<Connection>(new Connection());
      conn->conn_ = std::make_unique<pqxx::connection>(url);
      return conn;
    } catch (...) {
      bool broken;
      return StatusFromException(std::current_exception(), &broken);
    }
  }

  pqxx::connection& raw() { return *conn_; }
  void set_work(pqxx::work* work) { work_ = work; }

  Result<SqlRows> Exec(std::string_view sql, const SqlParams& params) override {
    std::vector<PgParam> pg;
    pg.reserve(params.size());
    for (const auto& p : params) pg.push_back(ToPgParam(p));
    try {
      pqxx::result result =
          work_->exec_params(NumberPlaceholders(sql), pqxx::prepare::make_dynamic_params(pg));
      SqlRows rows;
      rows.reserve(result.size());
      for (const auto& r : result) {
        SqlRow row;
        row.reserve(r.size());
        for (const auto& field : r) {
          if (field.is_null()) {
            row.emplace_back();
          } else if (field.type() == kByteaOid) {
            pqxx::binarystring bytes(field);
            row.emplace_back(bytes.str());
          } else {
            row.emplace_back(std::string(field.c_str(), field.size()));
          }
        }
        rows.push_back(std::move(row));
      }
      return rows;
    } catch (...) {
      return StatusFromException(std::current_exception(), &broken_);
    }
  }

  Status Notify(std::string_view channel, std::string_view payload) override {
    return Exec("SELECT pg_notify(?, ?)", {Text(channel), Text(payload)}).status();
  }

  bool broken() const { return broken_; }
  void mark_broken() { broken_ = true; }

 private:
  Connection() = default;
  std::unique_ptr<pqxx::connection> conn_;
  pqxx::work* work_ = nullptr;
  bool broken_ = false;
};

class PostgresBackend::Pool : public ConnectionPool<Connection> {
 public:
  Pool(int size, std::string url)
      : ConnectionPool(size, [url = std::move(url)] { return Connection::Open(url); }) {}
};

// A thread that LISTENs on one channel over its own connection and reconnects when it breaks.
class PostgresBackend::ListenerThread {
 public:
  ListenerThread(std::string url, std::string channel, Listener listener,
                 std::chrono::milliseconds retry)
      : url_(std::move(url)),
        channel_(std::move(channel)),
        listener_(std::move(listener)),
        retry_(retry) {
    thread_ = std::thread([this] { Run(); });
    // Return once LISTEN is in place (or the first attempt failed), so no NOTIFY committed
    // after Listen returns can be missed.
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return first_attempt_done_; });
  }
  ~ListenerThread() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  class Receiver final : public pqxx::notification_receiver {
   public:
    Receiver(pqxx::connection_base& c, const std::string& channel, const Listener& listener)
        : pqxx::notification_receiver(c, channel), listener_(listener) {}
    void operator()(const std::string& payload, int) override { listener_(payload); }

   private:
    const Listener& listener_;
  };

  bool stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  void Run() {
    bool lost = false;
    bool ever_connected = false;
    while (!stopping()) {
      try {
        pqxx::connection conn(url_);
        Receiver receiver(conn, channel_, listener_);
        MarkFirstAttemptDone();
        if (lost) LogInfo("postgresql: listening on {} again", channel_);
        // Notifications sent while we were away are gone: tell the listener to resynchronise.
        if (ever_connected) listener_("");
        ever_connected = true;
        lost = false;
        while (!stopping()) conn.await_notification(0, 200'000);
      } catch (const std::exception& e) {
        MarkFirstAttemptDone();
        if (!lost) LogWarn("postgresql: listener on {} lost: {}", channel_, e.what());
        lost = true;
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, retry_, [&] { return stopping_; });
      }
    }
  }

  void MarkFirstAttemptDone() {
    {
      std::lock_guard lock(mu_);
      first_attempt_done_ = true;
    }
    cv_.notify_all();
  }

  const std::string url_;
  const std::string channel_;
  const Listener listener_;
  const std::chrono::milliseconds retry_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool first_attempt_done_ = false;
  std::thread thread_;
};

// Cuts the socket of a connection whose transaction outlived its deadline. libpq waits for the
// server's answer in poll() with no timeout, and a server that stopped answering (frozen, a
// network that drops every packet) sends no reset: shutdown() ends that wait from outside, the
// call fails as over a broken connection and the connection is dropped. The socket is only cut
// while its transaction is armed, and the transaction disarms before its connection can close,
// so a cut never reaches a descriptor reused for something else.
class PostgresBackend::Watchdog {
 public:
  Watchdog() : thread_([this] { Run(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Watches one transaction on `socket` for `limit`; disarmed when it goes out of scope.
  class Watch {
   public:
    Watch(Watchdog& dog, int socket, std::chrono::milliseconds limit)
        : dog_(dog), id_(dog.Arm(socket, limit)) {}
    ~Watch() { Disarm(); }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    // Stops watching; true when the deadline had passed and the socket was cut.
    bool Disarm() {
      if (!disarmed_) {
        cut_ = dog_.Disarm(id_);
        disarmed_ = true;
      }
      return cut_;
    }

   private:
    Watchdog& dog_;
    const uint64_t id_;
    bool disarmed_ = false;
    bool cut_ = false;
  };

 private:
  struct Armed {
    std::chrono::steady_clock::time_point deadline;
    int socket;
    bool cut = false;
  };

  uint64_t Arm(int socket, std::chrono::milliseconds limit) {
    uint64_t id;
    bool sooner;
    {
      std::lock_guard lock(mu_);
      id = next_id_++;
      const auto deadline = std::chrono::steady_clock::now() + limit;
      armed_[id] = {deadline, socket};
      // Every transaction arms one: wake the thread only when it would sleep past this deadline
      // (with one limit for all, when nothing else was armed), not on every call.
      sooner = deadline < wakes_at_;
    }
    if (sooner) cv_.notify_all();
    return id;
  }

  bool Disarm(uint64_t id) {
    std::lock_guard lock(mu_);
    auto it = armed_.find(id);
    const bool cut = it != armed_.end() && it->second.cut;
    if (it != armed_.end()) armed_.erase(it);
    return cut;
  }

  void Run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      auto next = std::chrono::steady_clock::time_point::max();
      const auto now = std::chrono::steady_clock::now();
      for (auto& [id, armed] : armed_) {
        if (armed.cut) continue;
        if (armed.deadline <= now) {
          ::shutdown(armed.socket, SHUT_RDWR);
          armed.cut = true;
        } else {
          next = std::min(next, armed.deadline);
        }
      }
      wakes_at_ = next;
      if (next == std::chrono::steady_clock::time_point::max()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, next);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Armed> armed_;
  // When the thread wakes next by itself (max: only when notified).
  std::chrono::steady_clock::time_point wakes_at_ = std::chrono::steady_clock::time_point::max();
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

Result<std::unique_ptr<PostgresBackend>> PostgresBackend::Open(PostgresOptions options) {
  if (options.url.rfind("postgresql://", 0) != 0 && options.url.rfind("postgres://", 0) != 0) {
    return InvalidArgumentError("not a postgresql:// URL: " + RedactUrl(options.url));
  }
  options.url = WithConnectTimeout(options.url, options.connect_timeout_seconds);
  auto pool = std::make_unique<Pool>(options.pool_size, options.url);
  FAQBOT_ASSIGN_OR_RETURN(auto first, pool->Acquire());
  pool->Release(std::move(first));
  return std::unique_ptr<PostgresBackend>(new PostgresBackend(std::move(pool), std::move(options)));
}

PostgresBackend::PostgresBackend(std::unique_ptr<Pool> pool, PostgresOptions options)
    : pool_(std::move(pool)),
      watchdog_(options.deadline.count() > 0 ? std::make_unique<Watchdog>() : nullptr),
      options_(std::move(options)) {
  dialect_.name = "postgresql";
  dialect_.skip_locked = true;
  dialect_.row_lock = " FOR UPDATE";
  dialect_.migration_lock = "SELECT pg_advisory_xact_lock(7272727272)";
  dialect_.outbox_claim_lock = "SELECT pg_advisory_xact_lock(7272727273)";
  dialect_.notifies_other_processes = true;
}

PostgresBackend::~PostgresBackend() = default;

const Dialect& PostgresBackend::dialect() const { return dialect_; }

Status PostgresBackend::WithTransaction(TxMode mode, const Body& body) {
  const bool timed = watchdog_ != nullptr && mode != TxMode::kSchema;
  if (!timed) return Run(body, /*timed=*/false, nullptr);
  // While the server does not answer, one call at a time tries it (for up to the deadline) and
  // the others fail at once: each waiting out its own deadline would hold every request thread
  // of the process (/healthz behind Slack's events) and every scrape of /metrics.
  bool probe = false;
  if (unanswered_.load(std::memory_order_acquire)) {
    if (probing_.exchange(true, std::memory_order_acq_rel)) {
      return UnavailableError(
          "database not answering: another call is trying it again, this one did not wait");
    }
    probe = true;
  }
  std::optional<bool> answered;
  Status status = Run(body, /*timed=*/true, &answered);
  if (answered) unanswered_.store(!*answered, std::memory_order_release);
  if (probe) probing_.store(false, std::memory_order_release);
  return status;
}

Status PostgresBackend::Run(const Body& body, bool timed, std::optional<bool>* answered) {
  std::optional<std::chrono::milliseconds> max_wait;
  if (timed) max_wait = options_.deadline;
  Status last;
  bool reconnected = false;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    auto acquired = pool_->Acquire(max_wait);
    if (!acquired.ok()) {
      // libpq's connect_timeout: the server took the connection and never answered it.
      if (answered != nullptr &&
          acquired.status().message().find("timeout expired") != std::string::npos) {
        *answered = false;
      }
      return acquired.status();
    }
    std::unique_ptr<Connection> conn = std::move(acquired).value();
    Status status;
    bool committing = false;
    bool cut = false;
    {
      std::optional<Watchdog::Watch> watch;
      if (timed) watch.emplace(*watchdog_, conn->raw().sock(), options_.deadline);
      try {
        pqxx::work work(conn->raw());
        conn->set_work(&work);
        status = body(*conn);
        conn->set_work(nullptr);
        if (status.ok()) {
          committing = true;
          work.commit();
        } else {
          work.abort();
        }
      } catch (...) {
        conn->set_work(nullptr);
        bool broken = false;
        status = StatusFromException(std::current_exception(), &broken);
        if (broken) conn->mark_broken();
      }
      // Before the connection can be closed (see Watchdog).
      cut = watch && watch->Disarm();
    }
    if (cut) {
      pool_->Release(std::move(conn), /*broken=*/true);
      pool_->DropIdle();
      if (answered != nullptr) *answered = status.ok();
      // Cut just after the commit (or a read) went through: done all the same.
      if (status.ok()) return status;
      // Whatever the body made of the failure, the server did not answer in time. No retry:
      // a server that stopped answering would only hold the caller for another deadline.
      return UnavailableError("database did not answer within " +
                              std::to_string(options_.deadline.count()) +
                              " ms; its connection was dropped" +
                              (committing ? " (the commit may or may not have happened)" : ""));
    }
    const bool broken = conn->broken();
    if (answered != nullptr && !broken) *answered = true;
    pool_->Release(std::move(conn), broken);
    if (broken) {
      // After a server restart every idle connection is dead too.
      pool_->DropIdle();
      // A pooled connection that died before commit changed nothing: one more try on a fresh
      // connection makes the first call after the server came back succeed. A break during
      // commit is left to the caller (the commit may or may not have happened).
      if (!committing && !reconnected) {
        reconnected = true;
        last = status;
        continue;
      }
    }
    if (status.code() != StatusCode::kAborted) return status;
    last = status;
    LogDebug("postgresql: transaction attempt {} conflicted: {}", attempt, status.message());
  }
  return last;
}

Status PostgresBackend::Listen(std::string channel, Listener listener) {
  listeners_.push_back(std::make_unique<ListenerThread>(
      options_.url, std::move(channel), std::move(listener), options_.listen_retry));
  return Status::Ok();
}

std::string PostgresBackend::TranslateDdl(std::string_view ddl) const {
  return ExpandDdlTokens(ddl, "BIGSERIAL PRIMARY KEY", "BYTEA", "DOUBLE PRECISION");
}

std::string PostgresBackend::RedactUrl(std::string_view url) {
  std::string out(url);
  const size_t scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  // The query (libpq takes "?password=…" and "&sslpassword=…" there too).
  const size_t query = out.find('?', scheme + 3);
  if (query != std::string::npos) {
    size_t start = query + 1;
    while (start < out.size()) {
      size_t end = out.find('&', start);
      if (end == std::string::npos) end = out.size();
      const size_t eq = out.find('=', start);
      if (eq != std::string::npos && eq < end) {
        const std::string key = AsciiLower(std::string_view(out).substr(start, eq - start));
        if (key == "password" || key == "sslpassword") {
          out.replace(eq + 1, end - eq - 1, "***");
          end = eq + 4;
        }
      }
      start = end + 1;
    }
  }
  // The user information: "user:password@host" (the last @ before the query, so that a
  // password with an unencoded / or @ is hidden whole; at worst a path with an @ is hidden too).
  const size_t at = out.rfind('@', query == std::string::npos ? std::string::npos : query);
  if (at == std::string::npos || at < scheme + 3) return out;
  const size_t colon = out.find(':', scheme + 3);
  if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  return out;
}

}  // namespace faqbot::store
