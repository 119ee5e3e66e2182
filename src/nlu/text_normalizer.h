// Text normalisation and tokenisation: the first stage of every text the engine sees, training
// examples and queries alike, so both sides always agree.
//
// Normalisation: Slack markup is reduced to what a reader sees (`<https://x|label>` → label,
// `<@U123>` and `<#C1|general>` and `<!here>` → dropped, `:emoji:` → dropped), then Unicode
// casefolding, NFKC and accent folding ("Café" → "cafe"). Invalid UTF-8 bytes become spaces.
// Tokenisation: runs of letters and digits; contractions are split ("haven't" → "have", "not").
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faqbot::nlu {

// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);
// Byte offset of the first malformed UTF-8 sequence, or std::string_view::npos.
size_t FirstInvalidUtf8(std::string_view text);

// Removes or replaces Slack markup (see above); leaves other text untouched.
std::string StripSlackMarkup(std::string_view text);

// StripSlackMarkup + casefold + accent folding + whitespace collapsing.
std::string NormalizeText(std::string_view text);

// Lower-case word tokens of already-normalised text (contractions expanded).
std::vector<std::string> Tokenize(std::string_view normalized);

}  // namespace faqbot::nlu
