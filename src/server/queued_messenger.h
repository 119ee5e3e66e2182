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
// Bounded: at most `max_queued` replies wait; beyond that Send fails with ResourceExhausted
// (and the caller logs it) instead of growing without limit while Slack is unreachable.
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
#include <string>
#include <unordered_map>

#include "assistant/messenger.h"
#include "common/executor.h"
#include "common/logging.h"

namespace faqbot::server {

struct QueuedMessengerOptions {
  size_t max_queued = 10'000;
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

  // Queues `reply` for `to`. Errors: ResourceExhausted (the queue is full), Unavailable (after
  // Abandon).
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

  // Replies accepted and not yet attempted.
  size_t queued() const;
  // Waits up to `timeout` for every accepted reply to be attempted and every queued name lookup
  // to be done; true when they were.
  bool WaitIdle(std::chrono::milliseconds timeout);
  // From now on, replies not yet attempted are dropped with a logged warning instead of sent,
  // and Send refuses new ones (Unavailable). Deliveries in progress finish.
  void Abandon();

 private:
  struct Item {
    std::string what;  // for logs: "a DM to T1/U1"
    std::function<Status(assistant::Messenger&)> deliver;
    // The log context of the thread that queued it (the Slack event being answered), so the
    // lines about sending it name that event too.
    std::optional<LogContext> context = std::nullopt;
  };
  // Queues `item` behind the conversation `key`'s. Errors as Send.
  Status Enqueue(const std::string& key, Item item);
  // Delivers the conversation's replies, oldest first, until none is left.
  void Drain(const std::string& key);
  void Deliver(const Item& item);
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
  bool abandoned_ = false;
  // Display names learned, names waiting for a lookup (at most kMaxNamesWanted), and whether a
  // LookUpNames task runs.
  static constexpr size_t kMaxNamesWanted = 1'000;
  std::map<store::UserRef, std::string> names_;
  std::deque<store::UserRef> names_wanted_;
  bool looking_up_ = false;
};

}  // namespace faqbot::server
