#include "nlu/lexicon.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "nlu/checksum.h"

namespace faqbot::nlu {

namespace lexicon_format {

uint32_t PackRelated(uint32_t term, Relation relation, uint8_t sense_rank) {
  const uint32_t rank = sense_rank > kMaxSenseRank ? kMaxSenseRank : sense_rank;
  return (term << 8) | (static_cast<uint32_t>(relation) << 5) | rank;
}

uint64_t HashTerm(std::string_view term) {
  uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a
  for (unsigned char c : term) h = (h ^ c) * 0x100000001B3ull;
  return h ^ (h >> 33);
}

}  // namespace lexicon_format

namespace {

using lexicon_format::Header;

// Size check that cannot overflow: does [offset, offset + count * width) fit in `size`?
bool Fits(size_t offset, uint64_t count, size_t width, size_t size) {
  return offset <= size && count <= (size - offset) / width;
}

}  // namespace

Lexicon::~Lexicon() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
}

Result<std::shared_ptr<const Lexicon>> Lexicon::Load(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError("no lexicon file at " + path);
    return UnavailableError("cannot open lexicon " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) {
    close(fd);
    return DataLossError("lexicon " + path + " is truncated");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return UnavailableError("cannot map lexicon " + path);
  std::shared_ptr<Lexicon> lex(new Lexicon());
  lex->mapping_ = map;
  lex->mapping_size_ = size;
  lex->data_ = static_cast<const char*>(map);
  lex->size_ = size;
  FAQBOT_RETURN_IF_ERROR(lex->Adopt().WithContext("lexicon " + path));
  return std::shared_ptr<const Lexicon>(std::move(lex));
}

Result<std::shared_ptr<const Lexicon>> Lexicon::FromBytes(std::string bytes) {
  std::shared_ptr<Lexicon> lex(new Lexicon());
  lex->owned_ = std::move(bytes);
  lex->data_ = lex->owned_.data();
  lex->size_ = lex->owned_.size();
  FAQBOT_RETURN_IF_ERROR(lex->Adopt());
  return std::shared_ptr<const Lexicon>(std::move(lex));
}

Status Lexicon::Adopt() {
  if (size_ < sizeof(Header)) return DataLossError("truncated header");
  Header h;
  std::memcpy(&h, data_, sizeof(h));
  if (std::memcmp(h.magic, lexicon_format::kMagic, sizeof(h.magic)) != 0) {
    return DataLossError("not a faqbot lexicon (bad magic)");
  }
  if (h.version != kFormatVersion) {
    return DataLossError("lexicon format version " + std::to_string(h.version) +
                         ", this build reads " + std::to_string(kFormatVersion));
  }
  const std::string_view payload(data_ + sizeof(Header), size_ - sizeof(Header));
  if (Checksum64(payload) != h.payload_checksum) return DataLossError("checksum mismatch");
  if (h.hash_slots == 0 || (h.hash_slots & (h.hash_slots - 1)) != 0 || h.hash_slots <= h.n_terms ||
      h.n_terms >= (1u << 24)) {
    return DataLossError("bad table sizes");
  }
  size_t off = sizeof(Header);
  auto take = [&](uint64_t count, size_t width) -> const char* {
    if (!Fits(off, count, width, size_)) return nullptr;
    const char* p = data_ + off;
    off += count * width;
    return p;
  };
  const uint64_t n = h.n_terms;
  term_offsets_ = reinterpret_cast<const uint32_t*>(take(n + 1, 4));
  idf_ = reinterpret_cast<const float*>(take(n, 4));
  canonical_ = reinterpret_cast<const uint32_t*>(take(n, 4));
  related_offsets_ = reinterpret_cast<const uint32_t*>(take(n + 1, 4));
  related_ = reinterpret_cast<const uint32_t*>(take(h.n_related, 4));
  slots_ = reinterpret_cast<const uint32_t*>(take(h.hash_slots, 4));
  vector_row_ = reinterpret_cast<const uint32_t*>(take(n, 4));
  blob_ = take(h.blob_size, 1);
  if (h.vector_dims > 1024) return DataLossError("bad vector size");
  vectors_ =
      reinterpret_cast<const int8_t*>(take(static_cast<uint64_t>(h.n_vectors) * h.vector_dims, 1));
  if (!term_offsets_ || !idf_ || !canonical_ || !related_offsets_ || !related_ || !slots_ ||
      !vector_row_ || !blob_ || !vectors_ || off != size_) {
    return DataLossError("sections do not match the file size");
  }
  // Every index the accessors follow is checked once here, so lookups need no checks.
  for (uint64_t i = 0; i < n; ++i) {
    if (term_offsets_[i] > term_offsets_[i + 1] || related_offsets_[i] > related_offsets_[i + 1] ||
        canonical_[i] >= n || !(idf_[i] >= 0.0f && idf_[i] < 1e6f) ||
        (vector_row_[i] != kNoVector && vector_row_[i] >= h.n_vectors)) {
      return DataLossError("corrupt term table at " + std::to_string(i));
    }
  }
  if (term_offsets_[0] != 0 || term_offsets_[n] != h.blob_size || related_offsets_[0] != 0 ||
      related_offsets_[n] != h.n_related) {
    return DataLossError("corrupt offsets");
  }
  for (uint32_t i = 0; i < h.n_related; ++i) {
    const RelatedTerm r = Decode(related_[i]);
    if (r.term >= n || static_cast<int>(r.relation) >= kRelationCount) {
      return DataLossError("corrupt related entry");
    }
  }
  for (uint32_t i = 0; i < h.hash_slots; ++i) {
    if (slots_[i] > n) return DataLossError("corrupt hash table");
  }
  // Counting sort of every (term, related) pair by the related term. Stable in the source
  // term's id, so the reverse lists are deterministic.
  related_from_offsets_.assign(n + 1, 0);
  for (uint32_t i = 0; i < h.n_related; ++i) ++related_from_offsets_[Decode(related_[i]).term + 1];
  for (uint64_t i = 0; i < n; ++i) related_from_offsets_[i + 1] += related_from_offsets_[i];
  related_from_.resize(h.n_related);
  std::vector<uint32_t> fill(related_from_offsets_.begin(), related_from_offsets_.end() - 1);
  for (uint32_t source = 0; source < n; ++source) {
    for (uint32_t i = related_offsets_[source]; i < related_offsets_[source + 1]; ++i) {
      const RelatedTerm r = Decode(related_[i]);
      related_from_[fill[r.term]++] = lexicon_format::PackRelated(source, r.relation, r.sense_rank);
    }
  }
  n_terms_ = h.n_terms;
  hash_mask_ = h.hash_slots - 1;
  unknown_idf_ = h.unknown_idf;
  vector_dims_ = h.vector_dims;
  fingerprint_ = h.payload_checksum;
  return Status::Ok();
}

std::optional<uint32_t> Lexicon::Find(std::string_view stem) const {
  if (n_terms_ == 0) return std::nullopt;
  uint64_t slot = lexicon_format::HashTerm(stem) & hash_mask_;
  // Linear probing; the table is at most half full, so an empty slot ends every search.
  for (uint32_t probes = 0; probes <= hash_mask_; ++probes) {
    const uint32_t v = slots_[slot];
    if (v == 0) return std::nullopt;
    if (Term(v - 1) == stem) return v - 1;
    slot = (slot + 1) & hash_mask_;
  }
  return std::nullopt;
}

std::string_view Lexicon::Term(uint32_t id) const {
  return {blob_ + term_offsets_[id], term_offsets_[id + 1] - term_offsets_[id]};
}

std::span<const uint32_t> Lexicon::RawRelated(uint32_t id) const {
  return {related_ + related_offsets_[id], related_offsets_[id + 1] - related_offsets_[id]};
}

std::span<const uint32_t> Lexicon::RawRelatedFrom(uint32_t id) const {
  return {related_from_.data() + related_from_offsets_[id],
          related_from_offsets_[id + 1] - related_from_offsets_[id]};
}

RelatedTerm Lexicon::Decode(uint32_t packed) {
  return {packed >> 8, static_cast<Relation>((packed >> 5) & 7), static_cast<uint8_t>(packed & 31)};
}

}  // namespace faqbot::nlu
