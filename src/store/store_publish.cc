// Store: publications and the publish job queue.
#include "store/limits.h"
#include "store/store.h"
#include "store/store_rows.h"

namespace faqbot::store {

using internal::DecodeTopics;
using internal::EncodeTopics;
using internal::EnsurePerson;
using internal::JobFromRow;
using internal::kJobColumns;
using internal::kPublicationChannel;
using internal::LockOwner;
using internal::NewClaimToken;
using internal::ParsePublicationStatus;
using internal::ValidateUser;

namespace {

constexpr const char* kPublicationColumnsNoModel =
    "id, team_id, owner_id, version, status, topics, NULL, error, job_id, requested_at, "
    "started_at, finished_at";
constexpr const char* kPublicationColumns =
    "id, team_id, owner_id, version, status, topics, model, error, job_id, requested_at, "
    "started_at, finished_at";

Result<Publication> PublicationFromRow(const SqlRow& row) {
  if (row.size() < 12) return InternalError("publication row has too few columns");
  Publication p;
  p.id = row[0].Int();
  p.owner = {row[1].str(), row[2].str()};
  p.version = row[3].Int();
  FAQBOT_ASSIGN_OR_RETURN(p.status, ParsePublicationStatus(row[4].str()));
  FAQBOT_ASSIGN_OR_RETURN(p.topics, DecodeTopics(row[5].str()));
  p.model = row[6].str();
  p.error = row[7].str();
  p.job_id = row[8].Int();
  p.requested_at = row[9].Int();
  p.started_at = row[10].Int();
  p.finished_at = row[11].Int();
  return p;
}

std::string Truncated(const std::string& s, size_t max) {
  return s.size() <= max ? s : s.substr(0, max);
}

Result<PublishJob> SelectJob(SqlTransaction& tx, int64_t id, const std::string& lock) {
  FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kJobColumns +
                                                 " FROM publish_jobs WHERE id = ?" + lock,
                                             {id}));
  if (rows.empty()) return NotFoundError("publish job " + std::to_string(id) + " not found");
  return JobFromRow(rows[0]);
}

// The job as stored, provided `claimed` still holds its lease; Aborted otherwise.
Result<PublishJob> CheckLease(SqlTransaction& tx, const PublishJob& claimed,
                              const std::string& lock) {
  FAQBOT_ASSIGN_OR_RETURN(PublishJob job, SelectJob(tx, claimed.id, lock));
  if (job.status != JobStatus::kRunning || job.claim_token != claimed.claim_token ||
      claimed.claim_token.empty()) {
    return AbortedError("publish job " + std::to_string(job.id) +
                        " is no longer held by this worker (lease lost)");
  }
  return job;
}

// Another pending job of the same owner, which will do this job's work; 0 when none.
Result<int64_t> OtherPendingJob(SqlTransaction& tx, const PublishJob& job) {
  FAQBOT_ASSIGN_OR_RETURN(auto rows,
                          tx.Exec("SELECT id FROM publish_jobs WHERE team_id = ? AND "
                                  "owner_id = ? AND status = 'pending' AND id <> ?",
                                  {Text(job.owner.team_id), Text(job.owner.user_id), job.id}));
  return rows.empty() ? 0 : rows[0][0].Int();
}

Result<int64_t> NextVersion(SqlTransaction& tx, const UserRef& owner) {
  FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COALESCE(MAX(version), 0) + 1 FROM "
                                             "publications WHERE team_id = ? AND owner_id = ?",
                                             {Text(owner.team_id), Text(owner.user_id)}));
  return rows.empty() ? 1 : rows[0][0].Int();
}

Status ValidatePublication(const NewPublication& publication) {
  // An empty publication takes the bot down and has no model; any other needs one.
  return ValidateText(publication.model, kMaxModelBytes, "model file",
                      /*required=*/!publication.topics.empty());
}

// The version of the owner's live publication; 0 when none is live.
Result<int64_t> LiveVersion(SqlTransaction& tx, const UserRef& owner) {
  FAQBOT_ASSIGN_OR_RETURN(auto live, tx.Exec("SELECT version FROM publications WHERE team_id = ? "
                                             "AND owner_id = ? AND status = 'live'",
                                             {Text(owner.team_id), Text(owner.user_id)}));
  return live.empty() ? int64_t{0} : live[0][0].Int();
}

