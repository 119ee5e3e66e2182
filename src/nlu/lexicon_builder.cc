#include "nlu/lexicon_builder.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/file_util.h"
#include "common/logging.h"
#include "common/string_util.h"
#include "nlu/checksum.h"
#include "nlu/stemmer.h"
#include "nlu/stop_words.h"
#include "nlu/text_normalizer.h"
#include "nlu/word_vectors.h"

namespace faqbot::nlu {
namespace {

constexpr std::array<const char*, 4> kPosNames = {"noun", "verb", "adj", "adv"};

int PosIndex(char c) {
  switch (c) {
    case 'n':
      return 0;
    case 'v':
      return 1;
    case 'a':
    case 's':
      return 2;
    case 'r':
      return 3;
    default:
      return -1;
  }
}

struct Pointer {
  std::string symbol;
  int pos;
  uint32_t offset;
  int source;  // 0: semantic (whole synset); else 1-based word index
  int target;
};

struct Synset {
  std::vector<std::string> words;  // lower case, multi-word lemmas keep '_'
  std::vector<Pointer> pointers;
  std::string gloss;
};

struct IndexEntry {
  std::string lemma;
  int pos;
  std::vector<uint32_t> offsets;  // most frequent sense first
};

struct WordNet {
  std::array<std::unordered_map<uint32_t, Synset>, 4> synsets;
  std::vector<IndexEntry> index;
  std::vector<std::pair<std::string, std::string>> exceptions;  // form → lemma

  // The synset at `offset` of part of speech `pos`, or nullptr when WordNet has none.
  const Synset* Find(int pos, uint32_t offset) const {
    auto it = synsets[pos].find(offset);
    return it == synsets[pos].end() ? nullptr : &it->second;
  }
};

// WordNet adjectives may carry a syntactic marker: "able(a)".
std::string StripAdjMarker(std::string w) {
  if (const size_t p = w.find('('); p != std::string::npos) w.resize(p);
  return w;
}

Status ParseDataFile(const std::string& path, int pos, WordNet& wn) {
  FAQBOT_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::istringstream lines(text);
  std::string line;
  int line_no = 0;
  while (std::getline(lines, line)) {
    ++line_no;
    if (line.empty() || line[0] == ' ') continue;  // licence header
    const size_t bar = line.find(" | ");
    std::istringstream in(line.substr(0, bar));
    uint32_t offset;
    std::string lex_filenum, ss_type, w_cnt_hex;
    if (!(in >> offset >> lex_filenum >> ss_type >> w_cnt_hex)) {
      return DataLossError(path + ":" + std::to_string(line_no) + ": bad synset line");
    }
    Synset s;
    const unsigned long w_cnt = std::strtoul(w_cnt_hex.c_str(), nullptr, 16);
    for (unsigned long i = 0; i < w_cnt; ++i) {
      std::string word, lex_id;
      if (!(in >> word >> lex_id)) return DataLossError(path + ": bad word list");
      s.words.push_back(AsciiLower(StripAdjMarker(word)));
    }
    int p_cnt = 0;
    in >> p_cnt;
    for (int i = 0; i < p_cnt; ++i) {
      Pointer p;
      std::string target_offset, pos_char, src_tgt;
      if (!(in >> p.symbol >> target_offset >> pos_char >> src_tgt) || src_tgt.size() != 4) {
        return DataLossError(path + ":" + std::to_string(line_no) + ": bad pointer");
      }
      p.offset = static_cast<uint32_t>(std::strtoul(target_offset.c_str(), nullptr, 10));
      p.pos = PosIndex(pos_char[0]);
      p.source = static_cast<int>(std::strtoul(src_tgt.substr(0, 2).c_str(), nullptr, 16));
      p.target = static_cast<int>(std::strtoul(src_tgt.substr(2, 2).c_str(), nullptr, 16));
      if (p.pos >= 0) s.pointers.push_back(std::move(p));
    }
    if (bar != std::string::npos) s.gloss = line.substr(bar + 3);
    wn.synsets[pos].emplace(offset, std::move(s));
  }
  return Status::Ok();
}

Status ParseIndexFile(const std::string& path, int pos, WordNet& wn) {
  FAQBOT_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == ' ') continue;
    std::istringstream in(line);
    IndexEntry e;
    std::string pos_char;
    int synset_cnt = 0, p_cnt = 0;
    if (!(in >> e.lemma >> pos_char >> synset_cnt >> p_cnt)) {
      return DataLossError(path + ": bad index line: " + line.substr(0, 60));
    }
    std::string skip;
    for (int i = 0; i < p_cnt; ++i) in >> skip;
    int sense_cnt = 0, tagsense_cnt = 0;
    in >> sense_cnt >> tagsense_cnt;
    for (int i = 0; i < synset_cnt; ++i) {
      uint32_t off;
      if (in >> off) e.offsets.push_back(off);
    }
    e.pos = pos;
    wn.index.push_back(std::move(e));
  }
  return Status::Ok();
}

