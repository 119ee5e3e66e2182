// TrainingQueue: publishing. An owner's publish request becomes a job in the Store; workers (tasks
// on an injected Executor) claim jobs, train the owner's model from the topics as they are at
// that moment, store model and live topic set in one transaction, swap the model in the
// ModelRegistry (questions in flight finish on the old one) and report the outcome through the
// callbacks (the assistant DMs the owner). Drafts that need an answer (store::NeedsAnswer) stay
// out of every publication. One owner's repeated requests coalesce into one training; a failure
// keeps the previous model live. A change that went live meanwhile (Amend: a learned phrasing) is
// never dropped by a publish that read the topics before it: the publish is trained again from
// the topics as they are now.
//
// Jobs live in the database, so a crash loses none: a job claimed by a dead process becomes
// claimable when its lease ends, and Poke (called by a timer) picks up such jobs and those of
// other processes. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "assistant/model_registry.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/repeated_warning.h"
#include "nlu/lexicon.h"
#include "nlu/matcher_options.h"
#include "nlu/model.h"
#include "nlu/training_data.h"
#include "store/store.h"

namespace faqbot::assistant {

// The intent name of topic `topic_id` in an owner's model ("topic_12"), and back: the topic id
// of an intent name, nullopt for any other name (nlu_fallback).
std::string TopicIntent(int64_t topic_id);
std::optional<int64_t> TopicIdOfIntent(std::string_view intent);

// An owner's topics as the engine's training data: one intent "topic_<id>" per topic, its
// question and phrasings as examples, its answer as the response.
nlu::TrainingData TopicsAsTrainingData(const std::vector<store::Topic>& topics);
nlu::TrainingData TopicsAsTrainingData(const std::vector<store::PublishedTopic>& topics);

// The intent names clients see (/model/parse, export): a model keeps "topic_<id>" inside; at
// the edge each becomes the topic's name (store::TopicContent::name) in the live publication
// the model was trained from. Immutable once built; thread-safe.
class IntentNames {
 public:
  explicit IntentNames(const std::vector<store::PublishedTopic>& topics);
  // Renames the intent and every ranking entry; other names (nlu_fallback) stay as they are.
  void Rename(nlu::Prediction& prediction) const;

 private:
  std::unordered_map<std::string, std::string> names_;
};

struct TrainingQueueOptions {
  // This process's name in job leases (host and pid make it unique).
  std::string worker = "faqbot";
  // How long a claimed job is ours; a training takes milliseconds, so this only matters when a
  // process dies holding a job.
  std::chrono::milliseconds lease{10'000};
  // Wait before retrying a job that failed for a transient reason (database hiccup).
  std::chrono::milliseconds retry_backoff{2'000};
  // Matcher settings of every trained model.
  nlu::MatcherOptions matcher;
};

class TrainingQueue {
 public:
  struct Callbacks {
    // A publication went live (its model is already serving).
    std::function<void(const store::Publication&)> published;
    // A publish failed for good; `error` is fit to show the owner. The previous model serves.
    std::function<void(const store::PublishJob&, const std::string& error)> failed;
  };

  // Every reference must outlive the queue.
  TrainingQueue(store::Store& store, ModelRegistry& registry,
                std::shared_ptr<const nlu::Lexicon> lexicon, Executor& executor, Clock& clock,
                Callbacks callbacks, TrainingQueueOptions options = {});
  ~TrainingQueue();  // Shutdown()
  TrainingQueue(const TrainingQueue&) = delete;
  TrainingQueue& operator=(const TrainingQueue&) = delete;

  // Records a publish request for `owner` (coalescing with a pending one) and, unless told not
  // to (the caller first tells the owner, then calls Poke), schedules a worker.
  // Errors: the Store's (the request was not recorded); FailedPrecondition after Shutdown.
  Result<store::EnqueueResult> Enqueue(const store::UserRef& owner, bool schedule = true);

  // Changes the owner's live publication at once, on the calling thread, without a publish job:
  // `change` gets the live topics (empty when nothing is live) and returns the topics to make
  // live; they are trained (extending the live model when the registry holds it: nlu::Model::
  // Extend), stored as the next live version (Store::AmendLivePublication) and swapped into the
  // registry. Only what `change` adds goes live; the owner's drafts stay
  // drafts. When another publish or amendment commits in between, reads and retries (3 times).
  // Errors: `change`'s, InvalidArgument (the topics cannot be trained), the Store's,
  // FailedPrecondition after Shutdown.
  using LiveChange = std::function<Result<std::vector<store::PublishedTopic>>(
      const std::vector<store::PublishedTopic>& live)>;
  Result<store::Publication> Amend(const store::UserRef& owner, const LiveChange& change);

  // Schedules a worker to look for claimable jobs (other processes' requests, retries, jobs of
  // dead workers). Cheap when there are none.
  void Poke();

  // Claims and runs jobs on the calling thread until none is claimable or the queue is shutting
  // down; returns how many ran. The workers the queue schedules run this.
  int Drain();

  // Stops scheduling workers and waits for running ones to finish their current job; workers
  // scheduled but not started do nothing when they run. Jobs not started stay in the Store for
  // the next start. Idempotent.
  void Shutdown();

 private:
  void Schedule();
  // Trains and publishes one claimed job.
  void Run(const store::PublishJob& job);
  // The model of `topics`; nullptr for none (an empty publication takes the bot down).
  Result<std::shared_ptr<const nlu::Model>> TrainTopics(
      const std::vector<store::PublishedTopic>& topics) const;
  // Makes a stored live publication serve: its model, or none for an empty one.
  void Install(const store::Publication& stored, std::shared_ptr<const nlu::Model> model);

  store::Store& store_;
  ModelRegistry& registry_;
  std::shared_ptr<const nlu::Lexicon> lexicon_;
  Executor& executor_;
  Clock& clock_;
  Callbacks callbacks_;
  TrainingQueueOptions options_;
  RepeatedWarning claim_warning_{clock_};  // "cannot claim a job", while the database is down

  // Shared with scheduled tasks, so a task that runs after the queue is gone touches only this.
  struct State {
    std::mutex mu;
    std::condition_variable idle;
    int running = 0;  // workers inside Drain
    bool stopping = false;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace faqbot::assistant
