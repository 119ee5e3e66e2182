// Test support for the end-to-end tests: a real `faqbot serve` child process, and a fixture base
// that acts as Slack towards it (signed HTTP to its port, or envelopes through the emulator's
// Socket Mode) and reads back what it sent Slack. Header-only: every member is small glue around
// the emulator, and the tests that include it are separate executables.
//
// Thread-safety: none; one test thread drives a SlackSide.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "fixtures.h"
#include "request_signer.h"
#include "slack_emulator.h"

namespace faqbot::e2e {

namespace fx = slack_emulator::fixtures;
using slack_emulator::SlackEmulator;

// A `faqbot serve` child process (FAQBOT_EXECUTABLE) on an ephemeral loopback port, its stderr
// appended to a log file. Killed with SIGKILL at destruction.
class ServeProcess {
 public:
  ~ServeProcess() { Kill(SIGKILL); }

  // Starts it and waits for the "listening on" line; returns its HTTP port (0 on failure).
  int Start(const std::vector<std::string>& env, const std::string& log_path,
            const std::vector<std::string>& extra_args = {}) {
    int out[2];
    if (pipe(out) != 0) return 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<std::string> args = {FAQBOT_EXECUTABLE, "--log-level", "info",   "serve",
                                     "--port",          "0",           "--bind", "127.0.0.1"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_copy = env;
    std::vector<char*> envp;
    for (auto& e : env_copy) envp.push_back(e.data());
    envp.push_back(nullptr);
    const int rc =
        posix_spawn(&pid_, FAQBOT_EXECUTABLE, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      pid_ = 0;
      return 0;
    }
    stdout_ = fdopen(out[0], "r");
    char line[512];
    while (std::fgets(line, sizeof line, stdout_)) {
      unsigned port = 0;
      if (std::sscanf(line, "faqbot serve: listening on http://127.0.0.1:%u", &port) == 1) {
        return static_cast<int>(port);
      }
    }
    return 0;
  }

  pid_t pid() const { return pid_; }

  // Sends `sig` and waits for the process; returns its wait status.
  int Kill(int sig) {
    if (pid_ <= 0) return 0;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    if (stdout_) std::fclose(stdout_);
    stdout_ = nullptr;
    return status;
  }

 private:
  pid_t pid_ = 0;
  std::FILE* stdout_ = nullptr;
};

// The environment of a `faqbot serve` speaking to `emulator` as Slack, on `database_url`, over
// signed HTTP with `signing_secret` or, when `socket_mode`, over the emulator's Socket Mode; the
// sanitizers' options are passed on.
inline std::vector<std::string> ServeEnvironment(const SlackEmulator& emulator,
                                                 const std::string& database_url,
                                                 const std::string& signing_secret,
                                                 bool socket_mode) {
  std::vector<std::string> env = {
      "SLACK_BOT_TOKEN=xoxb-emulator-bot-token",
      "SLACK_SIGNING_SECRET=" + signing_secret,
      "FAQBOT_SLACK_API_URL=" + emulator.base_url(),
      "FAQBOT_DATABASE_URL=" + database_url,
      "FAQBOT_LEXICON=" + std::string(FAQBOT_BINARY_DIR) + "/lexicon.fwn",
      "PATH=/usr/bin:/bin",
  };
  if (socket_mode) env.push_back("SLACK_APP_TOKEN=xapp-1-emulator-app-token");
  for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
  }
  return env;
}

// A fixture base acting as Slack and as people towards the `faqbot serve` on `port_` (HTTP) or
// connected to `emulator_` (Socket Mode). The deriving fixture starts the emulator and the
// process and sets `socket_mode_`, `port_`, `database_url_` and `log_`.
class SlackSide {
 protected:
  static constexpr const char* kSecret = "e2e-signing-secret";

  bool socket_mode() const { return socket_mode_; }

  // ---- acting as Slack ----
  // The app's DM with `user`, as the emulator's conversations.open names it.
  static std::string DmChannel(const std::string& user) { return "D" + user.substr(1); }

  std::string NextTs() { return "1700000000." + std::to_string(100000 + ++ts_); }

