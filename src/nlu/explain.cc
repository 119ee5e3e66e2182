#include "nlu/explain.h"

#include <optional>

#include "nlu/analyzer.h"
#include "nlu/text_normalizer.h"

namespace faqbot::nlu {
namespace {

// A word of a text with its analysed term; stop words and wordless tokens are dropped.
struct Word {
  std::string surface;
  Term term;
};

std::vector<Word> ContentWords(std::string_view text, const Lexicon& lexicon) {
  std::vector<Word> words;
  for (std::string& token : Tokenize(NormalizeText(text))) {
    std::vector<Term> terms = Analyze(token, lexicon, 1);
    if (terms.empty() || terms[0].stop) continue;
    words.push_back({std::move(token), std::move(terms[0])});
  }
  return words;
}

WordLink LinkOf(Relation relation) {
  switch (relation) {
    case Relation::kSynonym: return WordLink::kSynonym;
    case Relation::kDerivation: return WordLink::kDerivation;
    case Relation::kHypernym: return WordLink::kHypernym;
    case Relation::kHyponym: return WordLink::kHyponym;
    case Relation::kSimilar: return WordLink::kSimilar;
    case Relation::kOther: return WordLink::kOther;
  }
  return WordLink::kOther;
}

// Lower is closer: the link first, then the WordNet sense it comes from.
int Rank(WordLink link, int sense_rank) {
  return static_cast<int>(link) * (kMaxSenseRank + 1) + sense_rank;
}

// How `q` meets `e`, as (link, sense rank); nullopt when it does not.
std::optional<std::pair<WordLink, int>> Link(const Word& q, const Word& e,
                                             const Lexicon& lexicon) {
  if (q.surface == e.surface) return std::pair{WordLink::kSameWord, 0};
  if (q.term.stem == e.term.stem) return std::pair{WordLink::kSameStem, 0};
  if (q.term.lexicon_id == kUnknownTerm || e.term.lexicon_id == kUnknownTerm) return std::nullopt;
  const uint32_t qid = q.term.lexicon_id, eid = e.term.lexicon_id;
  if (lexicon.Canonical(qid) == lexicon.Canonical(eid)) return std::pair{WordLink::kSameStem, 0};
  std::optional<std::pair<WordLink, int>> best;
  auto consider = [&](WordLink link, int sense) {
    if (!best || Rank(link, sense) < Rank(best->first, best->second)) best = std::pair{link, sense};
  };
  for (uint32_t packed : lexicon.RawRelated(qid)) {
    const RelatedTerm r = Lexicon::Decode(packed);
    if (r.term == eid) consider(LinkOf(r.relation), r.sense_rank);
  }
  // The other direction: the topic's word lists the question's; a hypernym seen from there is
  // a hyponym seen from here.
  for (uint32_t packed : lexicon.RawRelatedFrom(qid)) {
    const RelatedTerm r = Lexicon::Decode(packed);
    if (r.term != eid) continue;
    WordLink link = LinkOf(r.relation);
    if (link == WordLink::kHypernym) {
      link = WordLink::kHyponym;
    } else if (link == WordLink::kHyponym) {
      link = WordLink::kHypernym;
    }
    consider(link, r.sense_rank);
  }
  return best;
}

}  // namespace

std::string_view WordLinkName(WordLink link) {
  switch (link) {
    case WordLink::kSameWord: return "same word";
    case WordLink::kSameStem: return "same stem";
    case WordLink::kSynonym: return "synonym";
    case WordLink::kDerivation: return "derived form";
    case WordLink::kSimilar: return "similar";
    case WordLink::kHypernym: return "more general";
    case WordLink::kHyponym: return "more specific";
    case WordLink::kOther: return "related";
  }
  return "related";
}

Explanation Explain(std::string_view query, const std::vector<std::string>& examples,
                    const Lexicon& lexicon) {
  const std::vector<Word> asked = ContentWords(query, lexicon);
  std::vector<std::vector<Word>> topic;
  for (const auto& example : examples) topic.push_back(ContentWords(example, lexicon));

  float total = 0.0f;
  std::vector<float> weights;
  for (const Word& q : asked) {
    const uint32_t id = q.term.lexicon_id;
    weights.push_back(id == kUnknownTerm ? lexicon.UnknownIdf() : lexicon.Idf(id));
    total += weights.back();
  }
  Explanation out;
  for (size_t i = 0; i < asked.size(); ++i) {
    const float weight = total > 0.0f ? weights[i] / total : 0.0f;
    std::optional<WordMatch> best;
    int best_rank = 0;
    for (size_t x = 0; x < topic.size(); ++x) {
      for (const Word& e : topic[x]) {
        const auto link = Link(asked[i], e, lexicon);
        if (!link) continue;
        const int rank = Rank(link->first, link->second);
        if (!best || rank < best_rank) {
          best = WordMatch{asked[i].surface, e.surface, x, link->first, weight};
          best_rank = rank;
        }
      }
    }
    if (best) {
      out.covered += weight;
      out.matches.push_back(std::move(*best));
    } else {
      out.unmatched.push_back(asked[i].surface);
    }
  }
  return out;
}

}  // namespace faqbot::nlu
