// Store: questions people asked, their outcome and feedback.
#include "store/limits.h"
#include "store/store.h"
#include "store/store_rows.h"

namespace faqbot::store {

using internal::kQuestionColumns;
using internal::QuestionFromRow;
using internal::ValidateUser;

namespace {

// The questions still waiting for their owner: declined, handed off, or answered and rated 👎.
constexpr std::string_view kWaitingForOwner =
    "(outcome IN ('declined', 'handed_off') OR (outcome = 'answered' AND feedback = 'down'))";

// Runs `update` (an UPDATE of question `id` ... RETURNING id, with a condition) in a write
// transaction and says whether it changed the question; NotFound when there is no such question.
Result<bool> UpdateQuestionIf(SqlBackend& backend, int64_t id, std::string_view update,
                              const SqlParams& params) {
  bool changed = false;
  FAQBOT_RETURN_IF_ERROR(backend.WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec(update, params));
    changed = !rows.empty();
    if (changed) return Status::Ok();
    FAQBOT_ASSIGN_OR_RETURN(auto exists, tx.Exec("SELECT id FROM questions WHERE id = ?", {id}));
    if (exists.empty()) return NotFoundError("question " + std::to_string(id) + " not found");
    return Status::Ok();
  }));
  return changed;
}

// The questions `where` (an SQL condition, with its ORDER BY and LIMIT) selects.
Result<std::vector<AskedQuestion>> ListQuestionsWhere(SqlBackend& backend, std::string_view where,
                                                      const SqlParams& params) {
  std::vector<AskedQuestion> out;
  FAQBOT_RETURN_IF_ERROR(backend.WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    out.clear();
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kQuestionColumns +
                                                   " FROM questions WHERE " + std::string(where),
                                               params));
    for (const auto& row : rows) {
      FAQBOT_ASSIGN_OR_RETURN(auto q, QuestionFromRow(row));
      out.push_back(std::move(q));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace

Result<AskedQuestion> Store::RecordQuestion(const NewQuestion& q, const std::string& key) {
  if (!key.empty()) FAQBOT_RETURN_IF_ERROR(ValidateId(key, "question key"));
  FAQBOT_RETURN_IF_ERROR(ValidateUser(q.asker, "asker"));
  FAQBOT_RETURN_IF_ERROR(ValidateUser(q.owner, "owner"));
  if (q.asker.team_id != q.owner.team_id) {
    return InvalidArgumentError("asker and owner must be in the same workspace");
  }
  FAQBOT_RETURN_IF_ERROR(ValidateText(q.text, kMaxAskedQuestionBytes, "question"));
  FAQBOT_RETURN_IF_ERROR(ValidateText(q.channel, kMaxIdBytes, "channel", false));
  FAQBOT_RETURN_IF_ERROR(ValidateText(q.thread_ts, kMaxIdBytes, "thread ts", false));
  const int64_t now = clock_.UnixMillis();
  AskedQuestion stored;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec(std::string("INSERT INTO questions (team_id, asker_id, owner_id, text, outcome, "
                            "topic_id, confidence, feedback, channel, thread_ts, asked_at, "
                            "updated_at, ask_key) VALUES (?, ?, ?, ?, ?, ?, ?, 'none', ?, ?, ?, ?, "
                            "?) RETURNING ") +
                    kQuestionColumns,
                {Text(q.asker.team_id), Text(q.asker.user_id), Text(q.owner.user_id), Bytes(q.text),
                 Text(QuestionOutcomeName(q.outcome)), OptionalInt(q.topic_id), q.confidence,
                 Text(q.channel), Text(q.thread_ts), now, now, OptionalText(key)}));
    if (rows.empty()) return InternalError("insert returned no row");
    FAQBOT_ASSIGN_OR_RETURN(stored, QuestionFromRow(rows[0]));
    return Status::Ok();
  }));
  return stored;
}

Result<std::optional<AskedQuestion>> Store::GetQuestion(int64_t id) {
  std::optional<AskedQuestion> question;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec(std::string("SELECT ") + kQuestionColumns + " FROM questions WHERE id = ?", {id}));
    if (rows.empty()) return Status::Ok();
    FAQBOT_ASSIGN_OR_RETURN(question, QuestionFromRow(rows[0]));
    return Status::Ok();
  }));
  return question;
}

Result<std::optional<AskedQuestion>> Store::FindQuestionByKey(const std::string& key) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(key, "question key"));
  std::optional<AskedQuestion> question;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec(std::string("SELECT ") + kQuestionColumns +
                                        " FROM questions WHERE ask_key = ?",
                                    {Text(key)}));
    if (rows.empty()) return Status::Ok();
    FAQBOT_ASSIGN_OR_RETURN(question, QuestionFromRow(rows[0]));
    return Status::Ok();
  }));
  return question;
}

