// Store: topics.
#include <map>
#include <set>

#include "store/limits.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "store/string_list_codec.h"
#include "store/topic_name.h"

namespace faqbot::store {

using internal::EnsurePerson;
using internal::kTopicColumns;
using internal::LockOwner;
using internal::TopicFromRow;
using internal::ValidateTopicContent;
using internal::ValidateUser;

namespace {

// The names of the owner's topics, other than topic `except`.
Result<std::set<std::string>> TakenNames(SqlTransaction& tx, const UserRef& owner,
                                         int64_t except = 0) {
  FAQBOT_ASSIGN_OR_RETURN(auto rows,
                          tx.Exec("SELECT name FROM topics WHERE team_id = ? AND owner_id = ? AND "
                                  "id <> ?",
                                  {Text(owner.team_id), Text(owner.user_id), except}));
  std::set<std::string> names;
  for (const auto& row : rows) names.insert(row[0].str());
  return names;
}

Status NameTaken(const std::string& name) {
  return AlreadyExistsError("another topic is already named \"" + name + "\"");
}

Result<Topic> InsertTopic(SqlTransaction& tx, const UserRef& owner, const TopicContent& content,
                          int64_t now) {
  FAQBOT_ASSIGN_OR_RETURN(
      auto rows,
      tx.Exec(std::string("INSERT INTO topics (team_id, owner_id, question, phrasings, answer, "
                          "name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                          "RETURNING ") +
                  kTopicColumns,
              {Text(owner.team_id), Text(owner.user_id), Bytes(content.question),
               Bytes(EncodeStringList(content.phrasings)), Bytes(content.answer),
               Text(content.name), now, now}));
  if (rows.empty()) return InternalError("insert returned no row");
  return TopicFromRow(rows[0]);
}

Status WriteTopic(SqlTransaction& tx, const Topic& topic) {
  return tx
      .Exec(
          "UPDATE topics SET question = ?, phrasings = ?, answer = ?, name = ?, updated_at = ? "
          "WHERE id = ?",
          {Bytes(topic.content.question), Bytes(EncodeStringList(topic.content.phrasings)),
           Bytes(topic.content.answer), Text(topic.content.name), topic.updated_at, topic.id})
      .status();
}

Status CheckTopicCount(size_t count) {
  if (count >= kMaxTopicsPerOwner) {
    return ResourceExhaustedError("an owner has at most " + std::to_string(kMaxTopicsPerOwner) +
                                  " topics");
  }
  return Status::Ok();
}

}  // namespace

Result<Topic> Store::AddTopic(const UserRef& owner, const TopicContent& content) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  FAQBOT_RETURN_IF_ERROR(ValidateTopicContent(content, /*name_required=*/false));
  const int64_t now = clock_.UnixMillis();
  Topic topic;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, owner, now));
    FAQBOT_RETURN_IF_ERROR(LockOwner(tx, backend_->dialect(), owner));
    FAQBOT_ASSIGN_OR_RETURN(auto taken, TakenNames(tx, owner));
    FAQBOT_RETURN_IF_ERROR(CheckTopicCount(taken.size()));
    TopicContent named = content;
    if (named.name.empty()) {
      named.name = UniqueTopicName(TopicNameFromQuestion(named.question), taken);
    } else if (taken.count(named.name)) {
      return NameTaken(named.name);
    }
    FAQBOT_ASSIGN_OR_RETURN(topic, InsertTopic(tx, owner, named, now));
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
    if (edit.name) topic.content.name = *edit.name;
    FAQBOT_RETURN_IF_ERROR(ValidateTopicContent(topic.content, /*name_required=*/true));
    if (edit.name) {
      FAQBOT_ASSIGN_OR_RETURN(auto taken, TakenNames(tx, owner, id));
      if (taken.count(*edit.name)) return NameTaken(*edit.name);
    }
    topic.updated_at = now;
    return WriteTopic(tx, topic);
  }));
  return topic;
}

Result<TopicsImported> Store::ImportTopics(const UserRef& owner,
                                           const std::vector<TopicContent>& topics, bool replace) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(owner, "owner"));
  std::set<std::string> incoming;
  for (const auto& content : topics) {
    FAQBOT_RETURN_IF_ERROR(ValidateTopicContent(content, /*name_required=*/true)
                               .WithContext("topic \"" + content.name + "\""));
    if (!incoming.insert(content.name).second) {
      return InvalidArgumentError("two topics are named \"" + content.name + "\"");
    }
  }
  const int64_t now = clock_.UnixMillis();
  TopicsImported result;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    result = {};
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, owner, now));
    FAQBOT_RETURN_IF_ERROR(LockOwner(tx, backend_->dialect(), owner));
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec(std::string("SELECT ") + kTopicColumns +
                               " FROM topics WHERE team_id = ? AND owner_id = ? ORDER BY id",
                           {Text(owner.team_id), Text(owner.user_id)}));
    std::map<std::string, Topic> existing;
    for (const auto& row : rows) {
      FAQBOT_ASSIGN_OR_RETURN(auto topic, TopicFromRow(row));
      existing.emplace(topic.content.name, std::move(topic));
    }
    size_t kept = existing.size();
    if (replace) {
      for (const auto& [name, topic] : existing) {
        if (incoming.count(name)) continue;
        FAQBOT_RETURN_IF_ERROR(
            tx.Exec("DELETE FROM topics WHERE id = ?", {topic.id}).status());
        ++result.deleted;
        --kept;
      }
    }
    for (TopicContent content : topics) {
      auto it = existing.find(content.name);
      // A document without answers (a Rasa nlu.yml whose responses are in domain.yml) updates
      // the phrasings and keeps the answers the topics have.
      if (it != existing.end() && NeedsAnswer(content)) content.answer = it->second.content.answer;
      if (NeedsAnswer(content)) ++result.needs_answer;
      if (it == existing.end()) {
        FAQBOT_RETURN_IF_ERROR(CheckTopicCount(kept));
        FAQBOT_RETURN_IF_ERROR(InsertTopic(tx, owner, content, now).status());
        ++kept;
        ++result.added;
      } else if (it->second.content == content) {
        ++result.unchanged;
      } else {
        it->second.content = content;
        it->second.updated_at = now;
        FAQBOT_RETURN_IF_ERROR(WriteTopic(tx, it->second));
        ++result.updated;
      }
    }
    return Status::Ok();
  }));
  return result;
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
  FAQBOT_ASSIGN_OR_RETURN(
      int64_t deleted,
      internal::CountWritten(*backend_,
                             "DELETE FROM topics WHERE team_id = ? AND owner_id = ? RETURNING id",
                             {Text(owner.team_id), Text(owner.user_id)}));
  return static_cast<int>(deleted);
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
