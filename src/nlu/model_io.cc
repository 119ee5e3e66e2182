// Model file reading and writing (format in model.h).
#include <cmath>
#include <cstring>

#include "nlu/analyzer.h"
#include "nlu/checksum.h"
#include "nlu/model.h"

namespace faqbot::nlu {
namespace {

constexpr char kMagic[8] = {'F', 'A', 'Q', 'B', 'O', 'T', 'M', 'D'};
constexpr size_t kHeaderSize = 8 + 4 + 4 + 8 + 8 + 8;
// The first format: no learned decline centre (model.h).
constexpr uint32_t kFormatVersion1 = 1;
// The format of a model whose decline centre was learned from all its examples (format 3 adds
// how many examples it was learned from, for a model that kept an earlier centre).
constexpr uint32_t kFormatVersion2 = 2;

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Raw(&v, 4); }
  void U64(uint64_t v) { Raw(&v, 8); }
  void F32(float v) { Raw(&v, 4); }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  std::string& bytes() { return out_; }

 private:
  void Raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

// Bounds-checked reader: any read past the end sets failed() and yields zeros.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint8_t U8() { return Number<uint8_t>(); }
  uint32_t U32() { return Number<uint32_t>(); }
  uint64_t U64() { return Number<uint64_t>(); }
  float F32() { return Number<float>(); }
  std::string Str(size_t max) {
    const uint32_t n = U32();
    if (failed_ || n > max || n > in_.size() - pos_) {
      failed_ = true;
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count that must fit the bytes left, each item taking at least `min_item_bytes`.
  uint32_t Count(size_t limit, size_t min_item_bytes) {
    const uint32_t n = U32();
    if (n > limit || n > (in_.size() - pos_) / min_item_bytes) failed_ = true;
    return failed_ ? 0 : n;
  }
  bool failed() const { return failed_; }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  template <typename T>
  T Number() {
    T v{};
    Raw(&v, sizeof(T));
    return v;
  }
  void Raw(void* p, size_t n) {
    if (failed_ || in_.size() - pos_ < n) {
      failed_ = true;
      return;
    }
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace

std::string Model::Serialize() const {
  Writer p;
  p.Str(options_.ToString());
  p.U32(static_cast<uint32_t>(topics_.size()));
  for (const auto& t : topics_) p.Str(t);
  p.U32(static_cast<uint32_t>(vocab_.size()));
  for (const auto& v : vocab_) {
    p.Str(Stem(v));
    p.U8(v.stop ? 1 : 0);
    p.F32(v.weight);
  }
  p.U32(static_cast<uint32_t>(examples_.size()));
  for (const auto& e : examples_) {
    p.U32(e.topic);
    p.U32(e.term_count);
    for (uint32_t k = 0; k < e.term_count; ++k) p.U32(example_terms_[e.first_term + k]);
  }
  p.F32(center_);
  // Files of a model whose centre is its own stay readable by builds that know only format 2.
  const bool own_centre = centre_examples_ == examples_.size();
  if (!own_centre) p.U32(static_cast<uint32_t>(centre_examples_));
  const std::string& payload = p.bytes();
  Writer h;
  h.bytes().append(kMagic, sizeof(kMagic));
  h.U32(own_centre ? kFormatVersion2 : kFormatVersion);
  h.U32(0);
  h.U64(lexicon_->fingerprint());
  h.U64(payload.size());
  // The checksum covers every byte of the file but itself.
  h.U64(Checksum64(h.bytes() + payload));
  h.bytes() += payload;
  return std::move(h.bytes());
}

Result<std::shared_ptr<const Model>> Model::Load(std::string_view bytes,
                                                 std::shared_ptr<const Lexicon> lexicon) {
  if (!lexicon) return InvalidArgumentError("no lexicon");
  if (bytes.size() < kHeaderSize) return DataLossError("model file is truncated");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return DataLossError("not a faqbot model file (bad magic)");
  }
  Reader h(bytes.substr(sizeof(kMagic), kHeaderSize - sizeof(kMagic)));
  const uint32_t version = h.U32();
  const uint32_t reserved = h.U32();
  h.U64();  // lexicon fingerprint: informational; stems are re-resolved below
  const uint64_t size = h.U64();
  const uint64_t checksum = h.U64();
  if (version < kFormatVersion1 || version > kFormatVersion) {
    return DataLossError("model format version " + std::to_string(version) + ", this build reads " +
                         std::to_string(kFormatVersion1) + " to " + std::to_string(kFormatVersion) +
                         "; retrain the model");
  }
  const std::string_view payload = bytes.substr(kHeaderSize);
  if (payload.size() != size) return DataLossError("model file is truncated or has extra bytes");
  if (Checksum64(std::string(bytes.substr(0, kHeaderSize - 8)).append(payload)) != checksum ||
      reserved != 0) {
    return DataLossError("model checksum mismatch");
  }

  std::shared_ptr<Model> m(new Model());
  m->lexicon_ = std::move(lexicon);
  Reader r(payload);
  const std::string options = r.Str(1 << 16);
  // Options a file does not name keep their defaults, except those added with a new behaviour:
  // a file written before them answers as it did.
  m->options_.split_ideographs = 0.0f;
  m->options_.head_idf = 0.0f;
  m->options_.head_min_topics = 2.0f;
  m->options_.calibration_head_floor_large_gain = 0.0f;
  m->options_.calibration_head_floor_few_gain = 0.0f;
  m->options_.calibration_cv_holdout = 0.0f;
  size_t start = 0;
  while (!r.failed() && start < options.size()) {
    size_t comma = options.find(',', start);
    if (comma == std::string::npos) comma = options.size();
    if (Status s = m->options_.Set(options.substr(start, comma - start)); !s.ok()) {
      return DataLossError("model options: " + s.message());
    }
    start = comma + 1;
  }
  if (version == kFormatVersion1) {
    // Format 1 had neither the learned centre nor the head: answer exactly as it did.
    m->options_.calibration_probes = 0;
    m->options_.head_min_examples = 0;
  }
  const uint32_t n_topics = r.Count(kMaxTopics, 4);
  for (uint32_t i = 0; i < n_topics && !r.failed(); ++i) m->topics_.push_back(r.Str(4096));
  const uint32_t n_vocab = r.Count(kMaxExamplesPerModel * 64, 9);
  for (uint32_t i = 0; i < n_vocab && !r.failed(); ++i) {
    const std::string stem = r.Str(kMaxExampleBytes);
    const bool stop = r.U8() != 0;
    const float weight = r.F32();
    if (!(weight >= 0.0f && weight < 1e6f)) return DataLossError("corrupt term weight");
    auto id = m->lexicon_->Find(stem);
    m->AddVocab(stem, id ? *id : kUnknownTerm, stop, weight);
  }
  const uint32_t n_examples = r.Count(kMaxExamplesPerModel, 8);
  for (uint32_t i = 0; i < n_examples && !r.failed(); ++i) {
    Example e{r.U32(), static_cast<uint32_t>(m->example_terms_.size()), 0, 0.0f, 0.0f};
    const uint32_t n_terms = r.Count(kMaxExampleBytes, 4);
    if (e.topic >= n_topics) return DataLossError("example of an unknown topic");
    for (uint32_t k = 0; k < n_terms && !r.failed(); ++k) {
      const uint32_t t = r.U32();
      if (t >= n_vocab) return DataLossError("example term out of range");
      m->example_terms_.push_back(t);
      ++e.term_count;
    }
    if (e.term_count == 0 && !r.failed()) return DataLossError("example without terms");
    m->examples_.push_back(e);
  }
  const float center = version == kFormatVersion1 ? 0.0f : r.F32();
  const uint32_t centre_examples = version > kFormatVersion2 ? r.U32() : n_examples;
  if (r.failed() || !r.at_end()) return DataLossError("model payload is malformed");
  if (n_topics == 0) return DataLossError("model has no topics");
  if (!std::isfinite(center)) return DataLossError("corrupt decline centre");
  if (version > kFormatVersion2 && (centre_examples == 0 || centre_examples >= n_examples)) {
    return DataLossError("corrupt number of examples of the decline centre");
  }
  m->BuildIndexes();
  m->center_ = version == kFormatVersion1 ? m->SizeRuleCenter() : center;
  m->centre_examples_ = centre_examples;
  return std::shared_ptr<const Model>(std::move(m));
}

}  // namespace faqbot::nlu