Status ParseExceptionFile(const std::string& path, WordNet& wn) {
  FAQBOT_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string form, lemma;
    if (in >> form >> lemma) wn.exceptions.emplace_back(form, lemma);
  }
  return Status::Ok();
}

// Reads the data, index and (when present) exception files of the four parts of speech.
Result<WordNet> ReadWordNet(const std::string& dir) {
  WordNet wn;
  for (int p = 0; p < 4; ++p) {
    const std::string name = kPosNames[p];
    FAQBOT_RETURN_IF_ERROR(ParseDataFile(dir + "/data." + name, p, wn));
    FAQBOT_RETURN_IF_ERROR(ParseIndexFile(dir + "/index." + name, p, wn));
    const std::string exc = dir + "/" + name + ".exc";
    if (access(exc.c_str(), R_OK) == 0) FAQBOT_RETURN_IF_ERROR(ParseExceptionFile(exc, wn));
  }
  return wn;
}

bool IsHypernymPointer(const std::string& symbol) { return symbol == "@" || symbol == "@i"; }

// A single word: no '_', '-' or space (multi-word lemmas are not terms).
bool IsSingleWord(const std::string& w) { return w.find_first_of("_- ") == std::string::npos; }

// Default closeness of a relation, used only to choose which entries to keep; the matcher
// applies its own weights.
float DefaultWeight(Relation r, int rank) {
  static constexpr std::array<float, kRelationCount> kBase = {1.0f, 0.9f, 0.6f, 0.5f, 0.7f, 0.6f};
  return kBase[static_cast<int>(r)] * std::pow(0.7f, static_cast<float>(rank));
}

bool RelationOf(const std::string& symbol, Relation* r) {
  if (IsHypernymPointer(symbol))
    *r = Relation::kHypernym;
  else if (symbol == "~" || symbol == "~i")
    *r = Relation::kHyponym;
  else if (symbol == "+")
    *r = Relation::kDerivation;
  else if (symbol == "&" || symbol == "$" || symbol == "^")
    *r = Relation::kSimilar;
  else if (symbol == "\\" || symbol == "=" || symbol == "*" || symbol == ">" || symbol == "<")
    *r = Relation::kOther;
  else
    return false;
  return true;
}

// The lexicon's terms: stems, numbered in the order they are first met (which is what makes the
// image deterministic, so every phase below meets them in a fixed order).
class StemTable {
 public:
  // The id of `word`'s stem, a new id when the stem is new.
  uint32_t IdOf(const std::string& word) {
    auto stem = stem_of_.find(word);
    if (stem == stem_of_.end()) stem = stem_of_.emplace(word, stemmer_.Stem(word)).first;
    auto [it, inserted] = ids_.emplace(stem->second, static_cast<uint32_t>(terms_.size()));
    if (inserted) terms_.push_back(stem->second);
    return it->second;
  }
  // Appends to `out` the ids of the stems of `text`'s tokens ('_' joins the words of a lemma).
  void AppendIdsOf(std::string text, std::vector<uint32_t>& out) {
    for (char& c : text)
      if (c == '_') c = ' ';
    for (const auto& token : Tokenize(NormalizeText(text))) out.push_back(IdOf(token));
  }
  const std::vector<std::string>& terms() const { return terms_; }

 private:
  Stemmer stemmer_;
  std::unordered_map<std::string, std::string> stem_of_;  // word → stem, a cache
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> terms_;
};

// The background corpus. Every synset is a document made of its gloss and its words, counted
// for IDF. The word-vector corpus adds the words of its hypernyms, so siblings ("friday",
// "tuesday") share context.
struct GlossCorpus {
  std::vector<uint32_t> df;  // per term id: the documents holding it (may be shorter than terms)
  uint32_t n_docs = 0;
  std::vector<std::vector<uint32_t>> vector_docs;
};

