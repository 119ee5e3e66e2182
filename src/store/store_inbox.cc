// Store: the durable inbox of accepted Slack events, claimed per person under leases.
#include "store/limits.h"
#include "store/store.h"
#include "store/store_rows.h"

namespace faqbot::store {

using internal::NewClaimToken;

namespace {

constexpr const char* kInboxColumns =
    "id, dedup_key, team_id, person_id, kind, payload, received_at, attempts, claim_token, "
    "lease_until";

InboxEvent InboxEventFromRow(const SqlRow& row) {
  InboxEvent e;
  e.id = row[0].Int();
  e.dedup_key = row[1].str();
  e.team_id = row[2].str();
  e.person_id = row[3].str();
  e.kind = row[4].str();
  e.payload = row[5].str();
  e.received_at = row[6].Int();
  e.attempts = static_cast<int>(row[7].Int());
  e.claim_token = row[8].str();
  e.lease_until = row[9].Int();
  return e;
}

Status ValidateInboxEvent(const NewInboxEvent& event) {
  if (!event.dedup_key.empty()) FAQBOT_RETURN_IF_ERROR(ValidateId(event.dedup_key, "dedup key"));
  FAQBOT_RETURN_IF_ERROR(ValidateId(event.team_id, "team id"));
  if (!event.person_id.empty()) FAQBOT_RETURN_IF_ERROR(ValidateId(event.person_id, "person id"));
  FAQBOT_RETURN_IF_ERROR(ValidateId(event.kind, "event kind"));
  return ValidateText(event.payload, kMaxInboxPayloadBytes, "event payload", false);
}

// Runs `update` with `params` (ending with the event's id and claim token; it returns the id of
// the row it changed); Aborted when it changed nothing: the claim is no longer held.
Status UpdateClaimed(SqlBackend& backend, const std::string& update, const SqlParams& params,
                     const InboxEvent& event) {
  if (event.claim_token.empty()) return AbortedError("inbox event was never claimed");
  return backend.WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec(update, params));
    if (rows.empty()) {
      return AbortedError("inbox event " + std::to_string(event.id) +
                          " is no longer held by this worker (lease lost)");
    }
    return Status::Ok();
  });
}

}  // namespace

Result<bool> Store::AddInboxEvent(const NewInboxEvent& event) {
  FAQBOT_RETURN_IF_ERROR(ValidateInboxEvent(event));
  const int64_t now = clock_.UnixMillis();
  bool added = false;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec("INSERT INTO inbox_events (dedup_key, team_id, person_id, kind, payload, "
                "received_at, attempts) VALUES (?, ?, ?, ?, ?, ?, 0) "
                "ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
                {OptionalText(event.dedup_key),
                 Text(event.team_id), Text(event.person_id), Text(event.kind),
                 Bytes(event.payload), now}));
    added = !rows.empty();
    return Status::Ok();
  }));
  return added;
}

Result<std::optional<InboxEvent>> Store::ClaimInboxEvent(const std::string& worker,
                                                         std::chrono::milliseconds lease) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(worker, "worker name"));
  const int64_t now = clock_.UnixMillis();
  // Only a person's oldest unfinished event is ever claimable, so a person never has two events
  // claimed at once. On PostgreSQL, SKIP LOCKED passes over a row another process is claiming
  // right now; that person's later rows are still excluded by their older unfinished one.
  const std::string pick =
      std::string(
          "SELECT e.id FROM inbox_events e WHERE e.done_at IS NULL AND (e.lease_until IS NULL "
          "OR e.lease_until < ?) AND NOT EXISTS (SELECT 1 FROM inbox_events o WHERE "
          "o.team_id = e.team_id AND o.person_id = e.person_id AND o.done_at IS NULL AND "
          "o.id < e.id) ORDER BY e.id LIMIT 1") +
      (backend_->dialect().skip_locked ? " FOR UPDATE SKIP LOCKED" : "");
  std::optional<InboxEvent> claimed;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    claimed.reset();
    FAQBOT_ASSIGN_OR_RETURN(auto ids, tx.Exec(pick, {now}));
    if (ids.empty()) return Status::Ok();
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec(std::string("UPDATE inbox_events SET attempts = attempts + 1, claim_token = ?, "
                            "worker = ?, lease_until = ? WHERE id = ? RETURNING ") +
                    kInboxColumns,
                {Text(NewClaimToken()), Text(worker), now + lease.count(), ids[0][0].Int()}));
    if (rows.empty()) return AbortedError("claimed inbox event vanished; retry");
    claimed = InboxEventFromRow(rows[0]);
    return Status::Ok();
  }));
  return claimed;
}

Status Store::RenewInboxLease(const InboxEvent& event, std::chrono::milliseconds lease) {
  return UpdateClaimed(*backend_,
                       "UPDATE inbox_events SET lease_until = ? WHERE id = ? AND claim_token = ? "
                       "AND done_at IS NULL RETURNING id",
                       {clock_.UnixMillis() + lease.count(), event.id, Text(event.claim_token)},
                       event);
}

Status Store::CompleteInboxEvent(const InboxEvent& event, std::chrono::milliseconds keep) {
  const int64_t now = clock_.UnixMillis();
  return UpdateClaimed(*backend_,
                       "UPDATE inbox_events SET done_at = ?, keep_until = ?, claim_token = NULL, "
                       "lease_until = NULL, payload = ? WHERE id = ? AND claim_token = ? AND "
                       "done_at IS NULL RETURNING id",
                       // A handled event's payload is not needed any more: only its key is.
                       {now, now + keep.count(), Bytes(""), event.id, Text(event.claim_token)},
                       event);
}

Status Store::ReleaseInboxEvent(const InboxEvent& event) {
  return UpdateClaimed(*backend_,
                       "UPDATE inbox_events SET attempts = attempts - 1, claim_token = NULL, "
                       "worker = NULL, lease_until = NULL WHERE id = ? AND claim_token = ? AND "
                       "done_at IS NULL RETURNING id",
                       {event.id, Text(event.claim_token)}, event);
}

Result<int> Store::PurgeInboxEvents() {
  FAQBOT_ASSIGN_OR_RETURN(int64_t purged,
                          internal::CountWritten(*backend_,
                                                 "DELETE FROM inbox_events WHERE done_at IS NOT "
                                                 "NULL AND keep_until <= ? RETURNING id",
                                                 {clock_.UnixMillis()}));
  return static_cast<int>(purged);
}

Result<int64_t> Store::CountPendingInboxEvents() {
  int64_t count = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("SELECT COUNT(*) FROM inbox_events WHERE done_at IS NULL", {}));
    count = rows.empty() ? 0 : rows[0][0].Int();
    return Status::Ok();
  }));
  return count;
}

}  // namespace faqbot::store
