// Store: the outbox of replies accepted and not delivered yet, held by their sender under leases.
#include "store/limits.h"
#include "store/store.h"
#include "store/store_rows.h"

namespace faqbot::store {
namespace {

constexpr const char* kOutgoingColumns = "id, conversation, payload, created_at, attempts";

OutgoingReply OutgoingReplyFromRow(const SqlRow& row) {
  OutgoingReply r;
  r.id = row[0].Int();
  r.conversation = row[1].str();
  r.payload = row[2].str();
  r.created_at = row[3].Int();
  r.attempts = static_cast<int>(row[4].Int());
  return r;
}

}  // namespace

Result<Store::AddedReply> Store::AddOutgoingReply(const std::string& conversation,
                                                  const std::string& payload,
                                                  const std::string& worker,
                                                  std::chrono::milliseconds lease) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(worker, "worker name"));
  FAQBOT_RETURN_IF_ERROR(ValidateText(conversation, kMaxConversationKeyBytes, "conversation"));
  FAQBOT_RETURN_IF_ERROR(ValidateText(payload, kMaxOutgoingReplyBytes, "reply", false));
  const int64_t now = clock_.UnixMillis();
  AddedReply added;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    // Serialised with the claims (the same lock), so a claim never runs between the check and
    // the insert.
    if (const std::string& lock = backend_->dialect().outbox_claim_lock; !lock.empty()) {
      FAQBOT_RETURN_IF_ERROR(tx.Exec(lock, {}).status());
    }
    // Any older reply of the conversation that is not this worker's own, live: held by another
    // process, or waiting to be claimed (left behind another one, given back, or its process's
    // lease ran out). The new one goes after it, through the same claims.
    FAQBOT_ASSIGN_OR_RETURN(
        auto older,
        tx.Exec("SELECT 1 FROM outgoing_replies WHERE conversation = ? AND (worker IS NULL OR "
                "worker <> ? OR lease_until IS NULL OR lease_until < ?) LIMIT 1",
                {Text(conversation), Text(worker), now}));
    added.held = older.empty();
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("INSERT INTO outgoing_replies (conversation, payload, created_at, "
                           "attempts, worker, lease_until) VALUES (?, ?, ?, 0, ?, ?) RETURNING id",
                           {Text(conversation), Bytes(payload), now,
                            added.held ? Text(worker) : SqlValue(SqlNull{}),
                            added.held ? OptionalInt(now + lease.count()) : SqlValue(SqlNull{})}));
    if (rows.empty()) return InternalError("outgoing reply was not stored");
    added.id = rows[0][0].Int();
    return Status::Ok();
  }));
  return added;
}

Status Store::DeleteOutgoingReply(int64_t id) {
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    return tx.Exec("DELETE FROM outgoing_replies WHERE id = ?", {id}).status();
  });
}

Result<int64_t> Store::RenewOutgoingReplies(const std::string& worker,
                                            std::chrono::milliseconds lease) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(worker, "worker name"));
  return internal::CountWritten(
      *backend_, "UPDATE outgoing_replies SET lease_until = ? WHERE worker = ? RETURNING id",
      {clock_.UnixMillis() + lease.count(), Text(worker)});
}

Status Store::ReleaseOutgoingReplies(const std::vector<int64_t>& ids) {
  if (ids.empty()) return Status::Ok();
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    for (int64_t id : ids) {
      FAQBOT_RETURN_IF_ERROR(tx.Exec("UPDATE outgoing_replies SET worker = NULL, lease_until = "
                                     "NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 "
                                     "ELSE 0 END WHERE id = ?",
                                     {id})
                                 .status());
    }
    return Status::Ok();
  });
}

Result<std::vector<OutgoingReply>> Store::ClaimOutgoingReplies(const std::string& worker,
                                                               std::chrono::milliseconds lease,
                                                               int limit) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(worker, "worker name"));
  if (limit <= 0) return std::vector<OutgoingReply>{};
  const int64_t now = clock_.UnixMillis();
  // A reply waits while an older one of its conversation is still held by another live worker
  // (the one holding it may take the later ones: it sends them after the older one). Claims are
  // serialised (on PostgreSQL by an advisory lock, each statement then seeing the claims
  // committed before), so two claims never split one conversation between two workers.
  const std::string pick =
      "SELECT r.id FROM outgoing_replies r WHERE (r.lease_until IS NULL OR r.lease_until < ?) "
      "AND NOT EXISTS (SELECT 1 FROM outgoing_replies o WHERE o.conversation = r.conversation "
      "AND o.id < r.id AND o.lease_until IS NOT NULL AND o.lease_until >= ? AND o.worker <> ?) "
      "ORDER BY r.id LIMIT ?";
  std::vector<OutgoingReply> claimed;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    claimed.clear();
    if (const std::string& lock = backend_->dialect().outbox_claim_lock; !lock.empty()) {
      FAQBOT_RETURN_IF_ERROR(tx.Exec(lock, {}).status());
    }
    FAQBOT_ASSIGN_OR_RETURN(auto ids,
                            tx.Exec(pick, {now, now, Text(worker), static_cast<int64_t>(limit)}));
    for (const auto& id : ids) {
      FAQBOT_ASSIGN_OR_RETURN(
          auto rows,
          tx.Exec(std::string("UPDATE outgoing_replies SET attempts = attempts + 1, worker = ?, "
                              "lease_until = ? WHERE id = ? RETURNING ") +
                      kOutgoingColumns,
                  {Text(worker), now + lease.count(), id[0].Int()}));
      if (!rows.empty()) claimed.push_back(OutgoingReplyFromRow(rows[0]));
    }
    return Status::Ok();
  }));
  return claimed;
}

Result<int64_t> Store::CountOutgoingReplies() {
  int64_t count = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COUNT(*) FROM outgoing_replies", {}));
    count = rows.empty() ? 0 : rows[0][0].Int();
    return Status::Ok();
  }));
  return count;
}

}  // namespace faqbot::store
