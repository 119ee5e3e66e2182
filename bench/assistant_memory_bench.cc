// Memory of the live models: N owners (10,000 by default) each publish T topics (20, BANKING77
// texts varied per owner) through the real TrainingQueue into a SQLite Store; then a fresh
// ModelRegistry with a budget large enough for all of them loads every owner's model from the
// Store, as `faqbot serve` does on each owner's first ask. Reports this process's VmRSS before
// and after loading, the bytes per model (RSS growth / N, and ApproximateMemoryBytes), and the
// load time.
//
//   build/bench/assistant_memory_bench [--owners=10000] [--topics=20]
//       [--database=sqlite:/dev/shm/faqbot-memory-bench.db] [--reuse] [--data=DIR]
//       [--budget-mib=8192]   (the registry's budget; `faqbot serve` uses 512)
//
// The database goes to /dev/shm by default (synchronous=FULL costs nothing there, so generating
// 10,000 publications takes seconds); --reuse skips generation when the file already exists.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "assistant/model_registry.h"
#include "assistant/training_queue.h"
#include "bench_flags.h"
#include "bench_topics.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/logging.h"
#include "nlu/lexicon_builder.h"
#include "serve_process.h"
#include "store/store.h"

namespace {

using namespace faqbot;
using bench::Flag;
using Steady = std::chrono::steady_clock;

store::UserRef Owner(size_t i) {
  char id[32];
  std::snprintf(id, sizeof id, "U%07zu", i);
  return {"T0EMULATOR", id};
}

double MiB(size_t bytes) { return static_cast<double>(bytes) / (1 << 20); }
double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

// Every owner's topics, then a publish through the TrainingQueue (inline: train, store, swap).
Status Generate(store::Store& db, std::shared_ptr<const nlu::Lexicon> lexicon,
                const std::vector<bench::Category>& categories, size_t owners, size_t topics) {
  // The queue's own registry keeps nothing (a budget of 0), so only the load below fills memory.
  assistant::ModelRegistry scratch(
      lexicon, [](const assistant::OwnerKey&) { return std::optional<store::LiveModel>(); },
      assistant::ModelRegistryOptions{0});
  InlineExecutor inline_executor;
  assistant::TrainingQueueOptions options;
  options.worker = "memory-bench";
  assistant::TrainingQueue queue(db, scratch, lexicon, inline_executor, SystemClock::Instance(), {},
                                 options);
  for (size_t i = 0; i < owners; ++i) {
    const store::UserRef owner = Owner(i);
    for (const auto& content : bench::TopicsForOwner(categories, i, topics)) {
      FAQBOT_RETURN_IF_ERROR(db.AddTopic(owner, content).status());
    }
    FAQBOT_RETURN_IF_ERROR(queue.Enqueue(owner).status());
    if ((i + 1) % 1000 == 0) std::fprintf(stderr, "generated %zu owners\n", i + 1);
  }
  return Status::Ok();
}

int Run(int argc, char** argv) {
  const size_t owners = std::strtoul(Flag(argc, argv, "owners", "10000").c_str(), nullptr, 10);
  const size_t topics = std::strtoul(Flag(argc, argv, "topics", "20").c_str(), nullptr, 10);
  const std::string url = Flag(argc, argv, "database", "sqlite:/dev/shm/faqbot-memory-bench.db");
  const bool reuse = Flag(argc, argv, "reuse", "") == "1";
  // The registry's budget (ApproximateMemoryBytes); `faqbot serve` uses 512 MiB.
  const size_t budget_mib =
      std::strtoul(Flag(argc, argv, "budget-mib", "8192").c_str(), nullptr, 10);
  const std::string path = url.substr(url.find(':') + 1);
  const bool generate = !(reuse && std::filesystem::exists(path));
  if (generate) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }

  const size_t rss_start = bench::ResidentBytes();
  nlu::LexiconSearch search;
  search.explicit_path = std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn";
  auto lexicon = nlu::OpenLexicon(search);
  auto db = store::Store::Open(url, SystemClock::Instance());
  if (!lexicon.ok() || !db.ok()) {
    std::fprintf(stderr, "cannot open: %s %s\n", lexicon.status().ToString().c_str(),
                 db.status().ToString().c_str());
    return 1;
  }
  if (generate) {
    auto categories = bench::ReadBanking77(Flag(argc, argv, "data", bench::DefaultBanking77Dir()));
    if (!categories.ok()) {
      std::fprintf(stderr, "%s\n", categories.status().ToString().c_str());
      return 1;
    }
    const auto t0 = Steady::now();
    Status generated = Generate(**db, *lexicon, *categories, owners, topics);
    if (!generated.ok()) {
      std::fprintf(stderr, "generation: %s\n", generated.ToString().c_str());
      return 1;
    }
    std::printf("generated %zu owners x %zu topics (train + store each) in %.1f s\n", owners,
                topics, Seconds(Steady::now() - t0));
  }
  malloc_trim(0);  // what generation freed is not the registry's
  const size_t rss_before = bench::ResidentBytes();

  store::Store* store = db->get();
  assistant::ModelRegistry registry(
      *lexicon, [store](const assistant::OwnerKey& owner) { return store->LoadLiveModel(owner); },
      assistant::ModelRegistryOptions{budget_mib << 20});
  const auto t0 = Steady::now();
  size_t loaded = 0;
  for (size_t i = 0; i < owners; ++i) {
    auto model = registry.Get(Owner(i));
    if (!model.ok()) {
      std::fprintf(stderr, "owner %zu: %s\n", i, model.status().ToString().c_str());
      return 1;
    }
    loaded += (*model)->topic_count() == topics ? 1 : 0;
  }
  const double load_seconds = Seconds(Steady::now() - t0);
  const size_t rss_after = bench::ResidentBytes();

  std::printf("lexicon + store open: VmRSS %.1f MiB (process start %.1f MiB)\n", MiB(rss_before),
              MiB(rss_start));
  std::printf(
      "loaded %zu models (%zu with %zu topics) in %.2f s (%.0f us each); %zu kept within "
      "the %zu MiB budget\n",
      owners, loaded, topics, load_seconds, 1e6 * load_seconds / static_cast<double>(owners),
      registry.cached_models(), budget_mib);
  const double kept = static_cast<double>(std::max<size_t>(1, registry.cached_models()));
  std::printf(
      "VmRSS before loading %.1f MiB, after %.1f MiB: +%.1f MiB, %.0f bytes per kept model\n",
      MiB(rss_before), MiB(rss_after), MiB(rss_after - rss_before),
      static_cast<double>(rss_after - rss_before) / kept);
  std::printf("registry cached_bytes (ApproximateMemoryBytes) %.1f MiB, %.0f bytes per model\n",
              MiB(registry.cached_bytes()), static_cast<double>(registry.cached_bytes()) / kept);
  if (registry.cached_models() == owners) {
    std::printf("target: VmRSS <= 1024 MiB with every model loaded: %s\n",
                rss_after <= (size_t{1} << 30) ? "met" : "MISSED");
  } else {
    std::printf("target: not judged (the budget kept %zu of %zu models)\n",
                registry.cached_models(), owners);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  faqbot::InitLogging(faqbot::LogFormat::kText, "warn");
  return Run(argc, argv);
}