// In `tx`, which holds the owner's lock: supersedes the owner's live publication, stores
// `publication` as the next live version and notifies other processes.
Result<Publication> InsertLive(SqlTransaction& tx, const UserRef& owner,
                               const NewPublication& publication, std::optional<int64_t> job_id,
                               int64_t requested_at, int64_t now) {
  FAQBOT_ASSIGN_OR_RETURN(int64_t version, NextVersion(tx, owner));
  // The one it replaces keeps its topics (history) but not its model, which nothing loads again;
  // and only the newest kPublicationsKept stay: a bot that learns from every hand-off publishes
  // at every press, and each copy of a 150 × 10 bot is some 200 KB (model and topics).
  FAQBOT_RETURN_IF_ERROR(tx.Exec("UPDATE publications SET status = 'superseded', model = ? WHERE "
                                 "team_id = ? AND owner_id = ? AND status = 'live'",
                                 {Bytes(std::string()), Text(owner.team_id), Text(owner.user_id)})
                             .status());
  FAQBOT_RETURN_IF_ERROR(
      tx.Exec("DELETE FROM publications WHERE team_id = ? AND owner_id = ? AND "
              "status = 'superseded' AND version <= ?",
              {Text(owner.team_id), Text(owner.user_id), version - kPublicationsKept})
          .status());
  // Only the id comes back: the rest is what was written, and SQLite's RETURNING of the topics
  // and model (hundreds of KB for a big bot) took longer than the insert and its commit.
  FAQBOT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Exec("INSERT INTO publications (team_id, owner_id, version, status, topics, "
              "topic_count, model, error, job_id, requested_at, started_at, finished_at) VALUES "
              "(?, ?, ?, 'live', ?, ?, ?, NULL, ?, ?, ?, ?) RETURNING id",
              {Text(owner.team_id), Text(owner.user_id), version,
               Bytes(EncodeTopics(publication.topics)),
               static_cast<int64_t>(publication.topics.size()), Bytes(publication.model),
               OptionalInt(job_id), requested_at, publication.started_at, now}));
  if (rows.empty()) return InternalError("insert returned no row");
  Publication stored;
  stored.id = rows[0][0].Int();
  stored.owner = owner;
  stored.version = version;
  stored.status = PublicationStatus::kLive;
  stored.topics = publication.topics;
  stored.model = publication.model;
  stored.job_id = job_id.value_or(0);
  stored.requested_at = requested_at;
  stored.started_at = publication.started_at;
  stored.finished_at = now;
  FAQBOT_RETURN_IF_ERROR(tx.Notify(kPublicationChannel, owner.team_id + " " + owner.user_id +
                                                            " " + std::to_string(version)));
  return stored;
}

}  // namespace

// ---- publications ----

Result<std::optional<Publication>> Store::GetLivePublication(const UserRef& owner,
                                                             bool with_model) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  std::optional<Publication> live;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec(std::string("SELECT ") +
                    (with_model ? kPublicationColumns : kPublicationColumnsNoModel) +
                    " FROM publications WHERE team_id = ? AND owner_id = ? AND status = 'live'",
                {Text(owner.team_id), Text(owner.user_id)}));
    if (rows.empty()) return Status::Ok();
    FAQBOT_ASSIGN_OR_RETURN(live, PublicationFromRow(rows[0]));
    return Status::Ok();
  }));
  return live;
}

Result<std::vector<Publication>> Store::ListLivePublications() {
  std::vector<Publication> out;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    out.clear();
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec(std::string("SELECT ") + kPublicationColumnsNoModel +
                                        " FROM publications WHERE status = 'live' ORDER BY id",
                                    {}));
    out.reserve(rows.size());
    for (const auto& row : rows) {
      FAQBOT_ASSIGN_OR_RETURN(auto p, PublicationFromRow(row));
      out.push_back(std::move(p));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Publication>> Store::ListPublications(const UserRef& owner, int limit) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  std::vector<Publication> out;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    out.clear();
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec(std::string("SELECT ") + kPublicationColumnsNoModel +
                                        " FROM publications WHERE team_id = ? AND owner_id = ? "
                                        "ORDER BY version DESC LIMIT ?",
                                    {Text(owner.team_id), Text(owner.user_id), int64_t{limit}}));
    for (const auto& row : rows) {
      FAQBOT_ASSIGN_OR_RETURN(auto p, PublicationFromRow(row));
      out.push_back(std::move(p));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<LiveModel>> Store::LoadLiveModel(const UserRef& owner) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  std::optional<LiveModel> model;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    model.reset();
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec("SELECT version, model FROM publications WHERE team_id = ? "
                                    "AND owner_id = ? AND status = 'live'",
                                    {Text(owner.team_id), Text(owner.user_id)}));
    // An empty live publication (the owner took the bot down) has no model.
    if (!rows.empty() && !rows[0][1].str().empty()) {
      model = LiveModel{rows[0][0].Int(), rows[0][1].str()};
    }
    return Status::Ok();
  }));
  return model;
}

// ---- publish jobs ----

