// Internal to the Store's .cc files: column lists and row decoding shared by its methods.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "store/sql_backend.h"
#include "store/store_types.h"

namespace faqbot::store::internal {

// The NOTIFY channel of publication changes; payload "<team> <user> <version>".
inline constexpr std::string_view kPublicationChannel = "faqbot_publications";

inline constexpr const char* kTopicColumns =
    "id, team_id, owner_id, question, phrasings, answer, created_at, updated_at, name";
inline constexpr const char* kJobColumns =
    "id, team_id, owner_id, status, attempts, claim_token, worker, enqueued_at, available_at, "
    "lease_until, error, publication_id";
inline constexpr const char* kQuestionColumns =
    "id, team_id, asker_id, owner_id, text, outcome, topic_id, confidence, feedback, channel, "
    "thread_ts, asked_at, updated_at, handoff_channel, handoff_ts";

Result<Topic> TopicFromRow(const SqlRow& row);
Result<PublishJob> JobFromRow(const SqlRow& row);
Result<AskedQuestion> QuestionFromRow(const SqlRow& row);

// Published topics ↔ one column.
std::string EncodeTopics(const std::vector<PublishedTopic>& topics);
Result<std::vector<PublishedTopic>> DecodeTopics(std::string_view encoded);

Result<JobStatus> ParseJobStatus(std::string_view name);
Result<PublicationStatus> ParsePublicationStatus(std::string_view name);
Result<QuestionOutcome> ParseQuestionOutcome(std::string_view name);
Result<Feedback> ParseFeedback(std::string_view name);

// An unguessable lease token: a worker completes a claimed job or inbox event only with the
// token of its own claim. Thread-safe.
std::string NewClaimToken();

// Runs one write statement ending in RETURNING in its own write transaction and says how many
// rows it returned: how many it deleted or changed.
Result<int64_t> CountWritten(SqlBackend& backend, std::string_view sql, const SqlParams& params);

// Makes sure the workspace and the person exist (rows other tables refer to).
Status EnsurePerson(SqlTransaction& tx, const UserRef& user, int64_t now);

// Locks the owner's row until commit where the engine has row locks, so concurrent changes of
// one owner's topics (count limits, publication versions) are serialised.
Status LockOwner(SqlTransaction& tx, const Dialect& dialect, const UserRef& owner);

// InvalidArgument unless both ids are valid Slack ids.
Status ValidateUser(const UserRef& user, std::string_view what);
// Validates a topic's texts against limits.h, and its name (topic_name.h) unless it is empty
// and `name_required` is false. An empty answer is valid: a draft that needs one.
Status ValidateTopicContent(const TopicContent& content, bool name_required);

}  // namespace faqbot::store::internal
