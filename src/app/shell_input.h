// What one person typed into `faqbot shell`: a line, or several lines sent as one message.
#pragma once
#include <functional>
#include <istream>
#include <optional>
#include <string>

namespace faqbot::app {

// Terminal bracketed paste: a terminal that was sent kBracketedPasteOn wraps pasted text in these
// markers, so a pasted multi-line answer arrives as one message instead of one per line.
inline constexpr const char* kBracketedPasteOn = "\x1b[?2004h";
inline constexpr const char* kBracketedPasteOff = "\x1b[?2004l";
inline constexpr std::string_view kPasteStart = "\x1b[200~";
inline constexpr std::string_view kPasteEnd = "\x1b[201~";

// Reads the next message from `in`: one line; lines ending in a backslash go on to the next one
// (the backslash dropped, a line break kept); a bracketed paste is taken whole, its line breaks
// kept, the markers dropped. `more` is called before each further line is read (a terminal shows
// a continuation prompt). nullopt at the end of input with nothing read.
std::optional<std::string> ReadShellMessage(std::istream& in,
                                            const std::function<void()>& more = {});

}  // namespace faqbot::app
