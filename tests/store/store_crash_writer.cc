// A child process for store_crash_test: claims a publish job, then adds topics as fast as it can,
// printing "claimed <id>" and "committed <id>" once each write has returned ok — until the test
// kills it with SIGKILL in the middle of a write.
#include <cstdio>
#include <string>

#include "common/clock.h"
#include "store/store.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: store_crash_writer DATABASE_URL\n");
    return 64;
  }
  using namespace faqbot;
  auto store = store::Store::Open(argv[1], SystemClock::Instance());
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 69;
  }
  const store::UserRef owner{"T0CRASH", "U0WRITER"};
  if (auto enqueued = (*store)->EnqueuePublish(owner); !enqueued.ok()) return 70;
  auto job = (*store)->ClaimPublishJob("crash-writer", std::chrono::seconds(5));
  if (!job.ok() || !job->has_value()) return 70;
  std::printf("claimed %lld\n", static_cast<long long>((*job)->id));
  std::fflush(stdout);
  // Big answers make each transaction long enough to be cut in the middle.
  const std::string answer(30'000, 'a');
  for (int i = 0;; ++i) {
    auto topic = (*store)->AddTopic(owner, {"question " + std::to_string(i), {"p1", "p2"}, answer});
    if (!topic.ok()) {
      std::fprintf(stderr, "add: %s\n", topic.status().ToString().c_str());
      return 70;
    }
    std::printf("committed %lld\n", static_cast<long long>(topic->id));
    std::fflush(stdout);
  }
}
