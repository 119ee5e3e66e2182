// Inbound Slack events: the few things from Slack the assistant acts on, as plain value types,
// already separated from their transport (signed HTTP or a Socket Mode envelope).
//
// IDs are Slack's strings ("T…" workspace, "U…"/"W…" user, "C…"/"D…"/"G…" conversation);
// timestamps are Slack's message ts strings ("1700000000.000100"), kept as text because they are
// identifiers. A field Slack did not send is empty. `team_id` is always the workspace where the
// event happened (the envelope's team), which with the user ID identifies a person.
// Value types; copyable; thread-compatible.
#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

namespace faqbot::slack {

// A message posted in a conversation the app can see (Events API `message`, e.g. message.im).
struct MessageEvent {
  std::string team_id;
  std::string channel;       // conversation ID
  std::string channel_type;  // "im", "mpim", "channel" or "group"
  std::string user;          // author; empty for classic bot messages
  std::string bot_id;        // set when a bot (any app, including this one) posted it
  std::string subtype;    // empty for a plain user message; "message_changed", "bot_message", …
  std::string text;       // as Slack sends it: mentions as <@U…>, & < > escaped
  std::string ts;         // this message
  std::string thread_ts;  // the thread's parent ts; empty outside threads
};

// The app was mentioned (<@BOT>) in a channel. Never sent for DMs; those arrive as MessageEvent.
struct AppMentionEvent {
  std::string team_id;
  std::string channel;
  std::string user;
  std::string bot_id;  // set when another app mentioned this one
  std::string text;    // includes the <@BOT> mention itself
  std::string ts;
  std::string thread_ts;
};

// A user opened the app's Home or Messages tab.
struct AppHomeOpenedEvent {
  std::string team_id;
  std::string user;
  std::string channel;  // the user's DM with the app
  std::string tab;      // "home" or "messages"
};

// A click on an interactive element (button, select) in a message or a view.
struct BlockAction {
  std::string team_id;
  std::string user;
  std::string channel;     // message surfaces only
  std::string message_ts;  // the message holding the element (message surfaces)
  // The thread that message is in (its parent's ts; the message's own ts when it is the parent);
  // empty for a message outside any thread, and for views.
  std::string thread_ts;
  std::string container_type;  // "message", "view" or "message_attachment"
  bool is_ephemeral = false;   // the message is ephemeral (update it only via response_url)
  std::string view_id;         // view surfaces only
  std::string action_id;
  std::string block_id;
  std::string action_type;  // "button", "static_select", …
  std::string value;        // a button's value, or a select's selected option value
  std::string response_url;
  std::string trigger_id;  // valid for 3 s, once (views.open)
};

// A modal was submitted.
struct ViewSubmission {
  std::string team_id;
  std::string user;
  std::string view_id;
  std::string callback_id;
  std::string private_metadata;
  std::string trigger_id;
  // "block_id.action_id" → the input's value (text, selected option value, user/channel/date;
  // several selections joined with ","). Inputs left empty map to "".
  std::map<std::string, std::string> values;
};

// A slash command such as "/ask @alice where is the VPN?".
struct SlashCommand {
  std::string team_id;
  std::string user_id;
  std::string channel_id;
  std::string command;  // "/ask"
  std::string text;     // everything after the command and one space
  std::string response_url;
  std::string trigger_id;
};

// The app was uninstalled from a workspace (or, org-wide, from an organisation): its tokens no
// longer work.
struct AppUninstalled {
  std::string team_id;
  std::string enterprise_id;
  bool is_enterprise_install = false;  // the org-wide install is gone
};

// Tokens of the app were revoked in a workspace; only bot tokens matter (the app keeps no user
// tokens), so this is only parsed when a bot token was among them.
struct TokensRevoked {
  std::string team_id;
  std::string enterprise_id;
  bool is_enterprise_install = false;
  std::vector<std::string> bot_user_ids;  // the bot users whose tokens were revoked
};

using EventPayload = std::variant<MessageEvent, AppMentionEvent, AppHomeOpenedEvent, BlockAction,
                                  ViewSubmission, SlashCommand, AppUninstalled, TokensRevoked>;

// One event to process, with its delivery metadata.
struct InboundEvent {
  EventPayload payload;
  // Events API: Slack's event_id (the same on every retry). Interactions and commands carry
  // none; the router may use a Socket Mode envelope ID instead (see InboundRouter).
  std::string event_id;
  // The installation the event came through (several workspaces share one deployment): the
  // Enterprise Grid organisation of the workspace (empty outside one), and the app's bot user
  // in that workspace (Events API `authorizations`; empty when Slack did not say).
  std::string enterprise_id;
  std::string bot_user_id;
  int retry_num = 0;         // 0 on first delivery; X-Slack-Retry-Num / Socket Mode retry_attempt
  std::string retry_reason;  // "http_timeout", "timeout", … ; empty on first delivery
  // Handled before by a worker that stopped midway (the durable inbox handing it out again after
  // its lease lapsed): steps that worker made may already be done.
  bool resumed = false;
};

}  // namespace faqbot::slack
