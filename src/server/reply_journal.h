// ReplyJournal: where a QueuedMessenger keeps the replies it accepted until Slack took them, so
// that a reply survives a restart, a crash and a long Slack outage. StoredReplyJournal keeps them
// in the Store's outbox, held by this process under a lease it renews: when the process dies, or
// gives replies back at shutdown, another process (or the next start) claims and sends them.
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

class ReplyJournal {
 public:
  struct Entry {
    int64_t id = 0;
    std::string conversation;  // the QueuedMessenger's key: replies of one go out in order
    assistant::Destination to;
    assistant::Reply reply;
    int64_t created_at = 0;  // Unix ms, when it was first accepted
  };

  virtual ~ReplyJournal() = default;
  // Keeps `reply` for `to` until Forget; returns its id. Errors: the storage's (the caller may
  // still send the reply from memory).
  virtual Result<int64_t> Record(const std::string& conversation, const assistant::Destination& to,
                                 const assistant::Reply& reply) = 0;
  // The reply was delivered, or given up on.
  virtual Status Forget(int64_t id) = 0;
  // The replies were not sent by this process (it is stopping): another may send them at once.
  virtual Status GiveBack(const std::vector<int64_t>& ids) = 0;
  // Keeps this process's replies its own (called more often than the lease runs out).
  virtual Status Renew() = 0;
  // Takes up to `limit` replies nobody is sending (given back, or of a process that died), in
  // the order they were accepted. A stored reply that cannot be read is logged and forgotten.
  virtual Result<std::vector<Entry>> Claim(size_t limit) = 0;
};

// The destination and reply as one JSON document (versioned), and back. Every field round-trips.
std::string EncodeOutgoingReply(const assistant::Destination& to, const assistant::Reply& reply);
// InvalidArgument for anything that is not a document EncodeOutgoingReply wrote.
Status DecodeOutgoingReply(std::string_view encoded, assistant::Destination& to,
                           assistant::Reply& reply);

struct StoredReplyJournalOptions {
  std::string worker;  // this process in the outbox's leases: 1-64 of [A-Za-z0-9._:-]
  // How long replies stay this process's without a renewal: how long the replies of a process
  // that died wait before another process (or the next start) sends them.
  std::chrono::milliseconds lease{30'000};
};

// A ReplyJournal over the Store's outbox. Thread-safe (the Store is). `store` must outlive it.
class StoredReplyJournal final : public ReplyJournal {
 public:
  StoredReplyJournal(store::Store& store, StoredReplyJournalOptions options);

  Result<int64_t> Record(const std::string& conversation, const assistant::Destination& to,
                         const assistant::Reply& reply) override;
  Status Forget(int64_t id) override;
  Status GiveBack(const std::vector<int64_t>& ids) override;
  Status Renew() override;
  Result<std::vector<Entry>> Claim(size_t limit) override;

 private:
  store::Store& store_;
  const StoredReplyJournalOptions options_;
};

}  // namespace faqbot::server
