// Small string helpers shared by the modules. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace faqbot {

// `text` without the ASCII whitespace (space, tab, CR, LF) at either end.
std::string Trim(std::string_view text);

}  // namespace faqbot
