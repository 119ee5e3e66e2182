#include "slack/block_kit.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "slack/mrkdwn.h"

namespace faqbot::slack {
namespace {

using nlohmann::json;

std::string_view StyleName(ButtonStyle style) {
  switch (style) {
    case ButtonStyle::kPrimary:
      return "primary";
    case ButtonStyle::kDanger:
      return "danger";
    case ButtonStyle::kDefault:
      break;
  }
  return "";
}

void SetBlockId(json& block, std::string_view block_id) {
  if (!block_id.empty()) block["block_id"] = block_id;
}

// Checks of ValidateBlocks; each returns the first violation under `path`.
Status TooLong(const std::string& path, size_t length, size_t limit) {
  return InvalidArgumentError(path + ": " + std::to_string(length) + " characters, limit " +
                              std::to_string(limit));
}

Status CheckString(const json& parent, const char* key, const std::string& path, size_t limit,
                   bool required) {
  auto it = parent.find(key);
  if (it == parent.end()) {
    return required ? InvalidArgumentError(path + "." + key + ": missing") : Status::Ok();
  }
  if (!it->is_string()) return InvalidArgumentError(path + "." + key + ": not a string");
  const size_t length = SlackTextLength(it->get_ref<const std::string&>());
  if (length > limit) return TooLong(path + "." + key, length, limit);
  if (required && length == 0) return InvalidArgumentError(path + "." + key + ": empty");
  return Status::Ok();
}

Status CheckTextObject(const json& parent, const char* key, const std::string& path, size_t limit,
                       bool plain_only) {
  auto it = parent.find(key);
  if (it == parent.end() || !it->is_object()) {
    return InvalidArgumentError(path + "." + key + ": missing text object");
  }
  const std::string type = it->value("type", "");
  if (type != "plain_text" && (plain_only || type != "mrkdwn")) {
    return InvalidArgumentError(path + "." + key + ": text object of type \"" + type + "\"");
  }
  return CheckString(*it, "text", path + "." + key, limit, /*required=*/true);
}

Status CheckArray(const json& parent, const char* key, const std::string& path, size_t limit) {
  auto it = parent.find(key);
  if (it == parent.end() || !it->is_array() || it->empty()) {
    return InvalidArgumentError(path + "." + key + ": missing or empty");
  }
  if (it->size() > limit) {
    return InvalidArgumentError(path + "." + key + ": " + std::to_string(it->size()) +
                                " elements, limit " + std::to_string(limit));
  }
  return Status::Ok();
}

Status CheckButton(const json& element, const std::string& path) {
  if (element.value("type", "") != "button") return Status::Ok();  // other elements: unchecked
  FAQBOT_RETURN_IF_ERROR(CheckTextObject(element, "text", path, kMaxButtonText, true));
  FAQBOT_RETURN_IF_ERROR(CheckString(element, "action_id", path, kMaxActionId, false));
  FAQBOT_RETURN_IF_ERROR(CheckString(element, "value", path, kMaxButtonValue, false));
  if (auto style = element.find("style"); style != element.end()) {
    if (*style != "primary" && *style != "danger") {
      return InvalidArgumentError(path + ".style: must be primary or danger");
    }
  }
  if (auto confirm = element.find("confirm"); confirm != element.end()) {
    const std::string at = path + ".confirm";
    if (!confirm->is_object()) return InvalidArgumentError(at + ": not an object");
    FAQBOT_RETURN_IF_ERROR(CheckTextObject(*confirm, "title", at, kMaxConfirmTitle, true));
    FAQBOT_RETURN_IF_ERROR(CheckTextObject(*confirm, "text", at, kMaxConfirmText, false));
    FAQBOT_RETURN_IF_ERROR(CheckTextObject(*confirm, "confirm", at, kMaxConfirmButton, true));
    FAQBOT_RETURN_IF_ERROR(CheckTextObject(*confirm, "deny", at, kMaxConfirmButton, true));
  }
  return Status::Ok();
}

Status CheckBlock(const json& block, const std::string& path) {
  if (!block.is_object()) return InvalidArgumentError(path + ": not an object");
  FAQBOT_RETURN_IF_ERROR(CheckString(block, "block_id", path, kMaxBlockId, false));
  const std::string type = block.value("type", "");
  if (type == "section") {
    const bool has_text = block.contains("text");
    const bool has_fields = block.contains("fields");
    if (!has_text && !has_fields) return InvalidArgumentError(path + ": neither text nor fields");
    if (has_text) {
      FAQBOT_RETURN_IF_ERROR(CheckTextObject(block, "text", path, kMaxSectionText, false));
    }
    if (has_fields) {
      FAQBOT_RETURN_IF_ERROR(CheckArray(block, "fields", path, kMaxSectionFields));
      for (size_t i = 0; i < block["fields"].size(); ++i) {
        FAQBOT_RETURN_IF_ERROR(CheckString(block["fields"][i], "text",
                                           path + ".fields[" + std::to_string(i) + "]",
                                           kMaxFieldText, true));
      }
    }
    if (auto accessory = block.find("accessory"); accessory != block.end()) {
      FAQBOT_RETURN_IF_ERROR(CheckButton(*accessory, path + ".accessory"));
    }
  } else if (type == "actions") {
    FAQBOT_RETURN_IF_ERROR(CheckArray(block, "elements", path, kMaxActionsElements));
    for (size_t i = 0; i < block["elements"].size(); ++i) {
      FAQBOT_RETURN_IF_ERROR(
          CheckButton(block["elements"][i], path + ".elements[" + std::to_string(i) + "]"));
    }
  } else if (type == "context") {
    FAQBOT_RETURN_IF_ERROR(CheckArray(block, "elements", path, kMaxContextElements));
    for (size_t i = 0; i < block["elements"].size(); ++i) {
      const json& element = block["elements"][i];
      if (element.contains("text")) {
        FAQBOT_RETURN_IF_ERROR(CheckString(
            element, "text", path + ".elements[" + std::to_string(i) + "]", kMaxSectionText, true));
      }
    }
  } else if (type == "header") {
    FAQBOT_RETURN_IF_ERROR(CheckTextObject(block, "text", path, kMaxHeaderText, true));
  } else if (type.empty()) {
    return InvalidArgumentError(path + ": no type");
  }
  return Status::Ok();
}

// The blocks of one list item: its section, then its buttons beyond an accessory.
std::vector<json> ItemBlocksOf(const ListItem& item) {
  std::vector<json> blocks;
  if (item.buttons.size() == 1) {
    blocks.push_back(SectionBlock(item.mrkdwn, {}, item.buttons.front()));
    return blocks;
  }
  blocks.push_back(SectionBlock(item.mrkdwn));
  for (size_t i = 0; i < item.buttons.size(); i += kMaxActionsElements) {
    const auto end = item.buttons.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                item.buttons.size(), i + kMaxActionsElements));
    blocks.push_back(ActionsBlock(
        std::vector<Button>(item.buttons.begin() + static_cast<std::ptrdiff_t>(i), end)));
  }
  return blocks;
}

}  // namespace

