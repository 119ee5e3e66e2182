// SlackBridge: Slack events in, assistant calls out. A DM to the app, an @mention in a channel,
// a slash command and a button press become the assistant's UserMessage / ButtonPress; other
// events are dropped. Slack's entities (&amp; &lt; &gt;) are decoded so the assistant stores what
// the person typed; the messenger escapes it again on the way out. Thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "assistant/assistant.h"
#include "slack/slack_event.h"

namespace faqbot::server {

class SlackBridge {
 public:
  // `assistant` must outlive the bridge. `bot_user_id`: the app's own user id (auth.test).
  SlackBridge(assistant::Assistant& assistant, std::string bot_user_id);

  // Runs the assistant for one event (on the calling thread).
  void Handle(const slack::InboundEvent& event);

  // When auth.test succeeds only after start.
  void set_bot_user_id(std::string id);

 private:
  std::string bot_user_id() const;

  assistant::Assistant& assistant_;
  mutable std::mutex mu_;
  std::string bot_user_id_;
};

// "&lt;b&gt; &amp;" → "<b> &": the three entities Slack puts in message text.
std::string DecodeSlackEntities(std::string_view text);

}  // namespace faqbot::server
