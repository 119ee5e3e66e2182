// Event filter: which parsed events the assistant should never see.
//
// Dropped:
//   * the app's own messages and mentions (user == its bot user, or bot_id == its bot), so it
//     never answers itself;
//   * every other bot's (bot_id present, or subtype bot_message), so two bots cannot loop;
//   * message subtypes that are not a person writing something new: message_changed,
//     message_deleted, channel_join, message_replied, … Kept are a plain message (no subtype),
//     thread_broadcast (a thread reply also sent to the channel: a person asking) and file_share
//     (a person's message with a file, whose text is the question);
//   * messages and mentions without any text (a bare file, an empty rich-text block): nothing to
//     answer.
// Block actions, view submissions, slash commands and App Home opens always come from a person
// and are kept.
// Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "slack/slack_event.h"

namespace faqbot::slack {

// Who the app is in one workspace: from auth.test with the bot token (user_id, bot_id). Either
// may be empty when unknown; an empty ID matches nothing.
struct BotIdentity {
  std::string user_id;  // the bot user ("U…")
  std::string bot_id;   // the bot ("B…")
};

// Why `event` should be dropped ("own message", "message subtype message_changed", …), or
// nullopt when it should be processed.
std::optional<std::string> FilterReason(const InboundEvent& event, const BotIdentity& self);

}  // namespace faqbot::slack
