// Model: one bot's trained FAQ matcher. Immutable once built; Predict is const and thread-safe,
// so one std::shared_ptr<const Model> serves any number of threads while a retrain builds the
// next one.
//
// How it matches: every example question and every query is analysed into weighted terms
// (analyzer.h; weights from background IDF, in-bot rarity and a small weight for function
// words). A query is scored against each example by aligning terms both ways: each query term
// finds its most similar example term and vice versa, where similar means the same stem (1.0),
// a WordNet relation of a frequent sense (synonym, derivation, hypernym... weighted by relation
// and sense rank), or a misspelling (character trigram Dice) of a word the lexicon does not know.
// The weighted recall and precision of that alignment blend into the example's score; a topic
// scores its best example. Confidence is a calibrated sigmoid of the best score and its margin
// over the runner-up, so one threshold serves bots of any size; below it the model declines with
// the intent "nlu_fallback".
//
// File format: magic "FAQBOTMD", format version, lexicon fingerprint, payload size and checksum,
// then the payload (options, topic names, vocabulary, examples). Derived indexes are rebuilt on
// load, so a model stays valid if the lexicon file is rebuilt.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "nlu/lexicon.h"
#include "nlu/matcher_options.h"
#include "nlu/training_data.h"

namespace faqbot::nlu {

inline constexpr std::string_view kFallbackIntent = "nlu_fallback";

struct RankedIntent {
  std::string name;
  float confidence;
};

struct Prediction {
  std::string intent;       // the answering topic, or kFallbackIntent when declined
  float confidence = 0.0f;  // of `intent`; when declined, the threshold (as Rasa reports it)
  std::vector<RankedIntent> ranking;  // real topics, best first (no fallback entry)
  bool declined() const { return intent == kFallbackIntent; }
};

// Limits enforced by Train and Load.
inline constexpr size_t kMaxTopics = 10'000;
inline constexpr size_t kMaxExamplesPerModel = 200'000;
inline constexpr size_t kMaxExampleBytes = 64 * 1024;

class Model {
 public:
  static constexpr uint32_t kFormatVersion = 1;

  // Builds a model. Deterministic: the same data, lexicon and options give the same model and
  // the same Serialize() bytes. Examples without any word ("???") are skipped with a warning; a
  // topic left with none is kept but never predicted. Errors (InvalidArgument): no intents, an
  // intent with no examples, duplicate or empty intent names, an example over kMaxExampleBytes,
  // too many topics or examples, invalid UTF-8.
  static Result<std::shared_ptr<const Model>> Train(const TrainingData& data,
                                                    std::shared_ptr<const Lexicon> lexicon,
                                                    const MatcherOptions& options = {});

  // Reads a Serialize()d model. Errors: DataLoss for anything truncated, corrupt or of another
  // format version.
  static Result<std::shared_ptr<const Model>> Load(std::string_view bytes,
                                                   std::shared_ptr<const Lexicon> lexicon);

  std::string Serialize() const;

  // Matches one query. An empty or wordless query is declined with confidence 0.
  // `max_ranking` bounds the ranking list. Thread-safe.
  Prediction Predict(std::string_view query, size_t max_ranking = 10) const;

  size_t topic_count() const { return topics_.size(); }
  // An estimate of the heap memory this model holds, for memory-bounded caches.
  size_t ApproximateMemoryBytes() const;
  const std::string& topic(size_t i) const { return topics_[i]; }
  const MatcherOptions& options() const { return options_; }

  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  ~Model();

 private:
  struct VocabTerm {
    std::string stem;
    uint32_t lexicon_id;
    bool stop;
    float weight;
  };
  struct Example {
    uint32_t topic;
    std::vector<uint32_t> terms;  // distinct vocabulary ids
    float weight_sum;
  };
  struct Posting {
    uint32_t example;
    uint32_t slot;  // index into the example's terms
  };
  struct Match {
    uint32_t vocab;
    float sim;
  };
  struct Scratch;

  Model() = default;
  // Builds every derived index from vocab_, examples_ and options_.
  void BuildIndexes();
  float BackgroundWeight(uint32_t lexicon_id, bool stop) const;
  // sum += weight × the word vector of `lexicon_id` (nothing when it has none).
  void AddVector(uint32_t lexicon_id, float weight, std::vector<float>& sum) const;
  float RelationSim(const RelatedTerm& r) const;
  // Vocabulary terms similar to a query term, with their similarity (best per term), into
  // scratch.matches.
  void MatchesFor(const std::string& stem, uint32_t lexicon_id, bool stop, Scratch& scratch) const;
  // Calls add(vocab id, similarity) for every way a query term relates to the vocabulary.
  template <typename Add>
  void CollectMatches(const std::string& stem, uint32_t lexicon_id, bool stop, Add&& add) const;
  std::vector<float> TopicScores(std::string_view query) const;
  float Confidence(float score, float other) const;

  std::shared_ptr<const Lexicon> lexicon_;
  MatcherOptions options_;
  std::vector<std::string> topics_;
  std::vector<VocabTerm> vocab_;
  std::vector<Example> examples_;
  // Derived.
  std::unordered_map<std::string, uint32_t> by_stem_;
  std::unordered_map<uint32_t, uint32_t> by_lexicon_id_;
  // Lexicon id → the vocab terms related to it, flat (a hash map of small vectors cost ~97 bytes
  // per key, two thirds of a model's memory): keys sorted; the matches of expansion_keys_[i] are
  // expansion_matches_[expansion_offsets_[i] .. expansion_offsets_[i + 1]).
  std::vector<uint32_t> expansion_keys_;
  std::vector<uint32_t> expansion_offsets_;
  std::vector<Match> expansion_matches_;
  std::unordered_map<uint32_t, std::vector<uint32_t>> trigrams_;  // trigram → vocab ids
  std::vector<uint32_t> trigram_count_;                           // per vocab id
  std::vector<std::vector<Posting>> postings_;                    // per vocab id
  std::vector<uint32_t> vector_vocab_;  // vocab ids with a word vector, rows of vector_rows_
  std::vector<int8_t> vector_rows_;     // their vectors, contiguous
  std::vector<float> centroids_;        // per example: weighted mean word vector, unit length
};

}  // namespace faqbot::nlu
