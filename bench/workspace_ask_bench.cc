// Asking the whole workspace (docs/assistant.md, "Asking everyone"): how often an unaddressed
// question gets the right answer, a wrong one, or none, against asking the right owner directly;
// and how fast it is with 10,000 owners.
//
//   build/bench/workspace_ask_bench --mode=calibrate --set=banking77-oos|hwu64 [--split=valid]
//       [--owners=5] [--shots=1] [--episodes=3] [--seed=11] [--min-confidence=X]
//       [--tie-margin=X] [--min-index-score=X] [--candidates=N]
//     A set's intents are dealt among simulated owners (each intent to one owner, `shots`
//     training questions each); every question of the split is asked (1) of the right owner
//     directly — out-of-scope ones of a random owner — and (2) of the whole workspace through
//     WorkspaceIndex and DecideAcrossBots, the code `faqbot serve` runs. Prints answered right /
//     wrong / declined for both. Deterministic for a seed.
//
//   build/bench/workspace_ask_bench --mode=speed [--owners=10000] [--topics=20] [--rate=200]
//       [--seconds=10] [--threads=2]
//     10,000 owners × 20 BANKING77 topics (bench_topics.h), every model loaded, the index built;
//     then asks at a fixed rate from `threads` threads: index + the candidates' models + the
//     decision, per ask. Prints p50/p99/max, the achieved rate, index size and resident memory.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "assistant/training_queue.h"
#include "assistant/workspace_ask.h"
#include "assistant/workspace_index.h"
#include "bench_flags.h"
#include "bench_topics.h"
#include "intent_split.h"
#include "nlu/lexicon.h"
#include "nlu/model.h"

