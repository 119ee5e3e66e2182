#include "emulated_web_api.h"

#include <cstdio>

#include "slack/form_decoding.h"

namespace faqbot::slack_emulator {
namespace {

using nlohmann::json;

WebApiAnswer Error(const std::string& code) { return {200, json{{"ok", false}, {"error", code}}}; }

std::string Str(const json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_null()) return "";
  return it->dump();
}

// `blocks` / `view` arrive as JSON in a JSON body, or as a JSON-encoded string in a form body.
json JsonArg(const json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end()) return nullptr;
  if (it->is_string()) {
    json parsed = json::parse(it->get<std::string>(), nullptr, false);
    return parsed.is_discarded() ? json() : parsed;
  }
  return *it;
}

bool IsBotMethod(const std::string& method) { return method != "apps.connections.open"; }

}  // namespace

json ParseRequestArgs(std::string_view content_type, std::string_view body,
                      std::string_view query) {
  json args = json::object();
  if (!query.empty()) {
    auto fields = slack::ParseForm(query);
    if (!fields.ok()) return nullptr;
    for (auto& [k, v] : *fields) args[k] = v;
  }
  if (body.empty()) return args;
  if (content_type.starts_with("application/json")) {
    json parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return nullptr;
    for (auto& [k, v] : parsed.items()) args[k] = v;
    return args;
  }
  auto fields = slack::ParseForm(body);
  if (!fields.ok()) return nullptr;
  for (auto& [k, v] : *fields) args[k] = v;
  return args;
}

EmulatedWebApi::EmulatedWebApi(const SlackEmulatorOptions& options) : options_(options) {
  workspaces_[options_.bot_token] = {
      options_.team_id,     options_.team,  "", "", options_.bot_token,
      options_.bot_user_id, options_.bot_id};
}

void EmulatedWebApi::AddUser(EmulatedUser user, const std::string& team_id) {
  std::string key = (team_id.empty() ? options_.team_id : team_id) + "/" + user.id;
  users_[key] = std::move(user);
}

std::string EmulatedWebApi::TeamOfToken(const std::string& token) const {
  auto it = workspaces_.find(token);
  return it == workspaces_.end() ? std::string() : it->second.team_id;
}

void EmulatedWebApi::AddWorkspace(EmulatedWorkspace workspace) {
  std::string token = workspace.bot_token;
  workspaces_[token] = std::move(workspace);
}

std::string EmulatedWebApi::NewOAuthCode(const std::string& team_id,
                                         const std::string& redirect_uri,
                                         const std::string& installer, bool org_wide) {
  std::string code = "oauth-code-" + std::to_string(next_id_++);
  codes_[code] = {team_id, redirect_uri, installer, org_wide};
  return code;
}

// oauth.v2.access as Slack answers it (docs.slack.dev/reference/methods/oauth.v2.access): the
// client's credentials, a code used once, the same redirect_uri as the authorize request.
WebApiAnswer EmulatedWebApi::OAuthV2Access(const json& args) {
  if (Str(args, "client_id") != options_.client_id) return Error("invalid_client_id");
  if (Str(args, "client_secret") != options_.client_secret) return Error("bad_client_secret");
  auto it = codes_.find(Str(args, "code"));
  if (it == codes_.end()) return Error("invalid_code");
  const OAuthCode code = it->second;
  codes_.erase(it);
  if (Str(args, "redirect_uri") != code.redirect_uri) return Error("bad_redirect_uri");
  for (const auto& [token, ws] : workspaces_) {
    if (ws.team_id != code.team_id) continue;
    json answer = {{"ok", true},
                   {"app_id", options_.app_id},
                   {"authed_user", {{"id", code.installer}}},
                   {"scope", "app_mentions:read,chat:write,commands,im:history,im:write"},
                   {"token_type", "bot"},
                   {"access_token", token},
                   {"bot_user_id", ws.bot_user_id},
                   {"team", {{"id", ws.team_id}, {"name", ws.team}}},
                   {"enterprise", nullptr},
                   {"is_enterprise_install", code.org_wide}};
    if (!ws.enterprise_id.empty()) {
      answer["enterprise"] = {{"id", ws.enterprise_id}, {"name", ws.enterprise}};
    }
    if (code.org_wide) answer["team"] = nullptr;
    return {200, answer};
  }
  return Error("invalid_code");
}

json EmulatedWebApi::NextTs() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "1700000000.%06llu", static_cast<unsigned long long>(next_ts_++));
  return buf;
}

bool EmulatedWebApi::RedeemTicket(const std::string& ticket) { return tickets_.erase(ticket) > 0; }

