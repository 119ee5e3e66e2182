#include "server/slack_messenger.h"

#include <algorithm>
#include <iterator>

#include "common/logging.h"
#include "server/slack_views.h"
#include "slack/block_kit.h"
#include "slack/mrkdwn.h"

namespace faqbot::server {
namespace {

// A response_url that will take no more posts: expired, used up, or unknown to Slack.
bool ResponseUrlGone(const Status& s) {
  const std::string code = slack::SlackErrorCode(s);
  return code == "expired_url" || code == "used_url" || s.code() == StatusCode::kNotFound;
}

// Characters of a reply shown in a notification; the blocks carry the whole reply.
constexpr size_t kMaxNotificationText = 150;

// The top-level "text" of every message of a reply (notifications, clients without blocks): its
// first paragraphs (else its first list item), rendered like the blocks so that mentions stay
// mentions and people's text stays escaped, shortened between whole characters, entities and
// <…> tokens.
std::string NotificationText(const assistant::Reply& reply) {
  std::string text;
  for (const auto& p : reply.paragraphs) {
    text += (text.empty() ? "" : "\n") + Mrkdwn(p);
    if (text.size() > kMaxNotificationText) break;
  }
  if (text.empty() && !reply.items.empty()) text = Mrkdwn(reply.items.front().text);
  if (text.empty()) return "faqbot";
  return slack::TruncateText(text, kMaxNotificationText, slack::kEllipsis);
}

std::string Key(const store::UserRef& u) { return u.team_id + "/" + u.user_id; }

// Appends `blocks`, in order, as messages of at most kMaxBlocksPerMessage blocks.
void AddAsMessages(std::vector<nlohmann::json> blocks,
                   std::vector<std::vector<nlohmann::json>>& messages) {
  for (size_t i = 0; i < blocks.size(); i += slack::kMaxBlocksPerMessage) {
    const size_t end = std::min(blocks.size(), i + slack::kMaxBlocksPerMessage);
    messages.emplace_back(
        std::make_move_iterator(blocks.begin() + static_cast<std::ptrdiff_t>(i)),
        std::make_move_iterator(blocks.begin() + static_cast<std::ptrdiff_t>(end)));
  }
}

}  // namespace

std::string Mrkdwn(const assistant::Paragraph& p) {
  std::string out;
  for (const auto& span : p.spans) {
    switch (span.kind) {
      case assistant::Span::Kind::kText:
        out += span.value;
        break;
      case assistant::Span::Kind::kUserText:
        out += slack::EscapeMrkdwnKeepingLinks(span.value);
        break;
      case assistant::Span::Kind::kMention:
        out += "<@" + span.value + ">";
        break;
    }
  }
  return out;
}

std::vector<slack::Button> SlackButtons(const std::vector<assistant::Button>& buttons) {
  std::vector<slack::Button> out;
  for (size_t i = 0; i < buttons.size(); ++i) {
    const auto& b = buttons[i];
    slack::ButtonStyle style = slack::ButtonStyle::kDefault;
    if (b.style == assistant::Button::Style::kPrimary) style = slack::ButtonStyle::kPrimary;
    if (b.style == assistant::Button::Style::kDanger) style = slack::ButtonStyle::kDanger;
    std::optional<slack::Confirm> confirm;
    if (b.confirm)
      confirm = slack::Confirm{b.confirm->title, b.confirm->text, b.confirm->yes, b.confirm->no};
    out.push_back({b.label, b.action + "#" + std::to_string(i), b.value, style, confirm});
  }
  return out;
}

std::string ActionOfActionId(std::string_view action_id) {
  const size_t hash = action_id.find('#');
  return std::string(action_id.substr(0, hash));
}

Result<std::vector<nlohmann::json>> SlackMessenger::Render(const assistant::Reply& reply) {
  std::vector<nlohmann::json> head;  // paragraphs
  std::string text;
  for (const auto& p : reply.paragraphs) text += (text.empty() ? "" : "\n\n") + Mrkdwn(p);
  if (!text.empty()) {
    for (auto& block : slack::SectionsForText(text)) head.push_back(std::move(block));
  }
  std::vector<nlohmann::json> tail;  // buttons and small print
  if (!reply.buttons.empty()) {
    // At most kMaxActionsElements per actions block.
    const auto all = SlackButtons(reply.buttons);
    for (size_t i = 0; i < all.size(); i += slack::kMaxActionsElements) {
      std::vector<slack::Button> chunk(
          all.begin() + i, all.begin() + std::min(all.size(), i + slack::kMaxActionsElements));
      tail.push_back(slack::ActionsBlock(chunk));
    }
  }
  if (!reply.context.empty()) {
    std::vector<std::string> lines;
    for (const auto& p : reply.context) {
      if (lines.size() < slack::kMaxContextElements) lines.push_back(Mrkdwn(p));
    }
    tail.push_back(slack::ContextBlock(lines));
  }

  std::vector<std::vector<nlohmann::json>> pages;
  if (!reply.items.empty()) {
    std::vector<slack::ListItem> items;
    for (const auto& item : reply.items)
      items.push_back({Mrkdwn(item.text), SlackButtons(item.buttons)});
    slack::PageOptions options;
    options.max_blocks = slack::kMaxBlocksPerMessage - 5;  // room for the head or tail
    FAQBOT_ASSIGN_OR_RETURN(auto rendered, slack::PaginateList(items, options));
    for (auto& page : rendered) {  // each a whole message: {"text", "blocks"}
      std::vector<nlohmann::json> blocks;
      for (auto& b : page["blocks"]) blocks.push_back(std::move(b));
      pages.push_back(std::move(blocks));
    }
  }

  // Put the head before the first page and the tail after the last when they fit; otherwise
  // they become messages of their own. A long head (an answer of up to 40,000 bytes, 5 times
  // that once escaped) may itself need several messages: MessageBuilder would cut it.
  std::vector<std::vector<nlohmann::json>> messages;
  if (pages.empty()) {
    head.insert(head.end(), tail.begin(), tail.end());
    AddAsMessages(std::move(head), messages);
  } else {
    if (head.size() + pages.front().size() <= slack::kMaxBlocksPerMessage) {
      pages.front().insert(pages.front().begin(), head.begin(), head.end());
    } else {
      AddAsMessages(std::move(head), messages);
    }
    const bool tail_fits = pages.back().size() + tail.size() <= slack::kMaxBlocksPerMessage;
    if (tail_fits) pages.back().insert(pages.back().end(), tail.begin(), tail.end());
    for (auto& page : pages) messages.push_back(std::move(page));
    if (!tail_fits) AddAsMessages(std::move(tail), messages);
  }

  const std::string notification = NotificationText(reply);
  std::vector<nlohmann::json> out;
  for (auto& blocks : messages) {
    if (blocks.empty()) continue;
    slack::MessageBuilder builder(notification);
    for (auto& block : blocks) builder.Add(std::move(block));
    FAQBOT_ASSIGN_OR_RETURN(auto message, builder.Build());
    out.push_back(std::move(message));
  }
  return out;
}

Result<std::string> SlackMessenger::TokenFor(const std::string& team_id) {
  Installations* installations = installations_.load();
  if (installations == nullptr) return std::string();
  return installations->BotToken(team_id);
}

Result<std::string> SlackMessenger::DirectChannel(const store::UserRef& user,
                                                  const std::string& token) {
  {
    std::lock_guard lock(mu_);
    if (auto it = dm_channels_.find(Key(user)); it != dm_channels_.end()) return it->second;
  }
  auto opened = web_.OpenConversation(user.user_id, token);
  std::string channel;
  if (opened.ok()) {
    channel = *opened;
  } else if (const StatusCode code = opened.status().code();
             code != StatusCode::kPermissionDenied && code != StatusCode::kFailedPrecondition &&
             code != StatusCode::kInvalidArgument) {
    // Slack is unwell or the token is wrong: try again with the next message.
    return opened.status();
  } else {
    // The DM cannot be opened at all (no im:write scope, an emulator without the method...):
    // chat.postMessage to a user ID posts into that person's Messages tab of the app instead.
    LogWarn("slack: conversations.open for {} failed ({}); posting to the user ID instead",
            user.user_id, opened.status().ToString());
    channel = user.user_id;
  }
  std::lock_guard lock(mu_);
  dm_channels_[Key(user)] = channel;
  return channel;
}

bool SlackMessenger::TakeResponseUse(const std::string& url) {
  std::lock_guard lock(mu_);
  // A response_url expires after 30 minutes; forgetting old ones now and then is enough.
  if (response_uses_.size() > 10'000) response_uses_.clear();
  int& used = response_uses_[url];
  if (used >= kResponseUrlUses) return false;
  ++used;
  return true;
}

std::string SlackMessenger::ConversationOf(const assistant::Destination& to) {
  switch (to.kind) {
    case assistant::Destination::Kind::kDirect:
      return "dm:" + Key(to.user);
    case assistant::Destination::Kind::kChannel:
      // A D… channel is a DM between the app and one person: the one the assistant replies to.
      if (assistant::Destination::IsDirectConversation(to.channel) && !to.user.user_id.empty()) {
        return "dm:" + Key(to.user);
      }
      return to.channel;
    case assistant::Destination::Kind::kEphemeral:
      return to.channel;
    case assistant::Destination::Kind::kResponse:
      return "response:" + to.response_url;
    case assistant::Destination::Kind::kUpdate:
      // The same queue as the messages posted there, so an update never overtakes its message.
      return to.ts.empty() ? "response:" + to.response_url : to.channel;
  }
  return "";
}

void SlackMessenger::OnPosted(assistant::PostedHandler handler) {
  std::lock_guard lock(mu_);
  on_posted_ = std::move(handler);
}

Status SlackMessenger::Send(const assistant::Destination& to, const assistant::Reply& reply) {
  FAQBOT_ASSIGN_OR_RETURN(const std::string token, TokenFor(to.user.team_id));
  Status sent = SendWith(to, reply, token);
  Installations* installations = installations_.load();
  if (sent.code() != StatusCode::kUnauthenticated || installations == nullptr) return sent;
  // The workspace's token was refused: another process may have installed a new one, or
  // recorded an uninstall, since this one cached it. Read it again; try once more if it changed.
  installations->ForgetCachedToken(to.user.team_id);
  FAQBOT_ASSIGN_OR_RETURN(const std::string fresh, TokenFor(to.user.team_id));
  if (fresh == token) return sent;
  LogInfo("slack: the bot token of {} changed since it was cached; sending again", to.user.team_id);
  return SendWith(to, reply, fresh);
}

Status SlackMessenger::SendWith(const assistant::Destination& to, const assistant::Reply& reply,
                                const std::string& token) {
  FAQBOT_ASSIGN_OR_RETURN(auto messages, Render(reply));
  std::string channel = to.channel;
  if (to.kind == assistant::Destination::Kind::kDirect) {
    FAQBOT_ASSIGN_OR_RETURN(channel, DirectChannel(to.user, token));
  }
  bool first = true;
  for (auto& message : messages) {
    switch (to.kind) {
      case assistant::Destination::Kind::kDirect:
      case assistant::Destination::Kind::kChannel: {
        message["channel"] = channel;
        if (!to.thread_ts.empty()) message["thread_ts"] = to.thread_ts;
        // Links in answers stay links, without previews crowding the thread.
        message["unfurl_links"] = false;
        FAQBOT_ASSIGN_OR_RETURN(const slack::PostedMessage posted,
                                web_.PostMessage(message, token));
        if (first && !reply.track.empty()) {
          assistant::PostedHandler handler;
          {
            std::lock_guard lock(mu_);
            handler = on_posted_;
          }
          if (handler)
            handler(reply.track, posted.channel.empty() ? channel : posted.channel, posted.ts);
        }
        break;
      }
      case assistant::Destination::Kind::kEphemeral: {
        message["channel"] = channel;
        message["user"] = to.user.user_id;
        // Said in the thread where it was asked or pressed, not at the channel's top level.
        if (!to.thread_ts.empty()) message["thread_ts"] = to.thread_ts;
        FAQBOT_RETURN_IF_ERROR(web_.PostEphemeral(message, token).status());
        break;
      }
      case assistant::Destination::Kind::kResponse: {
        auto to_dm = [&]() -> Status {
          FAQBOT_ASSIGN_OR_RETURN(std::string dm, DirectChannel(to.user, token));
          message["channel"] = dm;
          message["unfurl_links"] = false;
          return web_.PostMessage(message, token).status();
        };
        if (!TakeResponseUse(to.response_url)) {
          // Slack takes 5 posts per response_url; the rest of a long reply goes to the DM.
          if (to.user.user_id.empty()) {
            return FailedPreconditionError("response_url: used " +
                                           std::to_string(kResponseUrlUses) + " times");
          }
          FAQBOT_RETURN_IF_ERROR(to_dm());
          break;
        }
        message["response_type"] = to.in_channel ? "in_channel" : "ephemeral";
        Status posted = web_.PostToResponseUrl(to.response_url, message);
        if (!posted.ok() && ResponseUrlGone(posted) && !to.user.user_id.empty()) {
          // Expired (a reply kept through a Slack outage may outlive its 30 minutes) or used up
          // elsewhere: the person's DM still reaches them.
          message.erase("response_type");
          posted = to_dm();
        }
        FAQBOT_RETURN_IF_ERROR(posted);
        break;
      }
      case assistant::Destination::Kind::kUpdate: {
        // One message is replaced by one: an update shows the first page only.
        if (!to.ts.empty()) {
          message["channel"] = channel;
          message["ts"] = to.ts;
          return web_.UpdateMessage(message, token).status();
        }
        if (to.response_url.empty()) {
          return InvalidArgumentError("an update needs the message's channel and ts");
        }
        message["replace_original"] = true;
        return web_.PostToResponseUrl(to.response_url, message);
      }
    }
    first = false;
  }
  return Status::Ok();
}

std::string SlackMessenger::DisplayName(const store::UserRef& user) {
  {
    std::lock_guard lock(mu_);
    if (auto it = names_.find(Key(user)); it != names_.end()) return it->second;
  }
  auto token = TokenFor(user.team_id);
  if (!token.ok()) {
    LogDebug("slack: no token for users.info: {}", token.status().ToString());
    return "";
  }
  auto info = web_.UsersInfo(user.user_id, *token);
  if (!info.ok()) {
    LogDebug("slack: users.info failed: {}", info.status().ToString());
    return "";
  }
  std::string name = !info->display_name.empty() ? info->display_name : info->real_name;
  std::lock_guard lock(mu_);
  names_[Key(user)] = name;
  return name;
}

Status SlackMessenger::ShowHome(const store::UserRef& user, const assistant::HomeView& view) {
  FAQBOT_ASSIGN_OR_RETURN(nlohmann::json rendered, RenderHome(view));
  FAQBOT_ASSIGN_OR_RETURN(const std::string token, TokenFor(user.team_id));
  return web_.ViewsPublish(user.user_id, rendered, token);
}

Status SlackMessenger::OpenForm(const store::UserRef& user, const std::string& trigger_id,
                                const assistant::TopicForm& form) {
  FAQBOT_ASSIGN_OR_RETURN(const std::string token, TokenFor(user.team_id));
  return web_.ViewsOpen(trigger_id, RenderTopicForm(form), token).status();
}

}  // namespace faqbot::server
