// The learning curve of a bot whose owner answers its hand-offs (docs/nlu.md, "Learning curve").
//
//   build/bench/learning_curve --set=banking77-oos|hwu64 [--data=../shared/data] [--owners=10]
//                              [--seed=7] [--out=FILE] [--matcher=name=value,...]
//
// Each simulated owner starts with 10 topics × 1 phrasing (random intents of the set, one random
// training question each) and is asked a stream of 300 questions from the validation split:
// up to 200 in-scope questions of those topics and the rest out of scope (the set's out-of-scope
// questions where it has them, and questions of the intents the bot does not have), shuffled.
// Every in-scope question the bot declines or answers wrongly is labelled by the owner ("It's
// X"): it becomes a phrasing of X and the model is retrained before the next question, as the
// live-learn path does. Per window of 50 questions, averaged over the owners: in-scope questions
// answered correctly and wrongly (% of in-scope), out-of-scope questions declined (% of
// out-of-scope); then the same over questions 151–300 and the median retrain time. Writes the
// windows to FILE (gnuplot data) and prints them. Deterministic for a seed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench_flags.h"
#include "intent_split.h"
#include "nlu/lexicon.h"
#include "nlu/model.h"

namespace {

using faqbot::nlu::Model;
using faqbot::nlu::TrainingData;

constexpr size_t kTopics = 10;
constexpr size_t kQuestions = 300;
constexpr size_t kMaxInScope = 200;
constexpr size_t kWindow = 50;

struct Labelled {
  std::string text;
  std::string label;
};

// A split folder's questions; an empty list when it does not exist.
std::vector<Labelled> ReadSplit(const std::string& dir) {
  std::vector<Labelled> out;
  for (auto& [text, label] : faqbot::bench::ReadIntentSplit(dir)) {
    out.push_back({std::move(text), std::move(label)});
  }
  return out;
}

// Fisher–Yates over mt19937's own output, so the order is the same with every standard library.
template <typename T>
void Shuffle(std::vector<T>& v, std::mt19937& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

struct Window {
  double in = 0, correct = 0, wrong = 0, out = 0, declined = 0;
  void Add(const Window& o) {
    in += o.in, correct += o.correct, wrong += o.wrong, out += o.out, declined += o.declined;
  }
};

double Pct(double a, double b) { return b > 0 ? 100.0 * a / b : 0.0; }

}  // namespace

int main(int argc, char** argv) {
  using faqbot::bench::Flag;
  const std::string set = Flag(argc, argv, "set", "banking77-oos");
  const std::string data_dir =
      Flag(argc, argv, "data", std::string(FAQBOT_SOURCE_DIR) + "/../shared/data");
  const size_t owners = std::stoul(Flag(argc, argv, "owners", "10"));
  const unsigned seed = static_cast<unsigned>(std::stoul(Flag(argc, argv, "seed", "7")));
  const std::string out_path = Flag(argc, argv, "out", "");
  const std::string root = data_dir + "/" + set;
  faqbot::nlu::MatcherOptions options;  // --matcher: settings to compare, as `faqbot nlu --set`
  const std::string settings = Flag(argc, argv, "matcher", "");
  for (size_t start = 0; start < settings.size();) {
    const size_t comma = std::min(settings.find(',', start), settings.size());
    if (auto s = options.Set(settings.substr(start, comma - start)); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 2;
    }
    start = comma + 1;
  }

  const std::vector<Labelled> train = ReadSplit(root + "/train");
  const std::vector<Labelled> valid = ReadSplit(root + "/valid");
  std::vector<std::string> oos;
  for (const char* dir : {"/ood-oos/valid", "/id-oos/valid"}) {
    for (auto& q : ReadSplit(root + dir)) oos.push_back(std::move(q.text));
  }
  if (train.empty() || valid.empty()) {
    std::fprintf(stderr, "no train/valid split in %s\n", root.c_str());
    return 2;
  }
  std::map<std::string, std::vector<std::string>> train_by, valid_by;
  for (const auto& q : train) train_by[q.label].push_back(q.text);
  for (const auto& q : valid) valid_by[q.label].push_back(q.text);
  std::vector<std::string> labels;
  for (const auto& [label, texts] : valid_by) {
    if (train_by.count(label) != 0) labels.push_back(label);
  }
  auto lexicon = faqbot::nlu::Lexicon::Load(std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn");
  if (!lexicon.ok()) {
    std::fprintf(stderr, "%s\n", lexicon.status().ToString().c_str());
    return 2;
  }

  std::vector<Window> windows(kQuestions / kWindow);
  std::vector<double> retrain_ms;
  size_t labelled = 0;
  for (size_t owner = 0; owner < owners; ++owner) {
    std::mt19937 rng(seed * 1000 + static_cast<unsigned>(owner));
    std::vector<std::string> chosen = labels;
    Shuffle(chosen, rng);
    chosen.resize(std::min(kTopics, chosen.size()));
    const std::set<std::string> mine(chosen.begin(), chosen.end());
    TrainingData data;
    std::vector<Labelled> in_scope;
    for (const std::string& label : chosen) {
      const auto& texts = train_by[label];
      data.intents.push_back({label, {texts[rng() % texts.size()]}, ""});
      for (const auto& q : valid_by[label]) in_scope.push_back({q, label});
    }
    std::vector<std::string> out_of_scope = oos;
    for (const auto& [label, texts] : valid_by) {
      if (mine.count(label) == 0)
        out_of_scope.insert(out_of_scope.end(), texts.begin(), texts.end());
    }
    Shuffle(in_scope, rng);
    Shuffle(out_of_scope, rng);
    in_scope.resize(std::min(in_scope.size(), kMaxInScope));
    std::vector<Labelled> stream = in_scope;
    for (size_t i = 0; stream.size() < kQuestions && i < out_of_scope.size(); ++i) {
      stream.push_back({out_of_scope[i], ""});
    }
    Shuffle(stream, rng);

    auto model = Model::Train(data, *lexicon, options);
    if (!model.ok()) {
      std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
      return 1;
    }
    std::shared_ptr<const Model> live = *model;
    for (size_t i = 0; i < stream.size(); ++i) {
      const Labelled& q = stream[i];
      const faqbot::nlu::Prediction p = live->Predict(q.text, 3);
      Window& w = windows[std::min(i / kWindow, windows.size() - 1)];
      if (q.label.empty()) {
        w.out += 1;
        w.declined += p.declined() ? 1 : 0;
        continue;
      }
      w.in += 1;
      if (!p.declined() && p.intent == q.label) {
        w.correct += 1;
        continue;
      }
      if (!p.declined()) w.wrong += 1;
      // The owner presses "It's X": the question becomes a phrasing of X and goes live, the
      // live model extended as the assistant extends it (Model::Extend).
      const TrainingData before = data;
      for (auto& intent : data.intents) {
        if (intent.name == q.label) intent.examples.push_back(q.text);
      }
      const auto t0 = std::chrono::steady_clock::now();
      auto retrained = Model::Extend(*live, before, data, options);
      retrain_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      if (!retrained.ok()) {
        std::fprintf(stderr, "%s\n", retrained.status().ToString().c_str());
        return 1;
      }
      live = *retrained;
      ++labelled;
    }
  }

  std::FILE* out = out_path.empty() ? nullptr : std::fopen(out_path.c_str(), "w");
  if (!out_path.empty() && out == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", out_path.c_str());
    return 2;
  }
  if (out != nullptr) {
    std::fprintf(out, "# %s: %zu owners, seed %u; questions answered_correct wrong oos_declined\n",
                 set.c_str(), owners, seed);
  }
  std::printf(
      "%s (%zu owners, seed %u)\n| questions | answered correctly | wrong | out of scope declined "
      "|\n|---|---|---|---|\n",
      set.c_str(), owners, seed);
  Window late;
  for (size_t k = 0; k < windows.size(); ++k) {
    const Window& w = windows[k];
    if (k >= windows.size() / 2) late.Add(w);
    std::printf("| %zu–%zu | %.1f %% | %.1f %% | %.1f %% |\n", k * kWindow + 1, (k + 1) * kWindow,
                Pct(w.correct, w.in), Pct(w.wrong, w.in), Pct(w.declined, w.out));
    if (out != nullptr) {
      std::fprintf(out, "%zu %.2f %.2f %.2f\n", (k + 1) * kWindow, Pct(w.correct, w.in),
                   Pct(w.wrong, w.in), Pct(w.declined, w.out));
    }
  }
  std::sort(retrain_ms.begin(), retrain_ms.end());
  std::printf("| 151–300 | **%.1f %%** | **%.1f %%** | **%.1f %%** |\n", Pct(late.correct, late.in),
              Pct(late.wrong, late.in), Pct(late.declined, late.out));
  std::printf("labelled by the owner: %.1f questions per owner; retrain median %.2f ms\n",
              static_cast<double>(labelled) / static_cast<double>(std::max<size_t>(owners, 1)),
              retrain_ms.empty() ? 0.0 : retrain_ms[retrain_ms.size() / 2]);
  if (out != nullptr) std::fclose(out);
  return 0;
}