WebApiAnswer EmulatedWebApi::PostMessage(const json& args, const EmulatedWorkspace& ws) {
  const std::string channel = Str(args, "channel");
  if (channel.empty()) return Error("channel_not_found");
  const json blocks = JsonArg(args, "blocks");
  const std::string text = Str(args, "text");
  if (text.empty() && !blocks.is_array()) return Error("no_text");
  if (text.size() > 40'000) return Error("msg_too_long");
  if (blocks.is_array() && blocks.size() > 50) return Error("invalid_blocks");
  const json ts = NextTs();
  messages_[channel + "/" + ts.get<std::string>()] = text;
  json message = {
      {"type", "message"}, {"user", ws.bot_user_id}, {"bot_id", ws.bot_id}, {"text", text},
      {"ts", ts},          {"team", ws.team_id}};
  if (blocks.is_array()) message["blocks"] = blocks;
  if (args.contains("thread_ts")) message["thread_ts"] = Str(args, "thread_ts");
  return {200, json{{"ok", true}, {"channel", channel}, {"ts", ts}, {"message", message}}};
}

WebApiAnswer EmulatedWebApi::Handle(const std::string& method, const json& args,
                                    const std::string& token) {
  if (method == "oauth.v2.access") return OAuthV2Access(args);
  if (token.empty()) return Error("not_authed");
  auto ws = workspaces_.find(token);
  const bool bot = ws != workspaces_.end();
  const bool app = token == options_.app_token;
  if (!bot && !app) return Error("invalid_auth");
  if (IsBotMethod(method) != bot) return Error("not_allowed_token_type");
  if (!bot) {
    const std::string ticket = "ticket-" + std::to_string(next_id_++);
    tickets_.insert(ticket);
    return {200,
            json{{"ok", true},
                 {"url", socket_url_prefix_ + "?ticket=" + ticket + "&app_id=" + options_.app_id}}};
  }
  return BotMethod(method, args, ws->second);
}

WebApiAnswer EmulatedWebApi::BotMethod(const std::string& method, const json& args,
                                       const EmulatedWorkspace& ws) {
  if (method == "auth.test") {
    json answer = {{"ok", true},
                   {"url", "https://emulated.slack.com/"},
                   {"team", ws.team},
                   {"user", "faqbot"},
                   {"team_id", ws.team_id},
                   {"user_id", ws.bot_user_id},
                   {"bot_id", ws.bot_id},
                   {"is_enterprise_install", false}};
    if (!ws.enterprise_id.empty()) answer["enterprise_id"] = ws.enterprise_id;
    return {200, answer};
  }
  if (method == "chat.postMessage") return PostMessage(args, ws);
  if (method == "chat.update") {
    const std::string channel = Str(args, "channel");
    const std::string ts = Str(args, "ts");
    if (channel.empty()) return Error("channel_not_found");
    auto it = messages_.find(channel + "/" + ts);
    if (it == messages_.end()) return Error("message_not_found");
    it->second = Str(args, "text");
    return {200, json{{"ok", true}, {"channel", channel}, {"ts", ts}, {"text", it->second}}};
  }
  if (method == "chat.postEphemeral") {
    if (Str(args, "channel").empty()) return Error("channel_not_found");
    if (Str(args, "user").empty()) return Error("user_not_in_channel");
    if (Str(args, "text").empty() && !JsonArg(args, "blocks").is_array()) return Error("no_text");
    return {200, json{{"ok", true}, {"message_ts", NextTs()}}};
  }
  if (method == "conversations.open") {
    const std::string users = Str(args, "users");
    if (users.empty() || users.find(',') != std::string::npos) {
      return Error(users.empty() ? "users_list_not_supplied" : "not_supported");
    }
    const std::string id = "D" + users.substr(1);
    return {200, json{{"ok", true}, {"channel", {{"id", id}}}}};
  }
  if (method == "users.info") {
    // Only the users of the token's own workspace.
    auto it = users_.find(ws.team_id + "/" + Str(args, "user"));
    if (it == users_.end()) return Error("user_not_found");
    const EmulatedUser& u = it->second;
    const std::string& team_id = ws.team_id;
    return {200, json{{"ok", true},
                      {"user",
                       {{"id", u.id},
                        {"team_id", team_id},
                        {"name", u.name},
                        {"real_name", u.real_name},
                        {"deleted", false},
                        {"is_bot", u.is_bot},
                        {"tz", "Europe/London"},
                        {"profile",
                         {{"real_name", u.real_name},
                          {"display_name", u.display_name},
                          {"team", team_id}}}}}}};
  }
  if (method == "views.publish" || method == "views.open") {
    json view = JsonArg(args, "view");
    if (!view.is_object() || !view.contains("type")) return Error("invalid_arguments");
    if (method == "views.publish" && Str(args, "user_id").empty())
      return Error("invalid_arguments");
    if (method == "views.open") {
      const std::string trigger = Str(args, "trigger_id");
      if (trigger.empty()) return Error("invalid_trigger");
      if (!used_triggers_.insert(trigger).second) return Error("trigger_exchanged");
    }
    view["id"] = "V" + std::to_string(1000 + next_id_++);
    view["hash"] = std::to_string(next_id_) + ".emulated";
    view["team_id"] = ws.team_id;
    view["app_id"] = options_.app_id;
    return {200, json{{"ok", true}, {"view", view}}};
  }
  return Error("unknown_method");
}

}  // namespace faqbot::slack_emulator
