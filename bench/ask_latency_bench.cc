// Ask latency under load, end to end: a real `faqbot serve` (signed HTTP, SQLite) and the ask
// load of ask_load.h (an owner with T published topics, an open-loop generator of asks from many
// askers).
//
//   build/bench/ask_latency_bench [--rate=200] [--seconds=30] [--warmup=3] [--askers=1000]
//                                 [--senders=8] [--topics=20] [--event-threads=4] [--data=DIR]
//                                 [--all-paraphrases] [--keep]
#include <cstdio>

#include "ask_load.h"
#include "common/logging.h"
#include "serve_process.h"
#include "slack_emulator.h"

namespace {

using namespace faqbot;
using namespace faqbot::bench;
using slack_emulator::SlackEmulator;

Status Run(const AskLoadFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto categories, ReadBanking77(f.data));
  RunDir dir("faqbot-ask-bench");
  if (f.keep) dir.Keep();
  SlackEmulator emulator;
  FAQBOT_RETURN_IF_ERROR(emulator.Start());
  FAQBOT_RETURN_IF_ERROR(SeedOwner(dir.database_url(), TopicsForOwner(categories, 0, f.topics)));
  FAQBOT_ASSIGN_OR_RETURN(const Paraphrases paraphrases, ChooseParaphrases(categories, f));
  std::printf("paraphrases: %zu asked (%zu of the test split declined by the model%s)\n",
              paraphrases.texts.size(), paraphrases.declined,
              f.all_paraphrases ? ", asked too" : ", left out");

  FAQBOT_ASSIGN_OR_RETURN(auto serve, ServeProcess::Start(ServeOptionsFor(
                                          dir, emulator.base_url(), kAskSecret, f.event_threads)));
  FAQBOT_RETURN_IF_ERROR(WaitForPublish(emulator));
  emulator.ClearCalls();

  const Asks asks = PrepareAsks(f, paraphrases.texts);
  const LoadRun run = SendAsks(asks, f, serve->Url("/slack/events"), {serve->pid()});
  WaitForAnswers(emulator, asks);
  const size_t rss = ResidentBytes(serve->pid());
  const Tally tally = MatchAnswers(asks, run.sent, emulator.Calls("chat.postMessage"));
  PrintReport(f, asks, run, tally, rss);
  serve->Stop();
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  faqbot::InitLogging(faqbot::LogFormat::kText, "warn");
  const faqbot::Status status = Run(faqbot::bench::ParseAskLoadFlags(argc, argv));
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
