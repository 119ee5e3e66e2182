#include "assistant/topics.h"

#include <algorithm>

#include "common/string_util.h"
#include "store/limits.h"

namespace faqbot::assistant {

Topics::Topics(store::Store& store, ModelRegistry& registry, TrainingQueue& training)
    : store_(store), registry_(registry), training_(training) {}

void Topics::SetObserver(ChangeObserver observer) {
  std::lock_guard lock(observer_mu_);
  observer_ = std::move(observer);
}

Result<std::vector<store::Topic>> Topics::List(const store::UserRef& owner) {
  return store_.ListTopics(owner);
}

template <typename T>
T Topics::Announce(const store::UserRef& owner, T result) {
  if (!result.ok()) return result;
  ChangeObserver observer;
  {
    std::lock_guard lock(observer_mu_);
    observer = observer_;
  }
  if (observer) observer(owner);
  return result;
}

namespace {

bool Has(const store::TopicContent& content, const std::string& text) {
  return content.question == text ||
         std::find(content.phrasings.begin(), content.phrasings.end(), text) !=
             content.phrasings.end();
}

// The phrasings of `content` without repeats of the question or of one another, in order.
std::vector<std::string> DistinctPhrasings(const store::TopicContent& content) {
  store::TopicContent kept{content.question, {}, ""};
  for (const auto& p : content.phrasings) {
    if (!Has(kept, p)) kept.phrasings.push_back(p);
  }
  return kept.phrasings;
}

}  // namespace

Result<store::Topic> Topics::Add(const store::UserRef& owner, const store::TopicContent& content) {
  store::TopicContent distinct = content;
  distinct.phrasings = DistinctPhrasings(content);
  return Announce(owner, store_.AddTopic(owner, distinct));
}

Result<store::Topic> Topics::Edit(const store::UserRef& owner, int64_t id,
                                  const store::TopicContent& content) {
  store::TopicEdit edit;
  edit.question = content.question;
  edit.phrasings = DistinctPhrasings(content);
  edit.answer = content.answer;
  if (!content.name.empty()) edit.name = content.name;
  return Announce(owner, store_.UpdateTopic(owner, id, edit));
}

Result<store::Topic> Topics::SetQuestion(const store::UserRef& owner, int64_t id,
                                         const std::string& question) {
  store::TopicEdit edit;
  edit.question = question;
  return Announce(owner, store_.UpdateTopic(owner, id, edit));
}

Result<store::Topic> Topics::SetAnswer(const store::UserRef& owner, int64_t id,
                                       const std::string& answer) {
  store::TopicEdit edit;
  edit.answer = answer;
  return Announce(owner, store_.UpdateTopic(owner, id, edit));
}

Result<store::Topic> Topics::AddPhrasing(const store::UserRef& owner, int64_t id,
                                         const std::string& phrasing) {
  FAQBOT_ASSIGN_OR_RETURN(auto topic, store_.GetTopic(owner, id));
  if (!topic) return NotFoundError("topic " + std::to_string(id) + " not found");
  if (Has(topic->content, phrasing)) return *topic;
  store::TopicEdit edit;
  edit.phrasings = topic->content.phrasings;
  edit.phrasings->push_back(phrasing);
  return Announce(owner, store_.UpdateTopic(owner, id, edit));
}

Result<store::Topic> Topics::RemovePhrasing(const store::UserRef& owner, int64_t id, size_t index,
                                            const std::optional<std::string>& shown) {
  FAQBOT_ASSIGN_OR_RETURN(auto topic, store_.GetTopic(owner, id));
  if (!topic) return NotFoundError("topic " + std::to_string(id) + " not found");
  const auto& phrasings = topic->content.phrasings;
  if (shown && (index >= phrasings.size() || phrasings[index] != *shown)) {
    const auto it = std::find(phrasings.begin(), phrasings.end(), *shown);
    index = it == phrasings.end() ? phrasings.size() : static_cast<size_t>(it - phrasings.begin());
  }
  if (index >= phrasings.size()) return NotFoundError("that phrasing is gone already");
  store::TopicEdit edit;
  edit.phrasings = topic->content.phrasings;
  edit.phrasings->erase(edit.phrasings->begin() + static_cast<std::ptrdiff_t>(index));
  return Announce(owner, store_.UpdateTopic(owner, id, edit));
}

Result<store::Topic> Topics::SetName(const store::UserRef& owner, int64_t id,
                                     const std::string& name) {
  store::TopicEdit edit;
  edit.name = name;
  return Announce(owner, store_.UpdateTopic(owner, id, edit));
}

Status Topics::Delete(const store::UserRef& owner, int64_t id) {
  return Announce(owner, store_.DeleteTopic(owner, id));
}

Result<int> Topics::DeleteAll(const store::UserRef& owner) {
  return Announce(owner, store_.DeleteAllTopics(owner));
}


void Topics::Published(const store::UserRef& owner) { (void)Announce(owner, Status::Ok()); }

Result<store::TopicsImported> Topics::Import(const store::UserRef& owner,
                                             const std::vector<store::TopicContent>& topics,
                                             bool replace) {
  return Announce(owner, store_.ImportTopics(owner, topics, replace));
}

Result<PublishRequest> Topics::Publish(const store::UserRef& owner, bool schedule) {
  PublishRequest request;
  FAQBOT_ASSIGN_OR_RETURN(auto topics, store_.ListTopics(owner));
  for (const auto& t : topics) {
    if (store::NeedsAnswer(t.content)) {
      ++request.needs_answer;
    } else {
      ++request.topics;
    }
  }
  FAQBOT_ASSIGN_OR_RETURN(request.enqueued, training_.Enqueue(owner, schedule));
  return Announce(owner, Result<PublishRequest>(std::move(request)));
}

Result<Learned> Topics::Learn(const store::UserRef& owner, const store::Topic& draft,
                              const TrainingQueue::LiveChange& change) {
  Learned learned{draft, std::nullopt};
  // A draft without an answer has nothing to say yet: it waits for an answer and a publish.
  if (store::NeedsAnswer(draft.content)) return learned;
  FAQBOT_ASSIGN_OR_RETURN(auto settings, store_.GetOwnerSettings(owner));
  if (!settings.learn) return learned;
  FAQBOT_ASSIGN_OR_RETURN(learned.live, training_.Amend(owner, change));
  return Announce(owner, Result<Learned>(std::move(learned)));
}

Result<Learned> Topics::MergeInto(const store::UserRef& owner, int64_t from, int64_t into) {
  if (from == into) return InvalidArgumentError("a topic cannot be merged into itself");
  FAQBOT_ASSIGN_OR_RETURN(auto topic, store_.GetTopic(owner, from));
  if (!topic) return NotFoundError("topic " + std::to_string(from) + " is not one of yours");
  std::vector<std::string> ways = {topic->content.question};
  ways.insert(ways.end(), topic->content.phrasings.begin(), topic->content.phrasings.end());
  FAQBOT_ASSIGN_OR_RETURN(Learned learned, LearnPhrasings(owner, into, ways));
  FAQBOT_RETURN_IF_ERROR(Delete(owner, from));
  return learned;
}

Result<Learned> Topics::LearnPhrasing(const store::UserRef& owner, int64_t id,
                                      const std::string& phrasing) {
  return LearnPhrasings(owner, id, {phrasing});
}

Result<Learned> Topics::LearnPhrasings(const store::UserRef& owner, int64_t id,
                                       const std::vector<std::string>& phrasings) {
  if (phrasings.empty()) return InvalidArgumentError("no phrasing to learn");
  store::Topic draft;
  for (const auto& phrasing : phrasings) {
    FAQBOT_ASSIGN_OR_RETURN(draft, AddPhrasing(owner, id, phrasing));
  }
  if (store::NeedsAnswer(draft.content)) return Learned{draft, std::nullopt};
  // Already live with these words (asked again, or pressed twice): nothing to train.
  FAQBOT_ASSIGN_OR_RETURN(auto current, store_.GetLivePublication(owner, false));
  if (current) {
    for (const auto& t : current->topics) {
      if (t.topic_id == id && std::all_of(phrasings.begin(), phrasings.end(),
                                          [&](const std::string& p) { return Has(t.content, p); }))
        return Learned{draft, current};
    }
  }
  // One change of the live publication for all of them: one retrain, one new version.
  return LearnIntoLiveTopic(owner, draft, [&](store::PublishedTopic& t) {
    for (const auto& phrasing : phrasings) {
      if (Has(t.content, phrasing)) continue;
      if (t.content.phrasings.size() >= store::kMaxPhrasings) {
        return ResourceExhaustedError("the topic already has " +
                                      std::to_string(store::kMaxPhrasings) + " phrasings");
      }
      t.content.phrasings.push_back(phrasing);
    }
    return Status::Ok();
  });
}

Result<Learned> Topics::LearnIntoLiveTopic(
    const store::UserRef& owner, const store::Topic& draft,
    const std::function<Status(store::PublishedTopic&)>& edit) {
  bool is_live = false;
  auto learned = Learn(owner, draft, [&](const std::vector<store::PublishedTopic>& live) {
    std::vector<store::PublishedTopic> next = live;
    for (auto& t : next) {
      if (t.topic_id != draft.id) continue;
      is_live = true;
      if (Status edited = edit(t); !edited.ok()) {
        return Result<std::vector<store::PublishedTopic>>(std::move(edited));
      }
    }
    if (!is_live) {
      return Result<std::vector<store::PublishedTopic>>(
          FailedPreconditionError("the topic is not live"));
    }
    return Result<std::vector<store::PublishedTopic>>(std::move(next));
  });
  // A topic that is not live yet keeps the change as a draft; it goes live with the next
  // publish like the rest of the topic.
  if (!learned.ok() && !is_live && learned.status().code() == StatusCode::kFailedPrecondition) {
    return Learned{draft, std::nullopt};
  }
  return learned;
}

Result<Learned> Topics::UnlearnPhrasing(const store::UserRef& owner, int64_t id,
                                        const std::string& phrasing) {
  FAQBOT_ASSIGN_OR_RETURN(auto topic, store_.GetTopic(owner, id));
  if (!topic) return NotFoundError("topic " + std::to_string(id) + " not found");
  auto without = [&](std::vector<std::string> phrasings) {
    std::erase(phrasings, phrasing);
    return phrasings;
  };
  Learned unlearned{*topic, std::nullopt};
  if (std::find(topic->content.phrasings.begin(), topic->content.phrasings.end(), phrasing) !=
      topic->content.phrasings.end()) {
    store::TopicEdit edit;
    edit.phrasings = without(topic->content.phrasings);
    FAQBOT_ASSIGN_OR_RETURN(unlearned.topic, store_.UpdateTopic(owner, id, edit));
  }
  FAQBOT_ASSIGN_OR_RETURN(auto current, store_.GetLivePublication(owner, false));
  const bool live_has =
      current && std::any_of(current->topics.begin(), current->topics.end(), [&](const auto& t) {
        return t.topic_id == id && without(t.content.phrasings) != t.content.phrasings;
      });
  if (live_has) {
    FAQBOT_ASSIGN_OR_RETURN(
        unlearned.live, training_.Amend(owner, [&](const std::vector<store::PublishedTopic>& live) {
          std::vector<store::PublishedTopic> next = live;
          for (auto& t : next) {
            if (t.topic_id == id) t.content.phrasings = without(t.content.phrasings);
          }
          return Result<std::vector<store::PublishedTopic>>(std::move(next));
        }));
  }
  return Announce(owner, Result<Learned>(std::move(unlearned)));
}

Result<Learned> Topics::LearnTopic(const store::UserRef& owner,
                                   const store::TopicContent& content) {
  FAQBOT_ASSIGN_OR_RETURN(store::Topic draft, Add(owner, content));
  return LiveAsItIs(owner, draft);
}

Result<Learned> Topics::LearnAnswer(const store::UserRef& owner, int64_t id,
                                    const std::string& answer) {
  if (IsBlankText(answer)) return InvalidArgumentError("an empty answer");
  FAQBOT_ASSIGN_OR_RETURN(store::Topic draft, SetAnswer(owner, id, answer));
  return LearnIntoLiveTopic(owner, draft, [&](store::PublishedTopic& t) {
    t.content.answer = answer;
    return Status::Ok();
  });
}

Result<Learned> Topics::LearnStoredTopic(const store::UserRef& owner, int64_t id) {
  FAQBOT_ASSIGN_OR_RETURN(auto topic, store_.GetTopic(owner, id));
  if (!topic) return NotFoundError("topic " + std::to_string(id) + " not found");
  return LiveAsItIs(owner, *topic);
}

Result<Learned> Topics::LiveAsItIs(const store::UserRef& owner, const store::Topic& draft) {
  return Learn(owner, draft, [&](const std::vector<store::PublishedTopic>& live) {
    std::vector<store::PublishedTopic> next = live;
    std::erase_if(next, [&](const store::PublishedTopic& t) { return t.topic_id == draft.id; });
    next.push_back({draft.id, draft.content});
    return Result<std::vector<store::PublishedTopic>>(std::move(next));
  });
}

Result<store::OwnerSettings> Topics::Settings(const store::UserRef& owner) {
  return store_.GetOwnerSettings(owner);
}

Status Topics::SetLearning(const store::UserRef& owner, bool learn) {
  FAQBOT_ASSIGN_OR_RETURN(auto settings, store_.GetOwnerSettings(owner));
  settings.learn = learn;
  return store_.SetOwnerSettings(owner, settings);
}

std::optional<LiveMatch> Topics::Match(const store::UserRef& owner, const std::string& question,
                                       float min_confidence) {
  auto model = registry_.Get(owner);
  if (!model.ok()) return std::nullopt;
  const nlu::Prediction prediction = (*model)->Predict(question, 1);
  if (prediction.declined() || prediction.confidence < min_confidence) return std::nullopt;
  auto live = store_.GetLivePublication(owner, false);
  if (!live.ok() || !live->has_value()) return std::nullopt;
  const std::optional<int64_t> topic_id = TopicIdOfIntent(prediction.intent);
  for (const auto& t : (*live)->topics) {
    if (topic_id == t.topic_id) return LiveMatch{t, prediction.confidence};
  }
  return std::nullopt;
}

}  // namespace faqbot::assistant
