#include "nlu/word_vectors.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace faqbot::nlu {
namespace {

// Symmetric sparse matrix in compressed rows.
struct SparseMatrix {
  size_t n = 0;
  std::vector<uint64_t> row_start;
  std::vector<uint32_t> col;
  std::vector<float> val;
};

// Column-major dense matrix: column c is data[c*rows, (c+1)*rows).
struct Dense {
  size_t rows = 0, cols = 0;
  std::vector<float> data;
  float* column(size_t c) { return data.data() + c * rows; }
  const float* column(size_t c) const { return data.data() + c * rows; }
};

uint64_t SplitMix(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Dense Multiply(const SparseMatrix& m, const Dense& x) {
  Dense y{x.rows, x.cols, std::vector<float>(x.data.size(), 0.0f)};
  for (size_t c = 0; c < x.cols; ++c) {
    const float* in = x.column(c);
    float* out = y.column(c);
    for (size_t i = 0; i < m.n; ++i) {
      double s = 0;
      for (uint64_t p = m.row_start[i]; p < m.row_start[i + 1]; ++p) s += m.val[p] * in[m.col[p]];
      out[i] = static_cast<float>(s);
    }
  }
  return y;
}

double Dot(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// Orthonormalises the columns in place (Gram-Schmidt, twice for numerical safety).
void Orthonormalize(Dense& q) {
  for (size_t c = 0; c < q.cols; ++c) {
    float* v = q.column(c);
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t p = 0; p < c; ++p) {
        const float* u = q.column(p);
        const float d = static_cast<float>(Dot(u, v, q.rows));
        for (size_t i = 0; i < q.rows; ++i) v[i] -= d * u[i];
      }
    }
    const double norm = std::sqrt(Dot(v, v, q.rows));
    const float inv = norm > 1e-20 ? static_cast<float>(1.0 / norm) : 0.0f;
    for (size_t i = 0; i < q.rows; ++i) v[i] *= inv;
  }
}

// Eigen-decomposition of a small symmetric matrix (row-major k×k) by cyclic Jacobi rotations.
// Returns eigenvalues; `vectors` (row-major) gets the eigenvectors as columns.
std::vector<double> JacobiEigen(std::vector<double> a, size_t k, std::vector<double>& vectors) {
  vectors.assign(k * k, 0.0);
  for (size_t i = 0; i < k; ++i) vectors[i * k + i] = 1.0;
  for (int sweep = 0; sweep < 60; ++sweep) {
    double off = 0;
    for (size_t p = 0; p < k; ++p)
      for (size_t q = p + 1; q < k; ++q) off += a[p * k + q] * a[p * k + q];
    if (off < 1e-22) break;
    for (size_t p = 0; p < k; ++p) {
      for (size_t q = p + 1; q < k; ++q) {
        const double apq = a[p * k + q];
        if (std::fabs(apq) < 1e-300) continue;
        const double theta = (a[q * k + q] - a[p * k + p]) / (2.0 * apq);
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1.0 / std::sqrt(t * t + 1), s = t * c;
        for (size_t r = 0; r < k; ++r) {  // columns p, q
          const double arp = a[r * k + p], arq = a[r * k + q];
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (size_t r = 0; r < k; ++r) {  // rows p, q
          const double apr = a[p * k + r], aqr = a[q * k + r];
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
        for (size_t r = 0; r < k; ++r) {
          const double vrp = vectors[r * k + p], vrq = vectors[r * k + q];
          vectors[r * k + p] = c * vrp - s * vrq;
          vectors[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  std::vector<double> values(k);
  for (size_t i = 0; i < k; ++i) values[i] = a[i * k + i];
  return values;
}

// PPMI of in-document co-occurrence over the chosen vocabulary (`local` maps term → row).
SparseMatrix PpmiMatrix(const std::vector<std::vector<uint32_t>>& docs,
                        const std::vector<uint32_t>& local, size_t n,
                        const WordVectorOptions& opt) {
  std::vector<uint64_t> pairs;
  std::vector<uint32_t> rows;
  for (const auto& doc : docs) {
    rows.clear();
    for (uint32_t t : doc) {
      if (t < local.size() && local[t] != WordVectorTable::kNone) rows.push_back(local[t]);
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (size_t a = 0; a < rows.size(); ++a)
      for (size_t b = 0; b < rows.size(); ++b)
        if (a != b) pairs.push_back(static_cast<uint64_t>(rows[a]) << 32 | rows[b]);
  }
  std::sort(pairs.begin(), pairs.end());
  SparseMatrix m;
  m.n = n;
  m.row_start.assign(n + 1, 0);
  std::vector<float> counts;
  for (size_t i = 0; i < pairs.size();) {
    size_t j = i;
    while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
    m.col.push_back(static_cast<uint32_t>(pairs[i] & 0xFFFFFFFFu));
    counts.push_back(static_cast<float>(j - i));
    ++m.row_start[(pairs[i] >> 32) + 1];
    i = j;
  }
  for (size_t r = 0; r < n; ++r) m.row_start[r + 1] += m.row_start[r];
  std::vector<double> row_sum(n, 0.0), ctx(n, 0.0);
  double total = 0, ctx_total = 0;
  for (size_t r = 0; r < n; ++r)
    for (uint64_t p = m.row_start[r]; p < m.row_start[r + 1]; ++p) row_sum[r] += counts[p];
  for (size_t r = 0; r < n; ++r) {
    total += row_sum[r];
    ctx[r] = std::pow(row_sum[r], opt.context_smoothing);
    ctx_total += ctx[r];
  }
  m.val.resize(counts.size());
  for (size_t r = 0; r < n; ++r) {
    for (uint64_t p = m.row_start[r]; p < m.row_start[r + 1]; ++p) {
      const double pmi =
          std::log((counts[p] / total) / ((row_sum[r] / total) * (ctx[m.col[p]] / ctx_total)));
      m.val[p] = pmi > 0 ? static_cast<float>(pmi) : 0.0f;
    }
  }
  // Make the matrix exactly symmetric (the smoothed context side is not).
  std::vector<float> sym(m.val.size());
  for (size_t r = 0; r < n; ++r) {
    for (uint64_t p = m.row_start[r]; p < m.row_start[r + 1]; ++p) {
      const uint32_t c = m.col[p];
      const auto begin = m.col.begin() + static_cast<std::ptrdiff_t>(m.row_start[c]);
      const auto end = m.col.begin() + static_cast<std::ptrdiff_t>(m.row_start[c + 1]);
      const auto it = std::lower_bound(begin, end, static_cast<uint32_t>(r));
      const float other =
          (it != end && *it == r) ? m.val[static_cast<size_t>(it - m.col.begin())] : 0.0f;
      sym[p] = 0.5f * (m.val[p] + other);
    }
  }
  m.val = std::move(sym);
  return m;
}

}  // namespace

WordVectorTable LearnWordVectors(const std::vector<std::vector<uint32_t>>& docs, uint32_t n_terms,
                                 const std::vector<bool>& excluded, const WordVectorOptions& opt) {
  WordVectorTable table;
  std::vector<uint32_t> df(n_terms, 0);
  for (const auto& doc : docs) {
    std::vector<uint32_t> seen(doc);
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (uint32_t t : seen)
      if (t < n_terms) ++df[t];
  }
  std::vector<uint32_t> chosen;
  for (uint32_t t = 0; t < n_terms; ++t) {
    if (df[t] >= opt.min_df && !(t < excluded.size() && excluded[t])) chosen.push_back(t);
  }
  std::stable_sort(chosen.begin(), chosen.end(),
                   [&](uint32_t a, uint32_t b) { return df[a] > df[b]; });
  if (chosen.size() > opt.max_vocab) chosen.resize(opt.max_vocab);
  std::sort(chosen.begin(), chosen.end());
  const size_t n = chosen.size();
  const size_t k = static_cast<size_t>(opt.dims + opt.oversample);
  if (n < k * 2) return table;
  std::vector<uint32_t> local(n_terms, WordVectorTable::kNone);
  for (size_t i = 0; i < n; ++i) local[chosen[i]] = static_cast<uint32_t>(i);
  const SparseMatrix m = PpmiMatrix(docs, local, n, opt);

  // Randomized range finder with power iterations: Q spans M's leading eigenvectors.
  Dense q{n, k, std::vector<float>(n * k)};
  uint64_t state = opt.seed;
  for (float& v : q.data) {
    v = static_cast<float>(static_cast<double>(SplitMix(state) >> 11) * 0x1.0p-53 * 2.0 - 1.0);
  }
  q = Multiply(m, q);
  Orthonormalize(q);
  for (int it = 0; it < opt.power_iterations; ++it) {
    q = Multiply(m, q);
    Orthonormalize(q);
  }
  // B = Qᵀ M Q, then its eigenvectors rotate Q onto M's eigenvectors.
  const Dense mq = Multiply(m, q);
  std::vector<double> b(k * k);
  for (size_t i = 0; i < k; ++i)
    for (size_t j = 0; j < k; ++j) b[i * k + j] = Dot(q.column(i), mq.column(j), n);
  for (size_t i = 0; i < k; ++i)
    for (size_t j = i + 1; j < k; ++j)
      b[i * k + j] = b[j * k + i] = 0.5 * (b[i * k + j] + b[j * k + i]);
  std::vector<double> vecs;
  const std::vector<double> values = JacobiEigen(std::move(b), k, vecs);
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t c) { return values[a] > values[c]; });
  const size_t dims = static_cast<size_t>(opt.dims);
  std::vector<float> row(dims);
  table.dims = opt.dims;
  table.row_of_term.assign(n_terms, WordVectorTable::kNone);
  table.rows.assign(n * dims, 0);
  for (size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (size_t d = 0; d < dims; ++d) {
      const size_t e = order[d];
      const double scale = values[e] > 0 ? std::pow(values[e], opt.eigen_power) : 0.0;
      double s = 0;
      for (size_t c = 0; c < k; ++c) s += q.column(c)[i] * vecs[c * k + e];
      row[d] = static_cast<float>(s * scale);
      norm += static_cast<double>(row[d]) * row[d];
    }
    const double inv = norm > 0 ? 127.0 / std::sqrt(norm) : 0.0;
    for (size_t d = 0; d < dims; ++d) {
      table.rows[i * dims + d] = static_cast<int8_t>(std::lround(row[d] * inv));
    }
    table.row_of_term[chosen[i]] = static_cast<uint32_t>(i);
  }
  return table;
}

}  // namespace faqbot::nlu
