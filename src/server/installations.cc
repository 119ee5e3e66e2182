#include "server/installations.h"

#include <optional>

#include "common/logging.h"

namespace faqbot::server {

Installations::Installations(store::Store& store, const SecretBox* box, const Clock& clock,
                             InstallationsOptions options)
    : store_(store), box_(box), clock_(clock), options_(std::move(options)) {}

std::string Installations::EnterpriseOf(const std::string& team_id) {
  std::lock_guard lock(mu_);
  auto it = enterprise_.find(team_id);
  // Unknown here: the Store's FindInstallation falls back to the link recorded there.
  return it == enterprise_.end() ? std::string() : it->second.enterprise_id;
}

Status Installations::NoteEnterprise(const std::string& team_id, const std::string& enterprise_id) {
  if (team_id.empty() || enterprise_id.empty()) return Status::Ok();
  {
    std::lock_guard lock(mu_);
    auto it = enterprise_.find(team_id);
    if (it != enterprise_.end() && it->second.enterprise_id == enterprise_id && it->second.stored) {
      return Status::Ok();
    }
    // Bounded by the workspaces that write to the app; a runaway map is cleared, not grown.
    if (it == enterprise_.end() && enterprise_.size() > 100'000) enterprise_.clear();
    enterprise_[team_id] = {enterprise_id, false};
  }
  // Without OAuth there is no installation to find by organisation.
  if (box_ == nullptr) return Status::Ok();
  FAQBOT_RETURN_IF_ERROR(store_.NoteWorkspaceEnterprise(team_id, enterprise_id));
  std::lock_guard lock(mu_);
  if (auto it = enterprise_.find(team_id);
      it != enterprise_.end() && it->second.enterprise_id == enterprise_id) {
    it->second.stored = true;
  }
  return Status::Ok();
}

Result<std::string> Installations::BotToken(const std::string& team_id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = tokens_.find(team_id); it != tokens_.end() && it->second.expires > clock_.Now()) {
      return it->second.token;
    }
  }
  std::optional<store::Installation> found;
  if (box_ != nullptr) {
    FAQBOT_ASSIGN_OR_RETURN(found, store_.FindInstallation(team_id, EnterpriseOf(team_id)));
  }
  if (!found) {
    if (options_.default_bot_token.empty()) {
      return NotFoundError("workspace " + team_id +
                           " has not installed the app (open /slack/install to add it)");
    }
    return options_.default_bot_token;
  }
  FAQBOT_ASSIGN_OR_RETURN(std::string token, box_->Open(found->sealed_bot_token));
  std::lock_guard lock(mu_);
  if (tokens_.size() > 10'000) tokens_.clear();
  tokens_[team_id] = {token, clock_.Now() + options_.cache_ttl};
  return token;
}

void Installations::ForgetCachedToken(const std::string& team_id) {
  std::lock_guard lock(mu_);
  tokens_.erase(team_id);
}

Status Installations::CheckKey() {
  if (box_ == nullptr) return Status::Ok();
  FAQBOT_ASSIGN_OR_RETURN(const std::vector<store::Installation> installed,
                          store_.ListInstallations());
  size_t opened = 0;
  for (const auto& in : installed) {
    if (box_->Open(in.sealed_bot_token).ok()) {
      ++opened;
    } else {
      LogWarn("installations: the bot token of {} does not open with FAQBOT_SECRET_KEY",
              in.team_id.empty() ? "organisation " + in.enterprise_id : "workspace " + in.team_id);
    }
  }
  if (!installed.empty() && opened == 0) {
    return FailedPreconditionError(
        "FAQBOT_SECRET_KEY does not open the bot token of any of the " +
        std::to_string(installed.size()) +
        " stored installation(s): they were sealed with another key. Start with the key they "
        "were installed with (or install the app again in each workspace under this key).");
  }
  return Status::Ok();
}

Status Installations::Save(const slack::OAuthAccess& access, const std::string& bot_id) {
  if (box_ == nullptr) return FailedPreconditionError("no FAQBOT_SECRET_KEY to seal tokens with");
  store::Installation in;
  in.team_id = access.is_enterprise_install ? "" : access.team_id;
  in.enterprise_id = access.enterprise_id;
  in.is_enterprise_install = access.is_enterprise_install;
  in.app_id = access.app_id;
  in.bot_user_id = access.bot_user_id;
  in.bot_id = bot_id;
  in.scopes = access.scope;
  in.sealed_bot_token = box_->Seal(access.access_token);
  in.installer_id = access.authed_user_id;
  in.installed_at = clock_.UnixMillis();
  FAQBOT_RETURN_IF_ERROR(store_.SaveInstallation(in));
  std::lock_guard lock(mu_);
  tokens_.clear();  // a reinstall's new token replaces the old one at once
  if (!access.team_id.empty() && !access.enterprise_id.empty()) {
    enterprise_[access.team_id] = {access.enterprise_id, false};
  }
  return Status::Ok();
}

Result<bool> Installations::Uninstall(const std::string& team_id, const std::string& enterprise_id,
                                      bool org_wide) {
  FAQBOT_ASSIGN_OR_RETURN(bool deleted,
                          store_.DeleteInstallation(org_wide ? "" : team_id, enterprise_id));
  std::lock_guard lock(mu_);
  if (org_wide) {
    tokens_.clear();  // every workspace of the organisation
  } else {
    tokens_.erase(team_id);
  }
  return deleted;
}

}  // namespace faqbot::server
