#include "app/runtime.h"

#include <unistd.h>

#include <thread>

#include "common/logging.h"
#include "nlu/lexicon_builder.h"
#include "store/postgres_backend.h"

namespace faqbot::app {

std::string DefaultWorkerName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string name;
  for (const char* p = host; *p; ++p) {
    const char c = *p;
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-';
    name.push_back(ok ? c : '-');
  }
  if (name.empty()) name = "faqbot";
  if (name.size() > 40) name.resize(40);
  return name + "-" + std::to_string(getpid());
}

Result<std::unique_ptr<AssistantRuntime>> AssistantRuntime::Create(const RuntimeOptions& options,
                                                                   assistant::Messenger& messenger,
                                                                   Clock& clock) {
  std::unique_ptr<AssistantRuntime> rt(new AssistantRuntime());
  auto opened = store::Store::Open(options.database_url, clock);
  if (!opened.ok()) {
    // Named, as the store commands name it (a password redacted): which file or server failed.
    return opened.status().WithContext("database " +
                                       store::PostgresBackend::RedactUrl(options.database_url));
  }
  rt->store_ = std::move(opened).value();
  rt->console_auth_ = std::make_unique<server::ConsoleAuth>(*rt->store_);

  nlu::LexiconSearch search;
  search.explicit_path = options.lexicon_path;
  FAQBOT_ASSIGN_OR_RETURN(auto lexicon, nlu::OpenLexicon(search));
  FAQBOT_ASSIGN_OR_RETURN(rt->concierge_, assistant::ConciergeNlu::Create(lexicon));

  assistant::ModelRegistryOptions registry_options;
  registry_options.max_bytes = options.model_cache_bytes;
  store::Store* store = rt->store_.get();
  rt->registry_ = std::make_unique<assistant::ModelRegistry>(
      lexicon, [store](const assistant::OwnerKey& owner) { return store->LoadLiveModel(owner); },
      registry_options);

  // A publication went live (another process's, or on PostgreSQL also our own coming back):
  // forget a cached model older than it; the next ask reloads it.
  assistant::ModelRegistry* registry = rt->registry_.get();
  FAQBOT_RETURN_IF_ERROR(
      rt->store_->SubscribePublications([registry](const store::UserRef& owner, int64_t version) {
        if (owner.user_id.empty()) {
          registry->InvalidateAll();
        } else {
          registry->Invalidate(owner, version);
        }
      }));

  // Every live topic of every workspace, for questions asked of everyone.
  rt->workspace_ = std::make_unique<assistant::WorkspaceIndex>(lexicon);
  FAQBOT_RETURN_IF_ERROR(assistant::FollowPublications(*rt->store_, *rt->workspace_));

  rt->training_pool_ =
      std::make_unique<ThreadPool>(std::max<size_t>(1, options.training_threads), "training");
  assistant::TrainingQueueOptions training_options;
  training_options.worker = options.worker_name.empty() ? DefaultWorkerName() : options.worker_name;
  AssistantRuntime* self = rt.get();
  assistant::TrainingQueue::Callbacks callbacks;
  callbacks.published = [self](const store::Publication& p) { self->assistant_->OnPublished(p); };
  callbacks.failed = [self](const store::PublishJob& job, const std::string& error) {
    self->assistant_->OnPublishFailed(job, error);
  };
  rt->training_ = std::make_unique<assistant::TrainingQueue>(*rt->store_, *rt->registry_, lexicon,
                                                             *rt->training_pool_, clock, callbacks,
                                                             training_options);
  assistant::AssistantOptions assistant_options;
  assistant_options.threads = options.threads;
  if (!options.console_url.empty()) {
    assistant_options.console_link = [auth = rt->console_auth_.get(),
                                      url = options.console_url](const store::UserRef& owner)
        -> Result<std::string> {
      FAQBOT_ASSIGN_OR_RETURN(std::string secret, auth->CreateLink(owner));
      return server::ConsoleLoginUrl(url, secret);
    };
  }
  rt->assistant_ = std::make_unique<assistant::Assistant>(
      *rt->store_, messenger, *rt->registry_, *rt->training_, *rt->concierge_, clock,
      assistant_options, rt->workspace_.get());
  if (options.home_executor) {
    assistant::HomeTabOptions home_options;
    home_options.similar_topic_confidence = assistant_options.similar_topic_confidence;
    home_options.nearest_topics = [a = rt->assistant_.get()](const store::UserRef& owner) {
      return a->NearestLiveTopics(owner);
    };
    rt->home_ =
        std::make_unique<assistant::HomeTab>(*rt->store_, rt->assistant_->topics(), messenger,
                                             *options.home_executor, clock, home_options);
    assistant::HomeTab* home = rt->home_.get();
    rt->assistant_->topics().SetObserver([home](const store::UserRef& owner) {
      home->Refresh(owner);
    });
  }
  // Jobs left by an earlier run (or another process) start now.
  rt->training_->Poke();
  return rt;
}

AssistantRuntime::~AssistantRuntime() { Shutdown(); }

bool AssistantRuntime::WaitForTraining(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (training_pool_ && training_pool_->pending() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void AssistantRuntime::Shutdown() {
  if (training_) training_->Shutdown();
  if (training_pool_) training_pool_->Shutdown();
  // No change can come any more; the Home stops being refreshed before it goes.
  if (assistant_) assistant_->topics().SetObserver(nullptr);
}

}  // namespace faqbot::app