json PlainText(std::string_view text) {
  return {{"type", "plain_text"}, {"text", text}, {"emoji", true}};
}

json MrkdwnText(std::string_view mrkdwn) { return {{"type", "mrkdwn"}, {"text", mrkdwn}}; }

std::string PlainLabel(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t close = text[i] == '<' ? text.find('>', i + 1) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out.push_back(text[i++]);
      continue;
    }
    const std::string_view inner = text.substr(i + 1, close - i - 1);
    const size_t bar = inner.find('|');
    const std::string_view target = inner.substr(0, bar);
    const std::string_view label =
        bar == std::string_view::npos ? std::string_view() : inner.substr(bar + 1);
    // Markup names something (a mention, a channel, a broadcast, an address); other brackets
    // are text.
    const bool markup = !target.empty() && target.find(' ') == std::string_view::npos &&
                        (target.find_first_of("@#!") == 0 || target.find(':') != target.npos);
    if (!markup) {
      out.push_back(text[i++]);
      continue;
    }
    if (target.starts_with("@")) {
      out += "@" + std::string(label.empty() ? target.substr(1) : label);
    } else if (target.starts_with("#")) {
      out += "#" + std::string(label.empty() ? target.substr(1) : label);
    } else if (target.starts_with("!")) {
      std::string_view name = label.empty() ? target.substr(1) : label;
      if (name.starts_with("subteam^")) name.remove_prefix(8);
      out += (name.starts_with("@") ? "" : "@") + std::string(name);
    } else {
      out += std::string(label.empty() ? target : label);
    }
    i = close + 1;
  }
  // Entities last: one that stands for "<" never starts markup.
  return DecodeSlackEntities(out);
}

