// Lexicon: the engine's read-only lexical knowledge, shared by every model of a process.
//
// Built from WordNet 3.0 (Debian's wordnet-base) by LexiconBuilder, stored as one binary file
// (magic "FAQBOTLX", format version, checksum) and loaded by mapping it into memory, so a process
// pays a few milliseconds once. Keys are Snowball stems of lower-case words. For each stem it
// holds: a background inverse document frequency (IDF) learned from WordNet's glosses, a
// canonical stem for irregular forms ("went" → "go"), and its related stems (synonyms,
// derivations, hypernyms, similar words...) tagged with the relation and the WordNet sense rank
// they come from, so callers weigh them (frequent senses count, rare senses hardly do), and a
// word vector learned from the glosses (word_vectors.h) for second-order relatedness.
//
// Thread-safe: immutable after Load. Shared as std::shared_ptr<const Lexicon>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace faqbot::nlu {

enum class Relation : uint8_t {
  kSynonym = 0,     // another word of the same synset
  kDerivation = 1,  // morphologically derived ("arrive" / "arrival" when stems differ)
  kHypernym = 2,    // a more general concept ("dog" → "animal")
  kHyponym = 3,     // a more specific concept
  kSimilar = 4,     // adjective similar-to, verb group, also-see
  kOther = 5,       // pertainym, attribute, entailment, cause, participle
};
inline constexpr int kRelationCount = 6;
inline constexpr int kMaxSenseRank = 31;

struct RelatedTerm {
  uint32_t term;       // lexicon id of the related stem
  Relation relation;   // how it is related
  uint8_t sense_rank;  // 0 = the source word's most frequent sense
};

class Lexicon {
 public:
  static constexpr uint32_t kFormatVersion = 2;

  // Maps `path` into memory and validates it. Errors: NotFound (no file), DataLoss (truncated,
  // corrupt, wrong magic or version).
  static Result<std::shared_ptr<const Lexicon>> Load(const std::string& path);
  // Validates and adopts an in-memory image (tests, fuzzing). Same errors as Load.
  static Result<std::shared_ptr<const Lexicon>> FromBytes(std::string bytes);

  ~Lexicon();
  Lexicon(const Lexicon&) = delete;
  Lexicon& operator=(const Lexicon&) = delete;

  uint32_t size() const { return n_terms_; }
  // The id of `stem`, if the lexicon knows it.
  std::optional<uint32_t> Find(std::string_view stem) const;
  std::string_view Term(uint32_t id) const;
  // Background IDF of a known stem; UnknownIdf() for stems never seen in the glosses.
  float Idf(uint32_t id) const { return idf_[id]; }
  float UnknownIdf() const { return unknown_idf_; }
  // The stem an irregular form stands for (itself for regular words).
  uint32_t Canonical(uint32_t id) const { return canonical_[id]; }
  // Related stems, most closely related first.
  std::span<const uint32_t> RawRelated(uint32_t id) const;
  // The other direction: the stems whose RawRelated lists `id`, packed the same way, so that
  // Decode(p).term is such a stem and the relation and sense rank are those it lists `id` with.
  // Built once at load (about 2 MB for WordNet), so models need no reverse index of their own.
  std::span<const uint32_t> RawRelatedFrom(uint32_t id) const;
  static RelatedTerm Decode(uint32_t packed);
  // The word vector of a stem (vector_dims() int8 values, unit length scaled by 127), or
  // nullptr when the stem has none.
  const int8_t* Vector(uint32_t id) const {
    const uint32_t row = vector_row_[id];
    return row == kNoVector ? nullptr : vectors_ + static_cast<size_t>(row) * vector_dims_;
  }
  int vector_dims() const { return static_cast<int>(vector_dims_); }
  static constexpr uint32_t kNoVector = 0xFFFFFFFFu;
  // Identifies the content (the payload checksum); models record it.
  uint64_t fingerprint() const { return fingerprint_; }

 private:
  Lexicon() = default;
  Status Adopt();

  // Exactly one of these owns the bytes.
  std::string owned_;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;

  const char* data_ = nullptr;
  size_t size_ = 0;
  uint32_t n_terms_ = 0;
  uint32_t hash_mask_ = 0;
  float unknown_idf_ = 0;
  uint64_t fingerprint_ = 0;
  const uint32_t* term_offsets_ = nullptr;
  const char* blob_ = nullptr;
  const float* idf_ = nullptr;
  const uint32_t* canonical_ = nullptr;
  const uint32_t* related_offsets_ = nullptr;
  const uint32_t* related_ = nullptr;
  const uint32_t* slots_ = nullptr;
  const uint32_t* vector_row_ = nullptr;
  const int8_t* vectors_ = nullptr;
  uint32_t vector_dims_ = 0;
  // The reverse of related_ (RawRelatedFrom), in the same offsets-and-entries layout.
  std::vector<uint32_t> related_from_offsets_;
  std::vector<uint32_t> related_from_;
};

// The file layout, shared by the builder and the loader.
namespace lexicon_format {
inline constexpr char kMagic[8] = {'F', 'A', 'Q', 'B', 'O', 'T', 'L', 'X'};
struct Header {
  char magic[8];
  uint32_t version;
  uint32_t n_terms;
  uint32_t n_related;
  uint32_t hash_slots;  // a power of two
  uint32_t blob_size;
  float unknown_idf;
  uint64_t payload_checksum;  // Checksum64 of every byte after the header
  uint32_t vector_dims;       // length of each word vector (0: none)
  uint32_t n_vectors;
  uint64_t reserved[2];
};
static_assert(sizeof(Header) == 64);
uint32_t PackRelated(uint32_t term, Relation relation, uint8_t sense_rank);
uint64_t HashTerm(std::string_view term);
}  // namespace lexicon_format

}  // namespace faqbot::nlu
