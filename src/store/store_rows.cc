#include "store/store_rows.h"

#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <random>

#include "store/limits.h"
#include "store/string_list_codec.h"
#include "store/topic_name.h"

namespace faqbot::store {

namespace {
constexpr std::array<std::string_view, 4> kJobStatusNames = {"pending", "running", "done",
                                                             "failed"};
constexpr std::array<std::string_view, 3> kPublicationStatusNames = {"live", "superseded",
                                                                     "failed"};
constexpr std::array<std::string_view, 5> kOutcomeNames = {"answered", "declined", "handed_off",
                                                           "resolved", "ignored"};
constexpr std::array<std::string_view, 3> kFeedbackNames = {"none", "up", "down"};

template <typename Enum, size_t N>
Result<Enum> ParseName(const std::array<std::string_view, N>& names, std::string_view name,
                       std::string_view what) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return DataLossError("unknown " + std::string(what) + " '" + std::string(name) + "'");
}
}  // namespace

std::string_view JobStatusName(JobStatus s) { return kJobStatusNames[static_cast<size_t>(s)]; }
std::string_view PublicationStatusName(PublicationStatus s) {
  return kPublicationStatusNames[static_cast<size_t>(s)];
}
std::string_view QuestionOutcomeName(QuestionOutcome o) {
  return kOutcomeNames[static_cast<size_t>(o)];
}
std::string_view FeedbackName(Feedback f) { return kFeedbackNames[static_cast<size_t>(f)]; }

namespace internal {

Result<JobStatus> ParseJobStatus(std::string_view name) {
  return ParseName<JobStatus>(kJobStatusNames, name, "job status");
}
Result<PublicationStatus> ParsePublicationStatus(std::string_view name) {
  return ParseName<PublicationStatus>(kPublicationStatusNames, name, "publication status");
}
Result<QuestionOutcome> ParseQuestionOutcome(std::string_view name) {
  return ParseName<QuestionOutcome>(kOutcomeNames, name, "question outcome");
}
Result<Feedback> ParseFeedback(std::string_view name) {
  return ParseName<Feedback>(kFeedbackNames, name, "feedback");
}

Result<Topic> TopicFromRow(const SqlRow& row) {
  if (row.size() < 9) return InternalError("topic row has too few columns");
  Topic t;
  t.id = row[0].Int();
  t.owner = {row[1].str(), row[2].str()};
  t.content.question = row[3].str();
  FAQBOT_ASSIGN_OR_RETURN(t.content.phrasings, DecodeStringList(row[4].str()));
  t.content.answer = row[5].str();
  t.created_at = row[6].Int();
  t.updated_at = row[7].Int();
  t.content.name = row[8].str();
  return t;
}

Result<PublishJob> JobFromRow(const SqlRow& row) {
  if (row.size() < 12) return InternalError("job row has too few columns");
  PublishJob j;
  j.id = row[0].Int();
  j.owner = {row[1].str(), row[2].str()};
  FAQBOT_ASSIGN_OR_RETURN(j.status, ParseJobStatus(row[3].str()));
  j.attempts = static_cast<int>(row[4].Int());
  j.claim_token = row[5].str();
  j.worker = row[6].str();
  j.enqueued_at = row[7].Int();
  j.available_at = row[8].Int();
  j.lease_until = row[9].Int();
  j.error = row[10].str();
  j.publication_id = row[11].Int();
  return j;
}

Result<AskedQuestion> QuestionFromRow(const SqlRow& row) {
  if (row.size() < 15) return InternalError("question row has too few columns");
  AskedQuestion q;
  q.id = row[0].Int();
  q.asker = {row[1].str(), row[2].str()};
  q.owner = {row[1].str(), row[3].str()};
  q.text = row[4].str();
  FAQBOT_ASSIGN_OR_RETURN(q.outcome, ParseQuestionOutcome(row[5].str()));
  q.topic_id = row[6].OptInt();
  q.confidence = row[7].Double();
  FAQBOT_ASSIGN_OR_RETURN(q.feedback, ParseFeedback(row[8].str()));
  q.channel = row[9].str();
  q.thread_ts = row[10].str();
  q.asked_at = row[11].Int();
  q.updated_at = row[12].Int();
  q.handoff_channel = row[13].str();
  q.handoff_ts = row[14].str();
  return q;
}

std::string EncodeTopics(const std::vector<PublishedTopic>& topics) {
  std::vector<std::string> items;
  items.reserve(topics.size());
  for (const auto& t : topics) {
    items.push_back(EncodeStringList({std::to_string(t.topic_id), t.content.question,
                                      t.content.answer, EncodeStringList(t.content.phrasings),
                                      t.content.name}));
  }
  return EncodeStringList(items);
}

Result<std::vector<PublishedTopic>> DecodeTopics(std::string_view encoded) {
  FAQBOT_ASSIGN_OR_RETURN(auto items, DecodeStringList(encoded));
  std::vector<PublishedTopic> topics;
  topics.reserve(items.size());
  for (const auto& item : items) {
    FAQBOT_ASSIGN_OR_RETURN(auto fields, DecodeStringList(item));
    // Four fields: published before topics had names; they had the name migration 4 gave.
    if (fields.size() != 4 && fields.size() != 5) return DataLossError("malformed published topic");
    PublishedTopic t;
    auto [ptr, ec] =
        std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), t.topic_id);
    if (ec != std::errc()) return DataLossError("malformed published topic id");
    t.content.question = std::move(fields[1]);
    t.content.answer = std::move(fields[2]);
    FAQBOT_ASSIGN_OR_RETURN(t.content.phrasings, DecodeStringList(fields[3]));
    t.content.name = fields.size() == 5 ? std::move(fields[4]) : "topic_" + fields[0];
    topics.push_back(std::move(t));
  }
  return topics;
}

