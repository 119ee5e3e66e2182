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
#include <filesystem>
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

int Run(int argc, char** argv) {
  const double rate = std::atof(Flag(argc, argv, "rate", "200").c_str());
  const double seconds = std::atof(Flag(argc, argv, "seconds", "30").c_str());
  const double warmup = std::atof(Flag(argc, argv, "warmup", "3").c_str());
  const size_t askers = std::strtoul(Flag(argc, argv, "askers", "1000").c_str(), nullptr, 10);
  const int senders = std::atoi(Flag(argc, argv, "senders", "8").c_str());
  const size_t topics = std::strtoul(Flag(argc, argv, "topics", "20").c_str(), nullptr, 10);
  const std::string event_threads = Flag(argc, argv, "event-threads", "4");
  auto categories = bench::ReadBanking77(Flag(argc, argv, "data", bench::DefaultBanking77Dir()));
  if (!categories.ok()) {
    std::fprintf(stderr, "%s\n", categories.status().ToString().c_str());
    return 1;
  }

  char dir_template[] = "/tmp/faqbot-ask-bench-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string db_url = "sqlite:" + dir + "/faqbot.db";
  SlackEmulator emulator;
  if (!emulator.Start().ok()) return 1;
  const store::UserRef owner{fixtures::kTeamId, kOwner};
  {
    // The owner's topics and a pending publish, which `serve` runs as it starts.
    auto store = store::Store::Open(db_url, SystemClock::Instance());
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return 1;
    }
    for (const auto& content : bench::TopicsForOwner(*categories, 0, topics)) {
      if (!(*store)->AddTopic(owner, content).ok()) return 1;
    }
    if (!(*store)->EnqueuePublish(owner).ok()) return 1;
  }
  // By default only the paraphrases the owner's model answers (the same training as `serve`'s,
  // deterministic): a question the bot is unsure of is handed off to the owner by DM, and those
  // DMs all go to one channel, paced at 1/s (see docs/assistant.md).
  const bool all_paraphrases = Flag(argc, argv, "all-paraphrases", "") == "1";
  auto owner_model = OwnerModel(bench::TopicsForOwner(*categories, 0, topics));
  if (!owner_model.ok()) {
    std::fprintf(stderr, "%s\n", owner_model.status().ToString().c_str());
    return 1;
  }
  std::vector<std::string> paraphrases;
  size_t declined = 0;
  for (size_t c : bench::CategoriesForOwner(categories->size(), 0, topics)) {
    for (const auto& text : (*categories)[c].test) {
      const bool answers = !(*owner_model)->Predict(text, 3).declined();
      if (!answers) ++declined;
      if (answers || all_paraphrases) paraphrases.push_back(text);
    }
  }
  std::printf("paraphrases: %zu asked (%zu of the test split declined by the model%s)\n",
              paraphrases.size(), declined, all_paraphrases ? ", asked too" : ", left out");

  bench::ServeProcessOptions serve_options;
  serve_options.database_url = db_url;
  serve_options.slack_api_url = emulator.base_url();
  serve_options.signing_secret = kSecret;
  serve_options.log_path = dir + "/serve.log";
  serve_options.extra_args = {"--event-threads", event_threads};
  auto serve = bench::ServeProcess::Start(serve_options);
  if (!serve.ok()) {
    std::fprintf(stderr, "%s\n", serve.status().ToString().c_str());
    return 1;
  }
  if (!SlackEmulator::WaitFor(
          [&] {
            for (const auto& c : emulator.Calls("chat.postMessage")) {
              if (c.body.find("topics are now published") != std::string::npos) return true;
            }
            return false;
          },
          std::chrono::seconds(20))) {
    std::fprintf(stderr, "the owner's topics were not published\n");
    return 1;
  }
  emulator.ClearCalls();

  // Every request body ahead of time, so the generator only signs and sends.
  const size_t total = static_cast<size_t>(rate * (warmup + seconds));
  const size_t warm = static_cast<size_t>(rate * warmup);
  std::vector<std::string> bodies(total);
  std::vector<std::string> channels(total);
  for (size_t i = 0; i < total; ++i) {
    const std::string asker = AskerId(i % askers);
    channels[i] = "D" + asker.substr(1);
    const std::string ts = "1700000000." + std::to_string(100000 + i);
    bodies[i] = slack_emulator::EncodeSignedBody(
        slack_emulator::SignedKind::kEvent,
        fixtures::EventCallback(
            fixtures::MessageImEvent(
                asker, channels[i],
                "ask <@" + std::string(kOwner) + "> " + paraphrases[i % paraphrases.size()], ts),
            "EvASK" + std::to_string(i)));
  }
  const std::string content_type =
      slack_emulator::ContentTypeFor(slack_emulator::SignedKind::kEvent);
  const std::string url = (*serve)->Url("/slack/events");

  std::vector<Sent> sent(total);
  std::atomic<size_t> next{0};
  const auto interval =
      std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(1.0 / rate));
  const Steady::time_point start = Steady::now() + std::chrono::milliseconds(200);
  double cpu_at_measure = -1;
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t) {
    threads.emplace_back([&] {
      Clock& clock = SystemClock::Instance();
      for (size_t i = next++; i < total; i = next++) {
        Sent& s = sent[i];
        s.scheduled = start + interval * static_cast<int64_t>(i);
        std::this_thread::sleep_until(s.scheduled);
        if (i == warm) cpu_at_measure = bench::CpuSeconds((*serve)->pid());
        s.sent = Steady::now();
        auto res = slack_emulator::PostSignedBody(url, content_type, bodies[i], kSecret, clock);
        s.acked = Steady::now();
        s.status = res.ok() ? res->status : 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double cpu_at_end = bench::CpuSeconds((*serve)->pid());
  const Steady::time_point last_sent = sent.back().sent;

  // Every answer, or 10 s of silence after the last request.
  size_t answered_count = 0;
  SlackEmulator::WaitFor(
      [&] {
        answered_count = emulator.Calls("chat.postMessage").size();
        return answered_count >= total;
      },
      std::chrono::seconds(10));
  const size_t rss = bench::ResidentBytes((*serve)->pid());
  const auto calls = emulator.Calls("chat.postMessage");

  // Per channel, answers arrive in the order of that channel's asks (5 s apart at 200/s).
  std::map<std::string, std::vector<const slack_emulator::RecordedCall*>> by_channel;
  for (const auto& c : calls) by_channel[c.args.value("channel", "")].push_back(&c);
  std::map<std::string, size_t> taken;
  std::vector<double> latency, ack, late;
  size_t missing = 0, errors = 0, answered = 0, handed_off = 0;
  for (size_t i = 0; i < total; ++i) {
    const Sent& s = sent[i];
    if (s.status != 200) ++errors;
    auto& list = by_channel[channels[i]];
    size_t& k = taken[channels[i]];
    if (k >= list.size()) {
      ++missing;
      continue;
    }
    const slack_emulator::RecordedCall* reply = list[k++];
    if (i < warm) continue;
    latency.push_back(Ms(reply->arrival - s.sent));
    ack.push_back(Ms(s.acked - s.sent));
    late.push_back(Ms(s.sent - s.scheduled));
    if (reply->body.find(" says - ") != std::string::npos) {
      ++answered;
    } else {
      ++handed_off;
    }
  }
  const double window = std::chrono::duration<double>(last_sent - sent[warm].sent).count();
  std::printf(
      "ask latency: %.0f asks/s target for %.0f s (after %.0f s warm-up), %zu askers, %d sender "
      "threads, %zu topics, serve --event-threads %s\n",
      rate, seconds, warmup, askers, senders, topics, event_threads.c_str());
  std::printf(
      "achieved send rate %.1f/s over %.1f s; %zu asks measured, %zu answered, %zu "
      "handed off, %zu without reply, %zu non-200\n",
      static_cast<double>(total - warm - 1) / window, window, latency.size(), answered, handed_off,
      missing, errors);
  bench::PrintSummary("ask sent -> answer chat.postMessage", bench::Summarize(latency));
  bench::PrintSummary("ask sent -> HTTP ack", bench::Summarize(ack));
  bench::PrintSummary("send lateness vs schedule", bench::Summarize(late));
  std::printf("serve: cpu %.2f s during the measured window (%.0f%% of one core), VmRSS %.1f MiB\n",
              cpu_at_end - cpu_at_measure, 100.0 * (cpu_at_end - cpu_at_measure) / window,
              static_cast<double>(rss) / (1 << 20));
  (*serve)->Stop();
  if (Flag(argc, argv, "keep", "") == "1") {
    std::printf("kept %s (database, serve.log)\n", dir.c_str());
  } else {
    std::filesystem::remove_all(dir);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  faqbot::InitLogging(faqbot::LogFormat::kText, "warn");
  return Run(argc, argv);
}
