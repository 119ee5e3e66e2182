#include "server/queued_messenger.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "slack/web_api_client.h"

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

// Counts a reply the queue is done with (Homes and forms are not replies).
void CountReply(bool reply, const char* result) {
  if (reply) metrics::Faqbot().replies.With({result}).Inc();
}

// Failures after which trying again later may succeed: Slack down, rate limited, unreachable.
bool MayPass(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kResourceExhausted ||
         s.code() == StatusCode::kDeadlineExceeded;
}

}  // namespace

QueuedMessenger::QueuedMessenger(assistant::Messenger& inner, ConversationKey key_of,
                                 Executor& executor, QueuedMessengerOptions options)
    : inner_(inner),
      key_of_(std::move(key_of)),
      executor_(executor),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : SystemClock::Instance()) {}

QueuedMessenger::~QueuedMessenger() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return conversations_.empty() && !looking_up_; });
}

Status QueuedMessenger::Send(const assistant::Destination& to, const assistant::Reply& reply) {
  const std::string key = key_of_(to);
  Item item = ReplyItem(to, reply, 0, clock_.UnixMillis() + options_.retry_for.count());
  ReplyJournal* journal = nullptr;
  {
    std::lock_guard lock(mu_);
    journal = journal_;  // after Abandon too: kept for the next start
  }
  if (journal != nullptr) {
    auto id = journal->Record(key, to, reply);
    if (id.ok() && !id->held) {
      // An older reply of this conversation waits in another process (Slack asked it to slow
      // down): that process sends this one after it.
      LogInfo("outbox: {} left to the process holding an older reply of its conversation",
              item.what);
      return Status::Ok();
    }
    if (id.ok()) {
      item.journal_id = id->id;
    } else {
      LogWarn("outbox: cannot keep {} ({}); sending it from memory only", item.what,
              id.status().ToString());
    }
  }
  const int64_t id = item.journal_id;
  const std::string what = item.what;
  Status queued = Enqueue(key, std::move(item));
  if (!queued.ok() && id != 0) {
    // Kept, but no room here (or stopping): whoever claims it next sends it.
    if (Status back = journal->GiveBack({id}); back.ok()) {
      LogWarn("outbox: {}; {} is kept for later", queued.ToString(), what);
      return Status::Ok();
    }
  }
  return queued;
}

QueuedMessenger::Item QueuedMessenger::ReplyItem(const assistant::Destination& to,
                                                 const assistant::Reply& reply, int64_t journal_id,
                                                 int64_t retry_until) const {
  Item item{Describe(to),
            [to, reply](assistant::Messenger& inner) { return inner.Send(to, reply); }};
  item.to = to;
  item.journal_id = journal_id;
  item.retry_until = retry_until;
  return item;
}

void QueuedMessenger::OnRefused(RefusedHandler handler) {
  std::lock_guard lock(mu_);
  on_refused_ = std::move(handler);
}

void QueuedMessenger::UseJournal(ReplyJournal& journal) {
  std::lock_guard lock(mu_);
  journal_ = &journal;
}

size_t QueuedMessenger::Recover() {
  ReplyJournal* journal = nullptr;
  std::vector<int64_t> unforgotten;
  size_t room = 0;
  {
    std::lock_guard lock(mu_);
    if (journal_ == nullptr || abandoned_) return 0;
    journal = journal_;
    unforgotten.swap(unforgotten_);
    room = options_.max_queued > queued_ ? options_.max_queued - queued_ : 0;
  }
  for (int64_t id : unforgotten) {
    if (!journal->Forget(id).ok()) {
      std::lock_guard lock(mu_);
      unforgotten_.push_back(id);
    }
  }
  if (Status renewed = journal->Renew(); !renewed.ok()) {
    renew_warning_.Warn("outbox: cannot renew the hold on this process's replies: " +
                        renewed.ToString());
  } else {
    renew_warning_.Clear("outbox: holding this process's replies again");
  }
  if (room == 0) return 0;
  auto claimed = journal->Claim(std::min<size_t>(room, kMaxClaimed));
  if (!claimed.ok()) {
    claim_warning_.Warn("outbox: cannot claim replies waiting to be sent: " +
                        claimed.status().ToString());
    return 0;
  }
  claim_warning_.Clear("outbox: claiming replies again");
  size_t queued = 0;
  for (size_t i = 0; i < claimed->size(); ++i) {
    ReplyJournal::Entry& e = (*claimed)[i];
    {
      std::lock_guard lock(mu_);
      if (journaled_.count(e.id) != 0) continue;  // queued here already
    }
    Item item = ReplyItem(e.to, e.reply, e.id, e.created_at + options_.retry_for.count());
    if (Status s = Enqueue(e.conversation, std::move(item)); !s.ok()) {
      // Stopping, or the queue filled up meanwhile: this one and the rest are not ours to hold.
      std::vector<int64_t> rest;
      {
        std::lock_guard lock(mu_);
        for (size_t j = i; j < claimed->size(); ++j) {
          if (journaled_.count((*claimed)[j].id) == 0) rest.push_back((*claimed)[j].id);
        }
      }
      if (Status back = journal->GiveBack(rest); !back.ok()) {
        LogWarn("outbox: cannot give {} replies back (sent after the lease): {}", rest.size(),
                back.ToString());
      }
      break;
    }
    ++queued;
  }
  if (queued > 0) LogInfo("outbox: sending {} replies accepted earlier", queued);
  return queued;
}

