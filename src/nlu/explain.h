// Explain: why a question is near a topic, in words a person can check — which words of the
// question meet which words of the topic's examples, and how: the same word, the same stem
// ("printers" / "printer"), or a WordNet relation (a synonym, a derived form, a more general or
// a more specific word…), with each question word's background weight (its IDF: rare words
// count more). The web console's playground shows it beside the model's ranking.
//
// It explains with the lexicon alone, not with a model's internal scores, so it stays valid
// whatever the matcher does with these words; the model decides, this tells what it had to go
// on. Pure function; thread-safe; the lexicon must outlive the call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nlu/lexicon.h"

namespace faqbot::nlu {

enum class WordLink {
  kSameWord,    // the same word
  kSameStem,    // another form of it: the same stem or the same canonical stem ("went" / "go")
  kSynonym,     // WordNet synonym
  kDerivation,  // morphologically derived
  kSimilar,     // similar adjective, verb group, also-see
  kHypernym,    // the topic's word is more general ("laptop" → "computer")
  kHyponym,     // the topic's word is more specific
  kOther,       // another WordNet relation (pertainym, entailment…)
};
// "same word", "same stem", "synonym", "derived form", "similar", "more general",
// "more specific", "related".
std::string_view WordLinkName(WordLink link);

// One question word and the topic word it meets.
struct WordMatch {
  std::string query_word;    // as written (normalised: lower case)
  std::string example_word;  // the topic's word it meets
  size_t example = 0;        // index into the examples given
  WordLink link = WordLink::kSameWord;
  float weight = 0.0f;       // the question word's share of the question's weight, 0–1
};

struct Explanation {
  std::vector<WordMatch> matches;  // in the question's order
  std::vector<std::string> unmatched;  // content words of the question no example has
  // The matched share of the question's weight, 0–1 (stop words carry none).
  float covered = 0.0f;
};

// Explains `query` against a topic's `examples` (its question and phrasings). Stop words are
// left out; each content word of the question is matched with its closest link over every
// example (same word first, then same stem, then relations, the word's most frequent senses
// first).
Explanation Explain(std::string_view query, const std::vector<std::string>& examples,
                    const Lexicon& lexicon);

}  // namespace faqbot::nlu
