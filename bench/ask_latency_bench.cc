// Ask latency under load, end to end: a real `faqbot serve` (signed HTTP, SQLite) whose owner
// U0OWNER has T published topics (BANKING77 texts), and an open-loop load generator posting
// signed message.im events "ask <@U0OWNER> <paraphrase>" at a fixed rate from many askers (each
// in their own DM channel, so the Web API client's 1 message/s per channel pacing never
// applies). Latency of one ask = arrival at the emulator of the chat.postMessage answering it −
// the moment its request was sent. The paraphrases come from BANKING77's test split, never
// trained on.
//
//   build/bench/ask_latency_bench [--rate=200] [--seconds=30] [--warmup=3] [--askers=1000]
//                                 [--senders=8] [--topics=20] [--event-threads=4] [--data=DIR]
//                                 [--all-paraphrases] [--keep]
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <thread>

#include "bench_flags.h"
#include "bench_topics.h"
#include "common/clock.h"
#include "common/logging.h"
#include "fixtures.h"
#include "latency_stats.h"
#include "nlu/lexicon_builder.h"
#include "nlu/model.h"
#include "nlu/training_data.h"
#include "request_signer.h"
#include "serve_process.h"
#include "slack_emulator.h"
#include "store/store.h"

namespace {

using namespace faqbot;
using bench::Flag;
using Steady = std::chrono::steady_clock;
namespace fixtures = slack_emulator::fixtures;
using slack_emulator::SlackEmulator;

constexpr char kSecret[] = "ask-bench-signing-secret";
constexpr char kOwner[] = "U0OWNER";

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string AskerId(size_t i) {
  char id[32];
  std::snprintf(id, sizeof id, "U0ASK%04zu", i);
  return id;
}

struct Sent {
  Steady::time_point scheduled, sent, acked;
  int status = 0;
};

// The owner's model as the TrainingQueue trains it (one intent per topic).
Result<std::shared_ptr<const nlu::Model>> OwnerModel(
    const std::vector<store::TopicContent>& topics) {
  nlu::LexiconSearch search;
  search.explicit_path = std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn";
  FAQBOT_ASSIGN_OR_RETURN(auto lexicon, nlu::OpenLexicon(search));
  nlu::TrainingData data;
  for (size_t i = 0; i < topics.size(); ++i) {
    nlu::Intent intent;
    intent.name = "topic_" + std::to_string(i + 1);
    intent.examples.push_back(topics[i].question);
    intent.examples.insert(intent.examples.end(), topics[i].phrasings.begin(),
                           topics[i].phrasings.end());
    intent.response = topics[i].answer;
    data.intents.push_back(std::move(intent));
  }
  return nlu::Model::Train(data, lexicon);
}

// The command line (see the top of this file).
struct AskBenchFlags {
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

AskBenchFlags ParseFlags(int argc, char** argv) {
  AskBenchFlags f;
  f.rate = std::atof(Flag(argc, argv, "rate", "200").c_str());
  f.seconds = std::atof(Flag(argc, argv, "seconds", "30").c_str());
  f.warmup = std::atof(Flag(argc, argv, "warmup", "3").c_str());
  f.askers = std::strtoul(Flag(argc, argv, "askers", "1000").c_str(), nullptr, 10);
  f.senders = std::atoi(Flag(argc, argv, "senders", "8").c_str());
  f.topics = std::strtoul(Flag(argc, argv, "topics", "20").c_str(), nullptr, 10);
  f.event_threads = Flag(argc, argv, "event-threads", "4");
  f.data = Flag(argc, argv, "data", bench::DefaultBanking77Dir());
  f.all_paraphrases = Flag(argc, argv, "all-paraphrases", "") == "1";
  f.keep = Flag(argc, argv, "keep", "") == "1";
  return f;
}

// The owner's topics and a pending publish, which `serve` runs as it starts.
Status SeedOwner(const std::string& db_url, const std::vector<store::TopicContent>& topics) {
  const store::UserRef owner{fixtures::kTeamId, kOwner};
  FAQBOT_ASSIGN_OR_RETURN(auto store, store::Store::Open(db_url, SystemClock::Instance()));
  for (const auto& content : topics) {
    FAQBOT_RETURN_IF_ERROR(store->AddTopic(owner, content).status());
  }
  return store->EnqueuePublish(owner).status();
}

// What the askers ask: by default only the paraphrases the owner's model answers (the same
// training as `serve`'s, deterministic): a question the bot is unsure of is handed off to the
// owner by DM, and those DMs all go to one channel, paced at 1/s (see docs/assistant.md).
struct Paraphrases {
  std::vector<std::string> texts;
  size_t declined = 0;  // of the test split, by the owner's model
};

Result<Paraphrases> ChooseParaphrases(const std::vector<bench::Category>& categories,
                                      const AskBenchFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto owner_model,
                          OwnerModel(bench::TopicsForOwner(categories, 0, f.topics)));
  Paraphrases chosen;
  for (size_t c : bench::CategoriesForOwner(categories.size(), 0, f.topics)) {
    for (const auto& text : categories[c].test) {
      const bool answers = !owner_model->Predict(text, 3).declined();
      if (!answers) ++chosen.declined;
      if (answers || f.all_paraphrases) chosen.texts.push_back(text);
    }
  }
  return chosen;
}

// Waits (20 s at most) for serve's reply to the owner's publish.
Status WaitForPublish(SlackEmulator& emulator) {
  const bool published = SlackEmulator::WaitFor(
      [&] {
        for (const auto& c : emulator.Calls("chat.postMessage")) {
          if (c.body.find("topics are now published") != std::string::npos) return true;
        }
        return false;
      },
      std::chrono::seconds(20));
  return published ? Status::Ok() : DeadlineExceededError("the owner's topics were not published");
}

// Every request body ahead of time, so the generator only signs and sends.
struct Asks {
  std::vector<std::string> bodies;
  std::vector<std::string> channels;  // the asker's DM channel of each body
  size_t warm = 0;                    // the first `warm` are the warm-up
};

Asks PrepareAsks(const AskBenchFlags& f, const std::vector<std::string>& paraphrases) {
  const size_t total = static_cast<size_t>(f.rate * (f.warmup + f.seconds));
  Asks asks;
  asks.warm = static_cast<size_t>(f.rate * f.warmup);
  asks.bodies.resize(total);
  asks.channels.resize(total);
  for (size_t i = 0; i < total; ++i) {
    const std::string asker = AskerId(i % f.askers);
    asks.channels[i] = "D" + asker.substr(1);
    const std::string ts = "1700000000." + std::to_string(100000 + i);
    asks.bodies[i] = slack_emulator::EncodeSignedBody(
        slack_emulator::SignedKind::kEvent,
        fixtures::EventCallback(
            fixtures::MessageImEvent(
                asker, asks.channels[i],
                "ask <@" + std::string(kOwner) + "> " + paraphrases[i % paraphrases.size()], ts),
            "EvASK" + std::to_string(i)));
  }
  return asks;
}

// The open-loop load: each ask sent at its scheduled time, whatever the ones before it did.
struct LoadRun {
  std::vector<Sent> sent;
  double cpu_at_measure = -1;  // serve's CPU seconds when the measured window starts
  double cpu_at_end = 0;
};

LoadRun SendAsks(const Asks& asks, const AskBenchFlags& f, const std::string& url, pid_t serve) {
  const size_t total = asks.bodies.size();
  const std::string content_type =
      slack_emulator::ContentTypeFor(slack_emulator::SignedKind::kEvent);
  LoadRun run;
  run.sent.resize(total);
  std::atomic<size_t> next{0};
  const auto interval =
      std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(1.0 / f.rate));
  const Steady::time_point start = Steady::now() + std::chrono::milliseconds(200);
  std::vector<std::thread> threads;
  for (int t = 0; t < f.senders; ++t) {
    threads.emplace_back([&] {
      Clock& clock = SystemClock::Instance();
      for (size_t i = next++; i < total; i = next++) {
        Sent& s = run.sent[i];
        s.scheduled = start + interval * static_cast<int64_t>(i);
        std::this_thread::sleep_until(s.scheduled);
        if (i == asks.warm) run.cpu_at_measure = bench::CpuSeconds(serve);
        s.sent = Steady::now();
        auto res =
            slack_emulator::PostSignedBody(url, content_type, asks.bodies[i], kSecret, clock);
        s.acked = Steady::now();
        s.status = res.ok() ? res->status : 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  run.cpu_at_end = bench::CpuSeconds(serve);
  return run;
}

// The measured asks, each matched with its answer.
struct Tally {
  std::vector<double> latency, ack, late;  // ms
  size_t missing = 0, errors = 0, answered = 0, handed_off = 0;
};

// Per channel, answers arrive in the order of that channel's asks (5 s apart at 200/s).
Tally MatchAnswers(const Asks& asks, const std::vector<Sent>& sent,
                   const std::vector<slack_emulator::RecordedCall>& calls) {
  std::map<std::string, std::vector<const slack_emulator::RecordedCall*>> by_channel;
  for (const auto& c : calls) by_channel[c.args.value("channel", "")].push_back(&c);
  std::map<std::string, size_t> taken;
  Tally tally;
  for (size_t i = 0; i < sent.size(); ++i) {
    const Sent& s = sent[i];
    if (s.status != 200) ++tally.errors;
    auto& list = by_channel[asks.channels[i]];
    size_t& k = taken[asks.channels[i]];
    if (k >= list.size()) {
      ++tally.missing;
      continue;
    }
    const slack_emulator::RecordedCall* reply = list[k++];
    if (i < asks.warm) continue;
    tally.latency.push_back(Ms(reply->arrival - s.sent));
    tally.ack.push_back(Ms(s.acked - s.sent));
    tally.late.push_back(Ms(s.sent - s.scheduled));
    if (reply->body.find(" says - ") != std::string::npos) {
      ++tally.answered;
    } else {
      ++tally.handed_off;
    }
  }
  return tally;
}

void PrintReport(const AskBenchFlags& f, const Asks& asks, const LoadRun& run, const Tally& t,
                 size_t rss) {
  const size_t total = asks.bodies.size();
  const double window =
      std::chrono::duration<double>(run.sent.back().sent - run.sent[asks.warm].sent).count();
  std::printf(
      "ask latency: %.0f asks/s target for %.0f s (after %.0f s warm-up), %zu askers, %d sender "
      "threads, %zu topics, serve --event-threads %s\n",
      f.rate, f.seconds, f.warmup, f.askers, f.senders, f.topics, f.event_threads.c_str());
  std::printf(
      "achieved send rate %.1f/s over %.1f s; %zu asks measured, %zu answered, %zu "
      "handed off, %zu without reply, %zu non-200\n",
      static_cast<double>(total - asks.warm - 1) / window, window, t.latency.size(), t.answered,
      t.handed_off, t.missing, t.errors);
  bench::PrintSummary("ask sent -> answer chat.postMessage", bench::Summarize(t.latency));
  bench::PrintSummary("ask sent -> HTTP ack", bench::Summarize(t.ack));
  bench::PrintSummary("send lateness vs schedule", bench::Summarize(t.late));
  const double cpu = run.cpu_at_end - run.cpu_at_measure;
  std::printf("serve: cpu %.2f s during the measured window (%.0f%% of one core), VmRSS %.1f MiB\n",
              cpu, 100.0 * cpu / window, static_cast<double>(rss) / (1 << 20));
}

Status Run(const AskBenchFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto categories, bench::ReadBanking77(f.data));
  bench::RunDir dir("faqbot-ask-bench");
  if (f.keep) dir.Keep();
  SlackEmulator emulator;
  FAQBOT_RETURN_IF_ERROR(emulator.Start());
  FAQBOT_RETURN_IF_ERROR(
      SeedOwner(dir.database_url(), bench::TopicsForOwner(categories, 0, f.topics)));
  FAQBOT_ASSIGN_OR_RETURN(const Paraphrases paraphrases, ChooseParaphrases(categories, f));
  std::printf("paraphrases: %zu asked (%zu of the test split declined by the model%s)\n",
              paraphrases.texts.size(), paraphrases.declined,
              f.all_paraphrases ? ", asked too" : ", left out");

  FAQBOT_ASSIGN_OR_RETURN(auto serve, bench::ServeProcess::Start(bench::ServeOptionsFor(
                                          dir, emulator.base_url(), kSecret, f.event_threads)));
  FAQBOT_RETURN_IF_ERROR(WaitForPublish(emulator));
  emulator.ClearCalls();

  const Asks asks = PrepareAsks(f, paraphrases.texts);
  const LoadRun run = SendAsks(asks, f, serve->Url("/slack/events"), serve->pid());
  // Every answer, or 10 s of silence after the last request.
  SlackEmulator::WaitFor(
      [&] { return emulator.Calls("chat.postMessage").size() >= asks.bodies.size(); },
      std::chrono::seconds(10));
  const size_t rss = bench::ResidentBytes(serve->pid());
  const Tally tally = MatchAnswers(asks, run.sent, emulator.Calls("chat.postMessage"));
  PrintReport(f, asks, run, tally, rss);
  serve->Stop();
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  faqbot::InitLogging(faqbot::LogFormat::kText, "warn");
  const faqbot::Status status = Run(ParseFlags(argc, argv));
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
