// Text normalisation and tokenisation: the first stage of every text the engine sees, training
// examples and queries alike, so both sides always agree.
//
// Normalisation: Slack markup is reduced to what a reader sees (`<https://x|label>` → label,
// `<@U123>` and `<#C1|general>` and `<!here>` → dropped, `:emoji:` → dropped), then Unicode
// casefolding, NFKC and accent folding ("Café" → "cafe"). Invalid UTF-8 bytes become spaces.
// Tokenisation: runs of letters and digits; contractions are split ("haven't" → "have", "not");
// Han ideographs and kana are a token each (those scripts put no spaces between words).
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

struct TokenizeOptions {
  // Each Han ideograph and kana is a token of its own ("午餐几点开始" → 午 餐 几 点 开 始), so
  // questions in Chinese or Japanese share words like spaced ones do; false makes a run of them
  // one token, as models stored before this option analysed them.
  bool split_ideographs = true;
};

// Lower-case word tokens of already-normalised text (contractions expanded).
std::vector<std::string> Tokenize(std::string_view normalized, const TokenizeOptions& options = {});

}  // namespace faqbot::nlu
