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
// scores its best example. When topics have several phrasings each, a classifier head
// (topic_classifier.h) trained on all of them adds its probability to each topic's score.
// Confidence is a sigmoid of the best score and its margin over the runner-up, centred on a
// decline point learned at training from the bot's own examples (how close each comes to the
// other topics; with many phrasings per topic, how sure the bot is when it confuses held-out
// phrasings), so one rule serves bots of any size and density; below it the model declines
// with the intent "nlu_fallback".
//
// File format: magic "FAQBOTMD", format version, lexicon fingerprint, payload size and checksum,
// then the payload (options, topic names, vocabulary, examples; from version 2 the learned
// decline centre; in version 3, written only for a model that kept an earlier centre (Extend),
// how many examples that centre was learned from). Derived indexes and the classifier head are
// rebuilt on load (deterministic),
// so a model stays valid if the lexicon file is rebuilt. Version 1 files still load and answer
// as they did (fixed size rule, no head).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "nlu/analyzer.h"
#include "nlu/lexicon.h"
#include "nlu/matcher_options.h"
#include "nlu/topic_classifier.h"
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
  static constexpr uint32_t kFormatVersion = 3;  // the newest this build reads

  // Builds a model. Deterministic: the same data, lexicon and options give the same model and
  // the same Serialize() bytes. Examples without any word ("???") are skipped with a warning; a
  // topic left with none is kept but never predicted. Errors (InvalidArgument): no intents, an
  // intent with no examples, duplicate or empty intent names, an example over kMaxExampleBytes,
  // too many topics or examples, invalid UTF-8.
  static Result<std::shared_ptr<const Model>> Train(const TrainingData& data,
                                                    std::shared_ptr<const Lexicon> lexicon,
                                                    const MatcherOptions& options = {});

  // Train for `data` when `previous` is the model trained (by Train or Extend, same lexicon) from
  // `previous_data`, and `data` is `previous_data` with examples appended to its intents (a
  // learned phrasing): the same model Train would build, but previous's analysis of its examples
  // is reused, and so is its decline centre while both bots learn it from held-out mistakes and
  // this one has at most kCentreGrowth more examples than the centre was learned from (learning
  // it again trains a second head and matches held-out phrasings: most of a big bot's training).
  // A publish (Train) learns it anew. Any other `data`, or other options than previous's, is
  // trained from scratch. Errors: Train's.
  static Result<std::shared_ptr<const Model>> Extend(const Model& previous,
                                                     const TrainingData& previous_data,
                                                     const TrainingData& data,
                                                     const MatcherOptions& options = {});
  // How much a bot may grow (a fraction of the examples its centre was learned from) and keep
  // that centre in Extend.
  static constexpr float kCentreGrowth = 0.05f;

  // Reads a Serialize()d model of format 1, 2 or 3 (format 1 models keep their old decline rule).
  // Errors: DataLoss for anything truncated, corrupt or of another format version.
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
  // The score at which the confidence of an answer with no runner-up would be one half.
  float decline_center() const { return center_; }
  // How many examples the decline centre was learned from (fewer than the model has when Extend
  // kept an earlier centre).
  size_t decline_center_examples() const { return centre_examples_; }
  // Whether the classifier head is in use (topics with several phrasings).
  bool has_head() const { return head_.classes() > 0; }

  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  ~Model();

 private:
  // Memory matters: a server keeps thousands of small models loaded, so everything below is a
  // flat array (one allocation each, no per-term nodes). What the lexicon already holds (word
  // vectors, relations in both directions) is looked up there, never copied.
  struct VocabTerm {
    uint32_t stem_offset;  // the stem is stems_[stem_offset, stem_offset + stem_size)
    uint32_t stem_size;
    uint32_t lexicon_id;
    float weight;
    bool stop;
  };
  struct Example {
    uint32_t topic;
    uint32_t first_term;  // its distinct vocabulary ids: example_terms_[first_term, + term_count)
    uint32_t term_count;
    float weight_sum;
    float vector_norm;  // length of the weighted sum of its terms' word vectors (0: none)
  };
  struct Posting {
    uint32_t example;
    uint32_t slot;  // index into example_terms_
  };
  struct Match {
    uint32_t vocab;
    float sim;
  };
  struct Scratch;
  static constexpr uint32_t kNoVocab = 0xFFFFFFFFu;
  static constexpr uint32_t kNoTopic = 0xFFFFFFFFu;
  static constexpr uint32_t kNoExample = 0xFFFFFFFFu;

  Model() = default;
  // Train and Extend: `previous` (with `previous_data`) when `data` extends it, else nullptr.
  static Result<std::shared_ptr<const Model>> Build(const TrainingData& data,
                                                    std::shared_ptr<const Lexicon> lexicon,
                                                    const MatcherOptions& options,
                                                    const Model* previous,
                                                    const TrainingData* previous_data);
  // Whether this model, built by Extend from `previous`, keeps previous's decline centre.
  bool KeepsCentreOf(const Model& previous) const;
  std::string_view Stem(const VocabTerm& t) const {
    return {stems_.data() + t.stem_offset, t.stem_size};
  }
  // Appends a vocabulary term (its stem into stems_).
  void AddVocab(std::string_view stem, uint32_t lexicon_id, bool stop, float weight);
  // Builds every derived index from vocab_, examples_ and options_.
  void BuildIndexes();
  uint32_t FindStem(std::string_view stem) const;     // kNoVocab when absent
  uint32_t FindLexiconId(uint32_t lexicon_id) const;  // non-stop terms only; kNoVocab
  float BackgroundWeight(uint32_t lexicon_id, bool stop) const;
  // A vocabulary term's weight as a feature of the head (head_weight_ or the matcher's weight).
  float HeadWeight(uint32_t vocab) const {
    return head_weight_.empty() ? vocab_[vocab].weight : head_weight_[vocab];
  }
  // sum += weight × the word vector of `lexicon_id` (nothing when it has none).
  void AddVector(uint32_t lexicon_id, float weight, std::vector<float>& sum) const;
  float RelationSim(const RelatedTerm& r) const;
  // The vocabulary of some topics' examples: wanted[v] != 0, and the indexes of vector_vocab_
  // entries among them.
  struct VocabSubset {
    const std::vector<char>& wanted;
    const std::vector<uint32_t>& vector_slots;
  };
  // Vocabulary terms similar to a query term, with their similarity (best per term), into
  // scratch.matches. `vector_dots`: the term's word vector · each vector_vocab_ term's (DotI8),
  // or nullptr when it has no vector. With `only`, the matches among that vocabulary (others
  // may be left out).
  void MatchesFor(std::string_view stem, uint32_t lexicon_id, bool stop, const int32_t* vector_dots,
                  const VocabSubset* only, Scratch& scratch) const;
  // Calls add(vocab id, similarity) for every way a query term relates to the vocabulary.
  template <typename Add>
  void CollectMatches(std::string_view stem, uint32_t lexicon_id, bool stop,
                      const int32_t* vector_dots, const VocabSubset* only, Add&& add) const;
  // The query's distinct terms, in order of first occurrence (as training keeps an example's).
  std::vector<Term> QueryTerms(std::string_view query) const;
  // How this model's texts are tokenised (options_.split_ideographs).
  TokenizeOptions Tokenizing() const { return {options_.split_ideographs > 0}; }
  // The distinct terms of examples_[e], as QueryTerms would give for its text.
  std::vector<Term> ExampleTerms(uint32_t e) const;
  // Some of the topics: t with topics[t] != 0, whose examples are examples_[first[t],
  // first[t + 1]) (training stores them topic by topic).
  struct TopicSubset {
    const std::vector<char>& topics;
    const std::vector<uint32_t>& first;
  };
  // Nearest-neighbour score of every topic for distinct query terms `q`, examples_[skip] left
  // out; the query's classifier features into `features` (when not null). With `only`, just
  // those topics are scored (the others score 0), at a cost that grows with their examples
  // rather than all of them.
  std::vector<float> TopicScores(const std::vector<Term>& q, std::vector<SparseFeature>* features,
                                 uint32_t skip = kNoExample,
                                 const TopicSubset* only = nullptr) const;
  // Every topic's score: nearest neighbour, blended with the head's probability when there is one.
  // With `without` < topic_count(), the scores as if that topic did not exist (its score 0, the
  // head's probabilities renormalised over the others).
  std::vector<float> Scores(const std::vector<Term>& q, uint32_t without = kNoTopic) const;
  // Blends the head's probabilities `p` (× `scale`) into nearest-neighbour `scores`, as Scores
  // does.
  void BlendHead(std::vector<float>& scores, const std::vector<float>& p, float scale) const;
  float PhrasingsPerTopic() const;
  // Whether options_ and the number of examples ask for the head.
  bool WantsHead() const;
  // Whether the decline centre is learned from held-out mistakes (MistakeCentre).
  bool LearnsFromMistakes() const;
  // Fold f of kFolds: held_out[e] for every tenth example e (e % kFolds == f), a tenth of every
  // topic's phrasings.
  static constexpr size_t kFolds = 10;
  std::vector<char> Fold(size_t f) const;
  // Trains head_ from examples_ when WantsHead().
  void TrainHead();
  // A head trained on the examples e with !held_out[e] (head_weight_ already set).
  TopicClassifier TrainClassifier(const std::vector<char>& held_out) const;
  // examples_[e]'s features for the head (its terms at their head weights, to unit length) into
  // `out` (term_count entries), as TopicScores gives them for its text.
  void ExampleFeatures(uint32_t e, std::span<SparseFeature> out) const;
  // The centre learned from the bot's held-out mistakes (options_.calibration_cv_*) and how many
  // mistakes it rests on; {0, 0} when the bot does not qualify or made none.
  std::pair<float, size_t> MistakeCentre() const;
  // The decline centre of a format-1 model: conf_center plus the size term.
  float SizeRuleCenter() const;
  // Learns center_ from the bot's own examples (options_.calibration_*). `example_of_text`: for
  // every example text of the training data in order, its index in examples_, or kNoExample when
  // it was skipped (no words).
  void Calibrate(const std::vector<uint32_t>& example_of_text);
  float Confidence(float score, float other) const;

  std::shared_ptr<const Lexicon> lexicon_;
  MatcherOptions options_;
  std::vector<std::string> topics_;
  std::string stems_;  // every vocabulary stem, back to back
  std::vector<VocabTerm> vocab_;
  std::vector<uint32_t> example_terms_;
  std::vector<Example> examples_;
  // Derived.
  std::vector<uint32_t> by_stem_;  // vocab ids sorted by stem
  // Open addressing, power-of-two size, empty slots hold kUnknownTerm: lexicon id → vocab id of
  // the non-stop terms the lexicon knows.
  std::vector<std::pair<uint32_t, uint32_t>> by_lexicon_id_;
  // The candidates for misspellings: non-stop stems of kMinTypoLength or more, those the
  // lexicon does not know first (the first unknown_typo_terms_), each with its sorted character
  // trigrams trigrams_[first_gram .. next term's first_gram); a last entry closes the list.
  struct TypoTerm {
    uint32_t vocab;
    uint32_t first_gram;
  };
  std::vector<TypoTerm> typo_terms_;
  uint32_t unknown_typo_terms_ = 0;
  std::vector<uint32_t> trigrams_;
  // Where each vocab id occurs: postings_[posting_offsets_[v] .. posting_offsets_[v + 1]).
  std::vector<uint32_t> posting_offsets_;
  std::vector<Posting> postings_;
  std::vector<uint32_t> vector_vocab_;  // the non-stop vocab ids with a word vector
  float center_ = 0.5f;                 // decline centre (stored from format 2)
  size_t centre_examples_ = 0;          // the examples center_ was learned from (format 3)
  // The head's feature weight of each vocabulary term (head_idf), and of a question's word the
  // bot does not know; empty when the head uses vocab_'s weights.
  std::vector<float> head_weight_;
  float head_unknown_weight_ = 0.0f;
  TopicClassifier head_;  // empty unless topics have several phrasings
};

}  // namespace faqbot::nlu
