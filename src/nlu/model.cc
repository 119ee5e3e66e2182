#include "nlu/model.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "common/logging.h"
#include "nlu/analyzer.h"
#include "nlu/text_normalizer.h"
#include "nlu/vector_dot.h"

namespace faqbot::nlu {
namespace {

constexpr size_t kMinTypoLength = 4;

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

void Normalize(std::vector<float>& v) {
  double n = 0;
  for (float x : v) n += static_cast<double>(x) * x;
  if (n <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(n));
  for (float& x : v) x *= inv;
}

}  // namespace

// Per-call working memory, reused across calls of one thread.
struct Model::Scratch {
  std::vector<float> best_recall;     // [example * n_query + query term]
  std::vector<float> best_precision;  // [example offset + slot]
  std::vector<Match> matches;
  std::vector<float> sim_by_vocab;  // all zero between calls of MatchesFor
  std::vector<uint32_t> touched;    // vocab ids set in sim_by_vocab
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
  // Per vocabulary term: the topics it occurs in, for in-bot rarity.
  std::vector<std::unordered_set<uint32_t>> topics_of;
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
    for (const std::string& text : intent.examples) {
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
      Example ex{topic, {}, 0.0f};
      for (const Term& t : Analyze(text, *m->lexicon_)) {
        auto [it, added] = m->by_stem_.emplace(t.stem, static_cast<uint32_t>(m->vocab_.size()));
        if (added) {
          m->vocab_.push_back({t.stem, t.lexicon_id, t.stop, 0.0f});
          topics_of.emplace_back();
        }
        if (std::find(ex.terms.begin(), ex.terms.end(), it->second) == ex.terms.end()) {
          ex.terms.push_back(it->second);
        }
        topics_of[it->second].insert(topic);
      }
      if (ex.terms.empty()) {
        // Nothing to match on ("???", an emoji): Rasa trains anyway, and so do we.
        LogWarn("nlu: skipping an example of intent {} with no words", intent.name);
        continue;
      }
      m->examples_.push_back(std::move(ex));
    }
  }
  // Term weight: background IDF, scaled down for terms shared by many of this bot's topics.
  const float n_topics = static_cast<float>(m->topics_.size());
  for (size_t v = 0; v < m->vocab_.size(); ++v) {
    VocabTerm& term = m->vocab_[v];
    const float df = static_cast<float>(topics_of[v].size());
    const float local =
        n_topics > 1 ? std::log(1.0f + n_topics / df) / std::log(1.0f + n_topics) : 1.0f;
    term.weight = m->BackgroundWeight(term.lexicon_id, term.stop) *
                  (1.0f - options.local_idf_mix + options.local_idf_mix * local);
  }
  m->BuildIndexes();
  return std::shared_ptr<const Model>(std::move(m));
}

