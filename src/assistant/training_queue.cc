#include "assistant/training_queue.h"

#include <algorithm>
#include <charconv>

#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "nlu/model.h"
#include "nlu/training_data.h"

namespace faqbot::assistant {

TrainingQueue::TrainingQueue(store::Store& store, ModelRegistry& registry,
                             std::shared_ptr<const nlu::Lexicon> lexicon, Executor& executor,
                             Clock& clock, Callbacks callbacks, TrainingQueueOptions options)
    : store_(store),
      registry_(registry),
      lexicon_(std::move(lexicon)),
      executor_(executor),
      clock_(clock),
      callbacks_(std::move(callbacks)),
      options_(std::move(options)) {}

TrainingQueue::~TrainingQueue() { Shutdown(); }

Result<store::EnqueueResult> TrainingQueue::Enqueue(const store::UserRef& owner, bool schedule) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping)
      return FailedPreconditionError("shutting down; publish again in a moment");
  }
  FAQBOT_ASSIGN_OR_RETURN(store::EnqueueResult result, store_.EnqueuePublish(owner));
  if (schedule) Schedule();
  return result;
}

void TrainingQueue::Poke() { Schedule(); }

void TrainingQueue::Schedule() {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping) return;
  }
  executor_.Post([this, state = state_] {
    {
      std::lock_guard lock(state->mu);
      if (state->stopping) return;  // the queue may be gone: touch nothing else
      ++state->running;
    }
    Drain();
    std::lock_guard lock(state->mu);
    --state->running;
    state->idle.notify_all();
  });
}

int TrainingQueue::Drain() {
  int ran = 0;
  while (true) {
    {
      std::lock_guard lock(state_->mu);
      if (state_->stopping) break;
    }
    auto job = store_.ClaimPublishJob(options_.worker, options_.lease);
    if (!job.ok()) {
      claim_warning_.Warn("training queue: cannot claim a job: " + job.status().ToString());
      break;  // the database is unavailable; Poke retries later
    }
    claim_warning_.Clear("training queue: claiming jobs again");
    if (!job->has_value()) break;
    LogDebug("training queue: claimed job {} of {}/{} (attempt {})", (*job)->id,
             (*job)->owner.team_id, (*job)->owner.user_id, (*job)->attempts);
    Run(**job);
    ++ran;
  }
  return ran;
}

void TrainingQueue::Shutdown() {
  std::unique_lock lock(state_->mu);
  state_->stopping = true;
  state_->idle.wait(lock, [&] { return state_->running == 0; });
}

namespace {

nlu::Intent IntentOf(int64_t topic_id, const store::TopicContent& content) {
  nlu::Intent intent;
  intent.name = TopicIntent(topic_id);
  intent.examples.push_back(content.question);
  intent.examples.insert(intent.examples.end(), content.phrasings.begin(),
                         content.phrasings.end());
  intent.response = content.answer;
  return intent;
}

// The topics a publish makes live: all but the drafts that need an answer.
std::vector<store::PublishedTopic> AsPublished(const std::vector<store::Topic>& topics) {
  std::vector<store::PublishedTopic> published;
  published.reserve(topics.size());
  for (const auto& t : topics) {
    if (!store::NeedsAnswer(t.content)) published.push_back({t.id, t.content});
  }
  return published;
}

constexpr int kAmendAttempts = 3;

}  // namespace

std::string TopicIntent(int64_t topic_id) { return "topic_" + std::to_string(topic_id); }

