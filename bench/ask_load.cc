// The ask load of the end-to-end benchmarks (ask_load.h).
#include "ask_load.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <thread>

#include "bench_flags.h"
#include "common/clock.h"
#include "fixtures.h"
#include "latency_stats.h"
#include "nlu/lexicon_builder.h"
#include "nlu/model.h"
#include "nlu/training_data.h"
#include "request_signer.h"
#include "serve_process.h"
#include "store/store.h"

namespace faqbot::bench {
namespace {

using Steady = std::chrono::steady_clock;
namespace fixtures = slack_emulator::fixtures;
using slack_emulator::SlackEmulator;

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string AskerId(size_t i) {
  char id[32];
  std::snprintf(id, sizeof id, "U0ASK%04zu", i);
  return id;
}

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

// The CPU seconds of every process in `pids`, summed.
double TotalCpuSeconds(const std::vector<pid_t>& pids) {
  double total = 0;
  for (pid_t pid : pids) total += CpuSeconds(pid);
  return total;
}

}  // namespace

AskLoadFlags ParseAskLoadFlags(int argc, char** argv) {
  AskLoadFlags f;
  f.rate = std::atof(Flag(argc, argv, "rate", "200").c_str());
  f.seconds = std::atof(Flag(argc, argv, "seconds", "30").c_str());
  f.warmup = std::atof(Flag(argc, argv, "warmup", "3").c_str());
  f.askers = std::strtoul(Flag(argc, argv, "askers", "1000").c_str(), nullptr, 10);
  f.senders = std::atoi(Flag(argc, argv, "senders", "8").c_str());
  f.topics = std::strtoul(Flag(argc, argv, "topics", "20").c_str(), nullptr, 10);
  f.event_threads = Flag(argc, argv, "event-threads", "4");
  f.data = Flag(argc, argv, "data", DefaultBanking77Dir());
  f.all_paraphrases = Flag(argc, argv, "all-paraphrases", "") == "1";
  f.keep = Flag(argc, argv, "keep", "") == "1";
  return f;
}

Status SeedOwner(const std::string& db_url, const std::vector<store::TopicContent>& topics) {
  const store::UserRef owner{fixtures::kTeamId, kAskOwner};
  FAQBOT_ASSIGN_OR_RETURN(auto store, store::Store::Open(db_url, SystemClock::Instance()));
  for (const auto& content : topics) {
    FAQBOT_RETURN_IF_ERROR(store->AddTopic(owner, content).status());
  }
  return store->EnqueuePublish(owner).status();
}

Result<Paraphrases> ChooseParaphrases(const std::vector<Category>& categories,
                                      const AskLoadFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto owner_model, OwnerModel(TopicsForOwner(categories, 0, f.topics)));
  Paraphrases chosen;
  for (size_t c : CategoriesForOwner(categories.size(), 0, f.topics)) {
    for (const auto& text : categories[c].test) {
      const bool answers = !owner_model->Predict(text, 3).declined();
      if (!answers) ++chosen.declined;
      if (answers || f.all_paraphrases) chosen.texts.push_back(text);
    }
  }
  return chosen;
}

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

Asks PrepareAsks(const AskLoadFlags& f, const std::vector<std::string>& paraphrases) {
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
                "ask <@" + std::string(kAskOwner) + "> " + paraphrases[i % paraphrases.size()], ts),
            "EvASK" + std::to_string(i)));
  }
  return asks;
}

LoadRun SendAsks(const Asks& asks, const AskLoadFlags& f, const std::string& url,
                 const std::vector<pid_t>& serve) {
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
        if (i == asks.warm) run.cpu_at_measure = TotalCpuSeconds(serve);
        s.sent = Steady::now();
        auto res =
            slack_emulator::PostSignedBody(url, content_type, asks.bodies[i], kAskSecret, clock);
        s.acked = Steady::now();
        s.status = res.ok() ? res->status : 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  run.cpu_at_end = TotalCpuSeconds(serve);
  return run;
}

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
    if (tally.latency.size() == 1) tally.first_sent = s.sent;
    tally.last_answer = std::max(tally.last_answer, reply->arrival);
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

void PrintReport(const AskLoadFlags& f, const Asks& asks, const LoadRun& run, const Tally& t,
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
  const double answering = std::chrono::duration<double>(t.last_answer - t.first_sent).count();
  if (!t.latency.empty() && answering > 0) {
    std::printf("answered throughput: %.1f asks/s (measured asks / first sent -> last answer)\n",
                static_cast<double>(t.latency.size()) / answering);
  }
  PrintSummary("ask sent -> answer chat.postMessage", Summarize(t.latency));
  PrintSummary("ask sent -> HTTP ack", Summarize(t.ack));
  PrintSummary("send lateness vs schedule", Summarize(t.late));
  const double cpu = run.cpu_at_end - run.cpu_at_measure;
  std::printf(
      "serve: cpu %.2f s during the measured window (%.0f%% of one core), VmRSS %.1f MiB (all "
      "processes)\n",
      cpu, 100.0 * cpu / window, static_cast<double>(rss) / (1 << 20));
}

void WaitForAnswers(const SlackEmulator& emulator, const Asks& asks) {
  SlackEmulator::WaitFor(
      [&] { return emulator.Calls("chat.postMessage").size() >= asks.bodies.size(); },
      std::chrono::seconds(10));
}

}  // namespace faqbot::bench
