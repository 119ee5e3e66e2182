// Store: API tokens (by hash) and the count of an owner's active publish jobs.
#include "store/limits.h"
#include "store/store.h"
#include "store/store_rows.h"

namespace faqbot::store {

using internal::EnsurePerson;
using internal::ValidateUser;

namespace {

constexpr const char* kTokenColumns = "id, team_id, owner_id, name, created_at, last_used_at";

ApiToken TokenFromRow(const SqlRow& row) {
  ApiToken token;
  token.id = row[0].Int();
  token.owner = {row[1].str(), row[2].str()};
  token.name = row[3].str();
  token.created_at = row[4].Int();
  token.last_used_at = row[5].OptInt().value_or(0);
  return token;
}

}  // namespace

Result<ApiToken> Store::AddApiToken(const UserRef& owner, const std::string& token_hash,
                                    const std::string& name, const std::string& form_key) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  if (token_hash.empty()) return InvalidArgumentError("empty token hash");
  if (name.size() > kMaxNameBytes || form_key.size() > kMaxNameBytes) {
    return InvalidArgumentError("token name or form key longer than " +
                                std::to_string(kMaxNameBytes) + " bytes");
  }
  const int64_t now = clock_.UnixMillis();
  ApiToken stored;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, owner, now));
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec(std::string("INSERT INTO api_tokens (team_id, owner_id, name, "
                            "token_hash, created_at, form_key) VALUES (?, ?, ?, ?, ?, ?) "
                            "RETURNING ") +
                    kTokenColumns,
                {Text(owner.team_id), Text(owner.user_id), Text(name), Text(token_hash), now,
                 OptionalText(form_key)}));
    if (rows.empty()) return InternalError("insert returned no row");
    stored = TokenFromRow(rows[0]);
    return Status::Ok();
  }));
  return stored;
}

Result<std::optional<ApiToken>> Store::FindApiToken(const std::string& token_hash) {
  std::optional<ApiToken> found;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kTokenColumns +
                                                   " FROM api_tokens WHERE token_hash = ?",
                                               {Text(token_hash)}));
    found.reset();
    if (!rows.empty()) found = TokenFromRow(rows[0]);
    return Status::Ok();
  }));
  return found;
}

Result<std::vector<ApiToken>> Store::ListApiTokens(const UserRef& owner) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  std::vector<ApiToken> tokens;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec(std::string("SELECT ") + kTokenColumns +
                               " FROM api_tokens WHERE team_id = ? AND owner_id = ? ORDER BY id",
                           {Text(owner.team_id), Text(owner.user_id)}));
    tokens.clear();
    for (const auto& row : rows) tokens.push_back(TokenFromRow(row));
    return Status::Ok();
  }));
  return tokens;
}

Status Store::TouchApiToken(int64_t id, int64_t at_millis) {
  return backend_->WithTransaction(TxMode::kWriteIfFree, [&](SqlTransaction& tx) {
    return tx.Exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {at_millis, id}).status();
  });
}

Status Store::RevokeApiToken(const UserRef& owner, int64_t id) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec("DELETE FROM api_tokens WHERE id = ? AND "
                                               "team_id = ? AND owner_id = ? RETURNING id",
                                               {id, Text(owner.team_id), Text(owner.user_id)}));
    if (rows.empty()) {
      return NotFoundError("token " + std::to_string(id) + " is not one of " + owner.team_id + "/" +
                           owner.user_id + "'s");
    }
    return Status::Ok();
  });
}

Result<int64_t> Store::CountActivePublishJobs(const UserRef& owner) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  int64_t count = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("SELECT COUNT(*) FROM publish_jobs WHERE team_id = ? AND owner_id = ? "
                           "AND status IN ('pending', 'running')",
                           {Text(owner.team_id), Text(owner.user_id)}));
    count = rows.empty() ? 0 : rows[0][0].Int();
    return Status::Ok();
  }));
  return count;
}

Result<int64_t> Store::CountActivePublishJobs() {
  int64_t count = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec("SELECT COUNT(*) FROM publish_jobs WHERE status IN ('pending', 'running')", {}));
    count = rows.empty() ? 0 : rows[0][0].Int();
    return Status::Ok();
  }));
  return count;
}

}  // namespace faqbot::store
