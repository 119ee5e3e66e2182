#include "store/store.h"

#include <sstream>

#include "common/logging.h"
#include "store/limits.h"
#include "store/migrations.h"
#include "store/postgres_backend.h"
#include "store/sqlite_backend.h"
#include "store/store_rows.h"

namespace faqbot::store {

using internal::EnsurePerson;
using internal::kPublicationChannel;
using internal::ValidateUser;

Result<std::unique_ptr<Store>> Store::Open(const std::string& url, Clock& clock,
                                           StoreOptions options) {
  FAQBOT_ASSIGN_OR_RETURN(DatabaseUrl parsed, ParseDatabaseUrl(url));
  std::unique_ptr<SqlBackend> backend;
  if (parsed.engine == DatabaseUrl::Engine::kSqlite) {
    SqliteOptions sqlite;
    sqlite.path = parsed.sqlite_path;
    sqlite.pool_size = options.pool_size;
    FAQBOT_ASSIGN_OR_RETURN(backend, SqliteBackend::Open(std::move(sqlite)));
  } else {
    PostgresOptions pg;
    pg.url = parsed.url;
    pg.pool_size = options.pool_size;
    FAQBOT_ASSIGN_OR_RETURN(backend, PostgresBackend::Open(std::move(pg)));
  }
  return Open(std::move(backend), clock, options);
}

Result<std::unique_ptr<Store>> Store::Open(std::unique_ptr<SqlBackend> backend, Clock& clock,
                                           StoreOptions options) {
  std::unique_ptr<Store> store(new Store(std::move(backend), clock, options));
  if (options.migrate) {
    FAQBOT_ASSIGN_OR_RETURN(int applied, store->Migrate());
    if (applied > 0) {
      LogInfo("store: applied {} migration(s) to the {} database", applied, store->engine());
    }
  }
  return store;
}

Store::Store(std::unique_ptr<SqlBackend> backend, Clock& clock, StoreOptions options)
    : backend_(std::move(backend)), clock_(clock), options_(options) {}

Store::~Store() = default;

const std::string& Store::engine() const { return backend_->dialect().name; }

namespace {
// The highest applied migration (0 for an empty database), creating the bookkeeping table.
Result<int64_t> ReadSchemaVersion(SqlTransaction& tx) {
  FAQBOT_RETURN_IF_ERROR(tx.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                 "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                 "applied_at BIGINT NOT NULL)")
                             .status());
  FAQBOT_ASSIGN_OR_RETURN(auto rows,
                          tx.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return rows.empty() ? int64_t{0} : rows[0][0].Int();
}
}  // namespace

Result<int> Store::Migrate() {
  const auto& migrations = AllMigrations();
  int applied = 0;
  Status status = backend_->WithTransaction(TxMode::kSchema, [&](SqlTransaction& tx) -> Status {
    applied = 0;
    if (!backend_->dialect().migration_lock.empty()) {
      FAQBOT_RETURN_IF_ERROR(tx.Exec(backend_->dialect().migration_lock).status());
    }
    FAQBOT_ASSIGN_OR_RETURN(const int64_t current, ReadSchemaVersion(tx));
    if (current > migrations.back().version) {
      return FailedPreconditionError("database schema version " + std::to_string(current) +
                                     " is newer than this faqbot knows (" +
                                     std::to_string(migrations.back().version) + ")");
    }
    for (const auto& m : migrations) {
      if (m.version <= current) continue;
      for (std::string_view statement : m.statements) {
        FAQBOT_RETURN_IF_ERROR(tx.Exec(backend_->TranslateDdl(statement))
                                   .status()
                                   .WithContext("migration " + std::to_string(m.version)));
      }
      FAQBOT_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                  {int64_t{m.version}, Text(m.name), clock_.UnixMillis()})
              .status());
      ++applied;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return applied;
}

Result<int> Store::SchemaVersion() {
  int version = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(const int64_t current, ReadSchemaVersion(tx));
    version = static_cast<int>(current);
    return Status::Ok();
  }));
  return version;
}

