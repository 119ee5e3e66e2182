// Speed and size of the matching engine on one core (docs/nlu.md has the numbers and commands).
//
//   build/bench/nlu_bench [--data DIR]     DIR: an HWU64 folder (default ../shared/data/hwu64)
//
// Train: 50 topics × 3 example questions, the first 50 intents of HWU64's training split.
// Parse: HWU64 test questions against that 50-topic model, one query per iteration.
// Model bytes: the serialised size of that model. Lexicon load: mapping and validating the file.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "nlu/lexicon.h"
#include "nlu/model.h"

namespace {

using faqbot::nlu::Lexicon;
using faqbot::nlu::Model;
using faqbot::nlu::TrainingData;

std::string g_data_dir = std::string(FAQBOT_SOURCE_DIR) + "/../shared/data/hwu64";

std::vector<std::pair<std::string, std::string>> ReadSplit(const std::string& split) {
  std::ifstream texts(g_data_dir + "/" + split + "/seq.in"),
      labels(g_data_dir + "/" + split + "/label");
  std::vector<std::pair<std::string, std::string>> out;
  std::string t, l;
  while (std::getline(texts, t) && std::getline(labels, l)) out.emplace_back(t, l);
  if (out.empty()) {
    std::fprintf(stderr, "no data in %s/%s\n", g_data_dir.c_str(), split.c_str());
    std::exit(2);
  }
  return out;
}

std::shared_ptr<const Lexicon> SharedLexicon() {
  static auto lexicon = [] {
    auto l = Lexicon::Load(std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn");
    if (!l.ok()) {
      std::fprintf(stderr, "%s\n", l.status().ToString().c_str());
      std::exit(2);
    }
    return *l;
  }();
  return lexicon;
}

TrainingData FiftyTopics(size_t shots) {
  std::map<std::string, std::vector<std::string>> by_label;
  for (const auto& [text, label] : ReadSplit("train")) by_label[label].push_back(text);
  TrainingData data;
  for (const auto& [label, texts] : by_label) {
    if (data.intents.size() == 50) break;
    faqbot::nlu::Intent intent{label, {}, ""};
    for (size_t i = 0; i < shots && i < texts.size(); ++i) intent.examples.push_back(texts[i]);
    data.intents.push_back(std::move(intent));
  }
  return data;
}

void BM_Train50Topics3Examples(benchmark::State& state) {
  const TrainingData data = FiftyTopics(3);
  auto lexicon = SharedLexicon();
  size_t bytes = 0;
  for (auto _ : state) {
    auto model = Model::Train(data, lexicon);
    if (!model.ok()) state.SkipWithError(model.status().ToString().c_str());
    bytes = (*model)->Serialize().size();
    benchmark::DoNotOptimize(model);
  }
  state.counters["model_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Train50Topics3Examples)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_Parse50TopicModel(benchmark::State& state) {
  auto model = *Model::Train(FiftyTopics(static_cast<size_t>(state.range(0))), SharedLexicon());
  const auto queries = ReadSplit("test");
  size_t i = 0;
  for (auto _ : state) {
    auto p = model->Predict(queries[i++ % queries.size()].first);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Parse50TopicModel)->Arg(1)->Arg(3)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

void BM_LoadModel(benchmark::State& state) {
  const std::string bytes = (*Model::Train(FiftyTopics(3), SharedLexicon()))->Serialize();
  for (auto _ : state) {
    auto m = Model::Load(bytes, SharedLexicon());
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_LoadModel)->Unit(benchmark::kMicrosecond);

void BM_LoadLexicon(benchmark::State& state) {
  const std::string path = std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn";
  for (auto _ : state) {
    auto l = Lexicon::Load(path);
    benchmark::DoNotOptimize(l);
  }
}
BENCHMARK(BM_LoadLexicon)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--data") == 0) {
      g_data_dir = argv[i + 1];
      for (int j = i; j + 2 <= argc; ++j) argv[j] = argv[j + 2];
      argc -= 2;
      break;
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
