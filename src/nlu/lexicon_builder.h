// LexiconBuilder: compiles WordNet 3.0's data files (Debian's wordnet-base, /usr/share/wordnet)
// into the binary Lexicon image (see lexicon.h). Deterministic: the same WordNet gives the same
// bytes. Takes a few seconds; run by the build, or on first use when no lexicon file is found.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "nlu/lexicon.h"
#include "nlu/word_vectors.h"

namespace faqbot::nlu {

struct LexiconBuilderOptions {
  // Senses of a word beyond this rank contribute no relations (WordNet lists senses by
  // frequency; rare senses are what made blind synonym swapping hurt).
  int max_senses = 4;
  // At most this many related stems are kept per stem, the closest first.
  int max_related = 48;
  // Hypernym levels linked (1: parents; 2: grandparents too, one sense rank further away).
  int hypernym_depth = 2;
  // Word vectors learned from the glosses.
  WordVectorOptions vectors;
};

// Reads index.*, data.* and *.exc from `wordnet_dir`. Errors: NotFound (missing files),
// DataLoss (unparseable lines).
Result<std::string> BuildLexiconImage(const std::string& wordnet_dir,
                                      const LexiconBuilderOptions& options = {});

// Where OpenLexicon looks, in order: `explicit_path` (error if set and unusable), the
// FAQBOT_LEXICON environment variable, `lexicon.fwn` beside the running executable,
// `../share/faqbot/lexicon.fwn` beside it, then a per-user cache file
// ($XDG_CACHE_HOME or ~/.cache)/faqbot/lexicon-v<format>.fwn, built from `wordnet_dir` and
// written atomically when missing.
struct LexiconSearch {
  std::string explicit_path;
  std::string wordnet_dir = "/usr/share/wordnet";
};
Result<std::shared_ptr<const Lexicon>> OpenLexicon(const LexiconSearch& search = {});

}  // namespace faqbot::nlu
