// QueuedMessenger: a Messenger that accepts a reply at once and delivers it on sender threads,
// so the threads that process Slack events never wait for Slack (a Web API round trip, a 429's
// Retry-After, a busy channel's pacing, opening a DM). Nothing it does on the caller's thread
// calls the inner messenger: Send only queues, and DisplayName answers from what it has learned
// and looks a missing name up on a sender thread (one lookup at a time, so lookups never take
// more than one sender from the replies).
//
// Order: replies to one conversation (the same channel, or the same person's DM however it is
// addressed) go out in the order Send accepted them, one at a time; different conversations go
// out in parallel, up to the executor's threads. A reply that cannot be delivered after the
// inner messenger's retries is logged with its destination and dropped; the conversations after
// it continue.
//
// Kept until delivered (with a ReplyJournal, UseJournal): Send stores each reply before it
// queues it and forgets it once the inner messenger took it or refused it for good. A failure
// that may pass (Unavailable, ResourceExhausted, DeadlineExceeded: Slack down, rate limited,
// unreachable) is tried again, with a growing pause (`retry_pause` doubling up to
// `max_retry_pause`), until `retry_for` after the reply was first accepted; the conversation
// waits meanwhile, so its order holds. Replies still queued at Abandon are given back to the
// journal, unsent, and Recover — which a process calls now and then — claims the replies that
// nobody is sending (given back at a shutdown, or of a process that died) and queues them.
// Homes and forms are not journaled: a Home is redrawn on the next visit, a form's trigger
// expires in 3 s.
//
// Bounded: at most `max_queued` replies wait; beyond that Send fails with ResourceExhausted
// (and the caller logs it) instead of growing without limit while Slack is unreachable — or,
// with a journal, leaves the reply there, given back, for a Recover to queue when there is room.
//
// Shutdown: shut the executor down after the last Send (ThreadPool::Shutdown runs every task
// already posted, so every accepted reply is attempted). A Send the executor refuses (it is
// stopping) is delivered on the caller's thread, so nothing accepted is lost. When Slack is
// unreachable that could take minutes of retries; WaitIdle bounds the wait and Abandon drops
// (and logs) what is still queued.
//
// Thread-safe. The inner messenger, key function and executor must outlive this object; the
// destructor waits for the delivery tasks it posted.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "assistant/messenger.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/logging.h"
#include "common/repeated_warning.h"
#include "server/reply_journal.h"

