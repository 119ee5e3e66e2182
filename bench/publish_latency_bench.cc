// Publish latency end to end: a real `faqbot serve` (signed HTTP, SQLite) and the loopback Slack
// emulator. Each of N owners has T topics (BANKING77 texts); the owner DMs "publish", waits
// like a person (past the 1 s per-channel pacing of the question), presses "Yes, please."
// (block_actions, action_id "affirm#0"), and we time the arrival at the emulator of the
// chat.postMessage saying "topics are now published", from the moment the press was acked.
//
//   build/bench/publish_latency_bench [--publishes=50] [--topics=50] [--unpaced-channel]
//                                     [--data=DIR] [--event-threads=4]
//
// --unpaced-channel: the events name a DM channel other than the one conversations.open returns,
// so the published DM is not paced behind the "Ok, … published shortly" reply (diagnostic: shows
// the latency without the Web API client's per-channel pacing).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "bench_flags.h"
#include "bench_topics.h"
#include "common/clock.h"
#include "common/logging.h"
#include "fixtures.h"
#include "latency_stats.h"
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

constexpr char kSecret[] = "publish-bench-signing-secret";

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The first recorded chat.postMessage to `channel` whose body contains `text`.
std::optional<slack_emulator::RecordedCall> FindMessage(const SlackEmulator& emulator,
                                                        const std::string& channel,
                                                        const std::string& text) {
  for (auto& call : emulator.Calls("chat.postMessage")) {
    if (call.args.value("channel", "") == channel && call.body.find(text) != std::string::npos) {
      return call;
    }
  }
  return std::nullopt;
}

std::optional<slack_emulator::RecordedCall> WaitMessage(const SlackEmulator& emulator,
                                                        const std::string& channel,
                                                        const std::string& text) {
  std::optional<slack_emulator::RecordedCall> found;
  SlackEmulator::WaitFor([&] { return (found = FindMessage(emulator, channel, text)).has_value(); },
                         std::chrono::seconds(15));
  return found;
}

int Run(int argc, char** argv) {
  const int publishes = std::atoi(Flag(argc, argv, "publishes", "50").c_str());
  const size_t topics = std::strtoul(Flag(argc, argv, "topics", "50").c_str(), nullptr, 10);
  const bool unpaced = Flag(argc, argv, "unpaced-channel", "") == "1";
  const std::string event_threads = Flag(argc, argv, "event-threads", "4");
  auto categories = bench::ReadBanking77(Flag(argc, argv, "data", bench::DefaultBanking77Dir()));
  if (!categories.ok()) {
    std::fprintf(stderr, "%s\n", categories.status().ToString().c_str());
    return 1;
  }

  char dir_template[] = "/tmp/faqbot-publish-bench-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string db_url = "sqlite:" + dir + "/faqbot.db";
  const auto owner_id = [](int i) {
    char id[32];
    std::snprintf(id, sizeof id, "U0PUB%04d", i);
    return std::string(id);
  };

  slack_emulator::SlackEmulator emulator;
  if (!emulator.Start().ok()) return 1;
  {
    auto store = store::Store::Open(db_url, SystemClock::Instance());
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return 1;
    }
    for (int i = 0; i < publishes; ++i) {
      const store::UserRef owner{fixtures::kTeamId, owner_id(i)};
      emulator.AddUser({owner.user_id, "owner" + std::to_string(i), "Owner " + std::to_string(i),
                        "Owner " + std::to_string(i)});
      for (const auto& content : bench::TopicsForOwner(*categories, i, topics)) {
        auto added = (*store)->AddTopic(owner, content);
        if (!added.ok()) {
          std::fprintf(stderr, "seeding: %s\n", added.status().ToString().c_str());
          return 1;
        }
      }
    }
  }

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
  Clock& clock = SystemClock::Instance();

  std::vector<double> published_ms, ok_reply_ms, ready_ms, press_ack_ms;
  int failures = 0;
  for (int i = 0; i < publishes; ++i) {
    const std::string owner = owner_id(i);
    const std::string dm = std::string(unpaced ? "D1" : "D") + owner.substr(unpaced ? 2 : 1);
    emulator.ClearCalls();
    const std::string ts = "1700000000." + std::to_string(100000 + i);
    auto asked = slack_emulator::PostSigned(
        (*serve)->Url("/slack/events"), slack_emulator::SignedKind::kEvent,
        fixtures::EventCallback(fixtures::MessageImEvent(owner, dm, "publish", ts),
                                "EvPUBLISH" + std::to_string(i)),
        kSecret, clock);
    auto question = WaitMessage(emulator, dm, "Are you sure you want to publish");
    if (!asked.ok() || !question) {
      std::fprintf(stderr, "publish %d: no confirmation question\n", i);
      ++failures;
      continue;
    }
    // A person reads the question before pressing; also past its 1 s pacing slot.
    std::this_thread::sleep_until(question->arrival + std::chrono::milliseconds(1'200));
    const std::string message_ts = question->response.value("ts", ts);
    const Steady::time_point posted = Steady::now();
    auto pressed = slack_emulator::PostSigned(
        (*serve)->Url("/slack/interactive"), slack_emulator::SignedKind::kInteraction,
        fixtures::BlockActionsButton("affirm#0", "", owner, dm, message_ts,
                                     emulator.NewResponseUrl()),
        kSecret, clock);
    const Steady::time_point acked = Steady::now();
    auto published = WaitMessage(emulator, "D" + owner.substr(1), "topics are now published");
    if (!pressed.ok() || pressed->status != 200 || !published) {
      std::fprintf(stderr, "publish %d: no published DM\n", i);
      ++failures;
      continue;
    }
    press_ack_ms.push_back(Ms(acked - posted));
    published_ms.push_back(Ms(published->arrival - acked));
    if (auto ok = FindMessage(emulator, dm, "will be published shortly")) {
      ok_reply_ms.push_back(Ms(ok->arrival - acked));
    }
    for (const auto& open : emulator.Calls("conversations.open")) {
      if (open.args.value("users", "") == owner) ready_ms.push_back(Ms(open.arrival - acked));
    }
  }
  const double serve_cpu = bench::CpuSeconds((*serve)->pid());
  (*serve)->Stop();

  std::printf(
      "publish latency: %d publishes of %zu topics each, %s DM channel, serve pid cpu %.2f s\n",
      publishes, topics, unpaced ? "unpaced (event channel != opened DM)" : "real", serve_cpu);
  bench::PrintSummary("press posted -> acked", bench::Summarize(press_ack_ms));
  bench::PrintSummary("acked -> 'Ok, published shortly' reply", bench::Summarize(ok_reply_ms));
  bench::PrintSummary("acked -> conversations.open (DM ready)", bench::Summarize(ready_ms));
  bench::PrintSummary("acked -> 'topics are now published' DM", bench::Summarize(published_ms));
  std::printf("failures: %d\n", failures);
  if (Flag(argc, argv, "keep", "") == "1") {
    std::printf("kept %s (database, serve.log)\n", dir.c_str());
  } else {
    std::filesystem::remove_all(dir);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  faqbot::InitLogging(faqbot::LogFormat::kText, "warn");
  return Run(argc, argv);
}
