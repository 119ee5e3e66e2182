// Messenger: the assistant's only way out to people. Implemented over the Slack Web API (server/)
// and by the terminal shell (app/); tests use a recording fake.
//
// The Assistant calls both methods while it holds a person's lock (assistant.h), so the
// messenger it is given must answer at once: never wait for the chat service on the caller's
// thread. The server gives it a QueuedMessenger, which queues replies and looks names up on its
// sender threads; SlackMessenger itself calls Slack and may wait (rate limits, pacing), so it
// sits behind that queue.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "assistant/home_view.h"
#include "assistant/inbound.h"
#include "assistant/reply.h"
#include "common/status.h"
#include "store/store_types.h"

namespace faqbot::assistant {

// Where a reply goes.
struct Destination {
  enum class Kind {
    kDirect,     // a direct message from the app to `user` (the messenger opens the DM)
    kChannel,    // a message in `channel`, in the thread `thread_ts` when set
    kEphemeral,  // visible only to `user`, in `channel`
    kResponse,   // a reply through a slash command's or button's `response_url`
    kUpdate,     // replaces the message `ts` in `channel` (the bot's own message, e.g. the one
                 // whose button was pressed); through `response_url` when there is no `ts`
  };
  Kind kind = Kind::kDirect;
  store::UserRef user;       // kDirect, kEphemeral: who sees it (team gives the workspace)
  std::string channel;       // kChannel, kEphemeral
  std::string thread_ts;     // kChannel: reply in this thread
  std::string ts;            // kUpdate: the message to replace
  std::string response_url;  // kResponse; kUpdate without `ts`
  bool in_channel = false;   // kResponse: visible to the whole channel, not only the caller

  // Whether `channel` is a DM between the app and one person (Slack's D… conversations).
  static bool IsDirectConversation(std::string_view channel) {
    return !channel.empty() && channel[0] == 'D';
  }
  // A kChannel reply to a press or message in a channel others read (not a DM) becomes
  // kEphemeral: for `user`'s eyes only.
  void MakePrivateInSharedChannel() {
    if (kind == Kind::kChannel && !IsDirectConversation(channel)) kind = Kind::kEphemeral;
  }

  static Destination Direct(store::UserRef user) {
    Destination d;
    d.kind = Kind::kDirect;
    d.user = std::move(user);
    return d;
  }
  // The bot's message `ts` in `channel`, replaced; `user` gives the workspace.
  static Destination Update(store::UserRef user, std::string channel, std::string ts) {
    Destination d;
    d.kind = Kind::kUpdate;
    d.user = std::move(user);
    d.channel = std::move(channel);
    d.ts = std::move(ts);
    return d;
  }
};

// The message whose button `press` pressed, to replace (kUpdate: by its ts in its channel, else
// through the press's response_url); nullopt when the press names neither (a Home tab button).
inline std::optional<Destination> PressedMessage(const ButtonPress& press) {
  if (press.message_ts.empty() && press.response_url.empty()) return std::nullopt;
  Destination pressed = Destination::Update(press.from, press.channel, press.message_ts);
  pressed.response_url = press.response_url;
  return pressed;
}

// Where a message whose Reply::track was set went: called by a messenger that posts it (on its
// own thread, once the chat service took it) with the key, the channel and the message's ts.
using PostedHandler =
    std::function<void(const std::string& key, const std::string& channel, const std::string& ts)>;

class Messenger {
 public:
  virtual ~Messenger() = default;
  // Delivers `reply` (or accepts it for delivery). Errors: Unavailable (the chat service is down;
  // the caller may retry), InvalidArgument (the destination does not exist), ResourceExhausted
  // (a queue is full), others as the service reports them. Thread-safe.
  virtual Status Send(const Destination& to, const Reply& reply) = 0;
  // The person's display name for friendly texts; empty when unknown (yet). Never fails: a
  // lookup error yields "". Thread-safe.
  virtual std::string DisplayName(const store::UserRef& user) = 0;
  // Shows `view` as `user`'s Home (replacing what it showed before). Errors as Send;
  // FailedPrecondition on a surface without a Home (the terminal). Thread-safe.
  virtual Status ShowHome(const store::UserRef& user, const HomeView& view) = 0;
  // Opens `form` as a dialog for `user`'s button press that gave `trigger_id` (Slack: valid 3 s,
  // once; the user's team says which workspace). Errors as Send; FailedPrecondition on a surface
  // without dialogs. Thread-safe.
  virtual Status OpenForm(const store::UserRef& user, const std::string& trigger_id,
                          const TopicForm& form) = 0;
};

}  // namespace faqbot::assistant