Status Store::SetQuestionOutcome(int64_t id, QuestionOutcome outcome,
                                 std::optional<int64_t> topic_id) {
  const int64_t now = clock_.UnixMillis();
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("UPDATE questions SET outcome = ?, topic_id = COALESCE(?, topic_id), "
                           "updated_at = ? WHERE id = ? RETURNING id",
                           {Text(QuestionOutcomeName(outcome)), OptionalInt(topic_id), now, id}));
    if (rows.empty()) return NotFoundError("question " + std::to_string(id) + " not found");
    return Status::Ok();
  });
}

Result<bool> Store::CloseQuestion(int64_t id, QuestionOutcome outcome,
                                  std::optional<int64_t> topic_id) {
  return UpdateQuestionIf(
      *backend_, id,
      "UPDATE questions SET outcome = ?, topic_id = COALESCE(?, topic_id), updated_at = ? "
      "WHERE id = ? AND " +
          std::string(kWaitingForOwner) + " RETURNING id",
      {Text(QuestionOutcomeName(outcome)), OptionalInt(topic_id), clock_.UnixMillis(), id});
}

Result<bool> Store::ReopenQuestion(int64_t id, int64_t topic_id) {
  return UpdateQuestionIf(*backend_, id,
                          "UPDATE questions SET outcome = 'handed_off', topic_id = NULL, "
                          "updated_at = ? WHERE id = ? AND outcome IN ('resolved', 'answered') "
                          "AND topic_id = ? RETURNING id",
                          {clock_.UnixMillis(), id, topic_id});
}

Status Store::SetHandoffMessage(int64_t id, const std::string& channel, const std::string& ts) {
  if (channel.empty() || ts.empty()) {
    return InvalidArgumentError("a hand-off message needs its channel and ts");
  }
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec("UPDATE questions SET handoff_channel = ?, "
                                               "handoff_ts = ? WHERE id = ? RETURNING id",
                                               {Text(channel), Text(ts), id}));
    if (rows.empty()) return NotFoundError("question " + std::to_string(id) + " not found");
    return Status::Ok();
  });
}

Result<std::optional<AskedQuestion>> Store::FindQuestionByHandoffMessage(const UserRef& owner,
                                                                         const std::string& channel,
                                                                         const std::string& ts) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  if (channel.empty() || ts.empty()) return std::optional<AskedQuestion>();
  FAQBOT_ASSIGN_OR_RETURN(
      auto found,
      ListQuestionsWhere(*backend_,
                         "team_id = ? AND owner_id = ? AND handoff_channel = ? AND handoff_ts = ? "
                         "ORDER BY id DESC LIMIT 1",
                         {Text(owner.team_id), Text(owner.user_id), Text(channel), Text(ts)}));
  if (found.empty()) return std::optional<AskedQuestion>();
  return std::optional<AskedQuestion>(std::move(found.front()));
}

Result<bool> Store::SetQuestionFeedback(int64_t id, const UserRef& by, Feedback feedback) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(by, "feedback giver"));
  const int64_t now = clock_.UnixMillis();
  bool changed = false;
  FAQBOT_RETURN_IF_ERROR(
      backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
        FAQBOT_ASSIGN_OR_RETURN(
            auto rows, tx.Exec("SELECT team_id, asker_id FROM questions WHERE id = ?", {id}));
        if (rows.empty()) return NotFoundError("question " + std::to_string(id) + " not found");
        if (rows[0][0].str() != by.team_id || rows[0][1].str() != by.user_id) {
          return PermissionDeniedError("only the person who asked can rate the answer");
        }
        const std::string name(FeedbackName(feedback));
        FAQBOT_ASSIGN_OR_RETURN(auto updated,
                                tx.Exec("UPDATE questions SET feedback = ?, updated_at = ? "
                                        "WHERE id = ? AND feedback <> ? RETURNING id",
                                        {Text(name), now, id, Text(name)}));
        changed = !updated.empty();
        return Status::Ok();
      }));
  return changed;
}

Result<std::vector<AskedQuestion>> Store::ListUnanswered(const UserRef& owner, int limit) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  return ListQuestionsWhere(
      *backend_,
      "team_id = ? AND owner_id = ? AND " + std::string(kWaitingForOwner) + " ORDER BY id LIMIT ?",
      {Text(owner.team_id), Text(owner.user_id), int64_t{limit}});
}

