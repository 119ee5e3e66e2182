#include "server/slack_bridge.h"

#include "common/logging.h"
#include "server/slack_messenger.h"
#include "server/slack_views.h"
#include "slack/inbound_router.h"
#include "slack/mrkdwn.h"

namespace faqbot::server {

SlackBridge::SlackBridge(assistant::Assistant& assistant, std::string bot_user_id,
                         assistant::HomeTab* home, Installations* installations)
    : assistant_(assistant),
      home_(home),
      installations_(installations),
      bot_user_id_(std::move(bot_user_id)) {}

std::optional<nlohmann::json> SlackBridge::Ack(const slack::InboundEvent& event) {
  if (const auto* v = std::get_if<slack::ViewSubmission>(&event.payload)) {
    return TopicFormErrorsAck(*v);
  }
  return slack::DefaultAck(event);
}

void SlackBridge::set_bot_user_id(std::string id) {
  std::lock_guard lock(mu_);
  bot_user_id_ = std::move(id);
}

std::string SlackBridge::bot_user_id() const {
  std::lock_guard lock(mu_);
  return bot_user_id_;
}

void SlackBridge::Handle(const slack::InboundEvent& event) {
  using Surface = assistant::UserMessage::Surface;
  const std::string team_id = std::visit([](const auto& p) { return p.team_id; }, event.payload);
  // The bot user of the event's own workspace.
  const std::string bot = event.bot_user_id.empty() ? bot_user_id() : event.bot_user_id;
  if (installations_ != nullptr) {
    if (Status noted = installations_->NoteEnterprise(team_id, event.enterprise_id); !noted.ok()) {
      // This process still knows it; the Store is written again with the workspace's next event.
      LogWarn("slack bridge: the organisation {} of workspace {} could not be stored: {}",
              event.enterprise_id, team_id, noted.ToString());
    }
    const auto uninstall = [&](const auto& u, std::string_view what) {
      auto deleted = installations_->Uninstall(u.team_id, u.enterprise_id, u.is_enterprise_install);
      if (!deleted.ok()) {
        LogError("slack bridge: {} in {}: the installation could not be deleted: {}", what,
                 u.is_enterprise_install ? u.enterprise_id : u.team_id,
                 deleted.status().ToString());
      } else {
        LogInfo("slack bridge: {} in {}: installation {}; its topics stay", what,
                u.is_enterprise_install ? u.enterprise_id : u.team_id,
                *deleted ? "deleted" : "already gone");
      }
    };
    if (const auto* u = std::get_if<slack::AppUninstalled>(&event.payload)) {
      return uninstall(*u, "app uninstalled");
    }
    if (const auto* r = std::get_if<slack::TokensRevoked>(&event.payload)) {
      return uninstall(*r, "bot token revoked");
    }
  }
  // A DM message and a channel mention carry the same fields.
  const auto message = [&](const auto& m, Surface surface) {
    assistant::UserMessage msg;
    msg.surface = surface;
    msg.from = {m.team_id, m.user};
    msg.text = slack::DecodeSlackEntities(m.text);
    msg.channel = m.channel;
    msg.ts = m.ts;
    msg.thread_ts = m.thread_ts;
    msg.bot_user_id = bot;
    msg.resumed = event.resumed;
    assistant_.HandleMessage(msg);
  };
  if (const auto* m = std::get_if<slack::MessageEvent>(&event.payload)) {
    if (m->channel_type == "im") return message(*m, Surface::kDirect);
    // In channels only top-level messages count (a watched channel's questions); a thread
    // reply, even one also sent to the channel, is a conversation the bot stays out of.
    if (m->channel_type != "channel" && m->channel_type != "group") return;
    if (!m->thread_ts.empty() && m->thread_ts != m->ts) return;
    if (!m->subtype.empty()) return;
    return message(*m, Surface::kChannel);
  }
  if (const auto* m = std::get_if<slack::AppMentionEvent>(&event.payload)) {
    return message(*m, Surface::kMention);
  }
  if (const auto* c = std::get_if<slack::SlashCommand>(&event.payload)) {
    assistant::UserMessage msg;
    msg.surface = Surface::kCommand;
    msg.from = {c->team_id, c->user_id};
    msg.text = slack::DecodeSlackEntities(c->text);
    msg.channel = c->channel_id;
    msg.response_url = c->response_url;
    msg.command = c->command;
    msg.bot_user_id = bot;
    msg.resumed = event.resumed;
    return assistant_.HandleMessage(msg);
  }
  if (const auto* a = std::get_if<slack::BlockAction>(&event.payload)) {
    assistant::ButtonPress press;
    press.from = {a->team_id, a->user};
    press.action = ActionOfActionId(a->action_id);
    press.value = a->value;
    press.channel = a->is_ephemeral ? "" : a->channel;
    press.message_ts = a->message_ts;
    press.thread_ts = a->thread_ts;
    press.response_url = a->response_url;
    press.trigger_id = a->trigger_id;
    press.resumed = event.resumed;
    if (home_ && assistant::HomeTab::Handles(press.action)) {
      Status pressed = home_->Press(press);
      if (!pressed.ok()) LogWarn("slack bridge: Home button {}: {}", a->action_id, pressed.ToString());
      return;
    }
    assistant_.HandleButton(press);
    if (home_ && a->container_type == "view") home_->Refresh(press.from);
    return;
  }
  if (const auto* h = std::get_if<slack::AppHomeOpenedEvent>(&event.payload)) {
    if (home_ && h->tab == "home") home_->Refresh({h->team_id, h->user});
    return;
  }
  if (const auto* v = std::get_if<slack::ViewSubmission>(&event.payload)) {
    if (!home_) return;
    Status saved = home_->Submit(FormOfViewSubmission(*v));
    if (!saved.ok()) LogInfo("slack bridge: form {} not saved: {}", v->callback_id, saved.ToString());
    return;
  }
  LogDebug("slack bridge: event {} not for the assistant", event.event_id);
}

}  // namespace faqbot::server
