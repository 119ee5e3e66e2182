// Store: topics.
#include "store/limits.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "store/string_list_codec.h"

namespace faqbot::store {

using internal::EnsurePerson;
using internal::kTopicColumns;
using internal::LockOwner;
using internal::TopicFromRow;
using internal::ValidateTopicContent;
using internal::ValidateUser;

Result<Topic> Store::AddTopic(const UserRef& owner, const TopicContent& content) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  FAQBOT_RETURN_IF_ERROR(ValidateTopicContent(content));
  const int64_t now = clock_.UnixMillis();
  Topic topic;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, owner, now));
    FAQBOT_RETURN_IF_ERROR(LockOwner(tx, backend_->dialect(), owner));
    FAQBOT_ASSIGN_OR_RETURN(auto count, tx.Exec("SELECT COUNT(*) FROM topics WHERE team_id = ? AND "
                                                "owner_id = ?",
                                                {Text(owner.team_id), Text(owner.user_id)}));
    if (!count.empty() && count[0][0].Int() >= static_cast<int64_t>(kMaxTopicsPerOwner)) {
      return ResourceExhaustedError("an owner has at most " + std::to_string(kMaxTopicsPerOwner) +
                                    " topics");
    }
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec(std::string("INSERT INTO topics (team_id, owner_id, question, phrasings, answer, "
                            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ") +
                    kTopicColumns,
                {Text(owner.team_id), Text(owner.user_id), Bytes(content.question),
                 Bytes(EncodeStringList(content.phrasings)), Bytes(content.answer), now, now}));
    if (rows.empty()) return InternalError("insert returned no row");
    FAQBOT_ASSIGN_OR_RETURN(topic, TopicFromRow(rows[0]));
    return Status::Ok();
  }));
  return topic;
}

Result<Topic> Store::UpdateTopic(const UserRef& owner, int64_t id, const TopicEdit& edit) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  const int64_t now = clock_.UnixMillis();
  Topic topic;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec(std::string("SELECT ") + kTopicColumns +
                               " FROM topics WHERE id = ? AND team_id = ? AND owner_id = ?" +
                               backend_->dialect().row_lock,
                           {id, Text(owner.team_id), Text(owner.user_id)}));
    if (rows.empty()) return NotFoundError("topic " + std::to_string(id) + " not found");
    FAQBOT_ASSIGN_OR_RETURN(topic, TopicFromRow(rows[0]));
    if (edit.question) topic.content.question = *edit.question;
    if (edit.phrasings) topic.content.phrasings = *edit.phrasings;
    if (edit.answer) topic.content.answer = *edit.answer;
    FAQBOT_RETURN_IF_ERROR(ValidateTopicContent(topic.content));
    topic.updated_at = now;
    return tx
        .Exec(
            "UPDATE topics SET question = ?, phrasings = ?, answer = ?, updated_at = ? "
            "WHERE id = ?",
            {Bytes(topic.content.question), Bytes(EncodeStringList(topic.content.phrasings)),
             Bytes(topic.content.answer), now, id})
        .status();
  }));
  return topic;
}

Status Store::DeleteTopic(const UserRef& owner, int64_t id) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  return backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) -> Status {
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec("DELETE FROM topics WHERE id = ? AND team_id = ? AND "
                                    "owner_id = ? RETURNING id",
                                    {id, Text(owner.team_id), Text(owner.user_id)}));
    if (rows.empty()) return NotFoundError("topic " + std::to_string(id) + " not found");
    return Status::Ok();
  });
}

Result<int> Store::DeleteAllTopics(const UserRef& owner) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  int deleted = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec("DELETE FROM topics WHERE team_id = ? AND owner_id = ? "
                                    "RETURNING id",
                                    {Text(owner.team_id), Text(owner.user_id)}));
    deleted = static_cast<int>(rows.size());
    return Status::Ok();
  }));
  return deleted;
}

Result<std::optional<Topic>> Store::GetTopic(const UserRef& owner, int64_t id) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  std::optional<Topic> topic;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec(std::string("SELECT ") + kTopicColumns +
                               " FROM topics WHERE id = ? AND team_id = ? AND owner_id = ?",
                           {id, Text(owner.team_id), Text(owner.user_id)}));
    if (rows.empty()) return Status::Ok();
    FAQBOT_ASSIGN_OR_RETURN(topic, TopicFromRow(rows[0]));
    return Status::Ok();
  }));
  return topic;
}

Result<std::vector<Topic>> Store::ListTopics(const UserRef& owner) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  std::vector<Topic> topics;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    topics.clear();
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec(std::string("SELECT ") + kTopicColumns +
                               " FROM topics WHERE team_id = ? AND owner_id = ? ORDER BY id",
                           {Text(owner.team_id), Text(owner.user_id)}));
    topics.reserve(rows.size());
    for (const auto& row : rows) {
      FAQBOT_ASSIGN_OR_RETURN(auto topic, TopicFromRow(row));
      topics.push_back(std::move(topic));
    }
    return Status::Ok();
  }));
  return topics;
}

Result<int64_t> Store::CountTopics(const UserRef& owner) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  int64_t count = 0;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COUNT(*) FROM topics WHERE team_id = ? AND "
                                               "owner_id = ?",
                                               {Text(owner.team_id), Text(owner.user_id)}));
    count = rows.empty() ? 0 : rows[0][0].Int();
    return Status::Ok();
  }));
  return count;
}

}  // namespace faqbot::store