GlossCorpus ReadGlossCorpus(const WordNet& wn, StemTable& table) {
  GlossCorpus corpus;
  for (int p = 0; p < 4; ++p) {
    std::vector<uint32_t> offsets;
    for (const auto& [off, s] : wn.synsets[p]) offsets.push_back(off);
    std::sort(offsets.begin(), offsets.end());  // deterministic term ids
    for (uint32_t off : offsets) {
      const Synset& s = wn.synsets[p].at(off);
      std::string doc = s.gloss;
      for (const auto& w : s.words) doc += " " + w;
      std::vector<uint32_t> ids;
      table.AppendIdsOf(doc, ids);
      std::unordered_set<uint32_t> seen(ids.begin(), ids.end());
      if (corpus.df.size() < table.terms().size()) corpus.df.resize(table.terms().size(), 0);
      for (uint32_t id : seen) ++corpus.df[id];
      ++corpus.n_docs;
      for (const Pointer& ptr : s.pointers) {
        if (!IsHypernymPointer(ptr.symbol)) continue;
        const Synset* hyper = wn.Find(ptr.pos, ptr.offset);
        if (hyper == nullptr) continue;
        std::string words;
        for (const auto& w : hyper->words) words += " " + w;
        table.AppendIdsOf(words, ids);
      }
      corpus.vector_docs.push_back(std::move(ids));
    }
  }
  return corpus;
}

struct Candidate {
  Relation relation;
  uint8_t rank;
  float weight;
};

// Per source stem id: the best (relation, rank) seen for each related stem id.
using RelatedStems = std::map<uint32_t, std::map<uint32_t, Candidate>>;

// Gathers the relations of every single-word lemma from its first senses.
class RelationCollector {
 public:
  RelationCollector(const WordNet& wn, const LexiconBuilderOptions& options, StemTable& table)
      : wn_(wn), options_(options), table_(table) {}

  RelatedStems Collect() && {
    for (const IndexEntry& e : wn_.index) {
      if (!IsSingleWord(e.lemma)) continue;
      const uint32_t from = table_.IdOf(e.lemma);
      const int senses = std::min<int>(static_cast<int>(e.offsets.size()), options_.max_senses);
      for (int rank = 0; rank < senses; ++rank) {
        if (const Synset* s = wn_.Find(e.pos, e.offsets[rank])) AddSense(from, e.lemma, *s, rank);
      }
    }
    return std::move(related_);
  }

 private:
  // The synonyms and pointed-to words of one sense (`s`, the rank-th) of `lemma`.
  void AddSense(uint32_t from, const std::string& lemma, const Synset& s, int rank) {
    int self = 0;  // 1-based index of the lemma in the synset, for lexical pointers
    for (size_t i = 0; i < s.words.size(); ++i) {
      if (s.words[i] == lemma)
        self = static_cast<int>(i) + 1;
      else
        Add(from, s.words[i], Relation::kSynonym, rank);
    }
    for (const Pointer& p : s.pointers) {
      Relation r;
      if (!RelationOf(p.symbol, &r)) continue;
      if (p.source != 0 && p.source != self) continue;  // a lexical link of another word
      const Synset* target = wn_.Find(p.pos, p.offset);
      if (target == nullptr) continue;
      const auto& words = target->words;
      if (p.target != 0) {
        if (p.target <= static_cast<int>(words.size())) Add(from, words[p.target - 1], r, rank);
      } else {
        for (const auto& w : words) Add(from, w, r, rank);
      }
      if (r == Relation::kHypernym && options_.hypernym_depth >= 2) {
        AddGrandparents(from, *target, rank);
      }
    }
  }

  // The grandparent concept ("pizza" → dish → food), one rank further away.
  void AddGrandparents(uint32_t from, const Synset& parent, int rank) {
    for (const Pointer& up : parent.pointers) {
      if (!IsHypernymPointer(up.symbol)) continue;
      const Synset* grandparent = wn_.Find(up.pos, up.offset);
      if (grandparent == nullptr) continue;
      for (const auto& w : grandparent->words) Add(from, w, Relation::kHypernym, rank + 1);
    }
  }

  void Add(uint32_t from, const std::string& word, Relation r, int rank) {
    if (!IsSingleWord(word)) return;
    const uint32_t to = table_.IdOf(word);
    if (to == from) return;
    const float w = DefaultWeight(r, rank);
    auto& slot = related_[from];
    auto it = slot.find(to);
    if (it == slot.end() || it->second.weight < w) {
      slot[to] = Candidate{r, static_cast<uint8_t>(std::min(rank, kMaxSenseRank)), w};
    }
  }

  const WordNet& wn_;
  const LexiconBuilderOptions& options_;
  StemTable& table_;
  RelatedStems related_;
};

