#include "nlu/topic_classifier.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

namespace faqbot::nlu {
namespace {

// e^x for x ≤ 0 (to within a few units in the last place; below e^-87 it flushes to e^-87, far
// under anything a probability keeps). Plain float arithmetic the compiler vectorises, unlike
// the library's expf, which was most of a training step; the same bits on every machine.
__attribute__((always_inline)) inline float ExpNonPositive(float x) {
  x = x > -87.0f ? x : -87.0f;
  // x = n·ln 2 + r with |r| ≤ ln 2 / 2; adding and subtracting 1.5·2²³ rounds to the nearest
  // integer; ln 2 is split in two (Cody and Waite) so n·ln 2 is exact enough.
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  // e^r by its minimax polynomial (Cephes expf).
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  // × 2^n, built from its exponent bits (n ≥ -126: a normal number).
  return p * std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
}

// Max and sum over fixed lanes (a fixed order, so the same bits every time): one chain per
// lane instead of one long dependent chain.
constexpr size_t kLanes = 8;

__attribute__((always_inline)) inline float Max(std::span<const float> z) {
  float lane[kLanes];
  std::fill(lane, lane + kLanes, z[0]);
  size_t k = 0;
  for (; k + kLanes <= z.size(); k += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) lane[j] = std::max(lane[j], z[k + j]);
  }
  for (; k < z.size(); ++k) lane[0] = std::max(lane[0], z[k]);
  return *std::max_element(lane, lane + kLanes);
}

__attribute__((always_inline)) inline float Sum(std::span<const float> z) {
  float lane[kLanes] = {};
  size_t k = 0;
  for (; k + kLanes <= z.size(); k += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) lane[j] += z[k + j];
  }
  for (; k < z.size(); ++k) lane[0] += z[k];
  float sum = 0;
  for (const float v : lane) sum += v;
  return sum;
}

// In-place softmax.
// Inlined, so it is vectorised for the processor of its caller (Train's clones).
__attribute__((always_inline)) inline void Softmax(std::span<float> z) {
  const float top = Max(z);
  for (float& v : z) v = ExpNonPositive(v - top);
  const float inv = 1.0f / Sum(z);
  for (float& v : z) v *= inv;
}

// A small deterministic generator (SplitMix64), so the row order is the same with every
// standard library.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

// Built for AVX2 too where the processor has it: twice the lanes for the class loops. Without
// FMA (which AVX2 does not imply) every lane computes exactly what SSE2 computes, and the
// softmax sums over fixed lanes, so the weights are the same bits on every machine. GCC only:
// clang 14 (the fuzz build) does not link clones of a member function, and builds the default.
#if defined(__GNUC__) && !defined(__clang__)
#define FAQBOT_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define FAQBOT_AVX2_CLONE
#endif
FAQBOT_AVX2_CLONE TopicClassifier TopicClassifier::Train(
    std::span<const ClassifierRow> rows, uint32_t features, uint32_t classes,
    const ClassifierOptions& options) {
  TopicClassifier c;
  if (rows.empty() || classes == 0 || features == 0) return c;
  c.classes_ = classes;
  c.features_ = features;
  c.weights_.assign(static_cast<size_t>(features) * classes, 0.0f);
  c.bias_.assign(classes, 0.0f);
  // Weight decay multiplies every weight each step; keeping the weights as scale × stored
  // values makes that one multiplication instead of a pass over the matrix.
  float scale = 1.0f;
  std::vector<uint32_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0u);
  std::vector<float> z(classes);
  uint64_t state = options.seed;
  const size_t total = static_cast<size_t>(std::max(options.epochs, 1)) * rows.size();
  size_t step = 0;
  for (int epoch = 0; epoch < std::max(options.epochs, 1); ++epoch) {
    for (size_t i = order.size(); i > 1; --i) {
      std::swap(order[i - 1], order[NextRandom(state) % i]);
    }
    for (const uint32_t r : order) {
      const ClassifierRow& row = rows[r];
      const float rate = options.learning_rate *
                         (1.0f - 0.9f * static_cast<float>(step++) / static_cast<float>(total));
      std::copy(c.bias_.begin(), c.bias_.end(), z.begin());
      for (const SparseFeature& f : row.features) {
        const float* w = &c.weights_[static_cast<size_t>(f.index) * classes];
        const float x = f.value * scale;
        for (uint32_t k = 0; k < classes; ++k) z[k] += x * w[k];
      }
      Softmax(z);
      z[row.label] -= 1.0f;  // now the gradient of the loss with respect to each logit
      scale *= 1.0f - rate * options.l2;
      for (const SparseFeature& f : row.features) {
        float* w = &c.weights_[static_cast<size_t>(f.index) * classes];
        const float x = rate * f.value / scale;
        for (uint32_t k = 0; k < classes; ++k) w[k] -= x * z[k];
      }
      for (uint32_t k = 0; k < classes; ++k) c.bias_[k] -= rate * z[k];
      if (scale < 1e-4f) {
        for (float& w : c.weights_) w *= scale;
        scale = 1.0f;
      }
    }
  }
  for (float& w : c.weights_) w *= scale;
  return c;
}

void TopicClassifier::Probabilities(std::span<const SparseFeature> x, std::span<float> out) const {
  std::copy(bias_.begin(), bias_.end(), out.begin());
  for (const SparseFeature& f : x) {
    if (f.index >= features_) continue;
    const float* w = &weights_[static_cast<size_t>(f.index) * classes_];
    for (uint32_t k = 0; k < classes_; ++k) out[k] += f.value * w[k];
  }
  if (classes_ > 0) Softmax(out.first(classes_));
}

size_t TopicClassifier::ApproximateMemoryBytes() const {
  constexpr size_t kAllocation = 16;
  return weights_.capacity() * sizeof(float) + bias_.capacity() * sizeof(float) + 2 * kAllocation;
}

}  // namespace faqbot::nlu
