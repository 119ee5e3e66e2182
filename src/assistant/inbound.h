// What people do, as the assistant sees it: messages and button presses, already separated from
// Slack (server/ converts Slack events into these; the shell makes them from terminal input).
#pragma once

#include <string>

#include "store/store_types.h"

namespace faqbot::assistant {

// A message addressed to the assistant.
struct UserMessage {
  enum class Surface {
    kDirect,   // the app's DM (Slack `message` with channel_type im), or the terminal shell
    kMention,  // "@faqbot …" in a channel (Slack app_mention): answers go in a thread
    kCommand,  // a slash command ("/ask …", "/faqbot …"): answers go through response_url
    kChannel,  // a top-level message in a channel the app is in, not addressed to it (Slack
               // message.channels / message.groups): answered in its thread, and only when the
               // channel is watched and the answer is sure
  };
  Surface surface = Surface::kDirect;
  store::UserRef from;
  std::string text;          // Slack-formatted: mentions as <@U…>, & < > as entities
  std::string channel;       // where it was written
  std::string ts;            // the message ts (kMention: the thread to answer in)
  std::string thread_ts;     // set when written inside a thread
  std::string response_url;  // kCommand
  std::string command;       // kCommand: "/ask" or "/faqbot" (empty: "/ask")
  std::string bot_user_id;   // the app's own user id (to tell "@faqbot" from "@owner")
  // Handled before by a process that stopped midway (slack::InboundEvent::resumed): what it
  // wrote may be there already, and the rest is still to do.
  bool resumed = false;
};

// A press of a button the assistant sent.
struct ButtonPress {
  store::UserRef from;
  std::string action;  // Button::action
  std::string value;   // Button::value
  std::string channel;
  std::string message_ts;
  std::string response_url;
  std::string trigger_id;  // lets the press open a form (Messenger::OpenForm); may be empty
  bool resumed = false;    // as UserMessage::resumed
  // The thread of the pressed message (its parent's ts), empty outside threads: replies to a
  // press in a channel are posted there.
  std::string thread_ts = {};
};

}  // namespace faqbot::assistant