// Makes sure the workspace and the person exist (rows other tables refer to).
std::string NewClaimToken() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016llx%016llx%llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(counter.fetch_add(1)));
  return buf;
}

Status EnsurePerson(SqlTransaction& tx, const UserRef& user, int64_t now) {
  FAQBOT_RETURN_IF_ERROR(tx.Exec("INSERT INTO workspaces (team_id, name, created_at, updated_at) "
                                 "VALUES (?, ?, ?, ?) ON CONFLICT (team_id) DO NOTHING",
                                 {Text(user.team_id), Bytes(""), now, now})
                             .status());
  return tx
      .Exec(
          "INSERT INTO people (team_id, user_id, display_name, created_at, updated_at) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, user_id) DO NOTHING",
          {Text(user.team_id), Text(user.user_id), Bytes(""), now, now})
      .status();
}

// Locks the owner's row until commit where the engine has row locks, so concurrent changes of
// one owner's topics (count limits, publication versions) are serialised.
Status LockOwner(SqlTransaction& tx, const Dialect& dialect, const UserRef& owner) {
  return tx
      .Exec("SELECT user_id FROM people WHERE team_id = ? AND user_id = ?" + dialect.row_lock,
            {Text(owner.team_id), Text(owner.user_id)})
      .status();
}

Result<int64_t> CountWritten(SqlBackend& backend, std::string_view sql, const SqlParams& params) {
  int64_t count = 0;
  FAQBOT_RETURN_IF_ERROR(backend.WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
    count = static_cast<int64_t>(rows.size());
    return Status::Ok();
  }));
  return count;
}

Status ValidateUser(const UserRef& user, std::string_view what) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(user.team_id, std::string(what) + " team id"));
  return ValidateId(user.user_id, std::string(what) + " user id");
}

Status ValidateTopicContent(const TopicContent& content, bool name_required) {
  FAQBOT_RETURN_IF_ERROR(ValidateTypedText(content.question, kMaxQuestionBytes, "question"));
  FAQBOT_RETURN_IF_ERROR(
      ValidateTypedText(content.answer, kMaxAnswerBytes, "answer", /*required=*/false));
  if (name_required || !content.name.empty()) {
    FAQBOT_RETURN_IF_ERROR(ValidateTopicName(content.name));
  }
  if (content.phrasings.size() > kMaxPhrasings) {
    return ResourceExhaustedError("a topic has at most " + std::to_string(kMaxPhrasings) +
                                  " extra phrasings");
  }
  for (const auto& p : content.phrasings) {
    FAQBOT_RETURN_IF_ERROR(ValidateTypedText(p, kMaxQuestionBytes, "phrasing"));
  }
  return Status::Ok();
}

}  // namespace internal
}  // namespace faqbot::store