std::optional<int64_t> TopicIdOfIntent(std::string_view intent) {
  constexpr std::string_view kPrefix = "topic_";
  if (intent.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  int64_t id = 0;
  const char* first = intent.data() + kPrefix.size();
  const char* last = intent.data() + intent.size();
  auto [end, ec] = std::from_chars(first, last, id);
  if (ec != std::errc() || end != last || id <= 0) return std::nullopt;
  return id;
}

IntentNames::IntentNames(const std::vector<store::PublishedTopic>& topics) {
  names_.reserve(topics.size());
  for (const auto& t : topics) names_.emplace(TopicIntent(t.topic_id), t.content.name);
}

void IntentNames::Rename(nlu::Prediction& prediction) const {
  const auto rename = [&](std::string& intent) {
    if (auto it = names_.find(intent); it != names_.end() && !it->second.empty()) {
      intent = it->second;
    }
  };
  rename(prediction.intent);
  for (auto& ranked : prediction.ranking) rename(ranked.name);
}

nlu::TrainingData TopicsAsTrainingData(const std::vector<store::Topic>& topics) {
  nlu::TrainingData data;
  data.intents.reserve(topics.size());
  for (const auto& t : topics) data.intents.push_back(IntentOf(t.id, t.content));
  return data;
}

nlu::TrainingData TopicsAsTrainingData(const std::vector<store::PublishedTopic>& topics) {
  nlu::TrainingData data;
  data.intents.reserve(topics.size());
  for (const auto& t : topics) data.intents.push_back(IntentOf(t.topic_id, t.content));
  return data;
}

Result<std::shared_ptr<const nlu::Model>> TrainingQueue::TrainTopics(
    const std::vector<store::PublishedTopic>& topics) const {
  if (topics.empty()) return std::shared_ptr<const nlu::Model>();
  return nlu::Model::Train(TopicsAsTrainingData(topics), lexicon_, options_.matcher);
}

void TrainingQueue::Install(const store::Publication& stored,
                            std::shared_ptr<const nlu::Model> model) {
  if (model) {
    registry_.Publish(stored.owner, stored.version, std::move(model));
  } else {
    registry_.Invalidate(stored.owner, stored.version);  // nothing published: askers hear so
  }
}

Result<store::Publication> TrainingQueue::Amend(const store::UserRef& owner,
                                                const LiveChange& change) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping) return FailedPreconditionError("shutting down; try again in a moment");
  }
  Status last = Status::Ok();
  for (int attempt = 0; attempt < kAmendAttempts; ++attempt) {
    const int64_t started_at = clock_.UnixMillis();
    FAQBOT_ASSIGN_OR_RETURN(auto live, store_.GetLivePublication(owner, false));
    FAQBOT_ASSIGN_OR_RETURN(auto topics,
                            change(live ? live->topics : std::vector<store::PublishedTopic>{}));
    // Learning a phrasing extends the live model (what it analysed and, for a while, its
    // decline centre) rather than training from scratch, when this process serves it.
    std::shared_ptr<const nlu::Model> previous =
        live && !topics.empty() ? registry_.Cached(owner, live->version) : nullptr;
    FAQBOT_ASSIGN_OR_RETURN(
        auto model, previous ? nlu::Model::Extend(*previous, TopicsAsTrainingData(live->topics),
                                                  TopicsAsTrainingData(topics), options_.matcher)
                             : TrainTopics(topics));
    store::NewPublication publication;
    publication.started_at = started_at;
    if (model) publication.model = model->Serialize();
    publication.topics = std::move(topics);
    auto stored = store_.AmendLivePublication(owner, live ? live->version : 0, publication);
    if (stored.ok()) {
      Install(*stored, std::move(model));
      LogInfo("training queue: {}/{} amended live version {} ({} topics)", owner.team_id,
              owner.user_id, stored->version, stored->topics.size());
      return stored;
    }
    last = stored.status();
    if (last.code() != StatusCode::kAborted) break;  // only a lost race is worth another try
  }
  return last;
}

void TrainingQueue::Run(const store::PublishJob& job) {
  const auto fail = [&](const std::string& error, bool transient) {
    LogWarn("training queue: publish of {}/{} failed: {}", job.owner.team_id, job.owner.user_id,
            error);
    auto failed = store_.FailPublishJob(
        job, error,
        transient ? std::optional<std::chrono::milliseconds>(options_.retry_backoff)
                  : std::nullopt);
    if (!failed.ok()) {
      LogWarn("training queue: cannot record the failure of job {}: {}", job.id,
              failed.status().ToString());
      return;  // the lease will expire and the job will be tried again
    }
    if (failed->status == store::JobStatus::kFailed) {
      metrics::Faqbot().publish_jobs.With({"failed"}).Inc();
      if (callbacks_.failed) callbacks_.failed(*failed, error);
    }
    if (failed->status == store::JobStatus::kPending) Schedule();
  };

  // The live version is read before the topics: a learned phrasing that goes live (Amend) after
  // the topics were read makes the store refuse this publication, which is then rebuilt from
  // the topics as they are now, so a publish never drops what learning put live.
  std::shared_ptr<const nlu::Model> model;
  Result<store::Publication> stored = AbortedError("not tried");
  for (int attempt = 0; attempt < kAmendAttempts; ++attempt) {
    const int64_t started_at = clock_.UnixMillis();
    auto live = store_.GetLivePublication(job.owner, false);
    if (!live.ok()) return fail("cannot read the live topics: " + live.status().message(), true);
    const int64_t base_version = *live ? (*live)->version : 0;
    auto topics = store_.ListTopics(job.owner);
    if (!topics.ok()) return fail("cannot read the topics: " + topics.status().message(), true);
    store::NewPublication publication;
    publication.started_at = started_at;
    publication.topics = AsPublished(*topics);
    // No topics publishes an empty set: the bot goes down until the next publish.
    auto trained = TrainTopics(publication.topics);
    if (!trained.ok()) {
      return fail("the topics could not be trained: " + trained.status().message(),
                  trained.status().code() != StatusCode::kInvalidArgument);
    }
    model = std::move(trained).value();
    if (model) publication.model = model->Serialize();
    stored = store_.CompletePublishJob(job, publication, base_version);
    if (stored.status().code() != StatusCode::kFailedPrecondition) break;
    LogInfo("training queue: {}/{} learned something while publishing; training again",
            job.owner.team_id, job.owner.user_id);
  }
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kAborted) {
      LogWarn("training queue: job {} was taken over by another worker", job.id);
      return;
    }
    return fail("cannot store the model: " + stored.status().message(), true);
  }
  Install(*stored, std::move(model));
  const metrics::FaqbotMetrics& m = metrics::Faqbot();
  m.publish_jobs.With({"live"}).Inc();
  // enqueued_at is the Unix ms of the process that asked (this one, or another on the database).
  m.publish_seconds.With().Observe(
      static_cast<double>(std::max<int64_t>(0, clock_.UnixMillis() - job.enqueued_at)) / 1000.0);
  LogInfo("training queue: {}/{} now answers {} topics (version {})", job.owner.team_id,
          job.owner.user_id, stored->topics.size(), stored->version);
  if (callbacks_.published) callbacks_.published(*stored);
}

}  // namespace faqbot::assistant
