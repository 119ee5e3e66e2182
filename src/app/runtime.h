// AssistantRuntime: the assistant and everything it runs on, wired once for `faqbot serve` and
// `faqbot shell`: the Store, the shared lexicon, the concierge model, the registry of live
// models (loaded from the Store, invalidated when another process publishes), the workspace index
// of every live topic (kept in step with every publication), the training queue on its own
// worker threads, the web console's sign-in, the Assistant speaking through the given Messenger,
// and — given an executor for it — the Home tab, refreshed after every change of an owner's
// topics.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "assistant/assistant.h"
#include "assistant/concierge_nlu.h"
#include "assistant/home_tab.h"
#include "assistant/messenger.h"
#include "assistant/model_registry.h"
#include "assistant/training_queue.h"
#include "assistant/workspace_index.h"
#include "common/clock.h"
#include "common/executor.h"
#include "server/console_auth.h"
#include "store/store.h"

namespace faqbot::app {

struct RuntimeOptions {
  std::string database_url;  // resolved (flag, FAQBOT_DATABASE_URL, default)
  std::string lexicon_path;  // empty: the usual search (nlu/lexicon_builder.h)
  std::string worker_name;   // this process in job leases; empty: host-pid
  size_t training_threads = 1;
  size_t model_cache_bytes = size_t{512} << 20;
  // Runs the Home tab's refreshes (`faqbot serve`: the reply senders); nullptr: no Home tab
  // (`faqbot shell`). Must outlive the runtime.
  Executor* home_executor = nullptr;
  // The base URL of the web console (`faqbot serve`); empty: no console, and the assistant's
  // "open the web console" says how to get a link instead of making one.
  std::string console_url;
  // People can reply in a message's thread (Slack; not the terminal shell): the hand-off DM says
  // that a reply in its thread answers it (assistant::AssistantOptions::threads).
  bool threads = false;
};

class AssistantRuntime {
 public:
  // Opens everything. `messenger` and `clock` must outlive the runtime. Errors: the Store's
  // (Unavailable, InvalidArgument, …), the lexicon's.
  static Result<std::unique_ptr<AssistantRuntime>> Create(const RuntimeOptions& options,
                                                          assistant::Messenger& messenger,
                                                          Clock& clock);
  ~AssistantRuntime();  // Shutdown()
  AssistantRuntime(const AssistantRuntime&) = delete;
  AssistantRuntime& operator=(const AssistantRuntime&) = delete;

  assistant::Assistant& assistant() { return *assistant_; }
  assistant::TrainingQueue& training() { return *training_; }
  assistant::ModelRegistry& registry() { return *registry_; }
  assistant::WorkspaceIndex& workspace() { return *workspace_; }
  store::Store& store() { return *store_; }
  // nullptr without RuntimeOptions::home_executor.
  assistant::HomeTab* home() { return home_.get(); }
  // The web console's sign-in (links the assistant DMs, sessions the console checks).
  server::ConsoleAuth& console_auth() { return *console_auth_; }

  // Waits until the training workers have nothing queued or running (a publish just confirmed
  // has gone live and been reported), at most `timeout`; false when time ran out first.
  bool WaitForTraining(std::chrono::milliseconds timeout);

  // Finishes the training in progress and stops the workers; unstarted jobs stay in the Store.
  void Shutdown();

 private:
  AssistantRuntime() = default;

  // Declared first so it outlives the Store, whose publication listener updates it.
  std::unique_ptr<assistant::WorkspaceIndex> workspace_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<server::ConsoleAuth> console_auth_;
  std::unique_ptr<assistant::ConciergeNlu> concierge_;
  std::unique_ptr<assistant::ModelRegistry> registry_;
  std::unique_ptr<ThreadPool> training_pool_;
  std::unique_ptr<assistant::TrainingQueue> training_;
  std::unique_ptr<assistant::Assistant> assistant_;
  std::unique_ptr<assistant::HomeTab> home_;
};

// "host-pid", for job leases.
std::string DefaultWorkerName();

}  // namespace faqbot::app