json ButtonElement(const Button& button) {
  const auto plain = [](const std::string& text, size_t max) {
    return PlainText(TruncateText(PlainLabel(text), max, kEllipsis));
  };
  json b = {{"type", "button"},
            {"text", plain(button.text, kMaxButtonText)},
            {"action_id", button.action_id}};
  if (!button.value.empty()) b["value"] = button.value;
  if (std::string_view style = StyleName(button.style); !style.empty()) b["style"] = style;
  if (button.confirm) {
    const Confirm& c = *button.confirm;
    b["confirm"] = {{"title", plain(c.title, kMaxConfirmTitle)},
                    {"text", plain(c.text, kMaxConfirmText)},
                    {"confirm", plain(c.confirm, kMaxConfirmButton)},
                    {"deny", plain(c.deny, kMaxConfirmButton)}};
  }
  return b;
}

json SectionBlock(std::string_view mrkdwn, const std::vector<std::string>& fields,
                  const std::optional<Button>& accessory, std::string_view block_id) {
  json block = {{"type", "section"}};
  SetBlockId(block, block_id);
  if (!mrkdwn.empty()) {
    block["text"] = MrkdwnText(TruncateText(mrkdwn, kMaxSectionText, kTruncatedMark));
  }
  if (!fields.empty()) {
    json out = json::array();
    const bool overflow = fields.size() > kMaxSectionFields;
    const size_t shown = overflow ? kMaxSectionFields - 1 : fields.size();
    for (size_t i = 0; i < shown; ++i) {
      out.push_back(MrkdwnText(TruncateText(fields[i], kMaxFieldText, kTruncatedMark)));
    }
    if (overflow) {
      out.push_back(MrkdwnText("_\u2026and " + std::to_string(fields.size() - shown) + " more_"));
    }
    block["fields"] = std::move(out);
  }
  if (accessory) block["accessory"] = ButtonElement(*accessory);
  return block;
}

std::vector<json> ListItemBlocks(const ListItem& item) { return ItemBlocksOf(item); }

json ActionsBlock(const std::vector<Button>& buttons, std::string_view block_id) {
  json block = {{"type", "actions"}, {"elements", json::array()}};
  SetBlockId(block, block_id);
  if (buttons.size() > kMaxActionsElements) {
    LogWarn("slack: actions block with {} buttons keeps the first {}", buttons.size(),
            kMaxActionsElements);
  }
  for (size_t i = 0; i < buttons.size() && i < kMaxActionsElements; ++i) {
    block["elements"].push_back(ButtonElement(buttons[i]));
  }
  return block;
}

json ContextBlock(const std::vector<std::string>& mrkdwn_elements) {
  json block = {{"type", "context"}, {"elements", json::array()}};
  for (size_t i = 0; i < mrkdwn_elements.size() && i < kMaxContextElements; ++i) {
    block["elements"].push_back(
        MrkdwnText(TruncateText(mrkdwn_elements[i], kMaxSectionText, kTruncatedMark)));
  }
  return block;
}

json DividerBlock() { return {{"type", "divider"}}; }

json HeaderBlock(std::string_view text) {
  return {{"type", "header"}, {"text", PlainText(TruncateText(text, kMaxHeaderText, kEllipsis))}};
}

std::vector<json> SectionsForText(std::string_view mrkdwn) {
  std::vector<json> sections;
  for (const std::string& piece : SplitText(mrkdwn, kMaxSectionText)) {
    sections.push_back(SectionBlock(piece));
  }
  return sections;
}

