#include "server/inbox_dispatcher.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "slack/inbound_router.h"

namespace faqbot::server {

InboxDispatcher::InboxDispatcher(store::Store& store, Executor& executor, const Clock& clock,
                                 Handler handler, InboxDispatcherOptions options)
    : store_(store),
      executor_(executor),
      clock_(clock),
      handler_(std::move(handler)),
      options_(std::move(options)) {}

InboxDispatcher::~InboxDispatcher() { Shutdown(); }

Result<bool> InboxDispatcher::Add(const slack::InboxEntry& entry) {
  FAQBOT_ASSIGN_OR_RETURN(
      bool added, store_.AddInboxEvent({entry.dedup_key, entry.team_id, entry.person_id, entry.kind,
                                        entry.payload}));
  if (added) Wake();
  return added;
}

void InboxDispatcher::Tick() {
  std::vector<store::InboxEvent> held;
  std::vector<store::InboxEvent> unmarked;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    for (const auto& [id, event] : held_) {
      (unmarked_.contains(id) ? unmarked : held).push_back(event);
    }
  }
  for (const auto& event : unmarked) {
    if (!MarkHandled(event)) held.push_back(event);  // still ours: its lease is renewed below
  }
  for (const auto& event : held) {
    if (Status renewed = store_.RenewInboxLease(event, options_.lease); !renewed.ok()) {
      {
        std::lock_guard lock(mu_);
        // Handled and marked done while its lease was being renewed: nothing was lost.
        if (!held_.contains(event.id)) continue;
      }
      renew_warning_.Warn("inbox: cannot renew the lease of event " + std::to_string(event.id) +
                          ": " + renewed.ToString());
      continue;
    }
    renew_warning_.Clear("inbox: renewing leases again");
  }
  Wake();
}

void InboxDispatcher::Shutdown() {
  std::lock_guard lock(mu_);
  stopped_ = true;
}

size_t InboxDispatcher::handling() const {
  std::lock_guard lock(mu_);
  return held_.size();
}

Status InboxDispatcher::MarkingHealth() const {
  std::lock_guard lock(mu_);
  if (unmarked_.empty()) return Status::Ok();
  return UnavailableError(std::to_string(unmarked_.size()) + " handled event" +
                          (unmarked_.size() == 1 ? "" : "s") +
                          " cannot be marked handled: " + unmarked_why_);
}

void InboxDispatcher::Wake() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    if (running_ >= options_.workers) {
      look_again_ = true;
      return;
    }
    ++running_;
  }
  if (!executor_.Post([this] { Work(); })) {
    std::lock_guard lock(mu_);
    --running_;
  }
}

void InboxDispatcher::Work() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      look_again_ = false;
      if (stopped_) break;
    }
    auto claimed = store_.ClaimInboxEvent(options_.worker, options_.lease);
    if (!claimed.ok()) {
      // The next Tick tries again.
      claim_warning_.Warn("inbox: cannot claim an event: " + claimed.status().ToString());
      break;
    }
    claim_warning_.Clear("inbox: claiming events again");
    if (!claimed->has_value()) {
      // Nothing claimable now; unless an Add came in since the claim, this worker is done.
      std::lock_guard lock(mu_);
      if (look_again_ && !stopped_) continue;
      break;
    }
    Handle(**claimed);
  }
  std::lock_guard lock(mu_);
  --running_;
}

bool InboxDispatcher::AppliedByDeadWorker(const store::InboxEvent& event) {
  // The event is its person's oldest unhandled one, and their events are handled one at a time:
  // a conversation saved since it arrived was saved by the worker that died handling it.
  auto conversation = store_.GetConversation({event.team_id, event.person_id});
  if (!conversation.ok()) {
    LogWarn("inbox: cannot read the conversation of event {} ({}); handling it again", event.id,
            conversation.status().ToString());
    return false;
  }
  return conversation->has_value() && (*conversation)->updated_at >= event.received_at;
}

void InboxDispatcher::Handle(const store::InboxEvent& event) {
  bool handled_here = false;
  {
    std::lock_guard lock(mu_);
    handled_here = unmarked_.contains(event.id);
    held_[event.id] = event;  // this claim's lease from now on
  }
  if (handled_here) {
    // Handled here, but its lease ran out before the store would take the mark (an outage
    // longer than the lease), so it was claimable again: mark it, do not answer twice.
    LogInfo("inbox: event {} ({}) was handled before its lease ran out; marking it handled",
            event.id, event.dedup_key);
  } else if (event.attempts > 1 && AppliedByDeadWorker(event)) {
    // Its step was saved before the worker died: handling it again would apply it twice.
    LogError(
        "inbox: event {} ({}) was handled by a worker that stopped after saving its step; "
        "not handled again",
        event.id, event.dedup_key);
  } else if (event.attempts > kMaxAttempts) {
    LogError("inbox: event {} ({}) stopped {} workers; given up", event.id, event.dedup_key,
             event.attempts - 1);
  } else if (auto parsed = slack::ParseInboxEntry(event.kind, event.payload); !parsed.ok()) {
    LogError("inbox: event {} cannot be read back: {}", event.id, parsed.status().ToString());
  } else {
    // Every line logged while handling it names the event; the assistant measures from when it
    // was received (by whichever process stored it).
    const std::string log_id =
        event.dedup_key.empty() ? "inbox-" + std::to_string(event.id) : event.dedup_key;
    const auto waited =
        std::chrono::milliseconds(std::max<int64_t>(0, clock_.UnixMillis() - event.received_at));
    ScopedLogContext context(slack::LogContextOf(*parsed, log_id, clock_.Now() - waited));
    parsed->resumed = event.attempts > 1;
    slack::RunEventHandler(handler_, std::move(parsed).value(), log_id, clock_);
  }
  if (!MarkHandled(event)) {
    std::lock_guard lock(mu_);
    unmarked_.insert(event.id);
    return;
  }
}

bool InboxDispatcher::MarkHandled(const store::InboxEvent& event) {
  const Status done = store_.CompleteInboxEvent(event, options_.keep);
  if (!done.ok() && done.code() != StatusCode::kAborted) {
    // Handled, but not marked (the disk is full, the database is down): kept under this
    // process's lease, so that nobody handles it again, until Tick marks it.
    bool first = false;
    {
      std::lock_guard lock(mu_);
      first = !unmarked_.contains(event.id);
      unmarked_why_ = done.message();
    }
    if (first) {
      LogWarn("inbox: cannot mark event {} handled yet (trying again every tick): {}", event.id,
              done.ToString());
    }
    return false;
  }
  // Aborted: the lease expired and another worker took the event over (it handles it again).
  if (!done.ok()) LogWarn("inbox: cannot mark event {} handled: {}", event.id, done.ToString());
  std::lock_guard lock(mu_);
  unmarked_.erase(event.id);
  held_.erase(event.id);
  return true;
}

}  // namespace faqbot::server
