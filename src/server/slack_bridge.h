// SlackBridge: Slack events in, assistant calls out. A DM to the app, an @mention in a channel,
// a slash command and a button press become the assistant's UserMessage / ButtonPress; opening
// the app's Home tab, the Home's own buttons and a submitted topic form go to the HomeTab (a
// hand-off button pressed on the Home goes to the assistant, then the Home is refreshed); other
// events are dropped. The app uninstalled from a workspace (or its bot token revoked) deletes the
// workspace's installation — its topics stay. With several workspaces, each event's own bot user
// (Slack's `authorizations`) is the one an @mention names. Slack's entities (&amp; &lt; &gt;) are
// decoded so the assistant stores what the person typed; the messenger escapes it again on the way
// out. Thread-safe.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "assistant/assistant.h"
#include "assistant/home_tab.h"
#include "server/installations.h"
#include "slack/slack_event.h"

namespace faqbot::server {

class SlackBridge {
 public:
  // `assistant`, `home` and `installations` must outlive the bridge. `bot_user_id`: the app's
  // own user id (auth.test) for events that do not name theirs. Without a `home`, Home events
  // are dropped; without `installations`, uninstall events are.
  SlackBridge(assistant::Assistant& assistant, std::string bot_user_id,
              assistant::HomeTab* home = nullptr, Installations* installations = nullptr);

  // The immediate ack of `event` (an InboundRouter AckBuilder): a topic form that cannot be
  // saved is answered with its errors, shown in the modal; the rest as slack::DefaultAck.
  static std::optional<nlohmann::json> Ack(const slack::InboundEvent& event);

  // Runs the assistant for one event (on the calling thread).
  void Handle(const slack::InboundEvent& event);

  // When auth.test succeeds only after start.
  void set_bot_user_id(std::string id);

 private:
  std::string bot_user_id() const;

  assistant::Assistant& assistant_;
  assistant::HomeTab* home_;
  Installations* installations_;
  mutable std::mutex mu_;
  std::string bot_user_id_;
};

}  // namespace faqbot::server