Result<std::vector<AskedQuestion>> Store::ListAnsweredAs(const UserRef& owner, int64_t topic_id,
                                                         int64_t since_millis, int limit) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  return ListQuestionsWhere(
      *backend_,
      "team_id = ? AND owner_id = ? AND outcome = 'answered' AND "
      "topic_id = ? AND asked_at >= ? ORDER BY id LIMIT ?",
      {Text(owner.team_id), Text(owner.user_id), topic_id, since_millis, int64_t{limit}});
}

Result<std::vector<AskedQuestion>> Store::ListSettledAs(const UserRef& owner, int64_t topic_id,
                                                        int64_t from_millis, int64_t to_millis,
                                                        int limit) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  return ListQuestionsWhere(
      *backend_,
      "team_id = ? AND owner_id = ? AND outcome = 'resolved' AND "
      "topic_id = ? AND updated_at >= ? AND updated_at <= ? ORDER BY id "
      "LIMIT ?",
      {Text(owner.team_id), Text(owner.user_id), topic_id, from_millis, to_millis, int64_t{limit}});
}

Result<OwnerActivity> Store::GetOwnerActivity(const UserRef& owner, int64_t since_millis) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  OwnerActivity activity;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec("SELECT COUNT(*), "
                "COALESCE(SUM(CASE WHEN outcome = 'answered' THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN outcome <> 'answered' THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN outcome = 'resolved' THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN feedback = 'up' THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN feedback = 'down' THEN 1 ELSE 0 END), 0) "
                "FROM questions WHERE team_id = ? AND owner_id = ? AND asked_at >= ?",
                {Text(owner.team_id), Text(owner.user_id), since_millis}));
    activity = {};
    if (rows.empty() || rows[0].size() < 6) return Status::Ok();
    const auto& row = rows[0];
    activity = {row[0].Int(), row[1].Int(), row[2].Int(),
                row[3].Int(), row[4].Int(), row[5].Int()};
    return Status::Ok();
  }));
  return activity;
}

// ---- hand-off pacing ----

Result<std::optional<Store::HandoffClaim>> Store::ClaimHandoffDm(
    const UserRef& owner, std::chrono::milliseconds interval) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  const int64_t now = clock_.UnixMillis();
  const SqlParams key = {Text(owner.team_id), Text(owner.user_id)};
  std::optional<HandoffClaim> claim;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    claim.reset();
    // The row exists before it is read locked, so concurrent first hand-offs queue on the lock
    // instead of racing to insert it.
    FAQBOT_RETURN_IF_ERROR(tx.Exec("INSERT INTO handoff_pacing (team_id, owner_id, last_dm_at, "
                                   "held_back) VALUES (?, ?, NULL, 0) "
                                   "ON CONFLICT (team_id, owner_id) DO NOTHING",
                                   key)
                               .status());
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("SELECT last_dm_at, held_back FROM handoff_pacing WHERE team_id = ? "
                           "AND owner_id = ?" +
                               backend_->dialect().row_lock,
                           key));
    if (rows.empty()) return InternalError("hand-off pacing row missing");
    const std::optional<int64_t> last = rows[0][0].OptInt();
    if (last && now - *last < interval.count()) {
      return tx
          .Exec(
              "UPDATE handoff_pacing SET held_back = held_back + 1 WHERE team_id = ? AND "
              "owner_id = ?",
              key)
          .status();
    }
    claim = HandoffClaim{static_cast<int>(rows[0][1].Int()), last};
    return tx
        .Exec(
            "UPDATE handoff_pacing SET last_dm_at = ?, held_back = 0 WHERE team_id = ? AND "
            "owner_id = ?",
            {now, Text(owner.team_id), Text(owner.user_id)})
        .status();
  }));
  return claim;
}

Result<std::vector<Store::HeldBackHandoffs>> Store::ListHeldBackHandoffs(
    int64_t last_dm_before_millis, int limit) {
  std::vector<HeldBackHandoffs> owners;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    owners.clear();
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("SELECT team_id, owner_id, held_back, last_dm_at FROM handoff_pacing "
                           "WHERE held_back > 0 AND last_dm_at < ? "
                           "ORDER BY last_dm_at, team_id, owner_id LIMIT ?",
                           {last_dm_before_millis, int64_t{limit}}));
    for (const auto& row : rows) {
      owners.push_back(
          {{row[0].str(), row[1].str()}, static_cast<int>(row[2].Int()), row[3].Int()});
    }
    return Status::Ok();
  }));
  return owners;
}

Status Store::ForgetHeldBackHandoffs(const UserRef& owner, int64_t last_dm_at) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    return tx
        .Exec(
            "UPDATE handoff_pacing SET held_back = 0 WHERE team_id = ? AND owner_id = ? AND "
            "last_dm_at = ?",
            {Text(owner.team_id), Text(owner.user_id), last_dm_at})
        .status();
  });
}

}  // namespace faqbot::store
