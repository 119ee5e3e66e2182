#include "nlu/analyzer.h"

#include "nlu/stemmer.h"
#include "nlu/stop_words.h"
#include "nlu/text_normalizer.h"

namespace faqbot::nlu {

std::vector<Term> Analyze(std::string_view text, const Lexicon& lexicon, size_t max_terms,
                          const TokenizeOptions& tokenize) {
  std::vector<Term> terms;
  Stemmer& stemmer = ThreadLocalStemmer();
  for (std::string& word : Tokenize(NormalizeText(text), tokenize)) {
    if (terms.size() >= max_terms) break;
    Term t;
    t.stop = IsStopWord(word);
    t.stem = stemmer.Stem(word);
    t.lexicon_id = kUnknownTerm;
    if (auto id = lexicon.Find(t.stem)) {
      t.lexicon_id = lexicon.Canonical(*id);
      if (t.lexicon_id != *id) t.stem = std::string(lexicon.Term(t.lexicon_id));
    }
    terms.push_back(std::move(t));
  }
  return terms;
}

}  // namespace faqbot::nlu
