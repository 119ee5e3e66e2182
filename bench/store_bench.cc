// Store benchmark, per engine: add 10,000 topics (500 owners × 20), list one owner's topics,
// claim-and-complete a publish job. Prints one line per measurement.
//   store_bench DATABASE_URL [topics=10000]
// bench/store_report.sh runs it on SQLite and on a throwaway PostgreSQL server.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store/store.h"

namespace {

using Steady = std::chrono::steady_clock;

double Micros(Steady::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

void Report(const char* what, std::vector<double> samples_us) {
  std::sort(samples_us.begin(), samples_us.end());
  double total = 0;
  for (double s : samples_us) total += s;
  const auto pct = [&](double p) {
    return samples_us[std::min(samples_us.size() - 1, static_cast<size_t>(p * samples_us.size()))];
  };
  std::printf("%-34s n=%-6zu total=%9.1f ms  mean=%8.1f us  p50=%8.1f us  p99=%8.1f us  %9.0f ops/s\n",
              what, samples_us.size(), total / 1000, total / samples_us.size(), pct(0.5),
              pct(0.99), samples_us.size() / (total / 1e6));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_bench DATABASE_URL [topics]\n");
    return 64;
  }
  const int topics = argc > 2 ? std::stoi(argv[2]) : 10'000;
  const int per_owner = 20;
  using namespace faqbot;
  auto opened = store::Store::Open(argv[1], SystemClock::Instance());
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 69;
  }
  store::Store& db = **opened;
  std::printf("engine: %s\n", db.engine().c_str());

  std::vector<double> add;
  add.reserve(topics);
  const std::string answer =
      "Open the VPN client, choose the Acme profile and sign in with your usual password.";
  for (int i = 0; i < topics; ++i) {
    store::UserRef owner{"T0BENCH", "U" + std::to_string(100000 + i / per_owner)};
    store::TopicContent content{"How do I do thing number " + std::to_string(i) + "?",
                                {"thing " + std::to_string(i) + " how-to"},
                                answer};
    const auto start = Steady::now();
    auto topic = db.AddTopic(owner, content);
    add.push_back(Micros(Steady::now() - start));
    if (!topic.ok()) {
      std::fprintf(stderr, "add: %s\n", topic.status().ToString().c_str());
      return 70;
    }
  }
  Report("add topic (one transaction each)", add);

  std::vector<double> list;
  for (int i = 0; i < 2'000; ++i) {
    store::UserRef owner{"T0BENCH", "U" + std::to_string(100000 + (i * 7) % (topics / per_owner))};
    const auto start = Steady::now();
    auto listed = db.ListTopics(owner);
    list.push_back(Micros(Steady::now() - start));
    if (!listed.ok() || listed->size() != static_cast<size_t>(per_owner)) {
      std::fprintf(stderr, "list failed\n");
      return 70;
    }
  }
  Report("list one owner's 20 topics", list);

  std::vector<double> jobs;
  const int owners = topics / per_owner;
  for (int i = 0; i < owners; ++i) {
    if (!db.EnqueuePublish({"T0BENCH", "U" + std::to_string(100000 + i)}).ok()) return 70;
  }
  store::NewPublication publication;
  publication.model = std::string(12'000, 'm');  // the size of a 50-topic model
  for (int i = 0; i < owners; ++i) {
    const auto start = Steady::now();
    auto job = db.ClaimPublishJob("bench", std::chrono::seconds(60));
    if (!job.ok() || !job->has_value()) {
      std::fprintf(stderr, "claim failed\n");
      return 70;
    }
    auto done = db.CompletePublishJob(**job, publication);
    jobs.push_back(Micros(Steady::now() - start));
    if (!done.ok()) {
      std::fprintf(stderr, "complete: %s\n", done.status().ToString().c_str());
      return 70;
    }
  }
  Report("claim + complete a publish job", jobs);
  return 0;
}