namespace {

using faqbot::assistant::TopicIntent;
using faqbot::assistant::DecideAcrossBots;
using faqbot::assistant::WorkspaceAskOptions;
using faqbot::assistant::WorkspaceDecision;
using faqbot::assistant::WorkspaceIndex;
using faqbot::nlu::Model;
using faqbot::nlu::TrainingData;
using faqbot::store::UserRef;

constexpr char kTeam[] = "T0BENCH";

template <typename T>
void Shuffle(std::vector<T>& v, std::mt19937& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

double Pct(double a, double b) { return b > 0 ? 100.0 * a / b : 0.0; }

UserRef OwnerRef(size_t i) { return {kTeam, "U" + std::to_string(100000 + i)}; }

struct Bot {
  UserRef owner;
  std::shared_ptr<const Model> model;
};

// The workspace's answer to `question`, as the assistant reaches it.
WorkspaceDecision AskEveryone(const WorkspaceIndex& index, const std::map<UserRef, Bot>& bots,
                              const std::string& question, const WorkspaceAskOptions& options,
                              const std::shared_ptr<const faqbot::nlu::Lexicon>& lexicon) {
  const auto candidates = faqbot::assistant::GatherCandidates(
      index, kTeam, question,
      [&](const UserRef& owner) -> std::shared_ptr<const Model> {
        auto it = bots.find(owner);
        return it == bots.end() ? nullptr : it->second.model;
      },
      options);
  return DecideAcrossBots(question, candidates, lexicon, options);
}

struct Tally {
  double in = 0, right = 0, in_wrong = 0, out = 0, out_declined = 0, choices = 0, suggested = 0;
};

void PrintTally(const char* name, const Tally& t) {
  const double all = t.in + t.out;
  std::printf(
      "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", name, Pct(t.right, t.in),
      Pct(t.in - t.right - t.in_wrong, t.in), t.out > 0 ? Pct(t.out_declined, t.out) : 0.0,
      Pct(t.in_wrong + t.out - t.out_declined, all),
      t.out > 0 ? (Pct(t.right, t.in) + Pct(t.out_declined, t.out)) / 2 : Pct(t.right, t.in),
      Pct(t.suggested, t.in));
}

int Calibrate(int argc, char** argv, std::shared_ptr<const faqbot::nlu::Lexicon> lexicon) {
  using faqbot::bench::Flag;
  const std::string set = Flag(argc, argv, "set", "banking77-oos");
  const std::string split = Flag(argc, argv, "split", "valid");
  const std::string data_dir =
      Flag(argc, argv, "data", std::string(FAQBOT_SOURCE_DIR) + "/../shared/data");
  const size_t owners = std::stoul(Flag(argc, argv, "owners", "5"));
  const size_t shots = std::stoul(Flag(argc, argv, "shots", "1"));
  const size_t episodes = std::stoul(Flag(argc, argv, "episodes", "3"));
  const unsigned seed = static_cast<unsigned>(std::stoul(Flag(argc, argv, "seed", "11")));
  WorkspaceAskOptions options;
  const auto option = [&](const char* name, float& field) {
    field = std::stof(Flag(argc, argv, name, std::to_string(field)));
  };
  option("min-confidence", options.min_confidence);
  option("min-choice-confidence", options.min_choice_confidence);
  option("tie-margin", options.tie_margin);
  option("min-index-score", options.min_index_score);
  option("min-suggest-score", options.min_suggest_score);
  options.candidates =
      std::stoul(Flag(argc, argv, "candidates", std::to_string(options.candidates)));
  options.topics_per_candidate = std::stoul(
      Flag(argc, argv, "topics-per-candidate", std::to_string(options.topics_per_candidate)));
  std::vector<double> ask_ms;
  const std::string root = data_dir + "/" + set;
  std::map<std::string, std::vector<std::string>> train_by;
  for (auto& [text, label] : faqbot::bench::ReadIntentSplit(root + "/train")) {
    train_by[label].push_back(text);
  }
  std::vector<std::pair<std::string, std::string>> questions;
  for (auto& q : faqbot::bench::ReadIntentSplit(root + "/" + split)) {
    if (train_by.count(q.second) != 0) questions.push_back(q);
  }
  for (const char* dir : {"/ood-oos/", "/id-oos/"}) {
    for (auto& q : faqbot::bench::ReadIntentSplit(root + dir + split)) {
      questions.emplace_back(q.first, "");
    }
  }
  if (train_by.empty() || questions.empty()) {
    std::fprintf(stderr, "no train/%s split in %s\n", split.c_str(), root.c_str());
    return 2;
  }
  std::vector<std::string> labels;
  for (const auto& [label, texts] : train_by) labels.push_back(label);
  std::map<std::string, int64_t> topic_ids;
  for (size_t i = 0; i < labels.size(); ++i) topic_ids[labels[i]] = static_cast<int64_t>(i + 1);

  Tally direct, workspace;
  for (size_t e = 0; e < episodes; ++e) {
    std::mt19937 rng(seed * 1000 + static_cast<unsigned>(e));
    std::vector<std::string> dealt = labels;
    Shuffle(dealt, rng);
    std::vector<TrainingData> data(owners);
    std::vector<std::vector<faqbot::store::PublishedTopic>> published(owners);
    std::map<std::string, size_t> owner_of;
    for (size_t i = 0; i < dealt.size(); ++i) {
      const size_t o = i % owners;
      std::vector<std::string> texts = train_by[dealt[i]];
      Shuffle(texts, rng);
      texts.resize(std::min(shots, texts.size()));
      data[o].intents.push_back({TopicIntent(topic_ids[dealt[i]]), texts, ""});
      faqbot::store::PublishedTopic t;
      t.topic_id = topic_ids[dealt[i]];
      t.content.question = texts[0];
      t.content.phrasings.assign(texts.begin() + 1, texts.end());
      published[o].push_back(t);
      owner_of[dealt[i]] = o;
    }
    WorkspaceIndex index(lexicon);
    std::map<UserRef, Bot> bots;
    std::vector<UserRef> refs;
    for (size_t o = 0; o < owners; ++o) {
      auto model = Model::Train(data[o], lexicon);
      if (!model.ok()) {
        std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
        return 1;
      }
      refs.push_back(OwnerRef(o));
      bots[refs.back()] = {refs.back(), *model};
      index.Update(refs.back(), 1, published[o]);
    }
    for (const auto& [text, label] : questions) {
      // Directly: the right owner, or for an out-of-scope question anyone.
      const size_t o = label.empty() ? rng() % owners : owner_of[label];
      const faqbot::nlu::Prediction p = bots[refs[o]].model->Predict(text, 1);
      const std::string intent = label.empty() ? "" : TopicIntent(topic_ids[label]);
      Tally& d = direct;
      if (label.empty()) {
        d.out += 1;
        if (p.declined()) d.out_declined += 1;
      } else {
        d.in += 1;
        if (!p.declined() && p.intent == intent) d.right += 1;
        else if (!p.declined()) d.in_wrong += 1;
      }
      // The whole workspace.
      const auto t0 = std::chrono::steady_clock::now();
      const WorkspaceDecision decision = AskEveryone(index, bots, text, options, lexicon);
      ask_ms.push_back(std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - t0).count());
      Tally& w = workspace;
      const bool answered = decision.kind == WorkspaceDecision::Kind::kAnswer ||
                            decision.kind == WorkspaceDecision::Kind::kChoose;
      if (label.empty()) {
        w.out += 1;
        if (!answered) w.out_declined += 1;
        continue;
      }
      w.in += 1;
      bool hit = false;
      for (const auto& pick : decision.picks) {
        hit = hit || (pick.owner == refs[owner_of[label]] && pick.topic_id == topic_ids[label]);
      }
      if (answered) {
        if (hit) w.right += 1;
        else w.in_wrong += 1;
        if (decision.kind == WorkspaceDecision::Kind::kChoose) w.choices += 1;
      } else {
        for (const auto& pick : decision.picks) {
          if (pick.owner == refs[owner_of[label]]) w.suggested += 1;
        }
      }
    }
  }
  std::printf("%s/%s: %zu owners, %zu shot(s), %zu episode(s), seed %u; min_confidence %.2f, "
              "min_choice_confidence %.2f, tie_margin %.2f, min_index_score %.2f, candidates "
              "%zu × %zu topics\n",
              set.c_str(), split.c_str(), owners, shots, episodes, seed, options.min_confidence,
              options.min_choice_confidence, options.tie_margin, options.min_index_score,
              options.candidates, options.topics_per_candidate);
  std::printf("| asked | in-scope right %% | in-scope declined %% | out-of-scope declined %% | "
              "wrong %% of all | faq | right owner suggested %% |\n|---|---|---|---|---|---|---|\n");
  PrintTally("the right owner directly", direct);
  PrintTally("the whole workspace", workspace);
  std::sort(ask_ms.begin(), ask_ms.end());
  std::printf("one workspace-wide ask (index, bots, joint model, decision): median %.2f ms, "
              "p99 %.2f ms\n",
              ask_ms[ask_ms.size() / 2], ask_ms[ask_ms.size() * 99 / 100]);
  std::printf("(workspace: %.2f %% of in-scope questions answered with a choice of owners)\n",
              Pct(workspace.choices, workspace.in));
  return 0;
}

long ResidentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

int Speed(int argc, char** argv, std::shared_ptr<const faqbot::nlu::Lexicon> lexicon) {
  using faqbot::bench::Flag;
  const size_t owners = std::stoul(Flag(argc, argv, "owners", "10000"));
  const size_t per_owner = std::stoul(Flag(argc, argv, "topics", "20"));
  const double rate = std::stod(Flag(argc, argv, "rate", "200"));
  const double seconds = std::stod(Flag(argc, argv, "seconds", "10"));
  const size_t threads = std::stoul(Flag(argc, argv, "threads", "2"));
  auto categories = faqbot::bench::ReadBanking77(faqbot::bench::DefaultBanking77Dir());
  if (!categories.ok()) {
    std::fprintf(stderr, "%s\n", categories.status().ToString().c_str());
    return 2;
  }
  const long rss_before = ResidentKiB();
  WorkspaceIndex index(lexicon);
  std::map<UserRef, Bot> bots;
  std::map<std::string, int64_t> topic_ids;
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t o = 0; o < owners; ++o) {
    const auto topics = faqbot::bench::TopicsForOwner(*categories, o, per_owner);
    TrainingData data;
    std::vector<faqbot::store::PublishedTopic> published;
    for (size_t k = 0; k < topics.size(); ++k) {
      const std::string name = TopicIntent(static_cast<int64_t>(o * per_owner + k + 1));
      std::vector<std::string> examples{topics[k].question};
      examples.insert(examples.end(), topics[k].phrasings.begin(), topics[k].phrasings.end());
      data.intents.push_back({name, examples, topics[k].answer});
      topic_ids[name] = static_cast<int64_t>(o * per_owner + k + 1);
      published.push_back({topic_ids[name], topics[k]});
    }
    auto model = Model::Train(data, lexicon);
    if (!model.ok()) {
      std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
      return 1;
    }
    const UserRef ref = OwnerRef(o);
    // As a server keeps them: the stored bytes, loaded.
    auto loaded = Model::Load((*model)->Serialize(), lexicon);
    bots[ref] = {ref, *loaded};
    index.Update(ref, 1, published);
  }
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const long rss_loaded = ResidentKiB();
  const auto st = index.stats(kTeam);

