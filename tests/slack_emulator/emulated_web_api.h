// EmulatedWebApi: the Web API methods of the loopback Slack, as plain request → answer logic
// (no sockets). SlackEmulator feeds it the parsed request and sends back what it returns.
//
// Answers follow Slack's shapes (docs.slack.dev method pages): HTTP 200 with `ok` true or
// `{"ok":false,"error":code}`. Ids are deterministic: message ts count up from
// "1700000000.000100", the DM with user U… is "D" + the id without its first letter. A trigger_id
// opens one view (`trigger_exchanged` the second time).
// Not thread-safe: the emulator calls it under its lock.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "slack_emulator.h"

namespace faqbot::slack_emulator {

struct WebApiAnswer {
  int http_status = 200;
  nlohmann::json body;
};

// The arguments of a request: a JSON object body, or form fields (`application/x-www-form-
// urlencoded`), merged over query parameters. Form values that hold JSON (`blocks`, `view`) stay
// strings; the handlers decode them. A body that cannot be decoded gives a null json.
nlohmann::json ParseRequestArgs(std::string_view content_type, std::string_view body,
                                std::string_view query);

class EmulatedWebApi {
 public:
  explicit EmulatedWebApi(const SlackEmulatorOptions& options);

  // Where apps.connections.open points clients: "ws://127.0.0.1:PORT/link/".
  void set_socket_url_prefix(std::string prefix) { socket_url_prefix_ = std::move(prefix); }
  void AddUser(EmulatedUser user, const std::string& team_id);
  // The workspace whose bot token `token` is; empty for any other token.
  std::string TeamOfToken(const std::string& token) const;
  void AddWorkspace(EmulatedWorkspace workspace);
  std::string NewOAuthCode(const std::string& team_id, const std::string& redirect_uri,
                           const std::string& installer, bool org_wide);

  // Answers `method` for a caller presenting `token` (empty when none).
  WebApiAnswer Handle(const std::string& method, const nlohmann::json& args,
                      const std::string& token);

  // Socket Mode tickets: true (and the ticket is used up) when `ticket` was issued and unused.
  bool RedeemTicket(const std::string& ticket);

 private:
  struct OAuthCode {
    std::string team_id;
    std::string redirect_uri;
    std::string installer;
    bool org_wide = false;
  };
  nlohmann::json NextTs();
  WebApiAnswer PostMessage(const nlohmann::json& args, const EmulatedWorkspace& ws);
  WebApiAnswer OAuthV2Access(const nlohmann::json& args);
  // The bot methods, answered as workspace `ws`.
  WebApiAnswer BotMethod(const std::string& method, const nlohmann::json& args,
                         const EmulatedWorkspace& ws);

  const SlackEmulatorOptions& options_;
  std::string socket_url_prefix_;
  std::map<std::string, EmulatedWorkspace> workspaces_;  // bot token → workspace
  std::map<std::string, OAuthCode> codes_;               // unused codes
  std::map<std::string, EmulatedUser> users_;            // "team/user" → user
  std::map<std::string, std::string> messages_;  // "channel/ts" → text
  std::set<std::string> tickets_;
  std::set<std::string> used_triggers_;  // views.open: a trigger_id works once
  uint64_t next_ts_ = 100;
  uint64_t next_id_ = 1;
};

}  // namespace faqbot::slack_emulator