// Irregular forms that are not words in their own right ("went" → "go", not "saw" → "see"):
// form stem id → lemma stem id.
std::unordered_map<uint32_t, uint32_t> CanonicalForms(const WordNet& wn, StemTable& table) {
  std::unordered_set<std::string> lemmas;
  for (const IndexEntry& e : wn.index) lemmas.insert(e.lemma);
  std::unordered_map<uint32_t, uint32_t> canonical_of;
  for (const auto& [form, lemma] : wn.exceptions) {
    if (!IsSingleWord(form) || !IsSingleWord(lemma) || lemmas.count(form)) continue;
    const uint32_t f = table.IdOf(form);
    const uint32_t l = table.IdOf(lemma);
    if (f != l) canonical_of.emplace(f, l);
  }
  return canonical_of;
}

// Terms that get no word vector: too short, stop words, numbers.
std::vector<bool> ExcludedFromVectors(const std::vector<std::string>& terms) {
  std::vector<bool> excluded(terms.size(), false);
  for (size_t id = 0; id < terms.size(); ++id) {
    const std::string& t = terms[id];
    excluded[id] = t.size() < 2 || IsStopWord(t) ||
                   std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  }
  return excluded;
}

// The arrays of the image (lexicon_format in lexicon.h), each indexed by term id.
struct LexiconTables {
  std::string blob;                    // the terms' text, end to end
  std::vector<uint32_t> term_offsets;  // n + 1 offsets into blob
  std::vector<float> idf;
  float unknown_idf = 0;
  std::vector<uint32_t> canonical;
  std::vector<uint32_t> related_offsets;  // n + 1 offsets into related
  std::vector<uint32_t> related;          // lexicon_format::PackRelated entries
  std::vector<uint32_t> hash_slots;       // open addressing: term id + 1, 0 when empty
  std::vector<uint32_t> vector_row;
  WordVectorTable vectors;
};

void PackTerms(const std::vector<std::string>& terms, LexiconTables& t) {
  t.term_offsets = {0};
  for (const std::string& term : terms) {
    t.blob += term;
    t.term_offsets.push_back(static_cast<uint32_t>(t.blob.size()));
  }
}

void PackIdf(const GlossCorpus& corpus, uint32_t n, LexiconTables& t) {
  std::vector<uint32_t> df = corpus.df;
  df.resize(n, 0);
  const uint32_t n_docs = corpus.n_docs;
  t.unknown_idf = std::log((n_docs + 1.0f) / 1.0f);
  t.idf.resize(n);
  for (uint32_t id = 0; id < n; ++id) {
    t.idf[id] = df[id] ? std::log((n_docs + 1.0f) / (df[id] + 1.0f)) : t.unknown_idf;
  }
}

void PackCanonical(const std::unordered_map<uint32_t, uint32_t>& canonical_of, uint32_t n,
                   LexiconTables& t) {
  t.canonical.resize(n);
  for (uint32_t id = 0; id < n; ++id) {
    auto it = canonical_of.find(id);
    t.canonical[id] = it == canonical_of.end() ? id : it->second;
  }
}

// Keeps, per term, the `max_related` closest related stems (ties in id order).
void PackRelations(const RelatedStems& related, int max_related, uint32_t n, LexiconTables& t) {
  t.related_offsets = {0};
  for (uint32_t id = 0; id < n; ++id) {
    std::vector<std::pair<uint32_t, Candidate>> list;
    if (auto it = related.find(id); it != related.end()) {
      list.assign(it->second.begin(), it->second.end());
    }
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a.second.weight > b.second.weight;
    });
    if (list.size() > static_cast<size_t>(max_related)) list.resize(max_related);
    for (const auto& [to, c] : list) {
      t.related.push_back(lexicon_format::PackRelated(to, c.relation, c.rank));
    }
    t.related_offsets.push_back(static_cast<uint32_t>(t.related.size()));
  }
}

// The term lookup table: a power of two over twice the terms, linear probing.
void PackHashSlots(const std::vector<std::string>& terms, LexiconTables& t) {
  const uint32_t n = static_cast<uint32_t>(terms.size());
  uint32_t slots = 1;
  while (slots < 2 * n + 2) slots <<= 1;
  t.hash_slots.assign(slots, 0);
  for (uint32_t id = 0; id < n; ++id) {
    uint64_t s = lexicon_format::HashTerm(terms[id]) & (slots - 1);
    while (t.hash_slots[s] != 0) s = (s + 1) & (slots - 1);
    t.hash_slots[s] = id + 1;
  }
}