Result<EnqueueResult> Store::EnqueuePublish(const UserRef& owner) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  const int64_t now = clock_.UnixMillis();
  EnqueueResult result;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, owner, now));
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec(std::string("INSERT INTO publish_jobs (team_id, owner_id, status, attempts, "
                            "enqueued_at, available_at) VALUES (?, ?, 'pending', 0, ?, ?) "
                            "ON CONFLICT (team_id, owner_id) WHERE status = 'pending' "
                            "DO NOTHING RETURNING ") +
                    kJobColumns,
                {Text(owner.team_id), Text(owner.user_id), now, now}));
    result.coalesced = rows.empty();
    if (rows.empty()) {
      FAQBOT_ASSIGN_OR_RETURN(
          rows, tx.Exec(std::string("SELECT ") + kJobColumns +
                            " FROM publish_jobs WHERE team_id = ? AND owner_id = ? AND "
                            "status = 'pending'",
                        {Text(owner.team_id), Text(owner.user_id)}));
      if (rows.empty()) return AbortedError("pending publish job vanished; retry");
    }
    FAQBOT_ASSIGN_OR_RETURN(result.job, JobFromRow(rows[0]));
    return Status::Ok();
  }));
  return result;
}

Result<std::optional<PublishJob>> Store::ClaimPublishJob(const std::string& worker,
                                                         std::chrono::milliseconds lease) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(worker, "worker name"));
  const int64_t now = clock_.UnixMillis();
  std::optional<PublishJob> claimed;
  const std::string pick =
      std::string(
          "SELECT j.id FROM publish_jobs j WHERE ((j.status = 'pending' AND j.available_at <= ?) "
          "OR (j.status = 'running' AND j.lease_until < ?)) AND NOT EXISTS (SELECT 1 FROM "
          "publish_jobs r WHERE r.team_id = j.team_id AND r.owner_id = j.owner_id AND "
          "r.status = 'running' AND r.lease_until >= ? AND r.id <> j.id) ORDER BY j.id LIMIT 1") +
      (backend_->dialect().skip_locked ? " FOR UPDATE SKIP LOCKED" : "");
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    claimed.reset();
    FAQBOT_ASSIGN_OR_RETURN(auto ids, tx.Exec(pick, {now, now, now}));
    if (ids.empty()) return Status::Ok();
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec(std::string("UPDATE publish_jobs SET status = 'running', attempts = "
                            "attempts + 1, claim_token = ?, worker = ?, "
                            "lease_until = ? WHERE id = ? RETURNING ") +
                    kJobColumns,
                {Text(NewClaimToken()), Text(worker), now + lease.count(), ids[0][0].Int()}));
    if (rows.empty()) return AbortedError("claimed job vanished; retry");
    FAQBOT_ASSIGN_OR_RETURN(claimed, JobFromRow(rows[0]));
    return Status::Ok();
  }));
  return claimed;
}

Result<Publication> Store::CompletePublishJob(const PublishJob& job,
                                              const NewPublication& publication,
                                              std::optional<int64_t> base_version) {
  FAQBOT_RETURN_IF_ERROR(ValidatePublication(publication));
  const int64_t now = clock_.UnixMillis();
  const std::string& lock = backend_->dialect().row_lock;
  Publication stored;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(PublishJob current, CheckLease(tx, job, lock));
    FAQBOT_RETURN_IF_ERROR(LockOwner(tx, backend_->dialect(), current.owner));
    if (base_version) {
      FAQBOT_ASSIGN_OR_RETURN(int64_t live_version, LiveVersion(tx, current.owner));
      if (live_version != *base_version) {
        return FailedPreconditionError("the live publication is version " +
                                       std::to_string(live_version) + ", not " +
                                       std::to_string(*base_version));
      }
    }
    FAQBOT_ASSIGN_OR_RETURN(stored, InsertLive(tx, current.owner, publication, current.id,
                                               current.enqueued_at, now));
    return tx
        .Exec(
            "UPDATE publish_jobs SET status = 'done', claim_token = NULL, lease_until = "
            "NULL, publication_id = ?, finished_at = ?, error = NULL WHERE id = ?",
            {stored.id, now, current.id})
        .status();
  }));
  AnnouncePublication(stored.owner, stored.version);
  return stored;
}

