// SlackMessenger: the assistant's Messenger over the Slack Web API. Renders a Reply as mrkdwn and
// Block Kit — the assistant's own words as they are, people's text escaped (so an answer cannot
// ping <!channel> or forge a link), mentions as <@U…>, buttons with their action as action_id —
// within every Block Kit limit: long lists go out as several messages, long texts as several
// sections. A response_url takes 5 posts (Slack's limit) within 30 minutes; what a reply has
// beyond that, or a reply that outlived its response_url (kept through a Slack outage), goes to
// the person's DM. Thread-safe.
//
// Every call to Slack carries the bot token of the workspace it is for (the destination's or
// user's team), from Installations; without them, the client's one bot token.
//
// Send and DisplayName call Slack and may wait for it (a 429's Retry-After, pacing): the server
// calls them only on sender threads, through a QueuedMessenger.
#pragma once

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "assistant/messenger.h"
#include "server/installations.h"
#include "slack/block_kit.h"
#include "slack/web_api_client.h"

namespace faqbot::server {

class SlackMessenger final : public assistant::Messenger {
 public:
  // `web` and `installations` (when given) must outlive the messenger. Without `installations`
  // every call uses the client's bot token.
  explicit SlackMessenger(slack::WebApiClient& web, Installations* installations = nullptr)
      : web_(web), installations_(installations) {}

  // Uses `installations` from now on (they open the Store, which may come after the messenger).
  // Thread-safe; `installations` must outlive the messenger.
  void UseInstallations(Installations& installations) { installations_ = &installations; }

  // Calls `handler` from now on (set it before the first Send) when a reply with a
  // Reply::track is posted to a DM or a channel: its first message's channel and ts.
  void OnPosted(assistant::PostedHandler handler);

  Status Send(const assistant::Destination& to, const assistant::Reply& reply) override;
  std::string DisplayName(const store::UserRef& user) override;
  // views.publish of RenderHome(view); views.open of RenderTopicForm(form).
  Status ShowHome(const store::UserRef& user, const assistant::HomeView& view) override;
  Status OpenForm(const store::UserRef& user, const std::string& trigger_id,
                  const assistant::TopicForm& form) override;

  // The conversation `to` belongs to, so a QueuedMessenger keeps its replies in order: the
  // channel id, the response_url, or for a person's DM — addressed to the person (kDirect) or
  // to the D… channel they wrote from — the person. Never calls Slack: the DM is opened by Send,
  // on the sender thread. (When it cannot be opened at all, a permanent error such as
  // missing_scope, DMs are posted to the user ID, which Slack delivers to the person's Messages
  // tab of the app.)
  static std::string ConversationOf(const assistant::Destination& to);

  // The Slack messages (each {"text", "blocks"}) a reply becomes, in sending order. Every
  // message's "text" (notifications, clients without blocks) is the start of the reply's
  // paragraphs rendered as the blocks are, shortened visibly to 150 characters.
  static Result<std::vector<nlohmann::json>> Render(const assistant::Reply& reply);

 private:
  // The bot token for workspace `team_id` ("" = the client's own). Errors: Installations'.
  Result<std::string> TokenFor(const std::string& team_id);
  // Send with the bot token `token`.
  Status SendWith(const assistant::Destination& to, const assistant::Reply& reply,
                  const std::string& token);
  Result<std::string> DirectChannel(const store::UserRef& user, const std::string& token);
  // Counts a post to `url`; false once Slack's limit of kResponseUrlUses is reached.
  bool TakeResponseUse(const std::string& url);
  static constexpr int kResponseUrlUses = 5;

  slack::WebApiClient& web_;
  std::atomic<Installations*> installations_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> dm_channels_;  // "team/user" → D…
  std::unordered_map<std::string, std::string> names_;        // "team/user" → display name
  std::unordered_map<std::string, int> response_uses_;        // response_url → posts made
  assistant::PostedHandler on_posted_;                        // guarded by mu_
};

// A paragraph as mrkdwn: the assistant's words as they are, people's text escaped, mentions
// as <@U…>.
std::string Mrkdwn(const assistant::Paragraph& p);
// The assistant's buttons as Block Kit buttons, action_id "<action>#<position>".
std::vector<slack::Button> SlackButtons(const std::vector<assistant::Button>& buttons);

// A button's action_id carries the assistant action and its position ("publish#2"), because
// action ids must be unique within a block; this gives back the action.
std::string ActionOfActionId(std::string_view action_id);

}  // namespace faqbot::server
