// The ask load of the end-to-end benchmarks (ask_latency_bench, cluster_bench): an owner U0OWNER
// with T published topics (BANKING77 texts), and an open-loop generator posting signed
// message.im events "ask <@U0OWNER> <paraphrase>" at a fixed rate from many askers (each in
// their own DM channel, so the Web API client's 1 message/s per channel pacing never applies).
// Latency of one ask = arrival at the emulator of the chat.postMessage answering it − the
// moment its request was sent. The paraphrases come from BANKING77's test split, never trained
// on. Not thread-safe: one benchmark thread calls these.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "bench_topics.h"
#include "common/status.h"
#include "slack_emulator.h"
#include "store/store_types.h"

namespace faqbot::bench {

inline constexpr char kAskSecret[] = "ask-bench-signing-secret";
inline constexpr char kAskOwner[] = "U0OWNER";

// The command line both benchmarks share:
//   [--rate=200] [--seconds=30] [--warmup=3] [--askers=1000] [--senders=8] [--topics=20]
//   [--event-threads=4] [--data=DIR] [--all-paraphrases] [--keep]
struct AskLoadFlags {
  double rate = 200;                // asks per second
  double seconds = 30;              // measured
  double warmup = 3;                // sent before the measured window, not counted
  size_t askers = 1000;             // distinct askers, each in their own DM channel
  int senders = 8;                  // load generator threads
  size_t topics = 20;               // the owner's topics
  std::string event_threads = "4";  // serve --event-threads
  std::string data;                 // BANKING77
  bool all_paraphrases = false;     // ask those the model declines too
  bool keep = false;                // keep the run's folder
};
AskLoadFlags ParseAskLoadFlags(int argc, char** argv);

// The owner's topics and a pending publish, which `serve` runs as it starts.
Status SeedOwner(const std::string& db_url, const std::vector<store::TopicContent>& topics);

// What the askers ask: by default only the paraphrases the owner's model answers (the same
// training as `serve`'s, deterministic): a question the bot is unsure of is handed off to the
// owner by DM, and those DMs all go to one channel, paced at 1/s (see docs/assistant.md).
struct Paraphrases {
  std::vector<std::string> texts;
  size_t declined = 0;  // of the test split, by the owner's model
};
Result<Paraphrases> ChooseParaphrases(const std::vector<Category>& categories,
                                      const AskLoadFlags& f);

// Waits (20 s at most) for serve's reply to the owner's publish.
Status WaitForPublish(slack_emulator::SlackEmulator& emulator);

// Every request body ahead of time, so the generator only signs and sends.
struct Asks {
  std::vector<std::string> bodies;
  std::vector<std::string> channels;  // the asker's DM channel of each body
  size_t warm = 0;                    // the first `warm` are the warm-up
};
Asks PrepareAsks(const AskLoadFlags& f, const std::vector<std::string>& paraphrases);

// One ask's request.
struct Sent {
  std::chrono::steady_clock::time_point scheduled, sent, acked;
  int status = 0;
};

// The open-loop load: each ask sent to `url` at its scheduled time, whatever the ones before it
// did; the CPU time of the `serve` processes `serve` is read at the start of the measured window
// and at the end.
struct LoadRun {
  std::vector<Sent> sent;
  double cpu_at_measure = -1;  // the processes' CPU seconds when the measured window starts
  double cpu_at_end = 0;
};
LoadRun SendAsks(const Asks& asks, const AskLoadFlags& f, const std::string& url,
                 const std::vector<pid_t>& serve);

// The measured asks, each matched with its answer.
struct Tally {
  std::vector<double> latency, ack, late;  // ms
  size_t missing = 0, errors = 0, answered = 0, handed_off = 0;
  // The first measured ask sent and the last answer to a measured ask: the answered throughput.
  std::chrono::steady_clock::time_point first_sent, last_answer;
};
// Per channel, answers arrive in the order of that channel's asks.
Tally MatchAnswers(const Asks& asks, const std::vector<Sent>& sent,
                   const std::vector<slack_emulator::RecordedCall>& calls);

// Waits (10 s at most) until the emulator holds as many chat.postMessage calls as there are asks.
void WaitForAnswers(const slack_emulator::SlackEmulator& emulator, const Asks& asks);

// The report on stdout; `rss` is the processes' VmRSS summed.
void PrintReport(const AskLoadFlags& f, const Asks& asks, const LoadRun& run, const Tally& t,
                 size_t rss);

}  // namespace faqbot::bench
