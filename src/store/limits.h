// The Store's documented limits. Anything larger is refused with ResourceExhausted (sizes,
// counts) or InvalidArgument (malformed ids, empty required text) and nothing is written.
// Sizes are bytes of UTF-8 (or whatever bytes were given).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace faqbot::store {

// Slack ids (T…, U…, W…, event ids) and worker names: 1–64 of [A-Za-z0-9._:-].
inline constexpr size_t kMaxIdBytes = 64;
// A question or one phrasing of it.
inline constexpr size_t kMaxQuestionBytes = 4'000;
// An answer: Slack's own limit for a message's text.
inline constexpr size_t kMaxAnswerBytes = 40'000;
// Extra phrasings of one topic.
inline constexpr size_t kMaxPhrasings = 200;
// Topics one owner may have.
inline constexpr size_t kMaxTopicsPerOwner = 1'000;
// A question somebody asked (kept for hand-off and the unanswered list).
inline constexpr size_t kMaxAskedQuestionBytes = 40'000;
// A person's display name or a workspace name.
inline constexpr size_t kMaxNameBytes = 256;
// One conversation's serialised dialogue state.
inline constexpr size_t kMaxConversationStateBytes = 64 * 1024;
// A model file.
inline constexpr size_t kMaxModelBytes = 32 * 1024 * 1024;
// One inbox event's payload: the request as Slack sent it (the router refuses larger bodies).
inline constexpr size_t kMaxInboxPayloadBytes = size_t{1} << 20;
// One reply waiting in the outbox (its destination and every paragraph, list item and button).
inline constexpr size_t kMaxOutgoingReplyBytes = size_t{4} << 20;
// The key of a reply's conversation (a channel id, a person, a response_url).
inline constexpr size_t kMaxConversationKeyBytes = 2'048;
// A failure message kept with a job or publication (longer ones are cut, not refused).
inline constexpr size_t kMaxErrorBytes = 4'000;
// Publications kept per owner, the live one among them: older superseded ones are deleted when a
// new one goes live, and a superseded one keeps its topics but not its model.
inline constexpr int64_t kPublicationsKept = 20;

// InvalidArgument unless `id` is 1–kMaxIdBytes of [A-Za-z0-9._:-]; `what` names it in the error.
Status ValidateId(std::string_view id, std::string_view what);
// InvalidArgument when empty and `required`; ResourceExhausted when longer than `max_bytes`.
Status ValidateText(std::string_view text, size_t max_bytes, std::string_view what,
                    bool required = true);
// ValidateText for what a person typed to be shown (a topic's question, answer, phrasing): also
// InvalidArgument when it is not empty but blank (IsBlankText: only spaces or invisible
// characters), or holds a control character other than tab and line breaks (C0, DEL, C1).
Status ValidateTypedText(std::string_view text, size_t max_bytes, std::string_view what,
                         bool required = true);
// `text` with every control character ValidateTypedText refuses made a space: an asker's words
// (stored as they came) on their way to becoming a topic's question or phrasing.
std::string ControlCharactersAsSpaces(std::string_view text);

}  // namespace faqbot::store
