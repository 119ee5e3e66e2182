#include "slack/event_inbox.h"

#include <utility>
#include <variant>

#include "slack/event_parser.h"

namespace faqbot::slack {
namespace {

struct PersonVisitor {
  std::pair<std::string, std::string> operator()(const SlashCommand& c) const {
    return {c.team_id, c.user_id};
  }
  // About the workspace, not a person: the workspace's shared queue.
  std::pair<std::string, std::string> operator()(const AppUninstalled& e) const {
    return {e.team_id, ""};
  }
  std::pair<std::string, std::string> operator()(const TokensRevoked& e) const {
    return {e.team_id, ""};
  }
  template <typename Payload>
  std::pair<std::string, std::string> operator()(const Payload& p) const {
    return {p.team_id, p.user};
  }
};

Result<ParsedRequest> ParseStored(std::string_view kind, std::string_view payload) {
  if (kind == kInboxHttpEvents) return ParseEventsBody(payload);
  if (kind == kInboxHttpInteractive) return ParseInteractionBody(payload);
  if (kind == kInboxHttpCommands) return ParseSlashCommandBody(payload);
  FAQBOT_ASSIGN_OR_RETURN(nlohmann::json json, ParseJsonObject(payload));
  if (kind == kInboxSocketEvents) return ParseEventsApi(json);
  if (kind == kInboxSocketInteractive) return ParseInteraction(json);
  if (kind == kInboxSocketCommands) return ParseSlashCommandJson(json);
  return InvalidArgumentError("unknown inbox entry kind '" + std::string(kind) + "'");
}

}  // namespace

std::pair<std::string, std::string> PersonOf(const InboundEvent& event) {
  return std::visit(PersonVisitor{}, event.payload);
}

Result<InboundEvent> ParseInboxEntry(std::string_view kind, std::string_view payload) {
  FAQBOT_ASSIGN_OR_RETURN(ParsedRequest parsed, ParseStored(kind, payload));
  auto* event = std::get_if<InboundEvent>(&parsed);
  if (event == nullptr) {
    return InvalidArgumentError("inbox entry of kind '" + std::string(kind) +
                                "' holds no event to process");
  }
  return std::move(*event);
}

}  // namespace faqbot::slack
