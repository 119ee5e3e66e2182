// Block Kit: building Slack message layouts that stay within Slack's limits.
//
// Slack rejects a whole message (invalid_blocks) when any one limit is exceeded, so the
// builders keep every display text within its limit by shortening it visibly (kEllipsis for
// plain text, kTruncatedMark for mrkdwn), and long content is spread over several blocks
// (SectionsForText) or several messages (PaginateList). Identifiers (action_id, block_id) and
// button values are data, never shortened: ValidateBlocks reports them, and MessageBuilder::Build
// fails, instead of sending a layout Slack would reject or a button that means something else.
//
// mrkdwn arguments are markup: escape user-provided parts with EscapeMrkdwn first.
// Pure functions and a value-type builder; thread-compatible.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace faqbot::slack {

// Slack's limits (docs.slack.dev Block Kit reference; python-slack-sdk validators).
inline constexpr size_t kMaxBlocksPerMessage = 50;
inline constexpr size_t kMaxBlocksPerView = 100;  // a modal or a Home tab
inline constexpr size_t kMaxSectionText = 3000;
inline constexpr size_t kMaxSectionFields = 10;
inline constexpr size_t kMaxFieldText = 2000;
inline constexpr size_t kMaxActionsElements = 25;
inline constexpr size_t kMaxContextElements = 10;
inline constexpr size_t kMaxButtonText = 75;
inline constexpr size_t kMaxButtonValue = 2000;
inline constexpr size_t kMaxActionId = 255;
inline constexpr size_t kMaxBlockId = 255;
inline constexpr size_t kMaxHeaderText = 150;
// A confirmation dialog (composition object "confirm"): its title, text and two buttons.
inline constexpr size_t kMaxConfirmTitle = 100;
inline constexpr size_t kMaxConfirmText = 300;
inline constexpr size_t kMaxConfirmButton = 30;

enum class ButtonStyle { kDefault, kPrimary, kDanger };

// The dialog Slack shows before a button's press is sent ("Publish your topics?"): the press
// arrives only when the person confirms. Plain text, each part shortened to its limit.
struct Confirm {
  std::string title;    // ≤ kMaxConfirmTitle
  std::string text;     // ≤ kMaxConfirmText
  std::string confirm;  // ≤ kMaxConfirmButton
  std::string deny;     // ≤ kMaxConfirmButton
};

struct Button {
  std::string text;       // label, plain text; shortened to kMaxButtonText
  std::string action_id;  // ≤ kMaxActionId, unique within its block
  std::string value;      // ≤ kMaxButtonValue; comes back in the block_actions payload
  ButtonStyle style = ButtonStyle::kDefault;
  std::optional<Confirm> confirm = std::nullopt;
};

// Text objects.
nlohmann::json PlainText(std::string_view text);
nlohmann::json MrkdwnText(std::string_view mrkdwn);

// What a reader sees of the chat service's markup in `text`, for a plain_text label (where
// markup shows as typed): a link's label (or its address), "@U…" for a mention, "#name" for a
// channel, "@here" for a broadcast, and &amp; &lt; &gt; as the characters they stand for.
std::string PlainLabel(std::string_view text);

// {"type":"button",…}; its label and confirm texts as PlainLabel shows them.
nlohmann::json ButtonElement(const Button& button);

// A section: mrkdwn text (shortened to kMaxSectionText; omitted when empty), optional fields
// (each shortened to kMaxFieldText; beyond kMaxSectionFields the last shown field says how many
// more there are) and an optional button accessory.
nlohmann::json SectionBlock(std::string_view mrkdwn, const std::vector<std::string>& fields = {},
                            const std::optional<Button>& accessory = std::nullopt,
                            std::string_view block_id = {});

// An actions block of buttons. Takes at most kMaxActionsElements; callers with more split them
// over several blocks (PaginateList does).
nlohmann::json ActionsBlock(const std::vector<Button>& buttons, std::string_view block_id = {});

// A context block of mrkdwn elements (at most kMaxContextElements, each ≤ kMaxSectionText).
nlohmann::json ContextBlock(const std::vector<std::string>& mrkdwn_elements);

nlohmann::json DividerBlock();

// A header: plain text shortened to kMaxHeaderText.
nlohmann::json HeaderBlock(std::string_view text);

// Sections holding all of a long mrkdwn text (SplitText at kMaxSectionText): nothing is dropped.
std::vector<nlohmann::json> SectionsForText(std::string_view mrkdwn);

// Ok when `blocks` (a JSON array) keeps every limit above: block count (at most `max_blocks`:
// kMaxBlocksPerMessage for a message, kMaxBlocksPerView for a view), text lengths, field and
// element counts, button label/value/action_id and block_id lengths, non-empty section text or
// fields. Errors: InvalidArgument naming the first violation ("blocks[3].accessory.value: 2107
// characters, limit 2000").
Status ValidateBlocks(const nlohmann::json& blocks, size_t max_blocks = kMaxBlocksPerMessage);

// Accumulates the blocks of one message.
class MessageBuilder {
 public:
  // `fallback_text`: the message's top-level text, shown in notifications and by clients that
  // cannot render blocks (mrkdwn; shortened to kMaxSectionText).
  explicit MessageBuilder(std::string_view fallback_text);

  MessageBuilder& Add(nlohmann::json block);
  // Adds SectionsForText(mrkdwn).
  MessageBuilder& AddText(std::string_view mrkdwn);

  size_t size() const { return blocks_.size(); }

  // {"text": …, "blocks": […]}. With more than kMaxBlocksPerMessage blocks, the first 49 are kept
  // and the 50th is a context block saying how many were left out. Errors: InvalidArgument from
  // ValidateBlocks (an identifier or value over its limit).
  Result<nlohmann::json> Build() const;

 private:
  std::string text_;
  std::vector<nlohmann::json> blocks_;
};

// One entry of a long list (a topic with its buttons).
struct ListItem {
  std::string mrkdwn;           // shortened to kMaxSectionText
  std::vector<Button> buttons;  // one: the section's accessory; more: actions blocks below it
};

// The blocks of one item: a section with its button as accessory, or a section and actions
// blocks for several buttons.
std::vector<nlohmann::json> ListItemBlocks(const ListItem& item);

struct PageOptions {
  // Header of every page, plain text; no header when empty.
  std::string title{};
  // Optional mrkdwn appended to the context line "Page i of n · N items".
  std::string footer{};
  // When non-empty, pages get "Previous"/"Next" buttons with action_id "<nav_action_id>:prev" /
  // "<nav_action_id>:next" and the 0-based target page number as value.
  std::string nav_action_id{};
  // Blocks per page, at most kMaxBlocksPerMessage.
  size_t max_blocks = kMaxBlocksPerMessage;
};

// Splits `items` into as many messages as needed, each a valid {"text","blocks"} message of at
// most `max_blocks` blocks: a header "<title> (i/n)", whole items in order (an item is never
// split across pages), a context line "Page i of n · N items", and navigation buttons when
// asked. No items give one page saying so. Errors: InvalidArgument when one item alone does not
// fit a page, or from ValidateBlocks.
Result<std::vector<nlohmann::json>> PaginateList(const std::vector<ListItem>& items,
                                                 const PageOptions& options);

}  // namespace faqbot::slack
