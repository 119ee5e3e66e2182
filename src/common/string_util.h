// Small string helpers shared by the modules. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace faqbot {

// `text` without the ASCII whitespace (space, tab, CR, LF) at either end.
std::string Trim(std::string_view text);

// What a person typed without the blank at either end: Unicode white space (no-break and
// ideographic spaces, line and paragraph separators, …) and the characters that show nothing
// (zero-width spaces and joiners, word joiner, byte order mark, soft hyphen). Invalid UTF-8 is
// kept as it is.
std::string TrimText(std::string_view text);

// Whether `text` shows nothing: empty once TrimText has removed its blank.
bool IsBlankText(std::string_view text);

// `text` with its ASCII letters in lower case; every other byte (UTF-8 included) as it is.
std::string AsciiLower(std::string_view text);

// Each byte of `bytes` as two lower-case hex digits ("\x01\xab" → "01ab").
std::string LowerHex(std::string_view bytes);

}  // namespace faqbot
