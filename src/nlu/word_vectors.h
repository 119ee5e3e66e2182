// Word vectors learned from a small corpus of short documents (WordNet's synsets: their words,
// gloss and hypernyms), so words used to define the same things end up close ("thank" and
// "appreciate" both gloss as gratitude). Method: positive pointwise mutual information of
// in-document co-occurrence, then a randomized eigendecomposition of that symmetric matrix
// (range finder with power iterations, Gram-Schmidt, Jacobi), rows scaled by the square root of
// the eigenvalues, normalised and quantised to int8. Deterministic for a seed; single thread.
#pragma once

#include <cstdint>
#include <vector>

namespace faqbot::nlu {

struct WordVectorOptions {
  int dims = 128;                   // vector length
  int oversample = 24;              // extra range-finder columns
  int power_iterations = 2;         // subspace iterations (accuracy of the leading eigenvectors)
  uint32_t min_df = 3;              // terms in fewer documents get no vector
  uint32_t max_vocab = 40'000;      // the most frequent terms at most
  float context_smoothing = 0.75f;  // context distribution smoothing of PMI
  float eigen_power = 0.5f;         // rows scaled by eigenvalue^power
  uint64_t seed = 20261124;
};

struct WordVectorTable {
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  int dims = 0;
  std::vector<uint32_t> row_of_term;  // per term id: its row, or kNone
  std::vector<int8_t> rows;           // row-major, dims per row, unit length × 127
};

// `docs` hold term ids < n_terms (duplicates within a document are ignored); `excluded` marks
// terms that must get no vector (function words). Returns an empty table when too few terms
// qualify.
WordVectorTable LearnWordVectors(const std::vector<std::vector<uint32_t>>& docs, uint32_t n_terms,
                                 const std::vector<bool>& excluded,
                                 const WordVectorOptions& options = {});

}  // namespace faqbot::nlu