void Model::BuildIndexes() {
  by_stem_.clear();
  by_lexicon_id_.clear();
  expansion_keys_.clear();
  expansion_offsets_.clear();
  expansion_matches_.clear();
  std::vector<std::pair<uint32_t, Match>> expansions;  // (related lexicon id, vocab match)
  trigrams_.clear();
  trigram_count_.assign(vocab_.size(), 0);
  postings_.assign(vocab_.size(), {});
  centroids_.clear();
  vector_vocab_.clear();
  vector_rows_.clear();
  const size_t dims = static_cast<size_t>(lexicon_->vector_dims());
  for (uint32_t v = 0; v < vocab_.size(); ++v) {
    const VocabTerm& term = vocab_[v];
    by_stem_.emplace(term.stem, v);
    if (term.stop) continue;  // function words match exactly or not at all
    if (term.lexicon_id != kUnknownTerm) {
      by_lexicon_id_.emplace(term.lexicon_id, v);
      for (uint32_t packed : lexicon_->RawRelated(term.lexicon_id)) {
        const RelatedTerm r = Lexicon::Decode(packed);
        expansions.push_back({r.term, {v, RelationSim(r)}});
      }
      if (const int8_t* vec = lexicon_->Vector(term.lexicon_id); vec && options_.vector_sim > 0) {
        vector_vocab_.push_back(v);
        vector_rows_.insert(vector_rows_.end(), vec, vec + dims);
      }
    }
    if (term.stem.size() >= kMinTypoLength) {
      const auto grams = Trigrams(term.stem);
      trigram_count_[v] = static_cast<uint32_t>(grams.size());
      for (uint32_t g : grams) trigrams_[g].push_back(v);
    }
  }
  std::stable_sort(expansions.begin(), expansions.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  expansion_matches_.reserve(expansions.size());
  for (const auto& [term, match] : expansions) {
    if (expansion_keys_.empty() || expansion_keys_.back() != term) {
      expansion_keys_.push_back(term);
      expansion_offsets_.push_back(static_cast<uint32_t>(expansion_matches_.size()));
    }
    expansion_matches_.push_back(match);
  }
  expansion_offsets_.push_back(static_cast<uint32_t>(expansion_matches_.size()));
  expansion_keys_.shrink_to_fit();
  expansion_offsets_.shrink_to_fit();
  for (uint32_t e = 0; e < examples_.size(); ++e) {
    Example& ex = examples_[e];
    ex.weight_sum = 0;
    std::vector<float> centroid(dims, 0.0f);
    for (uint32_t slot = 0; slot < ex.terms.size(); ++slot) {
      const VocabTerm& t = vocab_[ex.terms[slot]];
      postings_[ex.terms[slot]].push_back({e, slot});
      ex.weight_sum += t.weight;
      if (!t.stop && t.lexicon_id != kUnknownTerm) AddVector(t.lexicon_id, t.weight, centroid);
    }
    Normalize(centroid);
    centroids_.insert(centroids_.end(), centroid.begin(), centroid.end());
  }
}

void Model::MatchesFor(const std::string& stem, uint32_t lexicon_id, bool stop,
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
  CollectMatches(stem, lexicon_id, stop, add);
  scratch.matches.clear();
  for (uint32_t v : touched) {
    scratch.matches.push_back({v, best[v]});
    best[v] = 0.0f;
  }
}

template <typename Add>
void Model::CollectMatches(const std::string& stem, uint32_t lexicon_id, bool stop,
                           Add&& add) const {
  if (auto it = by_stem_.find(stem); it != by_stem_.end()) add(it->second, 1.0f);
  if (stop) return;
  if (lexicon_id != kUnknownTerm) {
    // Relations seen from the query term's side and from the vocabulary term's side.
    for (uint32_t packed : lexicon_->RawRelated(lexicon_id)) {
      const RelatedTerm r = Lexicon::Decode(packed);
      if (auto it = by_lexicon_id_.find(r.term); it != by_lexicon_id_.end()) {
        add(it->second, RelationSim(r));
      }
    }
    const auto key = std::lower_bound(expansion_keys_.begin(), expansion_keys_.end(), lexicon_id);
    if (key != expansion_keys_.end() && *key == lexicon_id) {
      const size_t i = static_cast<size_t>(key - expansion_keys_.begin());
      for (uint32_t m = expansion_offsets_[i]; m < expansion_offsets_[i + 1]; ++m) {
        add(expansion_matches_[m].vocab, expansion_matches_[m].sim);
      }
    }
    // Second-order relatedness through the word vectors.
    if (const int8_t* q = lexicon_->Vector(lexicon_id); q && !vector_vocab_.empty()) {
      const size_t dims = static_cast<size_t>(lexicon_->vector_dims());
      const float floor = options_.vector_floor;
      const float scale = options_.vector_sim / (1.0f - floor);
      for (size_t i = 0; i < vector_vocab_.size(); ++i) {
        const int32_t dot = DotI8(q, vector_rows_.data() + i * dims, dims);
        const float cosine = static_cast<float>(dot) * (1.0f / (127.0f * 127.0f));
        if (cosine > floor) add(vector_vocab_[i], scale * (cosine - floor));
      }
    }
  }
  if (stem.size() >= kMinTypoLength) {
    // Misspellings: only where one side is a word the lexicon does not know.
    const auto grams = Trigrams(stem);
    std::unordered_map<uint32_t, uint32_t> shared;
    for (uint32_t g : grams) {
      if (auto it = trigrams_.find(g); it != trigrams_.end()) {
        for (uint32_t v : it->second) ++shared[v];
      }
    }
    for (const auto& [v, count] : shared) {
      if (lexicon_id != kUnknownTerm && vocab_[v].lexicon_id != kUnknownTerm) continue;
      const float dice =
          2.0f * static_cast<float>(count) / static_cast<float>(grams.size() + trigram_count_[v]);
      if (dice >= options_.typo_min_dice && vocab_[v].stem != stem) {
        add(v, options_.typo_sim * dice);
      }
    }
  }
}

std::vector<float> Model::TopicScores(std::string_view query) const {
  std::vector<float> topic_scores(topics_.size(), 0.0f);
  std::vector<Term> terms = Analyze(query, *lexicon_);
  // Distinct query terms.
  std::vector<Term> q;
  for (Term& t : terms) {
    if (std::none_of(q.begin(), q.end(), [&](const Term& o) { return o.stem == t.stem; })) {
      q.push_back(std::move(t));
    }
  }
  if (q.empty()) return topic_scores;
  thread_local Scratch scratch;
  const size_t nq = q.size();
  scratch.best_recall.assign(examples_.size() * nq, 0.0f);
  size_t total_slots = 0;
  std::vector<size_t> slot_base(examples_.size());
  for (size_t e = 0; e < examples_.size(); ++e) {
    slot_base[e] = total_slots;
    total_slots += examples_[e].terms.size();
  }
  scratch.best_precision.assign(total_slots, 0.0f);
  float query_weight = 0;
  std::vector<float> qw(nq);
  for (size_t i = 0; i < nq; ++i) {
    auto it = by_stem_.find(q[i].stem);
    qw[i] = it != by_stem_.end() ? vocab_[it->second].weight
                                 : BackgroundWeight(q[i].lexicon_id, q[i].stop);
    query_weight += qw[i];
    MatchesFor(q[i].stem, q[i].lexicon_id, q[i].stop, scratch);
    for (const Match& m : scratch.matches) {
      for (const Posting& p : postings_[m.vocab]) {
        float& r = scratch.best_recall[p.example * nq + i];
        r = std::max(r, m.sim);
        float& pr = scratch.best_precision[slot_base[p.example] + p.slot];
        pr = std::max(pr, m.sim);
      }
    }
  }
  const float rw = options_.recall_weight;
  const float mix = options_.sentence_mix;
  std::vector<float> query_centroid;
  if (mix > 0) {
    query_centroid.assign(static_cast<size_t>(lexicon_->vector_dims()), 0.0f);
    for (size_t i = 0; i < nq; ++i) {
      if (!q[i].stop && q[i].lexicon_id != kUnknownTerm) {
        AddVector(q[i].lexicon_id, qw[i], query_centroid);
      }
    }
    Normalize(query_centroid);
  }
  for (size_t e = 0; e < examples_.size(); ++e) {
    const Example& ex = examples_[e];
    float recall = 0;
    for (size_t i = 0; i < nq; ++i) recall += qw[i] * scratch.best_recall[e * nq + i];
    recall /= query_weight;
    float precision = 0;
    for (size_t s = 0; s < ex.terms.size(); ++s) {
      precision += vocab_[ex.terms[s]].weight * scratch.best_precision[slot_base[e] + s];
    }
    precision /= ex.weight_sum;
    float score =
        recall > 0 && precision > 0 ? 1.0f / (rw / recall + (1.0f - rw) / precision) : 0.0f;
    if (mix > 0) {
      const size_t dims = query_centroid.size();
      const float cosine = DotF32(query_centroid.data(), centroids_.data() + e * dims, dims);
      score = (1.0f - mix) * score + mix * std::max(0.0f, cosine);
    }
    if (score <= 0) continue;
    topic_scores[ex.topic] = std::max(topic_scores[ex.topic], score);
  }
  return topic_scores;
}

size_t Model::ApproximateMemoryBytes() const {
  // Hash-map nodes cost about a pointer pair and a hash beyond their payload.
  constexpr size_t kNode = 32;
  size_t bytes = sizeof(Model);
  for (const auto& t : topics_) bytes += sizeof(t) + t.capacity();
  for (const auto& v : vocab_) bytes += sizeof(v) + v.stem.capacity();
  for (const auto& e : examples_) bytes += sizeof(e) + e.terms.capacity() * sizeof(uint32_t);
  bytes += by_stem_.size() * (kNode + sizeof(std::string) + 16) + by_lexicon_id_.size() * kNode;
  bytes += (expansion_keys_.capacity() + expansion_offsets_.capacity()) * sizeof(uint32_t) +
           expansion_matches_.capacity() * sizeof(Match);
  for (const auto& [gram, ids] : trigrams_) bytes += kNode + ids.capacity() * sizeof(uint32_t);
  bytes += trigram_count_.capacity() * sizeof(uint32_t);
  for (const auto& p : postings_) bytes += sizeof(p) + p.capacity() * sizeof(Posting);
  bytes += vector_vocab_.capacity() * sizeof(uint32_t) + vector_rows_.capacity() +
           centroids_.capacity() * sizeof(float);
  return bytes;
}

float Model::Confidence(float score, float other) const {
  if (score <= 0) return 0.0f;
  const float topics = static_cast<float>(topics_.size());
  const float reference = std::max(options_.size_reference, 1.0f);
  const float center =
      options_.conf_center + options_.size_gain * std::max(0.0f, std::log(topics / reference));
  return Sigmoid(options_.conf_scale * (score - center) + options_.margin_gain * (score - other));
}

Prediction Model::Predict(std::string_view query, size_t max_ranking) const {
  Prediction out;
  const std::vector<float> scores = TopicScores(query);
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
