// TopicClassifier: a multinomial logistic regression over sparse term features, the
// discriminative head a model uses when its topics have several phrasings each (model.h).
// Nearest-neighbour matching scores a query by its single closest phrasing; the classifier
// instead learns, from all phrasings of all topics at once, which terms tell a topic from the
// others ("card" says little in a banking bot, "declined" says much).
//
// Training is plain stochastic gradient descent in a fixed order (a seeded shuffle), so the same
// examples give the same weights, bit for bit. Value type; Probabilities is const and
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace faqbot::nlu {

struct SparseFeature {
  uint32_t index;
  float value;
};

// One training row: its features (any order, distinct indexes) and its class.
struct ClassifierRow {
  std::span<const SparseFeature> features;
  uint32_t label;
};

struct ClassifierOptions {
  int epochs = 12;             // passes over the rows
  float learning_rate = 0.5f;  // initial step; decays linearly over the passes
  float l2 = 1e-4f;            // weight decay per row
  uint32_t seed = 1;           // of the row order
};

class TopicClassifier {
 public:
  TopicClassifier() = default;

  // Trains over `rows` (labels < classes, feature indexes < features). An empty classifier
  // (classes() == 0) when there is nothing to train on. Deterministic.
  static TopicClassifier Train(std::span<const ClassifierRow> rows, uint32_t features,
                               uint32_t classes, const ClassifierOptions& options = {});

  // out[c] = P(class c | x) for every class (out.size() must be classes()). Features with an
  // index ≥ features() are ignored. Thread-safe.
  void Probabilities(std::span<const SparseFeature> x, std::span<float> out) const;

  uint32_t classes() const { return classes_; }
  uint32_t features() const { return features_; }
  size_t ApproximateMemoryBytes() const;

 private:
  uint32_t classes_ = 0;
  uint32_t features_ = 0;
  std::vector<float> weights_;  // [feature * classes_ + class]
  std::vector<float> bias_;     // [class]
};

}  // namespace faqbot::nlu