void PackVectors(WordVectorTable vectors, uint32_t n, LexiconTables& t) {
  t.vector_row = vectors.row_of_term;
  t.vector_row.resize(n, WordVectorTable::kNone);
  t.vectors = std::move(vectors);
}

template <typename T>
void Append(std::string& out, const std::vector<T>& v) {
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// The header, then the tables in the order Lexicon::FromBytes reads them.
std::string SerializeImage(const LexiconTables& t) {
  std::string payload;
  Append(payload, t.term_offsets);
  Append(payload, t.idf);
  Append(payload, t.canonical);
  Append(payload, t.related_offsets);
  Append(payload, t.related);
  Append(payload, t.hash_slots);
  Append(payload, t.vector_row);
  payload += t.blob;
  Append(payload, t.vectors.rows);
  const WordVectorTable& v = t.vectors;
  lexicon_format::Header h{};
  std::memcpy(h.magic, lexicon_format::kMagic, sizeof(h.magic));
  h.version = Lexicon::kFormatVersion;
  h.n_terms = static_cast<uint32_t>(t.idf.size());
  h.n_related = static_cast<uint32_t>(t.related.size());
  h.hash_slots = static_cast<uint32_t>(t.hash_slots.size());
  h.blob_size = static_cast<uint32_t>(t.blob.size());
  h.unknown_idf = t.unknown_idf;
  h.vector_dims = static_cast<uint32_t>(v.dims);
  h.n_vectors = v.dims ? static_cast<uint32_t>(v.rows.size() / v.dims) : 0;
  h.payload_checksum = Checksum64(payload);
  std::string image(reinterpret_cast<const char*>(&h), sizeof(h));
  image += payload;
  return image;
}

}  // namespace

Result<std::string> BuildLexiconImage(const std::string& dir, const LexiconBuilderOptions& opt) {
  FAQBOT_ASSIGN_OR_RETURN(const WordNet wn, ReadWordNet(dir));
  // The order of these three fixes the term ids.
  StemTable table;
  const GlossCorpus corpus = ReadGlossCorpus(wn, table);
  const RelatedStems related = RelationCollector(wn, opt, table).Collect();
  const auto canonical_of = CanonicalForms(wn, table);

  const std::vector<std::string>& terms = table.terms();
  const uint32_t n = static_cast<uint32_t>(terms.size());
  LexiconTables tables;
  PackTerms(terms, tables);
  PackIdf(corpus, n, tables);
  PackCanonical(canonical_of, n, tables);
  PackRelations(related, opt.max_related, n, tables);
  PackHashSlots(terms, tables);
  PackVectors(LearnWordVectors(corpus.vector_docs, n, ExcludedFromVectors(terms), opt.vectors), n,
              tables);
  return SerializeImage(tables);
}

namespace {

std::string ExecutableDir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string CacheDir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/faqbot";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/faqbot";
  return "/tmp/faqbot-cache";
}

}  // namespace

Result<std::shared_ptr<const Lexicon>> OpenLexicon(const LexiconSearch& search) {
  if (!search.explicit_path.empty()) return Lexicon::Load(search.explicit_path);
  if (const char* env = std::getenv("FAQBOT_LEXICON"); env && *env) return Lexicon::Load(env);
  const std::string exe_dir = ExecutableDir();
  const std::string cache =
      CacheDir() + "/lexicon-v" + std::to_string(Lexicon::kFormatVersion) + ".fwn";
  for (const std::string& path :
       {exe_dir + "/lexicon.fwn", exe_dir + "/../share/faqbot/lexicon.fwn", cache}) {
    auto lex = Lexicon::Load(path);
    if (lex.ok()) return lex;
    if (lex.status().code() != StatusCode::kNotFound) {
      LogWarn("ignoring unusable lexicon {}: {}", path, lex.status().ToString());
    }
  }
  LogInfo("no lexicon file found; compiling WordNet from {} into {}", search.wordnet_dir, cache);
  FAQBOT_ASSIGN_OR_RETURN(std::string image, BuildLexiconImage(search.wordnet_dir));
  const std::string dir = cache.substr(0, cache.rfind('/'));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec) {
    if (Status s = WriteFileAtomically(cache, image); !s.ok()) {
      LogWarn("could not cache the lexicon: {}", s.ToString());
    }
  }
  return Lexicon::FromBytes(std::move(image));
}

}  // namespace faqbot::nlu