Status ValidateBlocks(const json& blocks, size_t max_blocks) {
  if (!blocks.is_array()) return InvalidArgumentError("blocks: not an array");
  if (blocks.size() > max_blocks) {
    return InvalidArgumentError("blocks: " + std::to_string(blocks.size()) + " blocks, limit " +
                                std::to_string(max_blocks));
  }
  try {
    for (size_t i = 0; i < blocks.size(); ++i) {
      FAQBOT_RETURN_IF_ERROR(CheckBlock(blocks[i], "blocks[" + std::to_string(i) + "]"));
    }
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("blocks: ") + e.what());
  }
  return Status::Ok();
}

MessageBuilder::MessageBuilder(std::string_view fallback_text)
    : text_(TruncateText(fallback_text, kMaxSectionText, kTruncatedMark)) {}

MessageBuilder& MessageBuilder::Add(json block) {
  blocks_.push_back(std::move(block));
  return *this;
}

MessageBuilder& MessageBuilder::AddText(std::string_view mrkdwn) {
  for (json& section : SectionsForText(mrkdwn)) blocks_.push_back(std::move(section));
  return *this;
}

Result<json> MessageBuilder::Build() const {
  json blocks = json::array();
  const bool overflow = blocks_.size() > kMaxBlocksPerMessage;
  const size_t kept = overflow ? kMaxBlocksPerMessage - 1 : blocks_.size();
  for (size_t i = 0; i < kept; ++i) blocks.push_back(blocks_[i]);
  if (overflow) {
    blocks.push_back(ContextBlock({"_\u2026" + std::to_string(blocks_.size() - kept) +
                                   " more blocks not shown (too long for one Slack message)_"}));
  }
  FAQBOT_RETURN_IF_ERROR(ValidateBlocks(blocks));
  return json{{"text", text_}, {"blocks", std::move(blocks)}};
}

Result<std::vector<json>> PaginateList(const std::vector<ListItem>& items,
                                       const PageOptions& options) {
  const size_t max_blocks = std::min(options.max_blocks, kMaxBlocksPerMessage);
  const bool header = !options.title.empty();
  const size_t reserved = (header ? 1 : 0) + 1 + (options.nav_action_id.empty() ? 0 : 1);
  if (max_blocks <= reserved) {
    return InvalidArgumentError("pages of " + std::to_string(max_blocks) + " blocks hold no items");
  }
  const size_t budget = max_blocks - reserved;

  std::vector<std::vector<json>> pages(1);
  size_t used = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    std::vector<json> blocks = ItemBlocksOf(items[i]);
    if (blocks.size() > budget) {
      return InvalidArgumentError("list item " + std::to_string(i) + " needs " +
                                  std::to_string(blocks.size()) + " blocks, a page holds " +
                                  std::to_string(budget));
    }
    if (used + blocks.size() > budget) {
      pages.emplace_back();
      used = 0;
    }
    used += blocks.size();
    for (json& b : blocks) pages.back().push_back(std::move(b));
  }

  const size_t n = pages.size();
  std::vector<json> messages;
  for (size_t p = 0; p < n; ++p) {
    const std::string numbered =
        n > 1 ? options.title + " (" + std::to_string(p + 1) + "/" + std::to_string(n) + ")"
              : options.title;
    MessageBuilder message(numbered.empty() ? "List" : numbered);
    if (header) message.Add(HeaderBlock(numbered));
    for (json& b : pages[p]) message.Add(std::move(b));
    std::string context = items.empty()
                              ? "Nothing to show."
                              : "Page " + std::to_string(p + 1) + " of " + std::to_string(n) +
                                    " \u00b7 " + std::to_string(items.size()) + " items";
    if (!options.footer.empty()) context += " \u00b7 " + options.footer;
    message.Add(ContextBlock({context}));
    if (!options.nav_action_id.empty() && n > 1) {
      std::vector<Button> nav;
      if (p > 0) {
        nav.push_back({"\u25c0 Previous", options.nav_action_id + ":prev", std::to_string(p - 1)});
      }
      if (p + 1 < n) {
        nav.push_back({"Next \u25b6", options.nav_action_id + ":next", std::to_string(p + 1)});
      }
      message.Add(ActionsBlock(nav));
    }
    FAQBOT_ASSIGN_OR_RETURN(json built, message.Build());
    messages.push_back(std::move(built));
  }
  return messages;
}

}  // namespace faqbot::slack
