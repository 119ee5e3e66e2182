// Reply: what the assistant says, independent of where it is shown. A Slack messenger renders it
// as mrkdwn + Block Kit (escaping user text, keeping every limit); the terminal shell prints it
// with buttons as numbered choices. The assistant never writes Slack syntax itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_types.h"

namespace faqbot::assistant {

// A piece of a paragraph.
struct Span {
  enum class Kind {
    kText,      // the assistant's own words; may carry :emoji: codes and *bold*
    kUserText,  // text a person wrote (a question, an answer): shown verbatim, never interpreted
    kMention,   // a person, by Slack user id (`value`); rendered as a mention
  };
  Kind kind = Kind::kText;
  std::string value;
};

struct Paragraph {
  std::vector<Span> spans;
};

// A button. Pressing it comes back as a ButtonPress with the same `action` and `value`.
struct Button {
  std::string label;   // short; the renderer shortens visibly past its surface's limit
  std::string action;  // what it does: a concierge intent name ("add_topic", "affirm", …) or
                       // an assistant action ("feedback_up", "handoff_answer", …)
  std::string value;   // an argument (a topic id, a question id); may be empty
  enum class Style { kDefault, kPrimary, kDanger } style = Style::kDefault;
  // Asked of the person before the press counts (a surface's own dialog: Slack's "confirm"),
  // for buttons that act at once where a conversation would have asked "are you sure?".
  struct Confirm {
    std::string title;  // "Publish your topics?"
    std::string text;   // what will happen
    std::string yes;    // the confirming button's label
    std::string no = "Cancel";
  };
  std::optional<Confirm> confirm = std::nullopt;
};

// One item of a list (a topic in "show my topics"): a line with its own buttons.
struct ListItem {
  Paragraph text;
  std::vector<Button> buttons;
};

struct Reply {
  std::vector<Paragraph> paragraphs;
  std::vector<ListItem> items;     // rendered after the paragraphs, paginated when long
  std::vector<Button> buttons;     // rendered last
  std::vector<Paragraph> context;  // small print under everything (e.g. "topic: …")
  // Set on a message that may have to change later (a hand-off DM): a messenger that posts it
  // reports where (its channel and ts) under this key, so it can be replaced (kUpdate). Not shown.
  std::string track;
  // No separate summary: a messenger that needs one (Slack's notification text) makes it from
  // the paragraphs, with the same escaping as the rest of the reply.
};

// Building blocks, so reply code reads like the sentence it makes.
Span Words(std::string text);
Span UserText(std::string text);
Span Mention(const std::string& user_id);
Paragraph Line(std::vector<Span> spans);
Paragraph Line(std::string words);
// The words that follow a person's text, without their leading full stop or question mark when
// the text already ends a sentence: AfterUserText("Is it on?", ". Publish.") is " Publish.",
// AfterUserText("Is it on?", "?") is "" — no "?." or "??" after what someone typed.
Span AfterUserText(std::string_view user_text, std::string words);

// "1 topic", "3 topics": a count with its noun in the right number. `plural` defaults to
// `singular` + "s".
std::string Count(size_t n, std::string_view singular, std::string_view plural = {});

// " 2 topics need an answer and stay out of it." after a sentence about a publish; empty for 0.
// Every surface that publishes says it with these words.
std::string LeftOut(size_t needs_answer);

// The whole reply as plain text (mentions as <@U…>, user text verbatim, buttons as "[label]"):
// for tests, logs and the terminal.
std::string PlainText(const Reply& reply);

}  // namespace faqbot::assistant