// ---- workspaces and people ----

Status Store::UpsertWorkspace(const std::string& team_id, const std::string& name) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(team_id, "team id"));
  FAQBOT_RETURN_IF_ERROR(ValidateText(name, kMaxNameBytes, "workspace name", false));
  const int64_t now = clock_.UnixMillis();
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    return tx
        .Exec(
            "INSERT INTO workspaces (team_id, name, created_at, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (team_id) DO UPDATE SET name = excluded.name, "
            "updated_at = excluded.updated_at",
            {Text(team_id), Bytes(name), now, now})
        .status();
  });
}

Status Store::UpsertPerson(const UserRef& user, const std::string& display_name) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(user, "person"));
  FAQBOT_RETURN_IF_ERROR(ValidateText(display_name, kMaxNameBytes, "display name", false));
  const int64_t now = clock_.UnixMillis();
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, user, now));
    return tx
        .Exec(
            "UPDATE people SET display_name = ?, updated_at = ? WHERE team_id = ? AND "
            "user_id = ?",
            {Bytes(display_name), now, Text(user.team_id), Text(user.user_id)})
        .status();
  });
}

Result<std::vector<std::string>> Store::TeamsOfUser(const std::string& user_id) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(user_id, "user id"));
  std::vector<std::string> teams;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    teams.clear();
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec("SELECT team_id FROM people WHERE user_id = ? ORDER BY team_id", {Text(user_id)}));
    for (const auto& row : rows) teams.push_back(row[0].str());
    return Status::Ok();
  }));
  return teams;
}

Result<std::optional<Person>> Store::GetPerson(const UserRef& user) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(user, "person"));
  std::optional<Person> person;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT display_name, updated_at FROM people "
                                               "WHERE team_id = ? AND user_id = ?",
                                               {Text(user.team_id), Text(user.user_id)}));
    if (!rows.empty()) person = Person{user, rows[0][0].str(), rows[0][1].Int()};
    return Status::Ok();
  }));
  return person;
}

// ---- owner settings ----

Result<OwnerSettings> Store::GetOwnerSettings(const UserRef& owner) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  OwnerSettings settings;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT learn FROM owner_settings "
                                               "WHERE team_id = ? AND owner_id = ?",
                                               {Text(owner.team_id), Text(owner.user_id)}));
    settings = OwnerSettings{};
    if (!rows.empty()) settings.learn = rows[0][0].Int() != 0;
    return Status::Ok();
  }));
  return settings;
}

Status Store::SetOwnerSettings(const UserRef& owner, const OwnerSettings& settings) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  const int64_t now = clock_.UnixMillis();
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, owner, now));
    return tx
        .Exec(
            "INSERT INTO owner_settings (team_id, owner_id, learn, updated_at) VALUES (?, ?, ?, "
            "?) ON CONFLICT (team_id, owner_id) DO UPDATE SET learn = excluded.learn, "
            "updated_at = excluded.updated_at",
            {Text(owner.team_id), Text(owner.user_id), int64_t{settings.learn ? 1 : 0}, now})
        .status();
  });
}

// ---- publication notifications ----

Status Store::SubscribePublications(PublicationListener listener) {
  bool start_listening = false;
  {
    std::lock_guard lock(listeners_mu_);
    listeners_.push_back(std::move(listener));
    start_listening = !listening_ && backend_->dialect().notifies_other_processes;
    if (start_listening) listening_ = true;
  }
  if (!start_listening) return Status::Ok();
  return backend_->Listen(std::string(kPublicationChannel), [this](std::string_view payload) {
    // payload: "<team> <user> <version>"; empty: resynchronise everything.
    std::istringstream in{std::string(payload)};
    UserRef owner;
    int64_t version = 0;
    if (!payload.empty() && !(in >> owner.team_id >> owner.user_id >> version)) {
      LogWarn("store: ignoring malformed publication notification");
      return;
    }
    std::vector<PublicationListener> listeners;
    {
      std::lock_guard lock(listeners_mu_);
      listeners = listeners_;
    }
    for (const auto& l : listeners) l(owner, version);
  });
}

