// Store: the app's OAuth installations (a sealed bot token per workspace or organisation), the
// organisation each workspace belongs to, and the OAuth states handed out and not yet used.
#include "store/store.h"
#include "store/store_rows.h"

namespace faqbot::store {

namespace {

constexpr const char* kInstallationColumns =
    "team_id, enterprise_id, is_enterprise_install, app_id, bot_user_id, bot_id, scopes, "
    "bot_token, installer_id, installed_at";

Installation InstallationFromRow(const SqlRow& row) {
  Installation i;
  i.team_id = row[0].str();
  i.enterprise_id = row[1].str();
  i.is_enterprise_install = row[2].Int() != 0;
  i.app_id = row[3].str();
  i.bot_user_id = row[4].str();
  i.bot_id = row[5].str();
  i.scopes = row[6].str();
  i.sealed_bot_token = row[7].str();
  i.installer_id = row[8].str();
  i.installed_at = row[9].Int();
  return i;
}

}  // namespace

Status Store::SaveInstallation(const Installation& in) {
  if (in.is_enterprise_install ? in.enterprise_id.empty() : in.team_id.empty()) {
    return InvalidArgumentError(in.is_enterprise_install
                                    ? "an org-wide installation needs an enterprise id"
                                    : "an installation needs a team id");
  }
  if (in.sealed_bot_token.empty()) return InvalidArgumentError("an installation needs a token");
  // Org-wide: one row per organisation whatever workspace it was installed from.
  const std::string team = in.is_enterprise_install ? "" : in.team_id;
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM slack_installations WHERE enterprise_id = ? AND team_id = ?",
                {Text(in.enterprise_id), Text(team)})
            .status());
    // A workspace moved into (or out of) an organisation keeps one row.
    if (!team.empty()) {
      FAQBOT_RETURN_IF_ERROR(
          tx.Exec("DELETE FROM slack_installations WHERE team_id = ?", {Text(team)}).status());
    }
    return tx
        .Exec(std::string("INSERT INTO slack_installations (") + kInstallationColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {Text(team), Text(in.enterprise_id), int64_t{in.is_enterprise_install ? 1 : 0},
               Text(in.app_id), Text(in.bot_user_id), Text(in.bot_id), Text(in.scopes),
               Bytes(in.sealed_bot_token), Text(in.installer_id), in.installed_at})
        .status();
  });
}

Result<std::optional<Installation>> Store::FindInstallation(const std::string& team_id,
                                                            const std::string& enterprise_id) {
  std::optional<Installation> found;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    found.reset();
    if (!team_id.empty()) {
      FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kInstallationColumns +
                                                     " FROM slack_installations WHERE team_id = ?",
                                                 {Text(team_id)}));
      if (!rows.empty()) {
        found = InstallationFromRow(rows[0]);
        return Status::Ok();
      }
    }
    std::string enterprise = enterprise_id;
    if (enterprise.empty() && !team_id.empty()) {
      // Not named by the caller (no event of the workspace seen by this process): the
      // organisation another process, or this one before a restart, recorded.
      FAQBOT_ASSIGN_OR_RETURN(
          auto linked,
          tx.Exec("SELECT enterprise_id FROM slack_workspace_enterprises WHERE team_id = ?",
                  {Text(team_id)}));
      if (!linked.empty()) enterprise = linked[0][0].str();
    }
    if (enterprise.empty()) return Status::Ok();
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec(std::string("SELECT ") + kInstallationColumns +
                                        " FROM slack_installations WHERE enterprise_id = ? AND "
                                        "team_id = '' AND is_enterprise_install = 1",
                                    {Text(enterprise)}));
    if (!rows.empty()) found = InstallationFromRow(rows[0]);
    return Status::Ok();
  }));
  return found;
}

Status Store::NoteWorkspaceEnterprise(const std::string& team_id,
                                      const std::string& enterprise_id) {
  if (team_id.empty() || enterprise_id.empty()) {
    return InvalidArgumentError("a workspace's organisation needs a team id and an enterprise id");
  }
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    return tx
        .Exec(
            "INSERT INTO slack_workspace_enterprises (team_id, enterprise_id, noted_at) "
            "VALUES (?, ?, ?) ON CONFLICT (team_id) DO UPDATE SET enterprise_id = "
            "excluded.enterprise_id, noted_at = excluded.noted_at",
            {Text(team_id), Text(enterprise_id), clock_.UnixMillis()})
        .status();
  });
}

Result<bool> Store::DeleteInstallation(const std::string& team_id,
                                       const std::string& enterprise_id) {
  bool deleted = false;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    Result<std::vector<SqlRow>> rows =
        team_id.empty()
            ? tx.Exec(
                  "DELETE FROM slack_installations WHERE enterprise_id = ? AND team_id = '' "
                  "RETURNING team_id",
                  {Text(enterprise_id)})
            : tx.Exec("DELETE FROM slack_installations WHERE team_id = ? RETURNING team_id",
                      {Text(team_id)});
    FAQBOT_RETURN_IF_ERROR(rows.status());
    deleted = !rows->empty();
    return Status::Ok();
  }));
  return deleted;
}

Result<std::vector<Installation>> Store::ListInstallations() {
  std::vector<Installation> out;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec(std::string("SELECT ") + kInstallationColumns +
                                        " FROM slack_installations ORDER BY is_enterprise_install, "
                                        "enterprise_id, team_id",
                                    {}));
    out.clear();
    for (const auto& row : rows) out.push_back(InstallationFromRow(row));
    return Status::Ok();
  }));
  return out;
}

Status Store::AddOAuthState(const std::string& state_hash, std::chrono::milliseconds ttl) {
  if (state_hash.empty()) return InvalidArgumentError("empty state hash");
  if (ttl.count() <= 0) return InvalidArgumentError("a state lifetime must be positive");
  const int64_t now = clock_.UnixMillis();
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM oauth_states WHERE expires_at <= ?", {now}).status());
    return tx
        .Exec("INSERT INTO oauth_states (state_hash, expires_at) VALUES (?, ?)",
              {Text(state_hash), now + ttl.count()})
        .status();
  });
}

Result<bool> Store::ConsumeOAuthState(const std::string& state_hash) {
  const int64_t now = clock_.UnixMillis();
  bool consumed = false;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    // One DELETE: of concurrent callers only one sees the row.
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("DELETE FROM oauth_states WHERE state_hash = ? RETURNING expires_at",
                           {Text(state_hash)}));
    consumed = !rows.empty() && rows[0][0].Int() > now;
    return Status::Ok();
  }));
  return consumed;
}

}  // namespace faqbot::store
