// Payloads in the shapes Slack sends (modelled on the official SDKs' test fixtures and the
// docs.slack.dev examples; ids and texts are ours). Used by integration tests to feed the
// emulator's Socket Mode envelopes and the signed HTTP requests. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <map>
#include <string>

namespace faqbot::slack_emulator::fixtures {

inline constexpr const char* kTeamId = "T0EMULATOR";
inline constexpr const char* kAppId = "A0FAQBOT";
inline constexpr const char* kBotUserId = "U0FAQBOT";

// Inner event: a direct message to the bot (message.im).
// With `thread_ts`, a reply in the thread of the app's message posted at that ts.
nlohmann::json MessageImEvent(const std::string& user, const std::string& channel,
                              const std::string& text, const std::string& ts,
                              const std::string& thread_ts = "");
// Inner event: a message in a public channel the bot is in (message.channels); with
// `thread_ts`, a reply in that thread.
nlohmann::json ChannelMessageEvent(const std::string& user, const std::string& channel,
                                   const std::string& text, const std::string& ts,
                                   const std::string& thread_ts = "");
// Inner event: the bot mentioned in a channel (app_mention); `text` should contain <@U0FAQBOT>.
nlohmann::json AppMentionEvent(const std::string& user, const std::string& channel,
                               const std::string& text, const std::string& ts);
// Inner event: a message posted by the bot itself (modern bot: user + bot_id + bot_profile).
nlohmann::json OwnBotMessageEvent(const std::string& channel, const std::string& text,
                                  const std::string& ts);
// Outer Events API body (`event_callback`) around an inner event.
nlohmann::json EventCallback(const nlohmann::json& event, const std::string& event_id);
// `url_verification` body.
nlohmann::json UrlVerification(const std::string& challenge);
// Slash command fields (as the Socket Mode payload object; form-encode it for HTTP mode).
nlohmann::json SlashCommand(const std::string& command, const std::string& text,
                            const std::string& user, const std::string& channel,
                            const std::string& response_url);
// `block_actions` payload for a button click in a bot message.
nlohmann::json BlockActionsButton(const std::string& action_id, const std::string& value,
                                  const std::string& user, const std::string& channel,
                                  const std::string& message_ts, const std::string& response_url);
// `block_actions` payload for a button click in the app's Home tab (container type "view"; no
// channel, no message, no response_url). `trigger_id` lets the app open a modal.
nlohmann::json BlockActionsInHome(const std::string& action_id, const std::string& value,
                                  const std::string& user, const std::string& trigger_id);
// Inner event: `user` opened the app's Home tab.
nlohmann::json AppHomeOpenedEvent(const std::string& user, const std::string& channel);
// `view_submission` payload for a modal with one plain-text input.
nlohmann::json ViewSubmission(const std::string& callback_id, const std::string& user,
                              const std::string& block_id, const std::string& action_id,
                              const std::string& value);
// `view_submission` payload for a modal of plain-text inputs, each named by one id used as its
// block_id and action_id (`inputs`: id → value), carrying `private_metadata`.
nlohmann::json ViewSubmissionOf(const std::string& callback_id, const std::string& user,
                                const std::string& private_metadata,
                                const std::map<std::string, std::string>& inputs);

}  // namespace faqbot::slack_emulator::fixtures