  void SendEvent(const nlohmann::json& event) {
    const nlohmann::json callback = fx::EventCallback(event, "Ev" + std::to_string(++event_));
    if (socket_mode()) {
      emulator_.QueueEnvelope("events_api", callback);
      return;
    }
    auto r = slack_emulator::PostSigned(Url("/slack/events"), slack_emulator::SignedKind::kEvent,
                                        callback, kSecret, SystemClock::Instance());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  void Dm(const std::string& user, const std::string& text) {
    SendEvent(fx::MessageImEvent(user, DmChannel(user), text, NextTs()));
  }
  void Mention(const std::string& user, const std::string& channel, const std::string& text) {
    SendEvent(fx::AppMentionEvent(user, channel, text, NextTs()));
  }
  void Press(const std::string& user, const std::string& action_id, const std::string& value) {
    PressIn(user, action_id, value, DmChannel(user), NextTs());
  }
  // Presses a button of a message Slack really holds (so its replacement can be checked).
  void PressIn(const std::string& user, const std::string& action_id, const std::string& value,
               const std::string& channel, const std::string& message_ts) {
    const nlohmann::json payload = fx::BlockActionsButton(action_id, value, user, channel,
                                                          message_ts, emulator_.NewResponseUrl());
    if (socket_mode()) {
      emulator_.QueueEnvelope("interactive", payload);
      return;
    }
    auto r = slack_emulator::PostSigned(Url("/slack/interactive"),
                                        slack_emulator::SignedKind::kInteraction, payload, kSecret,
                                        SystemClock::Instance());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  // Returns the response_url the answer goes to.
  std::string Slash(const std::string& user, const std::string& text) {
    return SlashIn("/ask", user, "C0GENERAL", text);
  }
  std::string SlashIn(const std::string& command, const std::string& user,
                      const std::string& channel, const std::string& text) {
    const std::string response_url = emulator_.NewResponseUrl();
    const nlohmann::json payload = fx::SlashCommand(command, text, user, channel, response_url);
    if (socket_mode()) {
      emulator_.QueueEnvelope("slash_commands", payload, true);
    } else {
      auto r = slack_emulator::PostSigned(Url("/slack/commands"),
                                          slack_emulator::SignedKind::kSlashCommand, payload,
                                          kSecret, SystemClock::Instance());
      EXPECT_TRUE(r.ok()) << r.status();
      if (r.ok()) {
        EXPECT_EQ(r->status, 200) << r->body;
      }
    }
    return response_url;
  }
  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Imports Rasa YAML `yaml` as `owner`'s topics (in workspace `team`), as an owner does with
  // the CLI.
  void ImportTopics(const std::string& owner, const std::string& yaml,
                    const std::string& team = fx::kTeamId) {
    const std::string file = log_ + "." + owner + ".yml";
    std::FILE* out = std::fopen(file.c_str(), "w");
    ASSERT_NE(out, nullptr);
    std::fputs(yaml.c_str(), out);
    std::fclose(out);
    const std::string command = std::string(FAQBOT_EXECUTABLE) + " topics import --database '" +
                                database_url_ + "' --team " + team + " --owner " + owner + " '" +
                                file + "' > /dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::remove(file.c_str());
  }

  // A new API token of `owner`, as an operator makes one: the last line `faqbot token create`
  // prints. Empty on failure.
  std::string CreateToken(const std::string& owner) {
    const std::string command = std::string(FAQBOT_EXECUTABLE) + " token create --database '" +
                                database_url_ + "' --team " + fx::kTeamId + " --owner " + owner;
    std::FILE* out = popen(command.c_str(), "r");
    if (out == nullptr) return "";
    std::string last;
    char line[256];
    while (std::fgets(line, sizeof line, out)) last = line;
    if (pclose(out) != 0) return "";
    while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
    return last;
  }
  // POST /model/parse with Rasa's ?token= (the signing headers PostSignedBody adds are ignored).
  Result<slack_emulator::SignedResponse> ParseOverApi(const std::string& token,
                                                      const std::string& text) {
    return slack_emulator::PostSignedBody(Url("/model/parse?token=" + token), "application/json",
                                          nlohmann::json{{"text", text}}.dump(), kSecret,
                                          SystemClock::Instance());
  }

  // ---- what Slack received ----
  struct Posted {
    std::string channel;
    std::string ts;  // as Slack answered (chat.postMessage)
    std::string thread_ts;
    std::string text;  // the whole message, blocks included, as JSON text
    nlohmann::json args;
  };
  // Waits for the next message (chat.postMessage or a response_url post) containing `needle`
  // to `channel` ("" = any), after those already consumed; returns it.
  Posted Expect(const std::string& channel, const std::string& needle,
                std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto calls = emulator_.Calls();
      for (size_t i = 0; i < calls.size(); ++i) {
        const auto& c = calls[i];
        if (consumed_.count(i)) continue;
        if (c.method != "chat.postMessage" && c.method != "response_url") continue;
        Posted p;
        p.args = c.args;
        p.channel = c.args.value("channel", "");
        p.thread_ts = c.args.value("thread_ts", "");
        if (c.response.is_object()) p.ts = c.response.value("ts", "");
        p.text = c.args.dump();
        if (!channel.empty() && p.channel != channel) continue;
        if (p.text.find(needle) == std::string::npos) continue;
        consumed_.insert(i);
        return p;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "no message to '" << channel << "' containing '" << needle << "'; see "
                  << log_;
    return {};
  }
  // Waits for a chat.update of message `ts` in `channel` containing `needle`; returns its text
  // (blocks included, as JSON text).
  std::string ExpectUpdate(const std::string& channel, const std::string& ts,
                           const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& c : emulator_.Calls("chat.update")) {
        const std::string text = c.args.dump();
        if (c.args.value("channel", "") == channel && c.args.value("ts", "") == ts &&
            text.find(needle) != std::string::npos && c.response.value("ok", false)) {
          return text;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "no update of " << channel << "/" << ts << " containing '" << needle
                  << "'; see " << log_;
    return "";
  }
  // The value of the first button whose action_id starts with `action` in `message` (and whose
  // label contains `label`).
  static std::string ButtonValue(const Posted& message, const std::string& action,
                                 const std::string& label = "") {
    std::string value;
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
      if (!value.empty()) return;
      if (j.is_object()) {
        if (j.value("type", "") == "button" &&
            j.value("action_id", "").rfind(action + "#", 0) == 0 &&
            j.dump().find(label) != std::string::npos) {
          value = j.value("value", "");
          return;
        }
        for (const auto& [k, v] : j.items()) walk(v);
      } else if (j.is_array()) {
        for (const auto& v : j) walk(v);
      }
    };
    walk(message.args);
    return value;
  }

  // An interaction payload (block_actions, view_submission) as Slack sends it; returns the ack's
  // body (HTTP) or the ack's payload (Socket Mode), null when it has none.
  nlohmann::json Interact(const nlohmann::json& payload) {
    if (socket_mode()) {
      const std::string id = emulator_.QueueEnvelope("interactive", payload, true);
      nlohmann::json acked;
      EXPECT_TRUE(SlackEmulator::WaitFor(
          [&] {
            for (const auto& a : emulator_.Acks()) {
              if (a.envelope_id == id) {
                acked = a.payload;
                return true;
              }
            }
            return false;
          },
          std::chrono::seconds(20)));
      return acked;
    }
    auto r = slack_emulator::PostSigned(Url("/slack/interactive"),
                                        slack_emulator::SignedKind::kInteraction, payload, kSecret,
                                        SystemClock::Instance());
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return nullptr;
    EXPECT_EQ(r->status, 200) << r->body;
    return r->body.empty() ? nlohmann::json() : nlohmann::json::parse(r->body, nullptr, false);
  }
  // Waits for the next views.publish (or views.open) call, after those already consumed, whose
  // arguments contain `needle` (and name `user`, for views.publish); returns its arguments.
  nlohmann::json ExpectView(const std::string& method, const std::string& user,
                            const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      auto calls = emulator_.Calls();
      for (size_t i = 0; i < calls.size(); ++i) {
        const auto& c = calls[i];
        if (consumed_.count(i) || c.method != method) continue;
        if (!user.empty() && c.args.value("user_id", "") != user) continue;
        if (c.args.dump().find(needle) == std::string::npos) continue;
        EXPECT_TRUE(c.response.value("ok", false)) << c.response.dump();
        consumed_.insert(i);
        return c.args;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "no " << method << " containing '" << needle << "'; see " << log_;
    return {};
  }
  // The value of the first button whose action_id starts with `action` in a view.
  static std::string ViewButtonValue(const nlohmann::json& args, const std::string& action) {
    Posted p;
    p.args = args;
    return ButtonValue(p, action);
  }

  SlackEmulator emulator_;
  bool socket_mode_ = false;
  std::string database_url_;
  std::string log_;
  int port_ = 0;
  int ts_ = 0;
  int event_ = 0;
  std::set<size_t> consumed_;
};

}  // namespace faqbot::e2e