void Store::AnnouncePublication(const UserRef& owner, int64_t version) {
  // PostgreSQL delivers our own NOTIFY back to us; other engines are told here.
  if (backend_->dialect().notifies_other_processes) return;
  std::vector<PublicationListener> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& l : listeners) l(owner, version);
}

// ---- conversation state ----

Result<std::optional<Conversation>> Store::GetConversation(const UserRef& user) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(user, "conversation"));
  std::optional<Conversation> conversation;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec("SELECT state, version, updated_at FROM conversations "
                                    "WHERE team_id = ? AND user_id = ?",
                                    {Text(user.team_id), Text(user.user_id)}));
    if (!rows.empty()) {
      conversation = Conversation{user, rows[0][0].str(), rows[0][1].Int(), rows[0][2].Int()};
    }
    return Status::Ok();
  }));
  return conversation;
}

Result<int64_t> Store::SaveConversation(const UserRef& user, const std::string& state,
                                        int64_t expected_version) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(user, "conversation"));
  FAQBOT_RETURN_IF_ERROR(
      ValidateText(state, kMaxConversationStateBytes, "conversation state", false));
  const int64_t now = clock_.UnixMillis();
  int64_t version = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    SqlRows rows;
    if (expected_version == 0) {
      FAQBOT_ASSIGN_OR_RETURN(
          rows, tx.Exec("INSERT INTO conversations (team_id, user_id, state, version, updated_at) "
                        "VALUES (?, ?, ?, 1, ?) ON CONFLICT (team_id, user_id) DO NOTHING "
                        "RETURNING version",
                        {Text(user.team_id), Text(user.user_id), Bytes(state), now}));
    } else {
      FAQBOT_ASSIGN_OR_RETURN(
          rows,
          tx.Exec("UPDATE conversations SET state = ?, version = version + 1, "
                  "updated_at = ? WHERE team_id = ? AND user_id = ? AND version = ? "
                  "RETURNING version",
                  {Bytes(state), now, Text(user.team_id), Text(user.user_id), expected_version}));
    }
    if (rows.empty()) {
      return AbortedError("the conversation changed since version " +
                          std::to_string(expected_version));
    }
    version = rows[0][0].Int();
    return Status::Ok();
  }));
  return version;
}

Status Store::DeleteConversation(const UserRef& user) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(user, "conversation"));
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    return tx
        .Exec("DELETE FROM conversations WHERE team_id = ? AND user_id = ?",
              {Text(user.team_id), Text(user.user_id)})
        .status();
  });
}

// ---- Slack event dedup ----

Result<bool> Store::MarkEventIfNew(const std::string& event_id, std::chrono::milliseconds ttl) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(event_id, "event id"));
  const int64_t now = clock_.UnixMillis();
  bool is_new = false;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("INSERT INTO slack_events (event_id, expires_at) VALUES (?, ?) "
                           "ON CONFLICT (event_id) DO UPDATE SET expires_at = excluded.expires_at "
                           "WHERE slack_events.expires_at <= ? RETURNING event_id",
                           {Text(event_id), now + ttl.count(), now}));
    is_new = !rows.empty();
    return Status::Ok();
  }));
  return is_new;
}

Result<int> Store::PurgeExpiredEvents() {
  FAQBOT_ASSIGN_OR_RETURN(
      int64_t purged,
      internal::CountWritten(*backend_,
                             "DELETE FROM slack_events WHERE expires_at <= ? RETURNING event_id",
                             {clock_.UnixMillis()}));
  return static_cast<int>(purged);
}

}  // namespace faqbot::store
