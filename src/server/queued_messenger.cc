#include "server/queued_messenger.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "common/logging.h"

namespace faqbot::server {
namespace {

std::string Describe(const assistant::Destination& to) {
  using Kind = assistant::Destination::Kind;
  switch (to.kind) {
    case Kind::kDirect:
      return "a DM to " + to.user.team_id + "/" + to.user.user_id;
    case Kind::kChannel:
      return "channel " + to.channel;
    case Kind::kEphemeral:
      return "an ephemeral message to " + to.user.user_id + " in " + to.channel;
    case Kind::kResponse:
      return "a response_url";
    case Kind::kUpdate:
      return "an update of message " + to.ts + " in " + to.channel;
  }
  return "?";
}

}  // namespace

QueuedMessenger::QueuedMessenger(assistant::Messenger& inner, ConversationKey key_of,
                                 Executor& executor, QueuedMessengerOptions options)
    : inner_(inner), key_of_(std::move(key_of)), executor_(executor), options_(options) {}

QueuedMessenger::~QueuedMessenger() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return conversations_.empty() && !looking_up_; });
}

Status QueuedMessenger::Send(const assistant::Destination& to, const assistant::Reply& reply) {
  return Enqueue(key_of_(to), {Describe(to), [to, reply](assistant::Messenger& inner) {
                                 return inner.Send(to, reply);
                               }});
}

Status QueuedMessenger::ShowHome(const store::UserRef& user, const assistant::HomeView& view) {
  return Enqueue("home:" + user.team_id + "/" + user.user_id,
                 {"the Home of " + user.team_id + "/" + user.user_id,
                  [user, view](assistant::Messenger& inner) { return inner.ShowHome(user, view); }});
}

Status QueuedMessenger::OpenForm(const store::UserRef& user, const std::string& trigger_id,
                                 const assistant::TopicForm& form) {
  return Enqueue("form:" + trigger_id,
                 {"a form", [user, trigger_id, form](assistant::Messenger& inner) {
                    return inner.OpenForm(user, trigger_id, form);
                  }});
}

Status QueuedMessenger::Enqueue(const std::string& key, Item item) {
  bool start = false;
  {
    std::lock_guard lock(mu_);
    if (abandoned_) return UnavailableError("shutting down: not sending " + item.what);
    if (const LogContext* context = CurrentLogContext()) item.context = *context;
    if (queued_ >= options_.max_queued) {
      return ResourceExhaustedError("outgoing queue full (" + std::to_string(queued_) +
                                    " replies waiting): not sending " + item.what);
    }
    auto [it, added] = conversations_.try_emplace(key);
    it->second.push_back(std::move(item));
    ++queued_;
    start = added;
  }
  if (start && !executor_.Post([this, key] { Drain(key); })) {
    Drain(key);  // the executor is stopping: deliver here rather than lose it
  }
  return Status::Ok();
}

std::string QueuedMessenger::DisplayName(const store::UserRef& user) {
  {
    std::lock_guard lock(mu_);
    if (auto it = names_.find(user); it != names_.end()) return it->second;
    // Bounded: while Slack is slow, people beyond these wait for a later turn.
    if (abandoned_ || names_wanted_.size() >= kMaxNamesWanted) return "";
    if (std::find(names_wanted_.begin(), names_wanted_.end(), user) != names_wanted_.end()) {
      return "";
    }
    names_wanted_.push_back(user);
    if (looking_up_) return "";
    looking_up_ = true;
  }
  if (!executor_.Post([this] { LookUpNames(); })) {
    // The executor is stopping: no more lookups (names are a nicety, not worth a wait).
    std::lock_guard lock(mu_);
    names_wanted_.clear();
    looking_up_ = false;
    idle_.notify_all();
  }
  return "";
}

void QueuedMessenger::LookUpNames() {
  for (;;) {
    store::UserRef user;
    {
      std::lock_guard lock(mu_);
      if (names_wanted_.empty() || abandoned_) {
        names_wanted_.clear();
        looking_up_ = false;
        idle_.notify_all();
        return;
      }
      user = names_wanted_.front();
    }
    std::string name;
    try {
      name = inner_.DisplayName(user);
    } catch (const std::exception& e) {
      LogWarn("slack: looking up the name of {}/{} failed: {}", user.team_id, user.user_id,
              e.what());
    }
    std::lock_guard lock(mu_);
    names_wanted_.pop_front();
    // A name is a nicety: forgetting them all now and then bounds the memory.
    if (names_.size() > 100'000) names_.clear();
    if (!name.empty()) names_[user] = std::move(name);
  }
}

size_t QueuedMessenger::queued() const {
  std::lock_guard lock(mu_);
  return queued_;
}

bool QueuedMessenger::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, timeout, [&] { return conversations_.empty() && !looking_up_; });
}

void QueuedMessenger::Abandon() {
  std::lock_guard lock(mu_);
  abandoned_ = true;
}

void QueuedMessenger::Drain(const std::string& key) {
  for (;;) {
    Item item;
    bool drop = false;
    {
      std::lock_guard lock(mu_);
      auto it = conversations_.find(key);
      if (it->second.empty()) {
        conversations_.erase(it);
        if (conversations_.empty()) idle_.notify_all();
        return;
      }
      item = std::move(it->second.front());
      it->second.pop_front();
      --queued_;
      drop = abandoned_;
    }
    std::optional<ScopedLogContext> context;
    if (item.context) context.emplace(*item.context);
    if (drop) {
      LogWarn("slack: shutting down: not sending {}", item.what);
    } else {
      Deliver(item);
    }
  }
}

void QueuedMessenger::Deliver(const Item& item) {
  Status sent;
  try {
    sent = item.deliver(inner_);
  } catch (const std::exception& e) {
    sent = InternalError(std::string("exception: ") + e.what());
  }
  if (!sent.ok()) {
    LogWarn("slack: could not deliver {}: {}", item.what, sent.ToString());
  }
}

}  // namespace faqbot::server
