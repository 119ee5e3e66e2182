// Installations: which bot token speaks to which Slack workspace. With OAuth (one deployment,
// many workspaces) every workspace that installed the app has its own bot token, kept sealed in
// the Store (secret_box.h); an Enterprise Grid org-wide install serves every workspace of the
// organisation. Without an installation for a workspace, the single SLACK_BOT_TOKEN (when set)
// is used, as for a deployment in one workspace.
//
// Opened tokens are cached in memory for `cache_ttl` (a reply does not cost a database read and
// a decryption), and dropped at once on uninstall. Which organisation a workspace belongs to is
// learnt from its events (NoteEnterprise): Slack names the organisation on every event, and an
// org-wide install is found by it. The link is also kept in the Store, so that a restarted
// process, or another one on the same database taking over a dead one's outbox, delivers to a
// workspace of the organisation before any new event of it arrives.
//
// Thread-safe; no lock is held across a Store call. The Store, box and clock must outlive it.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "server/secret_box.h"
#include "slack/web_api_client.h"
#include "store/store.h"

namespace faqbot::server {

struct InstallationsOptions {
  // SLACK_BOT_TOKEN: the token of workspaces without an installation; empty: none.
  std::string default_bot_token;
  // How long an opened token is used without reading the Store again.
  std::chrono::milliseconds cache_ttl{60'000};
};

class Installations {
 public:
  // `box`: the key tokens are sealed with; nullptr without OAuth (then only the default token
  // exists and Save fails).
  Installations(store::Store& store, const SecretBox* box, const Clock& clock,
                InstallationsOptions options = {});
  Installations(const Installations&) = delete;
  Installations& operator=(const Installations&) = delete;

  // The bot token for workspace `team_id`: its installation's (or its organisation's), else the
  // default one. Errors: NotFound when the workspace has neither (not installed, or uninstalled);
  // DataLoss when the stored token does not open (FAQBOT_SECRET_KEY changed); the Store's.
  Result<std::string> BotToken(const std::string& team_id);

  // Drops the cached token of workspace `team_id`, so the next BotToken reads the Store again:
  // Slack refused it (invalid_auth, token_revoked), most likely because another process
  // installed a new one or recorded an uninstall.
  void ForgetCachedToken(const std::string& team_id);

  // Whether the key opens the stored tokens: FailedPrecondition when there are installations
  // and it opens none of them (FAQBOT_SECRET_KEY is not the key they were sealed with: every
  // reply to those workspaces would be dropped); each one it cannot open, among others it
  // can, is logged. OK without a box or installations. Errors: the Store's.
  Status CheckKey();

  // Records that workspace `team_id` belongs to organisation `enterprise_id` (both from an
  // event): at once in memory and, with OAuth (a box), in the Store for every process; the Store
  // is written once per workspace and process, not on every event. Empty ids are ignored.
  // Errors: the Store's (the link is still used by this process, and written again with the
  // workspace's next event).
  Status NoteEnterprise(const std::string& team_id, const std::string& enterprise_id);

  // Seals the token of `access` (oauth.v2.access) and stores the installation, `bot_id` (from
  // auth.test) included, replacing the earlier one of the workspace or organisation. Errors:
  // FailedPrecondition without a box; the Store's.
  Status Save(const slack::OAuthAccess& access, const std::string& bot_id);

  // Deletes the installation of workspace `team_id` or, when `org_wide`, of organisation
  // `enterprise_id`, and forgets its cached tokens: the app was uninstalled or its tokens
  // revoked. The workspace's topics stay. True when there was one. Errors: the Store's.
  Result<bool> Uninstall(const std::string& team_id, const std::string& enterprise_id,
                         bool org_wide);

 private:
  struct Cached {
    std::string token;
    Clock::TimePoint expires;
  };
  struct Organisation {
    std::string enterprise_id;
    bool stored = false;  // recorded in the Store by this process
  };
  std::string EnterpriseOf(const std::string& team_id);

  store::Store& store_;
  const SecretBox* box_;
  const Clock& clock_;
  InstallationsOptions options_;
  std::mutex mu_;
  std::map<std::string, Cached> tokens_;           // team → opened token
  std::map<std::string, Organisation> enterprise_;  // team → organisation
};

}  // namespace faqbot::server
