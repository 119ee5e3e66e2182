// mrkdwn text: escaping user text and fitting text into Slack's length limits.
//
// Slack reads "<…>" in message text as markup (<@U123> mentions, <!channel> pings,
// <https://x|label> links) and "&amp;", "&lt;", "&gt;" as the characters & < >. User-provided
// text (questions, answers, topic names) must therefore be escaped before it is put into mrkdwn,
// and text that is already escaped must be cut only between whole entities and whole markup
// tokens. Lengths are counted in UTF-16 code units, never fewer than the code points Slack's SDK
// validators count, so a text within a limit by this count is within it by theirs.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace faqbot::slack {

// Replaces exactly & → &amp;, < → &lt;, > → &gt; and nothing else (no HTML escaping of quotes),
// so "<!channel>" or "<https://evil|click>" in user text arrive as inert text.
std::string EscapeMrkdwn(std::string_view text);

// EscapeMrkdwn, except Slack's own link, user and channel tokens, which stay as Slack sends them
// in a person's message: <https://…>, <http://…>, <mailto:…> (with or without "|label"),
// <@U…> / <@W…> and <#C…> / <#G…> (with or without "|name"). What someone linked or mentioned
// then shows as they wrote it (an owner's "see <https://wiki|the wiki>, ask <@U123>"), while
// everything else — "<!channel>", "<!here>", "<!subteam^…>", stray brackets — stays inert; '&'
// is escaped inside kept tokens too.
std::string EscapeMrkdwnKeepingLinks(std::string_view text);

// "&lt;b&gt; &amp;" → "<b> &": the three entities Slack puts in message text, each decoded once
// (EscapeMrkdwn undone); other entities stay as they are.
std::string DecodeSlackEntities(std::string_view text);

// The length of UTF-8 `text` as Slack's limits count it (UTF-16 code units: 1 for most
// characters, 2 for those outside the Basic Multilingual Plane such as most emoji). A malformed
// byte counts as one unit.
size_t SlackTextLength(std::string_view text);

// Splits `text` into pieces of at most `max_length` (SlackTextLength; raised to 2 if lower)
// each, cutting at the last paragraph break ("\n\n") or line break in the second half of the
// allowed window, else at the last space, else at the last safe character boundary. A cut is
// never inside a UTF-8 sequence, an entity (&amp; &lt; &gt;) or a <…> markup token (unless the
// token alone is longer than the limit). The whitespace at a cut is dropped; everything else is
// kept in order, and no piece is empty. Empty input gives no pieces.
std::vector<std::string> SplitText(std::string_view text, size_t max_length);

// `text` unchanged when it fits `max_length`; otherwise its longest prefix that fits together
// with `mark`, cut as SplitText cuts, followed by `mark` (e.g. "…" for plain text,
// kTruncatedMark for mrkdwn), so a shortened text is always visibly shortened.
std::string TruncateText(std::string_view text, size_t max_length, std::string_view mark);

// The visible end of a shortened mrkdwn text.
inline constexpr std::string_view kTruncatedMark = "\u2026 _(shortened: too long for Slack)_";
// The visible end of a shortened plain_text (button labels, headers).
inline constexpr std::string_view kEllipsis = "\u2026";

}  // namespace faqbot::slack
