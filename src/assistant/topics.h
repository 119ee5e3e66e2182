// Topics: the rules about an owner's topics, written once for every surface that changes them
// (the DM concierge today; the Home tab, the web console and the HTTP API call the same
// operations): add, change the question or the answer, add and remove phrasings, delete, and
// learn from a hand-off — a phrasing or a new topic that goes live at once, alone, while the
// owner's other drafts stay drafts. A topic whose answer is empty is a draft that needs an
// answer (store::NeedsAnswer): publishing and learning leave it out.
//
// Every operation takes the owner and touches only that owner's topics (another owner's topic id
// is NotFound). Edits change drafts; they reach askers with the next publish. Learning follows
// the owner's setting (OwnerSettings::learn): on, the change also goes live through
// TrainingQueue::Amend; off, it stays a draft like any edit.
//
// Every successful change — and a publish that completed (Published) — is announced to the one
// change observer, with the owner, on the calling thread, after the Store has the change: that
// is how the Home tab of the owner stays current whatever surface made the change.
//
// Errors: the Store's (Unavailable, InvalidArgument, ResourceExhausted for limits.h, NotFound).
// Thread-safe; holds no lock of its own (but a short one around the observer) and may block on
// the database and on training.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "assistant/model_registry.h"
#include "assistant/training_queue.h"
#include "common/status.h"
#include "store/store.h"

namespace faqbot::assistant {

// What a learning operation did.
struct Learned {
  store::Topic topic;  // the draft as it is now
  // The live publication that now holds the change; nullopt when it stays a draft (learning
  // off, or the topic is not live).
  std::optional<store::Publication> live;
};

// A live topic that already answers a question.
struct LiveMatch {
  store::PublishedTopic topic;
  float confidence = 0.0f;
};

// An owner's live topics nearest a question, best first (their live model's guesses), for the
// *It's …* buttons of a hand-off.
using NearestTopics =
    std::function<std::vector<store::PublishedTopic>(const std::string& question)>;

// What a publish request did.
struct PublishRequest {
  store::EnqueueResult enqueued;
  size_t topics = 0;        // topics the publish makes live (as the owner's topics are now)
  size_t needs_answer = 0;  // drafts it leaves out (store::NeedsAnswer)
};

class Topics {
 public:
  // Every reference must outlive the object.
  Topics(store::Store& store, ModelRegistry& registry, TrainingQueue& training);
  Topics(const Topics&) = delete;
  Topics& operator=(const Topics&) = delete;

  // Called with the owner after each change (see above). It runs on the thread that made the
  // change, often under that person's lock: it must only note or queue work, never block.
  using ChangeObserver = std::function<void(const store::UserRef& owner)>;
  // Sets the observer (replacing the previous one; an empty function removes it). Set it once
  // at wiring, before the surfaces start.
  void SetObserver(ChangeObserver observer);

  // The owner's topics, in the order they were added.
  Result<std::vector<store::Topic>> List(const store::UserRef& owner);
  Result<store::Topic> Add(const store::UserRef& owner, const store::TopicContent& content);
  // Replaces the question, the phrasings and the answer of topic `id` at once (a form's edit).
  // Phrasings repeating the question or one another are kept once.
  Result<store::Topic> Edit(const store::UserRef& owner, int64_t id,
                            const store::TopicContent& content);
  Result<store::Topic> SetQuestion(const store::UserRef& owner, int64_t id,
                                   const std::string& question);
  Result<store::Topic> SetAnswer(const store::UserRef& owner, int64_t id,
                                 const std::string& answer);
  // Renames the topic: the intent name clients see from the next publish on (export,
  // /model/parse). InvalidArgument for an invalid name (store/topic_name.h); AlreadyExists when
  // another of the owner's topics has it.
  Result<store::Topic> SetName(const store::UserRef& owner, int64_t id, const std::string& name);
  // Adds another phrasing. A text the topic already has (its question or a phrasing) changes
  // nothing, so a repeated request never duplicates one.
  Result<store::Topic> AddPhrasing(const store::UserRef& owner, int64_t id,
                                   const std::string& phrasing);
  // Removes the phrasing at `index` (0-based, in the topic's order). NotFound past the end.
  // With `shown` (the phrasing's text where the request was made, a page that may be older than
  // the last change): that phrasing, wherever it is now; NotFound when it is gone already.
  Result<store::Topic> RemovePhrasing(const store::UserRef& owner, int64_t id, size_t index,
                                      const std::optional<std::string>& shown = std::nullopt);
  Status Delete(const store::UserRef& owner, int64_t id);
  Result<int> DeleteAll(const store::UserRef& owner);

