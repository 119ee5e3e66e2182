// Small string helpers shared by the modules. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace faqbot {

// `text` without the ASCII whitespace (space, tab, CR, LF) at either end.
std::string Trim(std::string_view text);

// `text` with its ASCII letters in lower case; every other byte (UTF-8 included) as it is.
std::string AsciiLower(std::string_view text);

// Each byte of `bytes` as two lower-case hex digits ("\x01\xab" → "01ab").
std::string LowerHex(std::string_view bytes);

}  // namespace faqbot