namespace faqbot::server {

struct QueuedMessengerOptions {
  size_t max_queued = 10'000;
  // With a journal: how long after it was accepted a reply that Slack could not take yet is
  // still tried, and the pauses between tries.
  std::chrono::milliseconds retry_for = std::chrono::hours(24);
  std::chrono::milliseconds retry_pause{1'000};
  std::chrono::milliseconds max_retry_pause{60'000};
  // Waits between tries, and tells a reply's age; nullptr: the system clock.
  Clock* clock = nullptr;
};

class QueuedMessenger final : public assistant::Messenger {
 public:
  // Which conversation a destination belongs to; replies with the same key keep their order.
  // Called on the caller's thread: it must answer at once, without the chat service.
  using ConversationKey = std::function<std::string(const assistant::Destination&)>;

  QueuedMessenger(assistant::Messenger& inner, ConversationKey key_of, Executor& executor,
                  QueuedMessengerOptions options = {});
  // Waits until every accepted reply has been attempted, so no delivery task outlives the object;
  // the executor must still be running (or run) them.
  ~QueuedMessenger() override;
  QueuedMessenger(const QueuedMessenger&) = delete;
  QueuedMessenger& operator=(const QueuedMessenger&) = delete;

  // Queues `reply` for `to` (with a journal, stores it first). Errors: ResourceExhausted (the
  // queue is full), Unavailable (after Abandon) — except that a reply the journal stored is kept
  // there for later instead, and Send returns Ok.
  Status Send(const assistant::Destination& to, const assistant::Reply& reply) override;
  // The name the inner messenger gave for `user`, when already looked up; otherwise "" at once,
  // and the lookup is queued so a later call has it. A lookup that found nothing is tried
  // again on a later call.
  std::string DisplayName(const store::UserRef& user) override;
  // Queue like Send: a person's Home updates in order (a later view always wins), a form on
  // its own (a trigger_id expires in 3 s, so it waits for no other reply).
  Status ShowHome(const store::UserRef& user, const assistant::HomeView& view) override;
  Status OpenForm(const store::UserRef& user, const std::string& trigger_id,
                  const assistant::TopicForm& form) override;

  // Called on a sender thread with a reply's destination and the inner messenger's error when a
  // reply is refused for good (not for failures that may pass, not when it is only too old).
  using RefusedHandler =
      std::function<void(const assistant::Destination& to, const Status& refusal)>;
  // Calls `handler` from now on (before the first Send).
  void OnRefused(RefusedHandler handler);
  // From now on, Send keeps each reply in `journal` until it is delivered (see above). Call it
  // before the first Send (the journal is opened after the messenger); `journal` must outlive
  // this object.
  void UseJournal(ReplyJournal& journal);
  // With a journal: renews this process's hold on the replies it keeps, then claims and queues
  // the replies nobody is sending (at most as many as the queue has room for). Returns how many
  // it queued. Call it at start and then more often than the journal's lease runs out.
  size_t Recover();

  // Replies accepted and not yet attempted.
  size_t queued() const;
  // Replies accepted and not yet delivered: queued, or being delivered (or retried) now.
  size_t unsent() const;
  // Waits up to `timeout` for every accepted reply to be attempted and every queued name lookup
  // to be done; true when they were.
  bool WaitIdle(std::chrono::milliseconds timeout);
  // From now on, replies not yet attempted are dropped with a logged warning instead of sent
  // (with a journal: given back to it, for the next start or another process), and Send refuses
  // new ones (Unavailable; with a journal it keeps them there instead). Deliveries in progress
  // finish; a pause before a retry ends at once, and Recover claims nothing more.
  void Abandon();

 private:
  struct Item {
    std::string what;  // for logs: "a DM to T1/U1"
    std::function<Status(assistant::Messenger&)> deliver;
    // The log context of the thread that queued it (the Slack event being answered), so the
    // lines about sending it name that event too.
    std::optional<LogContext> context = std::nullopt;
    // Set for a reply (not a Home or form): its destination, for OnRefused. A reply is kept in
    // the journal as `journal_id` (0: not kept), and tried again after failures that may pass
    // until `retry_until` (Unix ms).
    std::optional<assistant::Destination> to = std::nullopt;
    int64_t journal_id = 0;
    int64_t retry_until = 0;
    bool reply() const { return to.has_value(); }
  };
  // The Item that sends `reply` to `to`.
  Item ReplyItem(const assistant::Destination& to, const assistant::Reply& reply,
                 int64_t journal_id, int64_t retry_until) const;
  // Queues `item` behind the conversation `key`'s. Errors as Send.
  Status Enqueue(const std::string& key, Item item);
  // Delivers the conversation's replies, oldest first, until none is left.
  void Drain(const std::string& key);
  // Delivers `item`, trying again while that may help, until it is delivered, refused for good,
  // too old, or the messenger is abandoned (then it is given back to the journal).
  void Deliver(const Item& item);
  // Forgets or gives back the item's journal entry.
  void Settle(const Item& item, bool delivered_or_given_up);
  // Not sending `item` because the messenger was abandoned (`why`: the last failure, if any):
  // given back to the journal when it has it, else dropped; logged and counted.
  void Leave(const Item& item, const std::string& why);
  // Looks up the queued names, one after the other, until none is left.
  void LookUpNames();

  assistant::Messenger& inner_;
  ConversationKey key_of_;
  Executor& executor_;
  const QueuedMessengerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable idle_;  // signalled when the last conversation is drained
  // Conversations with replies waiting or being delivered; a key is present exactly while one
  // Drain task owns it.
  std::unordered_map<std::string, std::deque<Item>> conversations_;
  size_t queued_ = 0;
  size_t delivering_ = 0;  // items Drain tasks took and have not finished with
  bool abandoned_ = false;
  Clock& clock_;
  // "cannot renew" / "cannot claim" of Recover, while the database is down.
  RepeatedWarning renew_warning_{clock_};
  RepeatedWarning claim_warning_{clock_};
  std::stop_source stop_;  // requested by Abandon: ends every pause before a retry
  ReplyJournal* journal_ = nullptr;
  RefusedHandler on_refused_;
  std::unordered_set<int64_t> journaled_;     // journal ids queued or being delivered
  std::vector<int64_t> unforgotten_;          // delivered, but Forget failed: tried by Recover
  static constexpr size_t kMaxClaimed = 500;  // replies one Recover claims at most
  // Display names learned, names waiting for a lookup (at most kMaxNamesWanted), and whether a
  // LookUpNames task runs.
  static constexpr size_t kMaxNamesWanted = 1'000;
  std::map<store::UserRef, std::string> names_;
  std::deque<store::UserRef> names_wanted_;
  bool looking_up_ = false;
};

}  // namespace faqbot::server
