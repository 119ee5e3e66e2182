// ReplyJournal: where a QueuedMessenger keeps the replies it accepted until Slack took them, so
// that a reply survives a restart, a crash and a long Slack outage: the Store's outbox, each reply
// held by this process under a lease it renews. When the process dies, or gives replies back at
// shutdown, another process (or the next start) claims and sends them.
//
// Delivery is at least once: a process that dies between Slack's "ok" and forgetting the reply,
// or that cannot renew its lease for longer than the lease (the database was down), lets the
// reply be sent a second time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "assistant/messenger.h"
#include "common/status.h"
#include "store/store.h"

namespace faqbot::server {

// The destination and reply as one JSON document (versioned), and back. Every field round-trips.
std::string EncodeOutgoingReply(const assistant::Destination& to, const assistant::Reply& reply);
// InvalidArgument for anything that is not a document EncodeOutgoingReply wrote.
Status DecodeOutgoingReply(std::string_view encoded, assistant::Destination& to,
                           assistant::Reply& reply);

struct ReplyJournalOptions {
  std::string worker;  // this process in the outbox's leases: 1-64 of [A-Za-z0-9._:-]
  // How long replies stay this process's without a renewal: how long the replies of a process
  // that died wait before another process (or the next start) sends them.
  std::chrono::milliseconds lease{30'000};
};

// Thread-safe (the Store is). `store` must outlive it.
class ReplyJournal {
 public:
  struct Entry {
    int64_t id = 0;
    std::string conversation;  // the QueuedMessenger's key: replies of one go out in order
    assistant::Destination to;
    assistant::Reply reply;
    int64_t created_at = 0;  // Unix ms, when it was first accepted
  };

  ReplyJournal(store::Store& store, ReplyJournalOptions options);
  ReplyJournal(const ReplyJournal&) = delete;
  ReplyJournal& operator=(const ReplyJournal&) = delete;

  // Keeps `reply` for `to` until Forget; returns its id, and whether this process is to send it
  // (`held`): not when an older reply of the conversation is held by another live process, which
  // then claims this one and sends it after its own (Store::AddOutgoingReply). Errors: the
  // Store's (the caller may still send the reply from memory).
  Result<store::Store::AddedReply> Record(const std::string& conversation,
                                          const assistant::Destination& to,
                                          const assistant::Reply& reply);
  // The reply was delivered, or given up on.
  Status Forget(int64_t id);
  // The replies were not sent by this process (it is stopping): another may send them at once.
  Status GiveBack(const std::vector<int64_t>& ids);
  // Keeps this process's replies its own (call it more often than the lease runs out).
  Status Renew();
  // Takes up to `limit` replies nobody is sending (given back, or of a process that died), in
  // the order they were accepted. A stored reply that cannot be read is logged and forgotten.
  Result<std::vector<Entry>> Claim(size_t limit);

 private:
  store::Store& store_;
  const ReplyJournalOptions options_;
};

}  // namespace faqbot::server
