// InboxDispatcher: the durable inbox of Slack events, over the Store. The InboundRouter Adds each
// accepted event (stored before the ack); the dispatcher claims stored events from the Store and
// runs the handler on them, on the Executor, then marks them handled.
//
// Ordering and exclusion come from the database, not from this process: the Store hands out a
// person's oldest unhandled event only, under a lease, so one person's events are handled in
// order and never two at once, whichever process on the database claims them; other persons'
// events run in parallel (up to `workers` in this process). Events stored by a process that died
// (before handling, or while handling: its lease expires) are claimed by any process — by this
// one on Start and on every Tick.
//
// Delivery: an event is stored at most once per dedup key (Slack's retries and redeliveries are
// dropped), and every stored event is handled: one stored but never claimed (its process died
// after the ack) is handled by the next process; one whose worker died while handling it (its
// claim lapsed: `attempts` > 1) is handled again unless that worker already saved the person's
// conversation after the event arrived — then its step was applied, and replaying a chat message
// would be taken as the input of the next step, so it is logged and marked handled. (An ask,
// which saves no conversation, may so be answered twice when its worker died between the reply
// and the mark; never zero times.) An event handled again is passed on marked `resumed`
// (slack::InboundEvent), so the handler can finish what the dead worker started. An event that stopped more than kMaxAttempts - 1 workers is
// given up. A handler that throws is logged and the event counts as handled.

// Thread-safety: every method may be called from any thread. The store, executor and clock are
// borrowed and must outlive the dispatcher and every task it posted (Shutdown, then shut the
// executor down, then destroy). Not copyable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "common/clock.h"
#include "common/executor.h"
#include "common/repeated_warning.h"
#include "slack/event_inbox.h"
#include "slack/slack_event.h"
#include "store/store.h"

namespace faqbot::server {

struct InboxDispatcherOptions {
  // This process's name in leases (logs only): 1-64 of [A-Za-z0-9._:-].
  std::string worker = "faqbot";
  // How long a claim holds without renewal: after it, a dead worker's event is claimed again (and
  // dropped), and the person's next events go on. Each Tick renews the claims being handled, so
  // ticks must come well within it.
  std::chrono::milliseconds lease{10'000};
  // How long a handled event's key is kept, so a late retry of it is dropped. Slack's last retry
  // comes ~6 minutes after the first delivery.
  std::chrono::milliseconds keep{15 * 60'000};
  // Events handled at once by this process (each a different person); at most the executor's
  // threads.
  int workers = 4;
};

class InboxDispatcher final : public slack::EventInbox {
 public:
  static constexpr int kMaxAttempts = 3;
  using Handler = std::function<void(slack::InboundEvent)>;

  InboxDispatcher(store::Store& store, Executor& executor, const Clock& clock, Handler handler,
                  InboxDispatcherOptions options = {});
  ~InboxDispatcher() override;  // Shutdown()
  InboxDispatcher(const InboxDispatcher&) = delete;
  InboxDispatcher& operator=(const InboxDispatcher&) = delete;

  // Stores `entry` (Store::AddInboxEvent), then wakes the workers. True when stored, false for a
  // duplicate key; errors from the Store (nothing stored).
  Result<bool> Add(const slack::InboxEntry& entry) override;

  // Upkeep, to call every second or so (and once at start, to handle what an earlier process
  // left): renews the leases of the events being handled, marks done the handled events the
  // store could not mark when they were (a full disk, a database outage: kept under their lease
  // meanwhile, so no process handles them — and answers — a second time), then wakes the
  // workers to claim what is claimable (events stored by other processes that died, or whose
  // lease expired).
  void Tick();

  // Stops claiming: events being handled finish, the rest stay stored for the next process.
  // Then shut the executor down. Idempotent.
  void Shutdown();

  // Events this process is handling right now.
  size_t handling() const;

  // For /readyz: Unavailable while handled events wait to be marked because the store refuses
  // the write (a full disk, say — reads still answer, so the database looks fine otherwise),
  // naming how many and why; ok once a tick has marked them.
  Status MarkingHealth() const;

 private:
  // Posts a worker when fewer than `workers` run; otherwise tells a running one to look again.
  void Wake();
  // A worker: claims and handles events until none is claimable.
  void Work();
  void Handle(const store::InboxEvent& event);
  // Marks a handled event done: true when it is no longer this process's (marked, or taken over
  // after its lease expired); false when the store refused and it stays held for the next Tick.
  bool MarkHandled(const store::InboxEvent& event);
  // Whether the worker that died handling `event` saved its person's conversation first.
  bool AppliedByDeadWorker(const store::InboxEvent& event);

  store::Store& store_;
  Executor& executor_;
  const Clock& clock_;
  Handler handler_;
  InboxDispatcherOptions options_;
  // "cannot claim" / "cannot renew", while the database is down.
  RepeatedWarning claim_warning_{clock_};
  RepeatedWarning renew_warning_{clock_};

  mutable std::mutex mu_;
  int running_ = 0;     // workers posted and not finished
  bool look_again_ = false;  // woken while every worker was busy
  bool stopped_ = false;
  std::map<int64_t, store::InboxEvent> held_;  // claims being handled, by id
  // Of held_: handled, waiting to be marked done (the store refused the mark; Tick tries again).
  std::set<int64_t> unmarked_;
  std::string unmarked_why_;  // the store's last refusal to mark one
};

}  // namespace faqbot::server
