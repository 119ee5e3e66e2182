// Store: the web console's one-time sign-in links and sessions (by the hash of their secrets).
#include "store/store.h"
#include "store/store_rows.h"

namespace faqbot::store {

using internal::EnsurePerson;
using internal::ValidateUser;

namespace {

constexpr const char* kSessionColumns = "id, team_id, owner_id, created_at, expires_at";

ConsoleSession SessionFromRow(const SqlRow& row) {
  ConsoleSession session;
  session.id = row[0].Int();
  session.owner = {row[1].str(), row[2].str()};
  session.created_at = row[3].Int();
  session.expires_at = row[4].Int();
  return session;
}

Status ValidateSecret(const std::string& hash, std::chrono::milliseconds ttl) {
  if (hash.empty()) return InvalidArgumentError("empty secret hash");
  if (ttl.count() <= 0) return InvalidArgumentError("a sign-in lifetime must be positive");
  return Status::Ok();
}

}  // namespace

Status Store::AddConsoleLink(const UserRef& owner, const std::string& link_hash,
                             std::chrono::milliseconds ttl) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  FAQBOT_RETURN_IF_ERROR(ValidateSecret(link_hash, ttl));
  const int64_t now = clock_.UnixMillis();
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, owner, now));
    return tx
        .Exec("INSERT INTO console_links (team_id, owner_id, secret_hash, created_at, "
              "expires_at) VALUES (?, ?, ?, ?, ?)",
              {Text(owner.team_id), Text(owner.user_id), Text(link_hash), now,
               now + ttl.count()})
        .status();
  });
}

Result<std::optional<ConsoleSession>> Store::RedeemConsoleLink(
    const std::string& link_hash, const std::string& session_hash,
    std::chrono::milliseconds session_ttl) {
  FAQBOT_RETURN_IF_ERROR(ValidateSecret(link_hash, session_ttl));
  FAQBOT_RETURN_IF_ERROR(ValidateSecret(session_hash, session_ttl));
  const int64_t now = clock_.UnixMillis();
  std::optional<ConsoleSession> opened;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    opened.reset();
    // One conditional UPDATE: of concurrent redeemers only one sees the row still unused.
    FAQBOT_ASSIGN_OR_RETURN(
        auto used, tx.Exec("UPDATE console_links SET used_at = ? WHERE secret_hash = ? AND "
                           "used_at IS NULL AND expires_at > ? RETURNING team_id, owner_id",
                           {now, Text(link_hash), now}));
    if (used.empty()) return Status::Ok();
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec(std::string("INSERT INTO console_sessions (team_id, owner_id, secret_hash, "
                            "created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING ") +
                    kSessionColumns,
                {Text(used[0][0].str()), Text(used[0][1].str()), Text(session_hash), now,
                 now + session_ttl.count()}));
    if (rows.empty()) return InternalError("insert returned no row");
    opened = SessionFromRow(rows[0]);
    return Status::Ok();
  }));
  return opened;
}

Result<std::optional<ConsoleSession>> Store::FindConsoleSession(const std::string& session_hash) {
  const int64_t now = clock_.UnixMillis();
  std::optional<ConsoleSession> found;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec(std::string("SELECT ") + kSessionColumns +
                               " FROM console_sessions WHERE secret_hash = ? AND expires_at > ?",
                           {Text(session_hash), now}));
    found.reset();
    if (!rows.empty()) found = SessionFromRow(rows[0]);
    return Status::Ok();
  }));
  return found;
}

Status Store::RevokeConsoleSession(const std::string& session_hash) {
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    return tx.Exec("DELETE FROM console_sessions WHERE secret_hash = ?", {Text(session_hash)})
        .status();
  });
}

Result<int> Store::RevokeConsoleSessions(const UserRef& owner) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  const int64_t now = clock_.UnixMillis();
  int revoked = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("DELETE FROM console_sessions WHERE team_id = ? AND owner_id = ? "
                           "RETURNING expires_at",
                           {Text(owner.team_id), Text(owner.user_id)}));
    revoked = 0;
    for (const auto& row : rows) revoked += row[0].Int() > now ? 1 : 0;
    return tx
        .Exec("DELETE FROM console_links WHERE team_id = ? AND owner_id = ? AND used_at IS NULL",
              {Text(owner.team_id), Text(owner.user_id)})
        .status();
  }));
  return revoked;
}

Result<int> Store::PurgeExpiredConsoleSignIns() {
  const int64_t now = clock_.UnixMillis();
  int purged = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto links, tx.Exec("DELETE FROM console_links WHERE expires_at <= ? RETURNING id", {now}));
    FAQBOT_ASSIGN_OR_RETURN(
        auto sessions,
        tx.Exec("DELETE FROM console_sessions WHERE expires_at <= ? RETURNING id", {now}));
    purged = static_cast<int>(links.size() + sessions.size());
    return Status::Ok();
  }));
  return purged;
}

}  // namespace faqbot::store
