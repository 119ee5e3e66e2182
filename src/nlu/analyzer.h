// Analyzer: text → terms, the common front end of training and prediction.
// NormalizeText → Tokenize → Snowball stem → lexicon canonical form ("went" → "go").
// Thread-safe (uses a per-thread stemmer); the lexicon must outlive the call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nlu/lexicon.h"
#include "nlu/text_normalizer.h"

namespace faqbot::nlu {

inline constexpr uint32_t kUnknownTerm = 0xFFFFFFFFu;

struct Term {
  std::string stem;     // the canonical stem
  uint32_t lexicon_id;  // kUnknownTerm when the lexicon does not know the stem
  bool stop;            // a function word
};

inline constexpr size_t kMaxTermsPerText = 256;

// At most `max_terms` terms are returned (the rest of a very long text is ignored).
std::vector<Term> Analyze(std::string_view text, const Lexicon& lexicon,
                          size_t max_terms = kMaxTermsPerText,
                          const TokenizeOptions& tokenize = {});

}  // namespace faqbot::nlu