  std::vector<std::string> asks;
  for (const auto& c : *categories) asks.insert(asks.end(), c.test.begin(), c.test.end());
  std::mt19937 rng(5);
  Shuffle(asks, rng);

  const WorkspaceAskOptions options;
  {
    // Where the time goes, one thread: the index alone, then the whole ask.
    std::vector<double> index_ms, whole_ms;
    for (size_t i = 0; i < 500; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      (void)index.Candidates(kTeam, asks[i], options.candidates, options.min_index_score);
      auto t1 = std::chrono::steady_clock::now();
      (void)AskEveryone(index, bots, asks[i], options, lexicon);
      auto t2 = std::chrono::steady_clock::now();
      index_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      whole_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    std::sort(index_ms.begin(), index_ms.end());
    std::sort(whole_ms.begin(), whole_ms.end());
    std::printf("one thread, 500 asks: index p50 %.2f ms p99 %.2f ms; whole ask p50 %.2f ms "
                "p99 %.2f ms\n",
                index_ms[250], index_ms[495], whole_ms[250], whole_ms[495]);
  }
  const size_t total = static_cast<size_t>(rate * seconds);
  std::vector<double> latency_ms(total);
  std::atomic<size_t> next{0};
  std::atomic<size_t> answered{0};
  const auto start = std::chrono::steady_clock::now();
  const auto period = std::chrono::duration<double>(1.0 / rate);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < total; i = next++) {
        const auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     period * static_cast<double>(i));
        std::this_thread::sleep_until(due);
        const auto begin = std::chrono::steady_clock::now();
        const auto decision = AskEveryone(index, bots, asks[i % asks.size()], options, lexicon);
        // Latency from when the ask was due, so a backlog counts.
        latency_ms[i] = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - std::min(begin, due))
                            .count();
        if (decision.kind == WorkspaceDecision::Kind::kAnswer ||
            decision.kind == WorkspaceDecision::Kind::kChoose) {
          ++answered;
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latency_ms.begin(), latency_ms.end());
  const auto at = [&](double q) {
    return latency_ms[std::min(latency_ms.size() - 1, static_cast<size_t>(q * latency_ms.size()))];
  };
  std::printf("%zu owners x %zu topics: built and loaded in %.1f s; index %zu topics, %zu terms, "
              "%zu postings; resident %.0f MiB (models and index: %.0f MiB)\n",
              owners, per_owner, build_s, st.topics, st.terms, st.postings, rss_loaded / 1024.0,
              (rss_loaded - rss_before) / 1024.0);
  std::printf("%zu workspace-wide asks at %.0f/s on %zu threads: achieved %.1f/s; latency p50 "
              "%.2f ms, p99 %.2f ms, max %.2f ms; %.1f %% answered\n",
              total, rate, threads, total / elapsed, at(0.5), at(0.99), latency_ms.back(),
              Pct(static_cast<double>(answered), static_cast<double>(total)));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using faqbot::bench::Flag;
  auto lexicon = faqbot::nlu::Lexicon::Load(std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn");
  if (!lexicon.ok()) {
    std::fprintf(stderr, "%s\n", lexicon.status().ToString().c_str());
    return 2;
  }
  const std::string mode = Flag(argc, argv, "mode", "calibrate");
  if (mode == "calibrate") return Calibrate(argc, argv, *lexicon);
  if (mode == "speed") return Speed(argc, argv, *lexicon);
  std::fprintf(stderr, "--mode=calibrate|speed\n");
  return 2;
}
