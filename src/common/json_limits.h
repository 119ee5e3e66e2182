// How deep a JSON text nests, read without parsing it: a body of a million "[" is refused in one
// pass over its bytes instead of being built into a million nested values (a parser keeps each
// level, tens of bytes apiece, and the allocator seldom hands that memory back).
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"

namespace faqbot {

// Deeper than any request this program reads (Slack's blocks and views nest about ten levels).
inline constexpr int kMaxJsonNesting = 64;

// Whether no array or object of `text` lies more than `limit` levels deep ("[]" is one level,
// "[{}]" two); brackets inside strings do not count. Says nothing of whether `text` is valid JSON:
// the parser decides that.
bool JsonNestingWithin(std::string_view text, int limit = kMaxJsonNesting);

// The same as a Status for the readers of a request: InvalidArgument "`what` nests more than
// kMaxJsonNesting levels deep" when it does.
Status CheckJsonNesting(std::string_view text, std::string_view what);

}  // namespace faqbot
