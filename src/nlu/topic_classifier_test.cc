#include "nlu/topic_classifier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace faqbot::nlu {
namespace {

// Two classes over four features: feature 0 and 1 mean class 0, 2 and 3 mean class 1; feature
// 1 and 3 also appear, more rarely, in the other class (a noisy term).
struct TwoTopics {
  std::vector<std::vector<SparseFeature>> features = {
      {{0, 0.8f}, {1, 0.6f}}, {{0, 1.0f}}, {{0, 0.6f}, {3, 0.8f}}, {{1, 1.0f}},
      {{2, 0.8f}, {3, 0.6f}}, {{2, 1.0f}}, {{2, 0.6f}, {1, 0.8f}}, {{3, 1.0f}}};
  std::vector<uint32_t> labels = {0, 0, 0, 0, 1, 1, 1, 1};
  std::vector<ClassifierRow> Rows() const {
    std::vector<ClassifierRow> rows;
    for (size_t i = 0; i < labels.size(); ++i) rows.push_back({features[i], labels[i]});
    return rows;
  }
};

std::vector<float> Probabilities(const TopicClassifier& c, std::vector<SparseFeature> x) {
  std::vector<float> p(c.classes());
  c.Probabilities(x, p);
  return p;
}

TEST(TopicClassifierTest, SeparatesTheTopicsItWasTrainedOn) {
  const TwoTopics data;
  const TopicClassifier c = TopicClassifier::Train(data.Rows(), 4, 2);
  ASSERT_EQ(c.classes(), 2u);
  for (size_t i = 0; i < data.labels.size(); ++i) {
    const std::vector<float> p = Probabilities(c, data.features[i]);
    EXPECT_GT(p[data.labels[i]], 0.5f) << "row " << i;
    EXPECT_NEAR(p[0] + p[1], 1.0f, 1e-5f);
  }
  // Unseen combinations follow the telling features.
  EXPECT_GT(Probabilities(c, {{0, 0.7f}, {1, 0.7f}})[0], 0.8f);
  EXPECT_GT(Probabilities(c, {{2, 0.7f}, {3, 0.7f}})[1], 0.8f);
}

TEST(TopicClassifierTest, TrainingIsDeterministic) {
  const TwoTopics data;
  const TopicClassifier a = TopicClassifier::Train(data.Rows(), 4, 2);
  const TopicClassifier b = TopicClassifier::Train(data.Rows(), 4, 2);
  for (const auto& x : data.features) {
    const auto pa = Probabilities(a, x), pb = Probabilities(b, x);
    EXPECT_EQ(std::memcmp(pa.data(), pb.data(), pa.size() * sizeof(float)), 0);
  }
}

TEST(TopicClassifierTest, UnknownFeaturesAndEmptyInputAreHarmless) {
  const TwoTopics data;
  const TopicClassifier c = TopicClassifier::Train(data.Rows(), 4, 2);
  const std::vector<float> p = Probabilities(c, {{99, 1.0f}});
  EXPECT_NEAR(p[0], 0.5f, 0.1f);
  EXPECT_EQ(TopicClassifier::Train({}, 4, 2).classes(), 0u);
}

TEST(TopicClassifierTest, ProbabilitiesStayFiniteForOverwhelmingEvidence) {
  // Huge feature values drive the logits hundreds apart: the losing classes' share underflows
  // but the probabilities stay finite, ordered and summing to one.
  const TwoTopics data;
  const TopicClassifier c = TopicClassifier::Train(data.Rows(), 4, 2);
  for (const float value : {1e3f, 1e6f}) {
    const std::vector<float> p = Probabilities(c, {{0, value}});
    ASSERT_TRUE(std::isfinite(p[0]) && std::isfinite(p[1])) << value;
    EXPECT_NEAR(p[0], 1.0f, 1e-6f) << value;
    EXPECT_GE(p[1], 0.0f) << value;
    EXPECT_NEAR(p[0] + p[1], 1.0f, 1e-6f) << value;
  }
  // And a softmax over many near-equal classes is close to uniform.
  std::vector<std::vector<SparseFeature>> features(300, {{0, 1.0f}});
  std::vector<ClassifierRow> rows;
  for (uint32_t i = 0; i < features.size(); ++i) rows.push_back({features[i], i % 150});
  const TopicClassifier many = TopicClassifier::Train(rows, 1, 150);
  const std::vector<float> p = Probabilities(many, {{0, 1.0f}});
  float sum = 0;
  for (const float v : p) {
    EXPECT_NEAR(v, 1.0f / 150, 0.2f / 150);
    sum += v;
  }
  EXPECT_NEAR(sum, 1.0f, 1e-5f);
}

}  // namespace
}  // namespace faqbot::nlu
