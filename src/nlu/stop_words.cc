#include "nlu/stop_words.h"

#include <algorithm>
#include <array>

namespace faqbot::nlu {
namespace {

// Sorted, for binary search. Pronouns, determiners, auxiliaries and modals, prepositions,
// conjunctions, question words and the fillers of chat questions ("can you tell me", "is there a
// way to"). They still match each other, at a small weight. Negations are deliberately absent.
constexpr std::array<std::string_view, 151> kStopWords = {
    "a",      "able",   "about",   "above",    "after",     "again",    "all",        "also",
    "am",     "an",     "and",     "any",      "anyone",    "anything", "are",        "as",
    "at",     "be",     "been",    "being",    "both",      "but",      "by",         "can",
    "cannot", "could",  "did",     "do",       "does",      "doing",    "each",       "else",
    "ever",   "for",    "from",    "get",      "gets",      "getting",  "got",        "had",
    "has",    "have",   "having",  "he",       "her",       "here",     "hers",       "him",
    "his",    "how",    "i",       "if",       "in",        "into",     "is",         "it",
    "its",    "itself", "just",    "kindly",   "know",      "let",      "like",       "may",
    "me",     "might",  "mine",    "more",     "most",      "much",     "must",       "my",
    "myself", "need",   "of",      "off",      "ok",        "okay",     "on",         "one",
    "only",   "or",     "other",   "our",      "ours",      "out",      "over",       "own",
    "please", "pls",    "plz",     "possible", "really",    "same",     "shall",      "she",
    "should", "so",     "some",    "someone",  "something", "such",     "tell",       "than",
    "that",   "the",    "their",   "them",     "then",      "there",    "these",      "they",
    "this",   "those",  "through", "to",       "too",       "u",        "under",      "until",
    "up",     "ur",     "us",      "very",     "wanna",     "want",     "was",        "way",
    "we",     "were",   "what",    "when",     "where",     "which",    "while",      "who",
    "whom",   "whose",  "why",     "will",     "with",      "would",    "ya",         "yeah",
    "yes",    "yet",    "you",     "your",     "yours",     "yourself", "yourselves",
};
static_assert(std::is_sorted(kStopWords.begin(), kStopWords.end()), "keep kStopWords sorted");

}  // namespace

bool IsStopWord(std::string_view word) {
  return std::binary_search(kStopWords.begin(), kStopWords.end(), word);
}

}  // namespace faqbot::nlu
