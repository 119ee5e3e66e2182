#include "fixtures.h"

namespace faqbot::slack_emulator::fixtures {
namespace {

using nlohmann::json;

json RichTextBlock(const std::string& text) {
  return json::array(
      {{{"type", "rich_text"},
        {"block_id", "rt1"},
        {"elements",
         json::array({{{"type", "rich_text_section"},
                       {"elements", json::array({{{"type", "text"}, {"text", text}}})}}})}}});
}

}  // namespace

json MessageImEvent(const std::string& user, const std::string& channel, const std::string& text,
                    const std::string& ts, const std::string& thread_ts) {
  json event = AppMentionEvent(user, channel, text, ts);
  event["type"] = "message";
  event["channel_type"] = "im";
  if (!thread_ts.empty()) {
    event["thread_ts"] = thread_ts;
    event["parent_user_id"] = kBotUserId;
  }
  return event;
}

json ChannelMessageEvent(const std::string& user, const std::string& channel,
                         const std::string& text, const std::string& ts,
                         const std::string& thread_ts) {
  json event = AppMentionEvent(user, channel, text, ts);
  event["type"] = "message";
  event["channel_type"] = "channel";
  if (!thread_ts.empty()) {
    event["thread_ts"] = thread_ts;
    event["parent_user_id"] = user;
  }
  return event;
}

json AppMentionEvent(const std::string& user, const std::string& channel, const std::string& text,
                     const std::string& ts) {
  return {
      {"client_msg_id", "8c0d7e44-2b9f-4f0a-b1c3-" + ts.substr(ts.size() > 6 ? ts.size() - 6 : 0)},
      {"type", "app_mention"},
      {"text", text},
      {"user", user},
      {"ts", ts},
      {"blocks", RichTextBlock(text)},
      {"team", kTeamId},
      {"channel", channel},
      {"event_ts", ts}};
}

json OwnBotMessageEvent(const std::string& channel, const std::string& text,
                        const std::string& ts) {
  return {{"type", "message"},
          {"text", text},
          {"user", kBotUserId},
          {"bot_id", "B0FAQBOT"},
          {"app_id", kAppId},
          {"bot_profile",
           {{"id", "B0FAQBOT"},
            {"app_id", kAppId},
            {"name", "faqbot"},
            {"deleted", false},
            {"team_id", kTeamId}}},
          {"ts", ts},
          {"team", kTeamId},
          {"channel", channel},
          {"event_ts", ts},
          {"channel_type", channel.starts_with("D") ? "im" : "channel"}};
}

json EventCallback(const json& event, const std::string& event_id) {
  return {{"token", "verification-token-deprecated"},
          {"team_id", kTeamId},
          {"api_app_id", kAppId},
          {"event", event},
          {"type", "event_callback"},
          {"event_id", event_id},
          {"event_time", 1700000000},
          {"authorizations", json::array({{{"enterprise_id", nullptr},
                                           {"team_id", kTeamId},
                                           {"user_id", kBotUserId},
                                           {"is_bot", true},
                                           {"is_enterprise_install", false}}})},
          {"is_ext_shared_channel", false},
          {"event_context", "4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMEVNVUxBVE9SIn0"}};
}

json UrlVerification(const std::string& challenge) {
  return {{"token", "verification-token-deprecated"},
          {"challenge", challenge},
          {"type", "url_verification"}};
}

json SlashCommand(const std::string& command, const std::string& text, const std::string& user,
                  const std::string& channel, const std::string& response_url) {
  return {{"token", "verification-token-deprecated"},
          {"team_id", kTeamId},
          {"team_domain", "emulated"},
          {"channel_id", channel},
          {"channel_name", channel.starts_with("D") ? "directmessage" : "general"},
          {"user_id", user},
          {"user_name", "someone"},
          {"command", command},
          {"text", text},
          {"api_app_id", kAppId},
          {"is_enterprise_install", "false"},
          {"response_url", response_url},
          {"trigger_id", "1700000000.1234567890.0f1e2d3c4b5a69788796a5b4c3d2e1f0"}};
}

json BlockActionsButton(const std::string& action_id, const std::string& value,
                        const std::string& user, const std::string& channel,
                        const std::string& message_ts, const std::string& response_url) {
  return {
      {"type", "block_actions"},
      {"user", {{"id", user}, {"username", "someone"}, {"name", "someone"}, {"team_id", kTeamId}}},
      {"api_app_id", kAppId},
      {"token", "verification-token-deprecated"},
      {"container",
       {{"type", "message"},
        {"message_ts", message_ts},
        {"channel_id", channel},
        {"is_ephemeral", false}}},
      {"trigger_id", "1700000001.1234567890.aa11bb22cc33dd44ee55ff6677889900"},
      {"team", {{"id", kTeamId}, {"domain", "emulated"}}},
      {"enterprise", nullptr},
      {"is_enterprise_install", false},
      {"channel", {{"id", channel}, {"name", "directmessage"}}},
      {"message",
       {{"type", "message"},
        {"user", kBotUserId},
        {"bot_id", "B0FAQBOT"},
        {"text", "answer"},
        {"ts", message_ts}}},
      {"state", {{"values", json::object()}}},
      {"response_url", response_url},
      {"actions",
       json::array({{{"action_id", action_id},
                     {"block_id", "feedback"},
                     {"text", {{"type", "plain_text"}, {"text", "Helpful"}, {"emoji", true}}},
                     {"value", value},
                     {"type", "button"},
                     {"action_ts", "1700000002.000200"}}})}};
}

json ViewSubmission(const std::string& callback_id, const std::string& user,
                    const std::string& block_id, const std::string& action_id,
                    const std::string& value) {
  return {
      {"type", "view_submission"},
      {"team", {{"id", kTeamId}, {"domain", "emulated"}}},
      {"user", {{"id", user}, {"username", "someone"}, {"name", "someone"}, {"team_id", kTeamId}}},
      {"api_app_id", kAppId},
      {"token", "verification-token-deprecated"},
      {"trigger_id", "1700000003.1234567890.0011223344556677889900aabbccddee"},
      {"view",
       {{"id", "V0MODAL"},
        {"team_id", kTeamId},
        {"type", "modal"},
        {"callback_id", callback_id},
        {"private_metadata", ""},
        {"hash", "1700000003.abcdef"},
        {"state",
         {{"values",
           {{block_id, {{action_id, {{"type", "plain_text_input"}, {"value", value}}}}}}}}}}},
      {"response_urls", json::array()},
      {"is_enterprise_install", false}};
}

json BlockActionsInHome(const std::string& action_id, const std::string& value,
                        const std::string& user, const std::string& trigger_id) {
  return {
      {"type", "block_actions"},
      {"user", {{"id", user}, {"username", "someone"}, {"name", "someone"}, {"team_id", kTeamId}}},
      {"api_app_id", kAppId},
      {"token", "verification-token-deprecated"},
      {"container", {{"type", "view"}, {"view_id", "V0HOME"}}},
      {"trigger_id", trigger_id},
      {"team", {{"id", kTeamId}, {"domain", "emulated"}}},
      {"is_enterprise_install", false},
      {"view",
       {{"id", "V0HOME"}, {"team_id", kTeamId}, {"type", "home"}, {"hash", "1700000004.abc"}}},
      {"actions",
       json::array({{{"action_id", action_id},
                     {"block_id", "home"},
                     {"text", {{"type", "plain_text"}, {"text", "Button"}, {"emoji", true}}},
                     {"value", value},
                     {"type", "button"},
                     {"action_ts", "1700000004.000200"}}})}};
}

json AppHomeOpenedEvent(const std::string& user, const std::string& channel) {
  return {{"type", "app_home_opened"},
          {"user", user},
          {"channel", channel},
          {"tab", "home"},
          {"event_ts", "1700000005.000100"}};
}

json ViewSubmissionOf(const std::string& callback_id, const std::string& user,
                      const std::string& private_metadata,
                      const std::map<std::string, std::string>& inputs) {
  json payload = ViewSubmission(callback_id, user, "unused", "unused", "");
  payload["view"]["private_metadata"] = private_metadata;
  json values = json::object();
  for (const auto& [id, value] : inputs) {
    values[id] = {{id, {{"type", "plain_text_input"}, {"value", value}}}};
  }
  payload["view"]["state"]["values"] = std::move(values);
  return payload;
}

}  // namespace faqbot::slack_emulator::fixtures
