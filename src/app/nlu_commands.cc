// `faqbot nlu ...`: train, parse and lexicon, the contract ../shared/bench/nlu_eval.py speaks.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "common/file_util.h"
#include "nlu/analyzer.h"
#include "nlu/lexicon_builder.h"
#include "nlu/model.h"
#include "nlu/nlu_yaml.h"
#include "nlu/rasa_json.h"

namespace faqbot::app {
namespace {

// Queries longer than this are matched on their first kMaxQueryBytes bytes.
constexpr size_t kMaxQueryBytes = 64 * 1024;
constexpr size_t kMaxModelBytes = 256u << 20;

struct NluFlags {
  std::string lexicon;
  std::vector<std::string> settings;  // matcher options, name=value
  std::string data, out, model, wordnet = "/usr/share/wordnet";
  std::string word;
  size_t ranking = 10;
  bool flush = false;
  unsigned threads = 0;  // parse: matching threads; 0 = one per core, at most 8
};

Result<std::shared_ptr<const nlu::Lexicon>> OpenLexiconFor(const NluFlags& f) {
  nlu::LexiconSearch search;
  search.explicit_path = f.lexicon;
  search.wordnet_dir = f.wordnet;
  return nlu::OpenLexicon(search);
}

Status Train(const NluFlags& f) {
  nlu::MatcherOptions options;
  for (const auto& s : f.settings) FAQBOT_RETURN_IF_ERROR(options.Set(s));
  FAQBOT_ASSIGN_OR_RETURN(nlu::TrainingData data, nlu::ReadNluYamlFile(f.data));
  FAQBOT_ASSIGN_OR_RETURN(auto lexicon, OpenLexiconFor(f));
  FAQBOT_ASSIGN_OR_RETURN(auto model, nlu::Model::Train(data, lexicon, options));
  return WriteFileAtomically(f.out, model->Serialize());
}

// Reads one line of any length, keeping at most `max` bytes of it. False at end of input. Only
// this thread reads `in`, so the stream is not locked per character.
bool ReadBoundedLine(std::FILE* in, std::string& line, size_t max) {
  line.clear();
  int c;
  bool any = false;
  while ((c = getc_unlocked(in)) != EOF) {
    any = true;
    if (c == '\n') break;
    if (line.size() < max) line.push_back(static_cast<char>(c));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return any;
}

// Lines are matched in batches of this many, spread over the threads, and written in order:
// memory stays bounded (at most kBatchLines × kMaxQueryBytes of input) whatever the input length.
constexpr size_t kBatchLines = 128;

Status Parse(const NluFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto lexicon, OpenLexiconFor(f));
  FAQBOT_ASSIGN_OR_RETURN(std::string bytes, ReadFile(f.model, kMaxModelBytes));
  FAQBOT_ASSIGN_OR_RETURN(auto model, nlu::Model::Load(bytes, lexicon));
  // Interactive use answers each line at once; a stream is matched in parallel batches.
  const bool flush = f.flush || isatty(STDIN_FILENO);
  const unsigned threads =
      flush ? 1
            : std::clamp(f.threads != 0 ? f.threads : std::thread::hardware_concurrency(), 1u, 8u);
  const size_t batch_lines = flush ? 1 : kBatchLines;
  std::vector<std::string> lines(batch_lines);
  std::vector<std::string> answers(batch_lines);
  // Matches lines[i] for i = first, first + step, … < n into answers[i].
  const auto match = [&](size_t first, size_t step, size_t n) {
    for (size_t i = first; i < n; i += step) {
      const nlu::Prediction p = model->Predict(lines[i], f.ranking);
      answers[i].clear();
      nlu::AppendRasaJson(lines[i], p, f.ranking, answers[i]);
      answers[i] += '\n';
    }
  };
  for (;;) {
    size_t n = 0;
    while (n < batch_lines && ReadBoundedLine(stdin, lines[n], kMaxQueryBytes)) ++n;
    if (n == 0) break;
    const unsigned helpers = std::min<unsigned>(threads, static_cast<unsigned>(n)) - 1;
    std::vector<std::jthread> workers;
    for (unsigned t = 1; t <= helpers; ++t) workers.emplace_back(match, t, helpers + 1, n);
    match(0, helpers + 1, n);
    workers.clear();  // joins
    for (size_t i = 0; i < n; ++i) std::fwrite(answers[i].data(), 1, answers[i].size(), stdout);
    if (flush) std::fflush(stdout);
    if (std::ferror(stdout)) return UnavailableError("cannot write to standard output");
  }
  if (std::fflush(stdout) != 0) return UnavailableError("cannot write to standard output");
  return Status::Ok();
}

Status BuildLexicon(const NluFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(std::string image, nlu::BuildLexiconImage(f.wordnet));
  FAQBOT_ASSIGN_OR_RETURN(auto check, nlu::Lexicon::FromBytes(image));
  std::fprintf(stderr, "lexicon: %u terms, %zu bytes\n", check->size(), image.size());
  return WriteFileAtomically(f.out, image);
}

// Prints what the lexicon relates to a word: WordNet relations and nearest word vectors.
Status Related(const NluFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto lexicon, OpenLexiconFor(f));
  const std::vector<nlu::Term> terms = nlu::Analyze(f.word, *lexicon);
  if (terms.empty() || terms[0].lexicon_id == nlu::kUnknownTerm) {
    return NotFoundError("the lexicon does not know \"" + f.word + "\"");
  }
  const uint32_t id = terms[0].lexicon_id;
  std::printf("%s (stem %s, idf %.2f)\n", f.word.c_str(), terms[0].stem.c_str(), lexicon->Idf(id));
  static constexpr const char* kNames[] = {"synonym", "derivation", "hypernym",
                                           "hyponym", "similar",    "other"};
  for (uint32_t packed : lexicon->RawRelated(id)) {
    const nlu::RelatedTerm r = nlu::Lexicon::Decode(packed);
    std::printf("  %-10s sense %d  %.*s\n", kNames[static_cast<int>(r.relation)], r.sense_rank + 1,
                static_cast<int>(lexicon->Term(r.term).size()), lexicon->Term(r.term).data());
  }
  const int8_t* v = lexicon->Vector(id);
  if (v == nullptr) return Status::Ok();
  std::vector<std::pair<int, uint32_t>> best;
  for (uint32_t other = 0; other < lexicon->size(); ++other) {
    const int8_t* w = lexicon->Vector(other);
    if (w == nullptr || other == id) continue;
    int dot = 0;
    for (int d = 0; d < lexicon->vector_dims(); ++d) dot += v[d] * w[d];
    best.emplace_back(-dot, other);
  }
  const size_t top = std::min<size_t>(15, best.size());
  std::partial_sort(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(top), best.end());
  for (size_t i = 0; i < top; ++i) {
    const auto t = lexicon->Term(best[i].second);
    std::printf("  vector     %.2f     %.*s\n", -best[i].first / (127.0 * 127.0),
                static_cast<int>(t.size()), t.data());
  }
  return Status::Ok();
}

}  // namespace

