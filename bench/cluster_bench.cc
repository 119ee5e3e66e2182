// One `faqbot serve` against two behind haproxy, on one PostgreSQL and the same cores: the ask
// load of ask_load.h (open loop, fixed rate, many askers) sent straight to one process, then
// through Debian's haproxy (round-robin, the configuration of tests/e2e/haproxy_process.h) to
// two. Prints, for each, the answered throughput, the latency percentiles and the CPU used.
//
//   tests/store/pg_cluster.sh start build/pg-fixture     # or
//   FAQBOT_TEST_POSTGRES_URL=postgresql://… build/bench/cluster_bench [--processes=1,2]
//   [--rate=200] [--seconds=30] [--warmup=3]
//                             [--askers=1000] [--senders=8] [--topics=20] [--event-threads=4]
//                             [--data=DIR] [--all-paraphrases] [--keep]
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ask_load.h"
#include "bench_flags.h"
#include "common/logging.h"
#include "haproxy_process.h"
#include "serve_process.h"
#include "slack_emulator.h"
#include "test_database.h"

namespace {

using namespace faqbot;
using namespace faqbot::bench;
using slack_emulator::SlackEmulator;

// One run: `processes` serve processes on a fresh PostgreSQL database, behind haproxy when more
// than one.
Status RunWith(int processes, const AskLoadFlags& f, const std::vector<Category>& categories,
               const Paraphrases& paraphrases) {
  std::printf("\n== %d process%s%s ==\n", processes, processes == 1 ? "" : "es",
              processes == 1 ? ", requests straight to it" : " behind haproxy (round-robin)");
  store::testing::TestDatabase db(store::testing::Engine::kPostgres);
  FAQBOT_RETURN_IF_ERROR(db.status());
  RunDir dir("faqbot-cluster-bench");
  if (f.keep) dir.Keep();
  SlackEmulator emulator;
  FAQBOT_RETURN_IF_ERROR(emulator.Start());
  FAQBOT_RETURN_IF_ERROR(SeedOwner(db.url(), TopicsForOwner(categories, 0, f.topics)));

  std::vector<std::unique_ptr<ServeProcess>> serves;
  std::vector<pid_t> pids;
  std::vector<int> ports;
  for (int i = 0; i < processes; ++i) {
    ServeProcessOptions options =
        ServeOptionsFor(dir, emulator.base_url(), kAskSecret, f.event_threads);
    options.database_url = db.url();
    options.log_path = dir.path() + "/serve-" + std::to_string(i + 1) + ".log";
    FAQBOT_ASSIGN_OR_RETURN(auto serve, ServeProcess::Start(options));
    pids.push_back(serve->pid());
    ports.push_back(serve->port());
    serves.push_back(std::move(serve));
  }
  FAQBOT_RETURN_IF_ERROR(WaitForPublish(emulator));
  emulator.ClearCalls();

  e2e::HaproxyProcess haproxy;
  std::string url = serves[0]->Url("/slack/events");
  if (processes > 1) {
    const int port = haproxy.Start(dir.path(), ports);
    if (port == 0) return UnavailableError("haproxy did not start (is it installed?)");
    url = "http://127.0.0.1:" + std::to_string(port) + "/slack/events";
  }

  const Asks asks = PrepareAsks(f, paraphrases.texts);
  const LoadRun run = SendAsks(asks, f, url, pids);
  WaitForAnswers(emulator, asks);
  size_t rss = 0;
  for (pid_t pid : pids) rss += ResidentBytes(pid);
  PrintReport(f, asks, run, MatchAnswers(asks, run.sent, emulator.Calls("chat.postMessage")), rss);
  haproxy.Stop();
  for (auto& serve : serves) serve->Stop();
  return Status::Ok();
}

Status Run(int argc, char** argv) {
  const AskLoadFlags f = ParseAskLoadFlags(argc, argv);
  const std::string which = Flag(argc, argv, "processes", "1,2");
  FAQBOT_ASSIGN_OR_RETURN(auto categories, ReadBanking77(f.data));
  FAQBOT_ASSIGN_OR_RETURN(const Paraphrases paraphrases, ChooseParaphrases(categories, f));
  std::printf("paraphrases: %zu asked (%zu of the test split declined by the model%s)\n",
              paraphrases.texts.size(), paraphrases.declined,
              f.all_paraphrases ? ", asked too" : ", left out");
  for (char c : which) {
    if (c < '1' || c > '9') continue;
    FAQBOT_RETURN_IF_ERROR(RunWith(c - '0', f, categories, paraphrases));
  }
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  faqbot::InitLogging(faqbot::LogFormat::kText, "warn");
  const faqbot::Status status = Run(argc, argv);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
