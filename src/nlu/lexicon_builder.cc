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
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

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
      s.words.push_back(Lower(StripAdjMarker(word)));
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

// Default closeness of a relation, used only to choose which entries to keep; the matcher
// applies its own weights.
float DefaultWeight(Relation r, int rank) {
  static constexpr std::array<float, kRelationCount> kBase = {1.0f, 0.9f, 0.6f, 0.5f, 0.7f, 0.6f};
  return kBase[static_cast<int>(r)] * std::pow(0.7f, static_cast<float>(rank));
}

bool RelationOf(const std::string& symbol, Relation* r) {
  if (symbol == "@" || symbol == "@i")
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

class TermTable {
 public:
  uint32_t Intern(const std::string& term) {
    auto [it, inserted] = ids_.emplace(term, static_cast<uint32_t>(terms_.size()));
    if (inserted) terms_.push_back(term);
    return it->second;
  }
  const std::vector<std::string>& terms() const { return terms_; }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> terms_;
};

struct Candidate {
  Relation relation;
  uint8_t rank;
  float weight;
};

template <typename T>
void Append(std::string& out, const std::vector<T>& v) {
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

}  // namespace

Result<std::string> BuildLexiconImage(const std::string& dir, const LexiconBuilderOptions& opt) {
  WordNet wn;
  for (int p = 0; p < 4; ++p) {
    const std::string name = kPosNames[p];
    FAQBOT_RETURN_IF_ERROR(ParseDataFile(dir + "/data." + name, p, wn));
    FAQBOT_RETURN_IF_ERROR(ParseIndexFile(dir + "/index." + name, p, wn));
    const std::string exc = dir + "/" + name + ".exc";
    if (access(exc.c_str(), R_OK) == 0) FAQBOT_RETURN_IF_ERROR(ParseExceptionFile(exc, wn));
  }
  Stemmer stemmer;
  TermTable table;
  std::unordered_map<std::string, std::string> stem_cache;
  auto stem_of = [&](const std::string& word) -> const std::string& {
    auto it = stem_cache.find(word);
    if (it == stem_cache.end()) it = stem_cache.emplace(word, stemmer.Stem(word)).first;
    return it->second;
  };
  auto single = [](const std::string& w) { return w.find_first_of("_- ") == std::string::npos; };

  // Background IDF: every synset is a document made of its gloss and its words. The word-vector
  // corpus adds the words of its hypernyms, so siblings ("friday", "tuesday") share context.
  std::vector<uint32_t> df;
  std::vector<std::vector<uint32_t>> vector_docs;
  uint32_t n_docs = 0;
  auto terms_of = [&](std::string text, std::vector<uint32_t>& out) {
    for (char& c : text)
      if (c == '_') c = ' ';
    for (const auto& tok : Tokenize(NormalizeText(text))) out.push_back(table.Intern(stem_of(tok)));
  };
  for (int p = 0; p < 4; ++p) {
    std::vector<uint32_t> offsets;
    for (const auto& [off, s] : wn.synsets[p]) offsets.push_back(off);
    std::sort(offsets.begin(), offsets.end());  // deterministic term ids
    for (uint32_t off : offsets) {
      const Synset& s = wn.synsets[p].at(off);
      std::string doc = s.gloss;
      for (const auto& w : s.words) doc += " " + w;
      std::vector<uint32_t> ids;
      terms_of(doc, ids);
      std::unordered_set<uint32_t> seen(ids.begin(), ids.end());
      if (df.size() < table.terms().size()) df.resize(table.terms().size(), 0);
      for (uint32_t id : seen) ++df[id];
      ++n_docs;
      for (const Pointer& ptr : s.pointers) {
        if (ptr.symbol != "@" && ptr.symbol != "@i") continue;
        auto hit = wn.synsets[ptr.pos].find(ptr.offset);
        if (hit == wn.synsets[ptr.pos].end()) continue;
        std::string hyper;
        for (const auto& w : hit->second.words) hyper += " " + w;
        terms_of(hyper, ids);
      }
      vector_docs.push_back(std::move(ids));
    }
  }

  // Relations, per source stem: the best (relation, rank) seen for each related stem.
  std::map<uint32_t, std::map<uint32_t, Candidate>> related;
  auto add = [&](uint32_t from, const std::string& word, Relation r, int rank) {
    if (!single(word)) return;
    const uint32_t to = table.Intern(stem_of(word));
    if (to == from) return;
    const float w = DefaultWeight(r, rank);
    auto& slot = related[from];
    auto it = slot.find(to);
    if (it == slot.end() || it->second.weight < w) {
      slot[to] = Candidate{r, static_cast<uint8_t>(std::min(rank, kMaxSenseRank)), w};
    }
  };
  std::unordered_set<std::string> lemmas;
  for (const IndexEntry& e : wn.index) {
    lemmas.insert(e.lemma);
    if (!single(e.lemma)) continue;
    const uint32_t from = table.Intern(stem_of(e.lemma));
    const int senses = std::min<int>(static_cast<int>(e.offsets.size()), opt.max_senses);
    for (int rank = 0; rank < senses; ++rank) {
      auto sit = wn.synsets[e.pos].find(e.offsets[rank]);
      if (sit == wn.synsets[e.pos].end()) continue;
      const Synset& s = sit->second;
      int self = 0;  // 1-based index of the lemma in the synset, for lexical pointers
      for (size_t i = 0; i < s.words.size(); ++i) {
        if (s.words[i] == e.lemma)
          self = static_cast<int>(i) + 1;
        else
          add(from, s.words[i], Relation::kSynonym, rank);
      }
      for (const Pointer& p : s.pointers) {
        Relation r;
        if (!RelationOf(p.symbol, &r)) continue;
        if (p.source != 0 && p.source != self) continue;  // a lexical link of another word
        auto tit = wn.synsets[p.pos].find(p.offset);
        if (tit == wn.synsets[p.pos].end()) continue;
        const auto& words = tit->second.words;
        if (p.target != 0) {
          if (p.target <= static_cast<int>(words.size())) add(from, words[p.target - 1], r, rank);
        } else {
          for (const auto& w : words) add(from, w, r, rank);
        }
        if (r != Relation::kHypernym || opt.hypernym_depth < 2) continue;
        // The grandparent concept ("pizza" → dish → food), one rank further away.
        for (const Pointer& up : tit->second.pointers) {
          if (up.symbol != "@" && up.symbol != "@i") continue;
          auto uit = wn.synsets[up.pos].find(up.offset);
          if (uit == wn.synsets[up.pos].end()) continue;
          for (const auto& w : uit->second.words) add(from, w, Relation::kHypernym, rank + 1);
        }
      }
    }
  }

  // Irregular forms that are not words in their own right ("went" → "go", not "saw" → "see").
  std::unordered_map<uint32_t, uint32_t> canonical_of;
  for (const auto& [form, lemma] : wn.exceptions) {
    if (!single(form) || !single(lemma) || lemmas.count(form)) continue;
    const uint32_t f = table.Intern(stem_of(form));
    const uint32_t l = table.Intern(stem_of(lemma));
    if (f != l) canonical_of.emplace(f, l);
  }

  const auto& terms = table.terms();
  const uint32_t n = static_cast<uint32_t>(terms.size());
  df.resize(n, 0);
  std::vector<bool> excluded(n, false);
  for (uint32_t id = 0; id < n; ++id) {
    const std::string& t = terms[id];
    excluded[id] = t.size() < 2 || IsStopWord(t) ||
                   std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  }
  const WordVectorTable vectors = LearnWordVectors(vector_docs, n, excluded, opt.vectors);
  std::vector<uint32_t> vector_row = vectors.row_of_term;
  vector_row.resize(n, WordVectorTable::kNone);
  std::vector<uint32_t> term_offsets{0}, canonical(n), related_offsets{0}, packed;
  std::vector<float> idf(n);
  std::string blob;
  const float unknown_idf = std::log((n_docs + 1.0f) / 1.0f);
  for (uint32_t id = 0; id < n; ++id) {
    blob += terms[id];
    term_offsets.push_back(static_cast<uint32_t>(blob.size()));
    idf[id] = df[id] ? std::log((n_docs + 1.0f) / (df[id] + 1.0f)) : unknown_idf;
    auto cit = canonical_of.find(id);
    canonical[id] = cit == canonical_of.end() ? id : cit->second;
    std::vector<std::pair<uint32_t, Candidate>> list;
    if (auto rit = related.find(id); rit != related.end()) {
      list.assign(rit->second.begin(), rit->second.end());
    }
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a.second.weight > b.second.weight;
    });
    if (list.size() > static_cast<size_t>(opt.max_related)) list.resize(opt.max_related);
    for (const auto& [to, c] : list) {
      packed.push_back(lexicon_format::PackRelated(to, c.relation, c.rank));
    }
    related_offsets.push_back(static_cast<uint32_t>(packed.size()));
  }
  uint32_t slots = 1;
  while (slots < 2 * n + 2) slots <<= 1;
  std::vector<uint32_t> table_slots(slots, 0);
  for (uint32_t id = 0; id < n; ++id) {
    uint64_t s = lexicon_format::HashTerm(terms[id]) & (slots - 1);
    while (table_slots[s] != 0) s = (s + 1) & (slots - 1);
    table_slots[s] = id + 1;
  }

  std::string payload;
  Append(payload, term_offsets);
  Append(payload, idf);
  Append(payload, canonical);
  Append(payload, related_offsets);
  Append(payload, packed);
  Append(payload, table_slots);
  Append(payload, vector_row);
  payload += blob;
  Append(payload, vectors.rows);
  lexicon_format::Header h{};
  std::memcpy(h.magic, lexicon_format::kMagic, sizeof(h.magic));
  h.version = Lexicon::kFormatVersion;
  h.n_terms = n;
  h.n_related = static_cast<uint32_t>(packed.size());
  h.hash_slots = slots;
  h.blob_size = static_cast<uint32_t>(blob.size());
  h.unknown_idf = unknown_idf;
  h.vector_dims = static_cast<uint32_t>(vectors.dims);
  h.n_vectors = vectors.dims ? static_cast<uint32_t>(vectors.rows.size() / vectors.dims) : 0;
  h.payload_checksum = Checksum64(payload);
  std::string image(reinterpret_cast<const char*>(&h), sizeof(h));
  image += payload;
  return image;
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