void RegisterNluCommands(CLI::App& app, CommandRegistry& registry) {
  auto flags = std::make_shared<NluFlags>();
  CLI::App* nlu = app.add_subcommand("nlu", "the FAQ matching engine (Rasa NLU compatible)");
  nlu->require_subcommand(1);
  nlu->add_option("--lexicon", flags->lexicon, "lexicon file (default: found or built)")
      ->envname("FAQBOT_LEXICON");
  nlu->add_option("--set", flags->settings, "matcher option name=value (repeatable)");

  CLI::App* train = nlu->add_subcommand("train", "train a model from Rasa NLU YAML");
  train->add_option("--data", flags->data, "topics file (Rasa NLU YAML)")->required();
  train->add_option("--out", flags->out, "model file to write")->required();
  registry.Add(train, [flags] { return Train(*flags); });

  CLI::App* parse = nlu->add_subcommand(
      "parse", "read one query per line on stdin, write one Rasa /model/parse JSON per line");
  parse->add_option("--model", flags->model, "model file")->required();
  parse->add_option("--ranking", flags->ranking, "intents in intent_ranking")->default_val(10);
  parse->add_flag("--flush", flags->flush, "flush after every answer (one line at a time)");
  parse->add_option("--threads", flags->threads,
                    "matching threads for a stream of lines (default: one per core, at most 8)");
  registry.Add(parse, [flags] { return Parse(*flags); });

  CLI::App* lexicon = nlu->add_subcommand("lexicon", "compile WordNet into a lexicon file");
  lexicon->add_option("--wordnet", flags->wordnet, "WordNet 3.0 dict folder")
      ->default_val("/usr/share/wordnet");
  lexicon->add_option("--out", flags->out, "lexicon file to write")->required();
  registry.Add(lexicon, [flags] { return BuildLexicon(*flags); });

  CLI::App* related = nlu->add_subcommand("related", "show what the lexicon relates to a word");
  related->add_option("word", flags->word, "a word")->required();
  registry.Add(related, [flags] { return Related(*flags); });
}

}  // namespace faqbot::app
