// Speed and size of the matching engine on one core (docs/nlu.md has the numbers and commands).
//
//   build/bench/nlu_bench [--data DIR]     DIR: an HWU64 folder (default ../shared/data/hwu64)
//
// Train: 50 topics × 3 example questions, the first 50 intents of HWU64's training split; and
// 50 × 100, 150 × 1, 150 × 3, 150 × 10 (BM_TrainTopics); the same bots extended by one phrasing
// (BM_ExtendTopics: a learned phrasing).
// Parse: HWU64 test questions against a 50-topic model of 1, 3 or 100 examples per topic, one
// query per iteration.
// Model bytes: the serialised size of that model. Lexicon load: mapping and validating the file.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "intent_split.h"
#include "nlu/lexicon.h"
#include "nlu/model.h"

namespace {

using faqbot::nlu::Lexicon;
using faqbot::nlu::Model;
using faqbot::nlu::TrainingData;

std::string g_data_dir = std::string(FAQBOT_SOURCE_DIR) + "/../shared/data/hwu64";

std::vector<std::pair<std::string, std::string>> ReadSplit(const std::string& split) {
  auto out = faqbot::bench::ReadIntentSplit(g_data_dir + "/" + split);
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

// `topics` topics of `shots` example questions each, from HWU64's training split in label order.
// Past its 64 intents, intents are reused with their next unused examples (topic 64 takes
// intent 0's examples shots..2·shots), so a 150-topic bot has crowded, realistic topics.
TrainingData Topics(size_t topics, size_t shots) {
  std::map<std::string, std::vector<std::string>> by_label;
  for (const auto& [text, label] : ReadSplit("train")) by_label[label].push_back(text);
  std::vector<const std::pair<const std::string, std::vector<std::string>>*> intents;
  for (const auto& entry : by_label) intents.push_back(&entry);
  TrainingData data;
  for (size_t t = 0; t < topics; ++t) {
    const auto& [label, texts] = *intents[t % intents.size()];
    faqbot::nlu::Intent intent{label + "#" + std::to_string(t / intents.size()), {}, ""};
    for (size_t i = (t / intents.size()) * shots;
         i < texts.size() && intent.examples.size() < shots; ++i) {
      intent.examples.push_back(texts[i]);
    }
    if (intent.examples.empty()) intent.examples.push_back(texts.back());
    data.intents.push_back(std::move(intent));
  }
  return data;
}

TrainingData FiftyTopics(size_t shots) { return Topics(50, shots); }

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

// Training at every size: 50 topics × 100 phrasings (an imported Rasa file; the classifier head
// is trained), 150 topics × 1 and × 3 (what the live-learn path retrains when the owner adds a
// phrasing). Counters: examples, whether the head is used, the learned decline centre.
void BM_TrainTopics(benchmark::State& state) {
  const TrainingData data =
      Topics(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)));
  auto lexicon = SharedLexicon();
  size_t examples = 0;
  for (const auto& intent : data.intents) examples += intent.examples.size();
  std::shared_ptr<const Model> last;
  for (auto _ : state) {
    auto model = Model::Train(data, lexicon);
    if (!model.ok()) state.SkipWithError(model.status().ToString().c_str());
    last = *model;
    benchmark::DoNotOptimize(last);
  }
  state.counters["examples"] = static_cast<double>(examples);
  state.counters["head"] = last && last->has_head() ? 1 : 0;
  state.counters["centre"] = last ? last->decline_center() : 0;
  state.counters["memory_bytes"] = last ? static_cast<double>(last->ApproximateMemoryBytes()) : 0;
}
BENCHMARK(BM_TrainTopics)
    ->Args({50, 100})
    ->Args({150, 1})
    ->Args({150, 3})
    ->Args({150, 10})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// A learned phrasing: the model of these topics extended by one more phrasing of topic 0
// (Model::Extend, what the assistant trains when an owner presses "It's X"). Counter: whether the
// decline centre was kept (bots that learn it from their held-out mistakes) or learned again.
void BM_ExtendTopics(benchmark::State& state) {
  const TrainingData before =
      Topics(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)));
  TrainingData data = before;
  data.intents[0].examples.push_back("could you tell me about that once more please");
  auto lexicon = SharedLexicon();
  auto previous = Model::Train(before, lexicon);
  if (!previous.ok()) {
    state.SkipWithError(previous.status().ToString().c_str());
    return;
  }
  std::shared_ptr<const Model> last;
  for (auto _ : state) {
    auto model = Model::Extend(**previous, before, data);
    if (!model.ok()) state.SkipWithError(model.status().ToString().c_str());
    last = *model;
    benchmark::DoNotOptimize(last);
  }
  state.counters["centre_kept"] =
      last && last->decline_center_examples() == (*previous)->decline_center_examples() ? 1 : 0;
}
BENCHMARK(BM_ExtendTopics)
    ->Args({150, 1})
    ->Args({150, 3})
    ->Args({150, 10})
    ->Args({50, 100})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

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
BENCHMARK(BM_Parse50TopicModel)
    ->Arg(1)
    ->Arg(3)
    ->Arg(100)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2.0);

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