Result<Publication> Store::AmendLivePublication(const UserRef& owner, int64_t base_version,
                                                const NewPublication& publication) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  FAQBOT_RETURN_IF_ERROR(ValidatePublication(publication));
  const int64_t now = clock_.UnixMillis();
  Publication stored;
  Status amended = backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, owner, now));
    FAQBOT_RETURN_IF_ERROR(LockOwner(tx, backend_->dialect(), owner));
    FAQBOT_ASSIGN_OR_RETURN(int64_t live_version, LiveVersion(tx, owner));
    if (live_version != base_version) {
      // Not retried by the backend: the caller must rebuild the publication from the new one.
      return FailedPreconditionError("the live publication is version " +
                                     std::to_string(live_version) + ", not " +
                                     std::to_string(base_version));
    }
    FAQBOT_ASSIGN_OR_RETURN(stored,
                            InsertLive(tx, owner, publication, std::nullopt, now, now));
    return Status::Ok();
  });
  if (amended.code() == StatusCode::kFailedPrecondition) return AbortedError(amended.message());
  FAQBOT_RETURN_IF_ERROR(amended);
  AnnouncePublication(stored.owner, stored.version);
  return stored;
}

Result<PublishJob> Store::FailPublishJob(const PublishJob& job, const std::string& error,
                                         std::optional<std::chrono::milliseconds> retry_after) {
  const int64_t now = clock_.UnixMillis();
  const std::string& lock = backend_->dialect().row_lock;
  const std::string message = Truncated(error, kMaxErrorBytes);
  PublishJob result;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(PublishJob current, CheckLease(tx, job, lock));
    if (retry_after && current.attempts < options_.max_job_attempts) {
      FAQBOT_ASSIGN_OR_RETURN(int64_t other, OtherPendingJob(tx, current));
      if (other != 0) {
        // A newer request of the same owner will publish; this one is folded into it.
        FAQBOT_RETURN_IF_ERROR(
            tx.Exec("UPDATE publish_jobs SET status = 'done', claim_token = NULL, lease_until = "
                    "NULL, finished_at = ?, error = ? WHERE id = ?",
                    {now, Bytes(message + " (retried as job " + std::to_string(other) + ")"),
                     current.id})
                .status());
      } else {
        FAQBOT_RETURN_IF_ERROR(
            tx.Exec("UPDATE publish_jobs SET status = 'pending', claim_token = NULL, "
                    "lease_until = NULL, available_at = ?, error = ? WHERE id = ?",
                    {now + retry_after->count(), Bytes(message), current.id})
                .status());
      }
    } else {
      FAQBOT_RETURN_IF_ERROR(LockOwner(tx, backend_->dialect(), current.owner));
      FAQBOT_ASSIGN_OR_RETURN(int64_t version, NextVersion(tx, current.owner));
      FAQBOT_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO publications (team_id, owner_id, version, status, topics, "
                  "topic_count, model, error, job_id, requested_at, started_at, finished_at) "
                  "VALUES (?, ?, ?, 'failed', ?, 0, NULL, ?, ?, ?, ?, ?)",
                  {Text(current.owner.team_id), Text(current.owner.user_id), version, Bytes(""),
                   Bytes(message), current.id, current.enqueued_at, now, now})
              .status());
      FAQBOT_RETURN_IF_ERROR(
          tx.Exec("UPDATE publish_jobs SET status = 'failed', claim_token = NULL, lease_until = "
                  "NULL, finished_at = ?, error = ? WHERE id = ?",
                  {now, Bytes(message), current.id})
              .status());
    }
    FAQBOT_ASSIGN_OR_RETURN(result, SelectJob(tx, current.id, ""));
    return Status::Ok();
  }));
  return result;
}

Status Store::ReleasePublishJob(const PublishJob& job) {
  const int64_t now = clock_.UnixMillis();
  const std::string& lock = backend_->dialect().row_lock;
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    FAQBOT_ASSIGN_OR_RETURN(PublishJob current, CheckLease(tx, job, lock));
    FAQBOT_ASSIGN_OR_RETURN(int64_t other, OtherPendingJob(tx, current));
    if (other != 0) {
      return tx
          .Exec(
              "UPDATE publish_jobs SET status = 'done', claim_token = NULL, lease_until = "
              "NULL, finished_at = ?, error = ? WHERE id = ?",
              {now, Bytes("released; folded into job " + std::to_string(other)), current.id})
          .status();
    }
    return tx
        .Exec(
            "UPDATE publish_jobs SET status = 'pending', attempts = attempts - 1, "
            "claim_token = NULL, lease_until = NULL, available_at = ? WHERE id = ?",
            {now, current.id})
        .status();
  });
}

Result<std::optional<PublishJob>> Store::GetPublishJob(int64_t id) {
  std::optional<PublishJob> job;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    auto found = SelectJob(tx, id, "");
    if (found.status().code() == StatusCode::kNotFound) return Status::Ok();
    if (!found.ok()) return found.status();
    job = std::move(found).value();
    return Status::Ok();
  }));
  return job;
}

}  // namespace faqbot::store