Status QueuedMessenger::ShowHome(const store::UserRef& user, const assistant::HomeView& view) {
  return Enqueue(
      "home:" + user.team_id + "/" + user.user_id,
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
    if (item.journal_id != 0) journaled_.insert(item.journal_id);
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

size_t QueuedMessenger::unsent() const {
  std::lock_guard lock(mu_);
  return queued_ + delivering_;
}

bool QueuedMessenger::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, timeout, [&] { return conversations_.empty() && !looking_up_; });
}

void QueuedMessenger::Abandon() {
  {
    std::lock_guard lock(mu_);
    abandoned_ = true;
  }
  stop_.request_stop();
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
      ++delivering_;
      drop = abandoned_;
    }
    std::optional<ScopedLogContext> context;
    if (item.context) context.emplace(*item.context);
    if (drop) {
      Leave(item, "");
    } else {
      Deliver(item);
    }
    std::lock_guard lock(mu_);
    --delivering_;
  }
}

void QueuedMessenger::Deliver(const Item& item) {
  std::chrono::milliseconds pause = options_.retry_pause;
  for (;;) {
    Status sent;
    try {
      sent = item.deliver(inner_);
    } catch (const std::exception& e) {
      sent = InternalError(std::string("exception: ") + e.what());
    }
    if (sent.ok()) {
      CountReply(item.reply(), "delivered");
      return Settle(item, true);
    }
    bool retry = false;
    RefusedHandler on_refused;
    {
      std::lock_guard lock(mu_);
      retry = item.reply() && journal_ != nullptr && MayPass(sent);
      if (!MayPass(sent) && item.reply()) on_refused = on_refused_;
    }
    // A 429 whose Retry-After was longer than the client waits itself: not before then.
    if (const auto asked = slack::SlackRetryAfter(sent); asked && *asked > pause) {
      pause = std::chrono::duration_cast<std::chrono::milliseconds>(*asked);
    }
    if (!retry || clock_.UnixMillis() + pause.count() > item.retry_until) {
      if (!item.reply() && sent.code() == StatusCode::kNotFound) {
        // A Home or form for a workspace (or person) Slack does not know to this app, such as
        // an owner whose topics came through the API before any install: nothing to warn of.
        LogDebug("slack: not showing {}: {}", item.what, sent.ToString());
      } else {
        LogWarn("slack: could not deliver {}: {}", item.what, sent.ToString());
      }
      CountReply(item.reply(), MayPass(sent) ? "given_up" : "refused");
      Settle(item, true);
      if (on_refused) on_refused(*item.to, sent);
      return;
    }
    if (!stop_.stop_requested()) {
      LogWarn("slack: could not deliver {} yet: {}; trying again in {} ms", item.what,
              sent.ToString(), pause.count());
    }
    if (stop_.stop_requested() || !clock_.SleepUntil(clock_.Now() + pause, stop_.get_token())) {
      return Leave(item, sent.ToString());
    }
    metrics::Faqbot().reply_retries.With().Inc();
    pause = std::min(pause * 2, options_.max_retry_pause);
  }
}

void QueuedMessenger::Leave(const Item& item, const std::string& why) {
  const bool kept = item.journal_id != 0;
  LogWarn("slack: shutting down: {} {}{}", item.what,
          kept ? "is kept for the next start" : "is not sent", why.empty() ? "" : " (" + why + ")");
  CountReply(item.reply(), kept ? "kept" : "given_up");
  Settle(item, false);
}

void QueuedMessenger::Settle(const Item& item, bool delivered_or_given_up) {
  if (item.journal_id == 0) return;
  ReplyJournal* journal = nullptr;
  {
    std::lock_guard lock(mu_);
    journaled_.erase(item.journal_id);
    journal = journal_;
  }
  if (journal == nullptr) return;
  if (delivered_or_given_up) {
    if (Status s = journal->Forget(item.journal_id); !s.ok()) {
      LogWarn("outbox: cannot forget reply {} (trying again later): {}", item.journal_id,
              s.ToString());
      std::lock_guard lock(mu_);
      unforgotten_.push_back(item.journal_id);
    }
  } else if (Status s = journal->GiveBack({item.journal_id}); !s.ok()) {
    LogWarn("outbox: cannot give reply {} back (another process sends it after the lease): {}",
            item.journal_id, s.ToString());
  }
}

}  // namespace faqbot::server
