#include "nlu/model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "common/logging.h"
#include "nlu/analyzer.h"
#include "nlu/text_normalizer.h"
#include "nlu/vector_dot.h"

namespace faqbot::nlu {
namespace {

constexpr size_t kMinTypoLength = 4;
// A nearest-neighbour score this high means the query has exactly the terms of an example.
constexpr float kExactMatch = 0.999f;

// Distinct character trigrams of "#word#".
std::vector<uint32_t> Trigrams(std::string_view word) {
  std::string padded = "#" + std::string(word) + "#";
  std::vector<uint32_t> out;
  for (size_t i = 0; i + 3 <= padded.size(); ++i) {
    out.push_back(static_cast<uint32_t>(static_cast<unsigned char>(padded[i])) << 16 |
                  static_cast<uint32_t>(static_cast<unsigned char>(padded[i + 1])) << 8 |
                  static_cast<uint32_t>(static_cast<unsigned char>(padded[i + 2])));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// v = n zeros (a memset: the hot path clears large arrays for every query).
void ZeroFill(std::vector<float>& v, size_t n) {
  v.resize(n);
  if (n > 0) std::memset(v.data(), 0, n * sizeof(float));
}

// The best of some scores (the first on ties), and the best two values.
struct TopTwo {
  uint32_t best = 0;
  float first = 0.0f;
  float second = 0.0f;
};
TopTwo BestTwo(const std::vector<float>& scores) {
  TopTwo top;
  for (uint32_t t = 0; t < scores.size(); ++t) {
    if (scores[t] > top.first) {
      top.second = top.first;
      top.first = scores[t];
      top.best = t;
    } else if (scores[t] > top.second) {
      top.second = scores[t];
    }
  }
  return top;
}

// The home slot of a lexicon id in Model::by_lexicon_id_ (Fibonacci hashing).
uint32_t LexiconSlot(uint32_t lexicon_id, size_t mask) {
  return static_cast<uint32_t>((lexicon_id * 0x9E3779B1u) & mask);
}

}  // namespace

// Per-call working memory, reused across calls of one thread.
struct Model::Scratch {
  std::vector<float> best_recall;     // [example * n_query + query term]
  std::vector<float> best_precision;  // [example offset + slot]
  std::vector<Match> matches;
  std::vector<float> sim_by_vocab;   // all zero between calls of MatchesFor
  std::vector<uint32_t> touched;     // vocab ids set in sim_by_vocab
  std::vector<int32_t> vector_dots;  // one query term's DotI8 with each vector_vocab_ term
  std::vector<float> query_dots;     // the query's weighted vector sum · each vector_vocab_ term
  std::vector<float> term_cosine;    // per vocab id: the query's unit vector · its vector
  std::vector<char> wanted_vocab;    // TopicScores with `only`: the vocab ids of those topics
  std::vector<uint32_t> vector_slots;  // and their indexes in vector_vocab_
  std::vector<std::pair<uint32_t, uint32_t>> ranges;  // the examples TopicScores scores
};

Model::~Model() = default;

void Model::AddVector(uint32_t lexicon_id, float weight, std::vector<float>& sum) const {
  const int8_t* v = lexicon_->Vector(lexicon_id);
  if (v == nullptr) return;
  for (size_t d = 0; d < sum.size(); ++d) sum[d] += weight * static_cast<float>(v[d]);
}

float Model::BackgroundWeight(uint32_t lexicon_id, bool stop) const {
  float idf = lexicon_id == kUnknownTerm ? options_.max_idf : lexicon_->Idf(lexicon_id);
  idf = std::clamp(idf, options_.min_idf, options_.max_idf);
  return stop ? idf * options_.stop_weight : idf;
}

float Model::RelationSim(const RelatedTerm& r) const {
  float base = 0;
  switch (r.relation) {
    case Relation::kSynonym:
      base = options_.synonym_sim;
      break;
    case Relation::kDerivation:
      base = options_.derivation_sim;
      break;
    case Relation::kHypernym:
      base = options_.hypernym_sim;
      break;
    case Relation::kHyponym:
      base = options_.hyponym_sim;
      break;
    case Relation::kSimilar:
      base = options_.similar_sim;
      break;
    case Relation::kOther:
      base = options_.other_sim;
      break;
  }
  return base * std::pow(options_.sense_decay, static_cast<float>(r.sense_rank));
}

Result<std::shared_ptr<const Model>> Model::Train(const TrainingData& data,
                                                  std::shared_ptr<const Lexicon> lexicon,
                                                  const MatcherOptions& options) {
  return Build(data, std::move(lexicon), options, nullptr, nullptr);
}

namespace {

// Whether `data` is `before` with examples appended to its intents.
bool AppendsExamples(const TrainingData& before, const TrainingData& data) {
  if (before.intents.size() != data.intents.size()) return false;
  for (size_t i = 0; i < data.intents.size(); ++i) {
    const Intent& a = before.intents[i];
    const Intent& b = data.intents[i];
    if (a.name != b.name || a.examples.size() > b.examples.size() ||
        !std::equal(a.examples.begin(), a.examples.end(), b.examples.begin())) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<const Model>> Model::Extend(const Model& previous,
                                                   const TrainingData& previous_data,
                                                   const TrainingData& data,
                                                   const MatcherOptions& options) {
  bool extends = previous.options_.ToString() == options.ToString() &&
                 previous.topics_.size() == previous_data.intents.size() &&
                 AppendsExamples(previous_data, data);
  for (size_t t = 0; extends && t < previous.topics_.size(); ++t) {
    extends = previous.topics_[t] == previous_data.intents[t].name;
  }
  return extends ? Build(data, previous.lexicon_, options, &previous, &previous_data)
                 : Build(data, previous.lexicon_, options, nullptr, nullptr);
}

Result<std::shared_ptr<const Model>> Model::Build(const TrainingData& data,
                                                  std::shared_ptr<const Lexicon> lexicon,
                                                  const MatcherOptions& options,
                                                  const Model* previous,
                                                  const TrainingData* previous_data) {
  if (!lexicon) return InvalidArgumentError("no lexicon");
  if (data.intents.empty()) return InvalidArgumentError("no intents to train on");
  if (data.intents.size() > kMaxTopics) {
    return InvalidArgumentError("too many intents (limit " + std::to_string(kMaxTopics) + ")");
  }
  std::shared_ptr<Model> m(new Model());
  m->lexicon_ = std::move(lexicon);
  m->options_ = options;
  std::unordered_set<std::string> names;
  size_t total_examples = 0;
  // Per vocabulary term: how many topics it occurs in, for in-bot rarity, and the last of them
  // (topics are read one after another, so a term is counted once per topic).
  std::vector<uint32_t> topic_count_of;
  std::vector<uint32_t> last_topic_of;
  // Vocabulary ids are given in order of first occurrence, so Extend numbers terms as Train
  // would: previous's terms through their previous id, others by stem.
  std::unordered_map<std::string, uint32_t> vocab_of;  // stem → vocab id
  std::vector<uint32_t> id_of_previous(previous ? previous->vocab_.size() : 0, kNoVocab);
  // previous's examples of topic t: previous->examples_[previous_first[t], previous_first[t + 1]).
  std::vector<uint32_t> previous_first(previous ? previous->topics_.size() + 1 : 0, 0);
  if (previous) {
    for (const Example& ex : previous->examples_) ++previous_first[ex.topic + 1];
    for (size_t t = 0; t < previous->topics_.size(); ++t) {
      previous_first[t + 1] += previous_first[t];
    }
  }
  std::vector<uint32_t> example_of_text;  // for Calibrate
  for (const Intent& intent : data.intents) {
    if (intent.name.empty()) return InvalidArgumentError("an intent has an empty name");
    if (!names.insert(intent.name).second) {
      return InvalidArgumentError("duplicate intent: " + intent.name);
    }
    if (intent.examples.empty()) {
      return InvalidArgumentError("intent " + intent.name + " has no examples");
    }
    const auto topic = static_cast<uint32_t>(m->topics_.size());
    m->topics_.push_back(intent.name);
    // The leading examples previous analysed already: all of previous_data's when none was
    // skipped (no words), so that previous's examples of the topic are those texts in order.
    size_t analysed = 0;
    if (previous) {
      const size_t texts = previous_data->intents[topic].examples.size();
      if (previous_first[topic + 1] - previous_first[topic] == texts) analysed = texts;
    }
    const auto add_term = [&](Example& ex, std::string_view stem, uint32_t lexicon_id, bool stop,
                              uint32_t previous_id) {
      uint32_t* id = nullptr;
      if (previous_id != kNoVocab) {
        id = &id_of_previous[previous_id];
      } else {
        id = &vocab_of.try_emplace(std::string(stem), kNoVocab).first->second;
      }
      if (*id == kNoVocab) {
        *id = static_cast<uint32_t>(m->vocab_.size());
        m->AddVocab(stem, lexicon_id, stop, 0.0f);
        topic_count_of.push_back(0);
        last_topic_of.push_back(kNoTopic);
      }
      const auto terms_begin = m->example_terms_.begin() + ex.first_term;
      if (std::find(terms_begin, m->example_terms_.end(), *id) == m->example_terms_.end()) {
        m->example_terms_.push_back(*id);
        ++ex.term_count;
      }
      if (last_topic_of[*id] != topic) {
        last_topic_of[*id] = topic;
        ++topic_count_of[*id];
      }
    };
    for (size_t k = 0; k < intent.examples.size(); ++k) {
      const std::string& text = intent.examples[k];
      if (++total_examples > kMaxExamplesPerModel) {
        return InvalidArgumentError("too many examples (limit " +
                                    std::to_string(kMaxExamplesPerModel) + ")");
      }
      if (text.size() > kMaxExampleBytes) {
        return InvalidArgumentError("an example of intent " + intent.name + " is longer than " +
                                    std::to_string(kMaxExampleBytes) + " bytes");
      }
      if (!IsValidUtf8(text)) {
        return InvalidArgumentError("an example of intent " + intent.name + " is not valid UTF-8");
      }
      Example ex{topic, static_cast<uint32_t>(m->example_terms_.size()), 0, 0.0f, 0.0f};
      if (k < analysed) {
        const Example& old = previous->examples_[previous_first[topic] + k];
        for (uint32_t slot = old.first_term; slot < old.first_term + old.term_count; ++slot) {
          const uint32_t v = previous->example_terms_[slot];
          const VocabTerm& term = previous->vocab_[v];
          add_term(ex, previous->Stem(term), term.lexicon_id, term.stop, v);
        }
      } else {
        for (const Term& t : Analyze(text, *m->lexicon_, kMaxTermsPerText, m->Tokenizing())) {
          add_term(ex, t.stem, t.lexicon_id, t.stop,
                   previous ? previous->FindStem(t.stem) : kNoVocab);
        }
      }
      if (ex.term_count == 0) {
        // Nothing to match on ("???", an emoji): Rasa trains anyway, and so do we.
        LogWarn("nlu: skipping an example of intent {} with no words", intent.name);
        example_of_text.push_back(kNoExample);
        continue;
      }
      example_of_text.push_back(static_cast<uint32_t>(m->examples_.size()));
      m->examples_.push_back(ex);
    }
  }
  // Term weight: background IDF, scaled down for terms shared by many of this bot's topics.
  const float n_topics = static_cast<float>(m->topics_.size());
  for (size_t v = 0; v < m->vocab_.size(); ++v) {
    VocabTerm& term = m->vocab_[v];
    const float df = static_cast<float>(topic_count_of[v]);
    const float local =
        n_topics > 1 ? std::log(1.0f + n_topics / df) / std::log(1.0f + n_topics) : 1.0f;
    term.weight = m->BackgroundWeight(term.lexicon_id, term.stop) *
                  (1.0f - options.local_idf_mix + options.local_idf_mix * local);
  }
  m->BuildIndexes();
  if (previous && m->KeepsCentreOf(*previous)) {
    m->center_ = previous->center_;
    m->centre_examples_ = previous->centre_examples_;
  } else {
    m->Calibrate(example_of_text);
    m->centre_examples_ = m->examples_.size();
  }
  return std::shared_ptr<const Model>(std::move(m));
}

bool Model::KeepsCentreOf(const Model& previous) const {
  return previous.LearnsFromMistakes() && LearnsFromMistakes() &&
         static_cast<float>(examples_.size()) <=
             static_cast<float>(previous.centre_examples_) * (1.0f + kCentreGrowth);
}

void Model::AddVocab(std::string_view stem, uint32_t lexicon_id, bool stop, float weight) {
  vocab_.push_back({static_cast<uint32_t>(stems_.size()), static_cast<uint32_t>(stem.size()),
                    lexicon_id, weight, stop});
  stems_.append(stem);
}

void Model::BuildIndexes() {
  const auto n_vocab = static_cast<uint32_t>(vocab_.size());
  by_stem_.resize(n_vocab);
  std::iota(by_stem_.begin(), by_stem_.end(), 0u);
  std::sort(by_stem_.begin(), by_stem_.end(),
            [&](uint32_t a, uint32_t b) { return Stem(vocab_[a]) < Stem(vocab_[b]); });

  size_t known = 0;
  for (const VocabTerm& t : vocab_) known += !t.stop && t.lexicon_id != kUnknownTerm ? 1 : 0;
  size_t slots = 2;
  while (slots < 2 * known) slots <<= 1;
  by_lexicon_id_.assign(slots, {kUnknownTerm, kNoVocab});

  trigrams_.clear();
  typo_terms_.clear();
  vector_vocab_.clear();
  // Function words match exactly or not at all: only other terms get relations, vectors and
  // misspellings.
  for (uint32_t v = 0; v < n_vocab; ++v) {
    const VocabTerm& term = vocab_[v];
    if (term.stop || term.lexicon_id == kUnknownTerm) continue;
    uint32_t s = LexiconSlot(term.lexicon_id, slots - 1);
    while (by_lexicon_id_[s].first != kUnknownTerm) s = (s + 1) & (slots - 1);
    by_lexicon_id_[s] = {term.lexicon_id, v};
    if (lexicon_->Vector(term.lexicon_id) != nullptr) vector_vocab_.push_back(v);
  }
  for (const bool in_lexicon : {false, true}) {  // words the lexicon does not know first
    for (uint32_t v = 0; v < n_vocab; ++v) {
      const VocabTerm& term = vocab_[v];
      if (term.stop || (term.lexicon_id != kUnknownTerm) != in_lexicon ||
          term.stem_size < kMinTypoLength) {
        continue;
      }
      typo_terms_.push_back({v, static_cast<uint32_t>(trigrams_.size())});
      const auto grams = Trigrams(Stem(term));
      trigrams_.insert(trigrams_.end(), grams.begin(), grams.end());
    }
    if (!in_lexicon) unknown_typo_terms_ = static_cast<uint32_t>(typo_terms_.size());
  }
  typo_terms_.push_back({kNoVocab, static_cast<uint32_t>(trigrams_.size())});

  posting_offsets_.assign(n_vocab + 1, 0);
  for (uint32_t t : example_terms_) ++posting_offsets_[t + 1];
  for (uint32_t v = 0; v < n_vocab; ++v) posting_offsets_[v + 1] += posting_offsets_[v];
  postings_.resize(example_terms_.size());
  std::vector<uint32_t> fill(posting_offsets_.begin(), posting_offsets_.end() - 1);
  const size_t dims = static_cast<size_t>(lexicon_->vector_dims());
  std::vector<float> centroid(dims);
  for (uint32_t e = 0; e < examples_.size(); ++e) {
    Example& ex = examples_[e];
    ex.weight_sum = 0;
    std::fill(centroid.begin(), centroid.end(), 0.0f);
    for (uint32_t slot = ex.first_term; slot < ex.first_term + ex.term_count; ++slot) {
      const VocabTerm& t = vocab_[example_terms_[slot]];
      postings_[fill[example_terms_[slot]]++] = {e, slot};
      ex.weight_sum += t.weight;
      if (!t.stop && t.lexicon_id != kUnknownTerm) AddVector(t.lexicon_id, t.weight, centroid);
    }
    double norm = 0;
    for (float x : centroid) norm += static_cast<double>(x) * x;
    ex.vector_norm = static_cast<float>(std::sqrt(norm));
  }
  for (auto* v : {&trigrams_, &posting_offsets_, &vector_vocab_, &by_stem_}) v->shrink_to_fit();
  typo_terms_.shrink_to_fit();
  postings_.shrink_to_fit();
  stems_.shrink_to_fit();
  vocab_.shrink_to_fit();
  example_terms_.shrink_to_fit();
  examples_.shrink_to_fit();
  TrainHead();
}

float Model::PhrasingsPerTopic() const {
  return static_cast<float>(examples_.size()) /
         static_cast<float>(std::max<size_t>(topics_.size(), 1));
}

bool Model::WantsHead() const {
  return options_.head_min_examples > 0 && options_.head_mix > 0 && topics_.size() >= 2 &&
         static_cast<float>(topics_.size()) >= options_.head_min_topics &&
         PhrasingsPerTopic() >= options_.head_min_examples;
}

bool Model::LearnsFromMistakes() const {
  return WantsHead() && options_.calibration_probes >= 1 && options_.calibration_cv_holdout >= 1 &&
         PhrasingsPerTopic() >= options_.calibration_cv_min_phrasings;
}

std::vector<char> Model::Fold(size_t f) const {
  std::vector<char> held_out(examples_.size());
  for (size_t e = 0; e < held_out.size(); ++e) held_out[e] = e % kFolds == f ? 1 : 0;
  return held_out;
}

void Model::TrainHead() {
  head_ = TopicClassifier();
  if (!WantsHead()) return;
  // Each example's terms with their weights, to unit length (a query's features are built the
  // same way in TopicScores). With head_idf, a term's weight is its smoothed IDF over the
  // examples, ln((1 + n) / (1 + df)) + 1: the head learns which words matter from the bot's own
  // phrasings, and a word the bot never saw would weigh ln(1 + n) + 1.
  head_weight_.clear();
  if (options_.head_idf > 0) {
    std::vector<float> df(vocab_.size(), 0.0f);
    for (const uint32_t t : example_terms_) df[t] += 1.0f;
    const auto n = static_cast<float>(examples_.size());
    head_weight_.resize(vocab_.size());
    for (size_t v = 0; v < vocab_.size(); ++v) {
      head_weight_[v] = std::log((1.0f + n) / (1.0f + df[v])) + 1.0f;
    }
    head_weight_.shrink_to_fit();
    head_unknown_weight_ = std::log(1.0f + n) + 1.0f;
  }
  head_ = TrainClassifier(std::vector<char>(examples_.size(), 0));
}

void Model::ExampleFeatures(uint32_t e, std::span<SparseFeature> out) const {
  const Example& ex = examples_[e];
  float norm = 0;
  for (uint32_t s = ex.first_term; s < ex.first_term + ex.term_count; ++s) {
    const float w = HeadWeight(example_terms_[s]);
    norm += w * w;
  }
  const float inv = norm > 0 ? 1.0f / std::sqrt(norm) : 0.0f;
  for (uint32_t i = 0; i < ex.term_count; ++i) {
    const uint32_t term = example_terms_[ex.first_term + i];
    out[i] = {term, HeadWeight(term) * inv};
  }
}

TopicClassifier Model::TrainClassifier(const std::vector<char>& held_out) const {
  std::vector<SparseFeature> features(example_terms_.size());
  std::vector<ClassifierRow> rows;
  rows.reserve(examples_.size());
  for (size_t e = 0; e < examples_.size(); ++e) {
    if (held_out[e] != 0) continue;
    const Example& ex = examples_[e];
    const std::span<SparseFeature> row(&features[ex.first_term], ex.term_count);
    ExampleFeatures(static_cast<uint32_t>(e), row);
    rows.push_back({row, ex.topic});
  }
  if (rows.empty()) return {};
  ClassifierOptions o;
  // Bounded: the options come from the model file, which Load must not trust with a long loop.
  const float passes = std::min(
      options_.head_epochs,
      std::max(3.0f, std::ceil(options_.head_max_steps / static_cast<float>(rows.size()))));
  o.epochs = static_cast<int>(std::clamp(passes, 1.0f, 50.0f));
  o.learning_rate = options_.head_rate;
  o.l2 = options_.head_l2;
  return TopicClassifier::Train(rows, static_cast<uint32_t>(vocab_.size()),
                                static_cast<uint32_t>(topics_.size()), o);
}

float Model::SizeRuleCenter() const {
  const float topics = static_cast<float>(topics_.size());
  const float reference = std::max(options_.size_reference, 1.0f);
  return options_.conf_center + options_.size_gain * std::max(0.0f, std::log(topics / reference));
}

void Model::Calibrate(const std::vector<uint32_t>& example_of_text) {
  center_ = SizeRuleCenter();
  if (options_.calibration_probes < 1 || topics_.size() < 2 || example_of_text.empty()) return;
  // Fewer topics, fewer ways for an unrelated question to land near one: a lower floor, down
  // to that of half the reference size (below it, too few probes to trust a lower one).
  const float topics = std::max(static_cast<float>(topics_.size()), 0.5f * options_.size_reference);
  const float lower =
      topics < options_.size_reference
          ? options_.calibration_floor_size_gain * std::log(options_.size_reference / topics)
          : 0.0f;
  const auto all_topics = static_cast<float>(topics_.size());
  const float larger = all_topics > options_.size_reference
                           ? options_.calibration_head_floor_large_gain *
                                 std::log(all_topics / options_.size_reference)
                           : 0.0f;
  const float per_topic_examples = PhrasingsPerTopic();
  const float few =
      per_topic_examples < options_.calibration_head_floor_few_reference
          ? options_.calibration_head_floor_few_gain *
                std::log(options_.calibration_head_floor_few_reference / per_topic_examples)
          : 0.0f;
  const float head_floor = options_.calibration_head_floor - lower - larger - few;
  // A bot with many phrasings per topic learns from its own held-out mistakes, when it made
  // enough of them to learn from.
  if (const auto [mistake_center, mistakes] = MistakeCentre();
      mistakes > 0 && static_cast<float>(mistakes) >= options_.calibration_cv_min_mistakes) {
    center_ = std::min(std::max(head_floor, mistake_center), options_.calibration_max);
    return;
  }
  // Probes spread evenly over the examples (deterministic): how close does each come to the
  // topics it does not belong to, judged as the decision rule judges a query (best score plus
  // the margin term over the runner-up)? A bot whose topics crowd each other, or that has many,
  // sees its own examples come close to other topics, and must be surer before it answers.
  const size_t texts = example_of_text.size();
  const float affordable = options_.calibration_budget / static_cast<float>(texts);
  const size_t probes = std::min(
      texts,
      static_cast<size_t>(std::clamp(affordable, std::min(32.0f, options_.calibration_probes),
                                     options_.calibration_probes)));
  const float margin = options_.margin_gain / std::max(options_.conf_scale, 1e-3f);
  double sum = 0;
  size_t counted = 0;
  for (size_t i = 0; i < probes; ++i) {
    const uint32_t e = example_of_text[i * texts / probes];
    if (e == kNoExample) continue;  // no words ("???")
    ++counted;
    const TopTwo top = BestTwo(Scores(ExampleTerms(e), examples_[e].topic));
    sum += top.first + margin * (top.first - top.second);
  }
  if (counted == 0) return;
  const auto near = static_cast<float>(sum / static_cast<double>(counted));
  center_ = has_head()
                ? std::max(head_floor, near + options_.calibration_head_offset)
                : std::max(options_.calibration_floor - lower, near + options_.calibration_offset);
  center_ = std::min(center_, options_.calibration_max);
}

std::pair<float, size_t> Model::MistakeCentre() const {
  const size_t n = examples_.size();
  if (!has_head() || !LearnsFromMistakes()) return {0.0f, 0};
  const size_t per_fold = std::max<size_t>(n / kFolds, 1);
  const size_t wanted = static_cast<size_t>(std::min(options_.calibration_cv_holdout, 1e6f));
  const size_t folds = std::min(kFolds, (wanted + per_fold - 1) / per_fold);
  const float margin = options_.margin_gain / std::max(options_.conf_scale, 1e-3f);
  const size_t n_topics = topics_.size();
  std::vector<float> mistakes;
  std::vector<SparseFeature> features;
  std::vector<float> p(n_topics);
  std::vector<char> only(n_topics);
  std::vector<uint32_t> topic_begin(n_topics + 1, 0);  // examples_ are stored topic by topic
  for (const Example& ex : examples_) ++topic_begin[ex.topic + 1];
  for (size_t t = 0; t < n_topics; ++t) topic_begin[t + 1] += topic_begin[t];
  const TopicSubset subset{only, topic_begin};
  // Enough to learn from: stop holding out more folds.
  const auto enough =
      static_cast<size_t>(2.0f * std::max(options_.calibration_cv_min_mistakes, 1.0f));
  for (size_t f = 0; f < folds && mistakes.size() < enough; ++f) {
    const TopicClassifier head = TrainClassifier(Fold(f));
    if (head.classes() == 0) break;
    for (auto e = static_cast<uint32_t>(f); e < n; e += kFolds) {
      // The head first (cheap): a phrasing it puts surely in its own topic is not a mistake, as
      // the nearest neighbours would have to prefer another topic by more than kSure. Otherwise
      // the nearest neighbours of its own topic and the head's kCandidates likeliest decide.
      features.resize(examples_[e].term_count);
      ExampleFeatures(e, features);
      head.Probabilities(features, p);
      const uint32_t own = examples_[e].topic;
      float other = 0;
      for (uint32_t t = 0; t < n_topics; ++t) other = t != own ? std::max(other, p[t]) : other;
      constexpr float kSure = 0.3f;
      if (p[own] - other >= kSure) continue;
      std::fill(only.begin(), only.end(), 0);
      only[own] = 1;
      constexpr int kCandidates = 3;
      for (int c = 0; c < kCandidates; ++c) {
        uint32_t pick = kNoTopic;
        for (uint32_t t = 0; t < n_topics; ++t) {
          if (only[t] == 0 && (pick == kNoTopic || p[t] > p[pick])) pick = t;
        }
        if (pick != kNoTopic) only[pick] = 1;
      }
      std::vector<float> scores = TopicScores(ExampleTerms(e), nullptr, e, &subset);
      BlendHead(scores, p, 1.0f);
      const TopTwo top = BestTwo(scores);
      if (top.first > 0 && top.best != own) {
        mistakes.push_back(top.first + margin * (top.first - top.second));
      }
    }
  }
  if (mistakes.empty()) return {0.0f, 0};
  // The quantile, interpolated between the two nearest mistakes.
  std::sort(mistakes.begin(), mistakes.end());
  const float at = std::clamp(options_.calibration_cv_quantile, 0.0f, 1.0f) *
                   static_cast<float>(mistakes.size() - 1);
  const auto below = static_cast<size_t>(at);
  const size_t above = std::min(below + 1, mistakes.size() - 1);
  const float value =
      mistakes[below] + (at - static_cast<float>(below)) * (mistakes[above] - mistakes[below]);
  return {value + options_.calibration_cv_offset, mistakes.size()};
}

uint32_t Model::FindStem(std::string_view stem) const {
  const auto it =
      std::lower_bound(by_stem_.begin(), by_stem_.end(), stem,
                       [&](uint32_t v, std::string_view s) { return Stem(vocab_[v]) < s; });
  return it != by_stem_.end() && Stem(vocab_[*it]) == stem ? *it : kNoVocab;
}

uint32_t Model::FindLexiconId(uint32_t lexicon_id) const {
  const size_t mask = by_lexicon_id_.size() - 1;
  for (uint32_t s = LexiconSlot(lexicon_id, mask);; s = (s + 1) & mask) {
    if (by_lexicon_id_[s].first == lexicon_id) return by_lexicon_id_[s].second;
    if (by_lexicon_id_[s].first == kUnknownTerm) return kNoVocab;
  }
}

void Model::MatchesFor(std::string_view stem, uint32_t lexicon_id, bool stop,
                       const int32_t* vector_dots, const VocabSubset* only,
                       Scratch& scratch) const {
  std::vector<float>& best = scratch.sim_by_vocab;
  std::vector<uint32_t>& touched = scratch.touched;
  best.resize(vocab_.size(), 0.0f);
  touched.clear();
  auto add = [&](uint32_t v, float sim) {
    if (sim <= 0.0f) return;
    if (best[v] == 0.0f) touched.push_back(v);
    best[v] = std::max(best[v], sim);
  };
  CollectMatches(stem, lexicon_id, stop, vector_dots, only, add);
  scratch.matches.clear();
  for (uint32_t v : touched) {
    scratch.matches.push_back({v, best[v]});
    best[v] = 0.0f;
  }
}

template <typename Add>
void Model::CollectMatches(std::string_view stem, uint32_t lexicon_id, bool stop,
                           const int32_t* vector_dots, const VocabSubset* only, Add&& add) const {
  if (const uint32_t v = FindStem(stem); v != kNoVocab) add(v, 1.0f);
  if (stop) return;
  if (lexicon_id != kUnknownTerm) {
    // Relations seen from the query term's side and from the vocabulary term's side.
    for (const auto& related :
         {lexicon_->RawRelated(lexicon_id), lexicon_->RawRelatedFrom(lexicon_id)}) {
      for (uint32_t packed : related) {
        const RelatedTerm r = Lexicon::Decode(packed);
        if (const uint32_t v = FindLexiconId(r.term); v != kNoVocab) add(v, RelationSim(r));
      }
    }
    // Second-order relatedness through the word vectors.
    if (vector_dots != nullptr && options_.vector_sim > 0) {
      const float floor = options_.vector_floor;
      const float scale = options_.vector_sim / (1.0f - floor);
      auto consider = [&](size_t j) {
        const float cosine = static_cast<float>(vector_dots[j]) * (1.0f / (127.0f * 127.0f));
        if (cosine > floor) add(vector_vocab_[j], scale * (cosine - floor));
      };
      if (only != nullptr) {
        for (const uint32_t j : only->vector_slots) consider(j);
      } else {
        for (size_t j = 0; j < vector_vocab_.size(); ++j) consider(j);
      }
    }
  }
  if (stem.size() >= kMinTypoLength) {
    // Misspellings: only where one side is a word the lexicon does not know.
    const auto grams = Trigrams(stem);
    const size_t n = grams.size();
    const uint32_t candidates = lexicon_id == kUnknownTerm
                                    ? static_cast<uint32_t>(typo_terms_.size() - 1)
                                    : unknown_typo_terms_;
    for (uint32_t c = 0; c < candidates; ++c) {
      if (only != nullptr && only->wanted[typo_terms_[c].vocab] == 0) continue;
      const uint32_t begin = typo_terms_[c].first_gram;
      const uint32_t end = typo_terms_[c + 1].first_gram;
      const size_t m = end - begin;
      // Dice cannot exceed 2·min(n, m) / (n + m): skip lengths too far apart.
      if (2.0f * static_cast<float>(std::min(n, m)) / static_cast<float>(n + m) <
          options_.typo_min_dice) {
        continue;
      }
      uint32_t shared = 0;
      for (size_t i = 0, k = begin; i < n && k < end;) {
        if (grams[i] < trigrams_[k]) {
          ++i;
        } else if (trigrams_[k] < grams[i]) {
          ++k;
        } else {
          ++shared, ++i, ++k;
        }
      }
      if (shared == 0) continue;
      const float dice = 2.0f * static_cast<float>(shared) / static_cast<float>(n + m);
      const uint32_t v = typo_terms_[c].vocab;
      if (dice >= options_.typo_min_dice && Stem(vocab_[v]) != stem) {
        add(v, options_.typo_sim * dice);
      }
    }
  }
}

std::vector<Term> Model::QueryTerms(std::string_view query) const {
  std::vector<Term> terms = Analyze(query, *lexicon_, kMaxTermsPerText, Tokenizing());
  std::vector<Term> q;
  for (Term& t : terms) {
    if (std::none_of(q.begin(), q.end(), [&](const Term& o) { return o.stem == t.stem; })) {
      q.push_back(std::move(t));
    }
  }
  return q;
}

std::vector<Term> Model::ExampleTerms(uint32_t e) const {
  const Example& ex = examples_[e];
  std::vector<Term> q;
  q.reserve(ex.term_count);
  for (uint32_t s = ex.first_term; s < ex.first_term + ex.term_count; ++s) {
    const VocabTerm& t = vocab_[example_terms_[s]];
    q.push_back({std::string(Stem(t)), t.lexicon_id, t.stop});
  }
  return q;
}

std::vector<float> Model::TopicScores(const std::vector<Term>& q,
                                      std::vector<SparseFeature>* features, uint32_t skip,
                                      const TopicSubset* only) const {
  std::vector<float> topic_scores(topics_.size(), 0.0f);
  if (q.empty()) return topic_scores;
  if (features != nullptr) features->clear();
  thread_local Scratch scratch;
  // With `only`, word vectors are compared with the terms of those topics' examples alone.
  std::vector<uint32_t>& vector_slots = scratch.vector_slots;
  const VocabSubset vocab_subset{scratch.wanted_vocab, vector_slots};
  if (only != nullptr) {
    std::vector<char>& wanted = scratch.wanted_vocab;
    wanted.assign(vocab_.size(), 0);
    for (uint32_t t = 0; t < topics_.size(); ++t) {
      if (only->topics[t] == 0 || only->first[t] == only->first[t + 1]) continue;
      const Example& begin = examples_[only->first[t]];
      const Example& end = examples_[only->first[t + 1] - 1];
      for (uint32_t s = begin.first_term; s < end.first_term + end.term_count; ++s) {
        wanted[example_terms_[s]] = 1;
      }
    }
    vector_slots.clear();
    for (uint32_t j = 0; j < vector_vocab_.size(); ++j) {
      if (wanted[vector_vocab_[j]] != 0) vector_slots.push_back(j);
    }
  }
  const size_t nq = q.size();
  // The examples to score, as ranges of examples_: all of them, or those of `only`'s topics.
  std::vector<std::pair<uint32_t, uint32_t>>& ranges = scratch.ranges;
  ranges.clear();
  auto add_range = [&](uint32_t begin, uint32_t end) {  // without `skip`
    if (skip >= begin && skip < end) {
      ranges.emplace_back(begin, skip);
      ranges.emplace_back(skip + 1, end);
    } else {
      ranges.emplace_back(begin, end);
    }
  };
  if (only == nullptr) {
    add_range(0, static_cast<uint32_t>(examples_.size()));
    ZeroFill(scratch.best_recall, examples_.size() * nq);
    ZeroFill(scratch.best_precision, example_terms_.size());
  } else {  // only the parts that will be read
    for (uint32_t t = 0; t < topics_.size(); ++t) {
      if (only->topics[t] != 0) add_range(only->first[t], only->first[t + 1]);
    }
    scratch.best_recall.resize(examples_.size() * nq);
    scratch.best_precision.resize(example_terms_.size());
    for (const auto& [begin, end] : ranges) {
      for (uint32_t e = begin; e < end; ++e) {
        const Example& ex = examples_[e];
        std::fill_n(scratch.best_recall.begin() + static_cast<std::ptrdiff_t>(e * nq), nq, 0.0f);
        std::fill_n(scratch.best_precision.begin() + ex.first_term, ex.term_count, 0.0f);
      }
    }
  }
  const float rw = options_.recall_weight;
  const float mix = options_.sentence_mix;
  // Sentence similarity is the cosine of the query's and each example's weighted sum of word
  // vectors. An example's sum is a weighted sum of its terms' vectors, so its cosine with the
  // query is the same weighted sum of the terms' own dot products with the query's sum, over
  // both lengths; and the query's sum dotted with a term's vector is the weighted sum of the
  // query terms' dot products with it, which the word-vector matching computes anyway.
  const size_t dims = static_cast<size_t>(lexicon_->vector_dims());
  const bool need_dots = (options_.vector_sim > 0 || mix > 0) && !vector_vocab_.empty();
  std::vector<int32_t>& dots = scratch.vector_dots;
  std::vector<float>& query_dots = scratch.query_dots;  // per vector_vocab_ entry
  std::vector<float> query_sum;
  if (mix > 0) {
    ZeroFill(query_dots, vector_vocab_.size());
    query_sum.assign(dims, 0.0f);
  }
  float query_weight = 0;
  std::vector<float> qw(nq);
  for (size_t i = 0; i < nq; ++i) {
    const uint32_t v = FindStem(q[i].stem);
    qw[i] = v != kNoVocab ? vocab_[v].weight : BackgroundWeight(q[i].lexicon_id, q[i].stop);
    query_weight += qw[i];
    const int8_t* vec = !q[i].stop && q[i].lexicon_id != kUnknownTerm && need_dots
                            ? lexicon_->Vector(q[i].lexicon_id)
                            : nullptr;
    if (vec != nullptr) {
      if (only == nullptr) {
        dots.resize(vector_vocab_.size());
        for (size_t j = 0; j < vector_vocab_.size(); ++j) {
          dots[j] = DotI8(vec, lexicon_->Vector(vocab_[vector_vocab_[j]].lexicon_id), dims);
        }
      } else {
        dots.assign(vector_vocab_.size(), 0);
        for (const uint32_t j : vector_slots) {
          dots[j] = DotI8(vec, lexicon_->Vector(vocab_[vector_vocab_[j]].lexicon_id), dims);
        }
      }
      if (mix > 0) {
        AddVector(q[i].lexicon_id, qw[i], query_sum);
        for (size_t j = 0; j < dots.size(); ++j)
          query_dots[j] += qw[i] * static_cast<float>(dots[j]);
      }
    }
    MatchesFor(q[i].stem, q[i].lexicon_id, q[i].stop, vec != nullptr ? dots.data() : nullptr,
               only != nullptr ? &vocab_subset : nullptr, scratch);
    if (features != nullptr && v != kNoVocab) features->push_back({v, HeadWeight(v)});
    auto note = [&](const Posting& p, float sim) {
      float& r = scratch.best_recall[p.example * nq + i];
      r = std::max(r, sim);
      float& pr = scratch.best_precision[p.slot];
      pr = std::max(pr, sim);
    };
    for (const Match& m : scratch.matches) {
      const uint32_t begin = posting_offsets_[m.vocab], end = posting_offsets_[m.vocab + 1];
      if (only == nullptr) {
        for (uint32_t k = begin; k < end; ++k) note(postings_[k], m.sim);
      } else {
        for (uint32_t k = begin; k < end; ++k) {
          if (only->topics[examples_[postings_[k].example].topic] != 0) note(postings_[k], m.sim);
        }
      }
    }
  }
  if (features != nullptr) {
    float norm = 0;
    if (head_weight_.empty()) {
      for (const float w : qw) norm += w * w;
    } else {
      for (const SparseFeature& f : *features) norm += f.value * f.value;
      const auto unknown = static_cast<float>(nq - features->size());
      norm += unknown * head_unknown_weight_ * head_unknown_weight_;
    }
    for (SparseFeature& f : *features) f.value /= std::sqrt(norm);
  }
  std::vector<float>& term_cosine = scratch.term_cosine;  // per vocab id, × its example's length
  if (mix > 0) {
    double norm = 0;
    for (float x : query_sum) norm += static_cast<double>(x) * x;
    const float inv = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
    ZeroFill(term_cosine, vocab_.size());
    for (size_t j = 0; j < vector_vocab_.size(); ++j) {
      term_cosine[vector_vocab_[j]] = query_dots[j] * inv;
    }
  }
  for (const auto& [begin, end] : ranges) {
    for (uint32_t e = begin; e < end; ++e) {
      const Example& ex = examples_[e];
      float recall = 0;
      for (size_t i = 0; i < nq; ++i) recall += qw[i] * scratch.best_recall[e * nq + i];
      recall /= query_weight;
      float precision = 0;
      float weighted_cosine = 0;
      for (uint32_t s = ex.first_term; s < ex.first_term + ex.term_count; ++s) {
        const VocabTerm& t = vocab_[example_terms_[s]];
        precision += t.weight * scratch.best_precision[s];
        if (mix > 0) weighted_cosine += t.weight * term_cosine[example_terms_[s]];
      }
      precision /= ex.weight_sum;
      float score =
          recall > 0 && precision > 0 ? 1.0f / (rw / recall + (1.0f - rw) / precision) : 0.0f;
      if (mix > 0) {
        const float cosine = ex.vector_norm > 0 ? weighted_cosine / ex.vector_norm : 0.0f;
        score = (1.0f - mix) * score + mix * std::max(0.0f, cosine);
      }
      if (score <= 0) continue;
      topic_scores[ex.topic] = std::max(topic_scores[ex.topic], score);
    }
  }
  return topic_scores;
}

std::vector<float> Model::Scores(const std::vector<Term>& q, uint32_t without) const {
  std::vector<SparseFeature> features;
  std::vector<float> scores = TopicScores(q, has_head() ? &features : nullptr);
  if (!features.empty()) {  // nothing the head knows: its prior says nothing
    std::vector<float> p(scores.size());
    head_.Probabilities(features, p);
    // Without a topic, the head's mass spreads over the others as it would for a question of a
    // topic the bot does not have.
    const float rest = without < p.size() ? 1.0f - p[without] : 1.0f;
    BlendHead(scores, p, rest > 1e-6f ? 1.0f / rest : 0.0f);
  }
  if (without < scores.size()) scores[without] = 0.0f;
  return scores;
}

void Model::BlendHead(std::vector<float>& scores, const std::vector<float>& p, float scale) const {
  const float mix = options_.head_mix;
  for (size_t t = 0; t < scores.size(); ++t) {
    // A question the owner taught word for word keeps its full score: the head generalises
    // over a topic's phrasings and may prefer a larger topic that shares the words ("delete a
    // topic" against "delete all topics"), but a phrasing the owner gave is authoritative.
    const float blended = (1.0f - mix) * scores[t] + mix * p[t] * scale;
    scores[t] = scores[t] >= kExactMatch ? std::max(scores[t], blended) : blended;
  }
}

size_t Model::ApproximateMemoryBytes() const {
  // What malloc adds to each allocation.
  constexpr size_t kAllocation = 16;
  auto vec = [](const auto& v) {
    return v.capacity() * sizeof(typename std::decay_t<decltype(v)>::value_type) + kAllocation;
  };
  size_t bytes = sizeof(Model) + kAllocation;
  for (const auto& t : topics_) bytes += t.capacity() > 15 ? t.capacity() + 1 + kAllocation : 0;
  bytes += vec(topics_) + stems_.capacity() + 1 + kAllocation + vec(vocab_) + vec(example_terms_) +
           vec(examples_) + vec(by_stem_) + vec(by_lexicon_id_) + vec(typo_terms_) +
           vec(trigrams_) + vec(posting_offsets_) + vec(postings_) + vec(vector_vocab_) +
           vec(head_weight_) + head_.ApproximateMemoryBytes();
  return bytes;
}

float Model::Confidence(float score, float other) const {
  if (score <= 0) return 0.0f;
  return Sigmoid(options_.conf_scale * (score - center_) + options_.margin_gain * (score - other));
}

Prediction Model::Predict(std::string_view query, size_t max_ranking) const {
  Prediction out;
  const std::vector<float> scores = Scores(QueryTerms(query));
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  const size_t keep = std::min(max_ranking, order.size());
  const size_t head = std::min(order.size(), std::max<size_t>(keep, 2));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(head), order.end(),
                    [&](uint32_t a, uint32_t b) {
                      return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
                    });
  const float best = order.empty() ? 0.0f : scores[order[0]];
  const float second = order.size() > 1 ? scores[order[1]] : 0.0f;
  for (size_t k = 0; k < keep; ++k) {
    const float s = scores[order[k]];
    if (s <= 0) break;
    out.ranking.push_back({topics_[order[k]], Confidence(s, k == 0 ? second : best)});
  }
  if (!out.ranking.empty() && out.ranking[0].confidence >= options_.threshold) {
    out.intent = out.ranking[0].name;
    out.confidence = out.ranking[0].confidence;
  } else {
    out.intent = std::string(kFallbackIntent);
    out.confidence = options_.threshold;
  }
  return out;
}

}  // namespace faqbot::nlu