  // Writes `topics` (named, e.g. from topic_import.h) as the owner's in one transaction: a topic
  // of the same name keeps its id (and history) and takes the new content; new names are added;
  // with `replace`, the owner's other topics are deleted. Everything is checked before anything
  // is written. Drafts stay drafts until a publish. Errors: Store::ImportTopics's.
  Result<store::TopicsImported> Import(const store::UserRef& owner,
                                       const std::vector<store::TopicContent>& topics,
                                       bool replace);

  // Asks for the owner's topics to be published (TrainingQueue::Enqueue; the training starts at
  // once unless told not to: a caller that first tells the owner then pokes the queue) and says
  // how many it makes live and how many drafts without an answer it leaves out.
  Result<PublishRequest> Publish(const store::UserRef& owner, bool schedule = true);

  // "It's topic X": `phrasing` becomes a phrasing of topic `id` and, when the owner learns and
  // the topic is live, goes live at once (only it).
  Result<Learned> LearnPhrasing(const store::UserRef& owner, int64_t id,
                                const std::string& phrasing);
  // Makes topic `from` another way to ask topic `into` (a topic added that the live bot already
  // answers with `into`): its question and phrasings become `into`'s phrasings, as LearnPhrasings
  // does (live at once when the owner learns and `into` is live), and `from` is deleted; `into`'s
  // answer stays. NotFound when `from` is not the owner's (merged already: a second request
  // changes nothing) or `into` is not; InvalidArgument when they are the same topic.
  Result<Learned> MergeInto(const store::UserRef& owner, int64_t from, int64_t into);
  // Several phrasings of topic `id` at once, as LearnPhrasing (one change of the live
  // publication for all of them). InvalidArgument for none.
  Result<Learned> LearnPhrasings(const store::UserRef& owner, int64_t id,
                                 const std::vector<std::string>& phrasings);
  // *Undo* of "It's topic X": `phrasing` is no longer a phrasing of topic `id`, in the owner's
  // topics and, when the live topic has it, in the live publication at once (only it; whatever
  // the learning setting, since it may have gone live while learning was on). `live` is set when
  // the live publication changed. The topic's question itself is never removed. NotFound: no
  // such topic.
  Result<Learned> UnlearnPhrasing(const store::UserRef& owner, int64_t id,
                                  const std::string& phrasing);
  // An answer typed for a question asked in the very words of topic `id`'s question, after its
  // answer missed (👎): it becomes the topic's answer and, when the owner learns and the topic is
  // live, goes live at once (only the answer: the live topic's phrasings stay as they are live).
  // NotFound: no such topic; InvalidArgument: an empty answer.
  Result<Learned> LearnAnswer(const store::UserRef& owner, int64_t id, const std::string& answer);
  // "Answer it": a new topic that, when the owner learns, goes live at once (only it; with
  // nothing published yet, it becomes the whole live set).
  Result<Learned> LearnTopic(const store::UserRef& owner, const store::TopicContent& content);
  // Topic `id`, stored already, goes live as it is now, as LearnTopic's new topic does (its
  // published version replaced when it is live; nothing else changes). For an answer whose
  // topic was added by a process that stopped before making it live. NotFound: no such topic.
  Result<Learned> LearnStoredTopic(const store::UserRef& owner, int64_t id);

  // A publish of `owner` went live (the TrainingQueue callback): announces it to the observer.
  void Published(const store::UserRef& owner);

  Result<store::OwnerSettings> Settings(const store::UserRef& owner);
  Status SetLearning(const store::UserRef& owner, bool learn);

  // The live topic the owner's bot answers `question` with, when it is at least `min_confidence`
  // sure; nullopt when it declines, nothing is live, or the model cannot be loaded.
  std::optional<LiveMatch> Match(const store::UserRef& owner, const std::string& question,
                                 float min_confidence);

 private:
  // Returns `draft` with, when the owner learns, the live publication `change` made.
  Result<Learned> Learn(const store::UserRef& owner, const store::Topic& draft,
                        const TrainingQueue::LiveChange& change);
  // Learn with `edit` applied to the live version of `draft`'s topic (only it); when that topic
  // is not live, `draft` alone (the change waits for a publish).
  Result<Learned> LearnIntoLiveTopic(const store::UserRef& owner, const store::Topic& draft,
                                     const std::function<Status(store::PublishedTopic&)>& edit);
  // Learn with `draft` live as it is (added, or its published version replaced).
  Result<Learned> LiveAsItIs(const store::UserRef& owner, const store::Topic& draft);

  // Tells the observer; passes `result` through.
  template <typename T>
  T Announce(const store::UserRef& owner, T result);

  store::Store& store_;
  ModelRegistry& registry_;
  TrainingQueue& training_;
  std::mutex observer_mu_;
  ChangeObserver observer_;
};

}  // namespace faqbot::assistant
