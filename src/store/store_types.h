// The records the Store keeps. Plain value types; times are Unix milliseconds from the Store's
// Clock. User-provided text (questions, answers, names, conversation state) is kept as exact
// bytes: whatever goes in comes out verbatim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faqbot::store {

// A Slack user within a workspace: identity is (team id, user id), never a display name.
struct UserRef {
  std::string team_id;
  std::string user_id;
  bool operator==(const UserRef&) const = default;
  auto operator<=>(const UserRef&) const = default;
};

struct Person {
  UserRef user;
  std::string display_name;  // cached from Slack users.info; may be empty
  int64_t updated_at = 0;
};

// What an owner teaches: a question, other phrasings of it, the answer, and the topic's name.
struct TopicContent {
  std::string question;
  std::vector<std::string> phrasings;
  // Empty: a draft that needs an answer (imported from a Rasa file without `responses:`); it
  // stays out of every publication until it has one.
  std::string answer;
  // The intent name clients see (export, /model/parse): unique among the owner's topics; the
  // Rasa intent's name when imported. Empty when adding: the Store makes one from the question
  // (topic_name.h). (The default initialiser keeps `{question, phrasings, answer}` warning-free.)
  std::string name = {};
  bool operator==(const TopicContent&) const = default;
};

// True for a draft without an answer: publishing and learning leave it out.
inline bool NeedsAnswer(const TopicContent& content) { return content.answer.empty(); }

struct Topic {
  int64_t id = 0;
  UserRef owner;
  TopicContent content;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// A change to a topic; absent fields stay as they are.
struct TopicEdit {
  std::optional<std::string> question;
  std::optional<std::vector<std::string>> phrasings;
  std::optional<std::string> answer;
  std::optional<std::string> name;  // a valid name (topic_name.h) no other topic of the owner has
};

// What Store::ImportTopics did.
struct TopicsImported {
  int added = 0;      // new names
  int updated = 0;    // a topic of the same name, now with the imported content
  int unchanged = 0;  // a topic of the same name that had exactly that content
  int deleted = 0;    // topics whose name was not imported (replace only)
  // Imported topics left without an answer (drafts a publish leaves out); a topic that had one
  // keeps it when the document gives none, and is not counted.
  int needs_answer = 0;
  bool operator==(const TopicsImported&) const = default;
};

// How an owner wants their bot to behave. Defaults apply until the owner changes something.
struct OwnerSettings {
  // Learn from hand-offs: an owner's "It's topic X" or answer goes live at once (only that
  // change; other drafts stay drafts). Off: it waits as a draft for the next publish.
  bool learn = true;
  bool operator==(const OwnerSettings&) const = default;
};

// An API token of an owner, as listed: never the token itself (only its hash is stored).
struct ApiToken {
  int64_t id = 0;
  UserRef owner;
  std::string name;          // the owner's label; may be empty
  int64_t created_at = 0;    // Unix ms
  int64_t last_used_at = 0;  // Unix ms; 0 = never used
  bool operator==(const ApiToken&) const = default;
};

// A channel where the bot answers questions on its own (`/faqbot watch`).
struct WatchedChannel {
  std::string team_id;
  std::string channel;     // conversation ID
  std::string watched_by;  // user ID of who turned it on
  int64_t watched_at = 0;  // Unix ms
  bool operator==(const WatchedChannel&) const = default;
};

// A topic exactly as it went into a published model.
struct PublishedTopic {
  int64_t topic_id = 0;
  TopicContent content;
  bool operator==(const PublishedTopic&) const = default;
};

enum class PublicationStatus {
  kLive,        // the owner's current model
  kSuperseded,  // was live, replaced by a later publication
  kFailed,      // training or storing failed; `error` says why; the previous one stays live
};
std::string_view PublicationStatusName(PublicationStatus status);

// The model of an owner's live publication, as the ModelRegistry loads it.
struct LiveModel {
  int64_t version = 0;  // the publication's version
  std::string model;    // the model file
};

struct Publication {
  int64_t id = 0;
  UserRef owner;
  int64_t version = 0;  // 1, 2, … per owner, in commit order
  PublicationStatus status = PublicationStatus::kLive;
  std::vector<PublishedTopic> topics;
  std::string model;  // the model file; empty when not asked for, or for a failure
  std::string error;  // for kFailed
  int64_t job_id = 0;
  int64_t requested_at = 0;  // when the publish was asked for
  int64_t started_at = 0;    // when training started
  int64_t finished_at = 0;   // when it was stored
  bool operator==(const Publication&) const = default;
};

// What a worker stores when a publish succeeded. No topics (and no model) takes the bot down:
// askers hear that the owner has published nothing.
struct NewPublication {
  std::vector<PublishedTopic> topics;
  std::string model;
  int64_t started_at = 0;
};

enum class JobStatus { kPending, kRunning, kDone, kFailed };
std::string_view JobStatusName(JobStatus status);

struct PublishJob {
  int64_t id = 0;
  UserRef owner;
  JobStatus status = JobStatus::kPending;
  int attempts = 0;         // claims so far
  std::string claim_token;  // proves the lease when completing; empty when not running
  std::string worker;       // who holds it
  int64_t enqueued_at = 0;
  int64_t available_at = 0;  // not claimable before (retry backoff)
  int64_t lease_until = 0;   // a running job whose lease passed is claimable again
  std::string error;         // the last failure
  int64_t publication_id = 0;
};

struct EnqueueResult {
  PublishJob job;
  bool coalesced = false;  // an equal pending job existed; no new job was created
};

// Dialogue state of one person with the assistant, versioned for optimistic concurrency.
struct Conversation {
  UserRef user;
  std::string state;  // opaque to the Store
  int64_t version = 0;
  int64_t updated_at = 0;
};

enum class QuestionOutcome { kAnswered, kDeclined, kHandedOff, kResolved, kIgnored };
std::string_view QuestionOutcomeName(QuestionOutcome outcome);

enum class Feedback { kNone, kUp, kDown };
std::string_view FeedbackName(Feedback feedback);

struct NewQuestion {
  UserRef asker;
  UserRef owner;  // same team as the asker
  std::string text;
  QuestionOutcome outcome = QuestionOutcome::kAnswered;
  std::optional<int64_t> topic_id;
  double confidence = 0.0;
  std::string channel;  // where it was asked (to answer there later)
  std::string thread_ts;
};

struct AskedQuestion {
  int64_t id = 0;
  UserRef asker;
  UserRef owner;
  std::string text;
  QuestionOutcome outcome = QuestionOutcome::kAnswered;
  std::optional<int64_t> topic_id;
  double confidence = 0.0;
  Feedback feedback = Feedback::kNone;
  std::string channel;
  std::string thread_ts;
  int64_t asked_at = 0;
  int64_t updated_at = 0;
  // The owner's hand-off message of the question, once posted (Store::SetHandoffMessage);
  // empty when none is known.
  std::string handoff_channel;
  std::string handoff_ts;
};

// A web console session of an owner (Store::RedeemConsoleLink), as found by its secret's hash.
struct ConsoleSession {
  int64_t id = 0;
  UserRef owner;
  int64_t created_at = 0;
  int64_t expires_at = 0;  // the session ends then, whatever happens
};

// What happened to the questions asked of an owner's bot over a period (Store::GetOwnerActivity).
struct OwnerActivity {
  int64_t asked = 0;        // every question asked
  int64_t answered = 0;     // answered by the bot at once
  int64_t handed_off = 0;   // declined by the bot and handed to the owner (answered later or not)
  int64_t resolved = 0;     // of those, answered by the owner since
  int64_t thumbs_up = 0;    // 👍 from askers
  int64_t thumbs_down = 0;  // 👎 from askers
  bool operator==(const OwnerActivity&) const = default;
};

// The app installed in a Slack workspace, or org-wide in an Enterprise Grid organisation, by
// OAuth (Store::SaveInstallation). The bot token is kept sealed (server/secret_box.h): the Store
// never sees it in clear.
struct Installation {
  std::string team_id;                 // the workspace; empty for an org-wide install
  std::string enterprise_id;           // the Enterprise Grid organisation; empty outside one
  bool is_enterprise_install = false;  // org-wide: serves every workspace of the organisation
  std::string app_id;
  std::string bot_user_id;       // the bot's user in that workspace (U…)
  std::string bot_id;            // B…
  std::string scopes;            // granted bot scopes, comma-separated as Slack gives them
  std::string sealed_bot_token;  // nonce + ciphertext; opaque bytes here
  std::string installer_id;      // who installed it (U…)
  int64_t installed_at = 0;      // Unix ms
  bool operator==(const Installation&) const = default;
};

// One accepted Slack event or interaction to store in the durable inbox (Store::AddInboxEvent).
struct NewInboxEvent {
  // Slack's event_id or the Socket Mode envelope id; a second event with the same key is a
  // duplicate. Empty: no key (never a duplicate).
  std::string dedup_key;
  // The person the event is about: their events are handled one at a time, oldest first. The
  // user id may be empty (an event about nobody in particular: they share one queue per team).
  std::string team_id;
  std::string person_id;
  // How to read `payload` again (the caller's names, e.g. "events"); opaque to the Store.
  std::string kind;
  std::string payload;  // the request as received; opaque bytes
};

// A stored inbox event, as claimed by a worker.
struct InboxEvent {
  int64_t id = 0;
  std::string dedup_key;
  std::string team_id;
  std::string person_id;
  std::string kind;
  std::string payload;
  int64_t received_at = 0;  // Unix ms
  int attempts = 0;         // claims so far, this one included
  std::string claim_token;  // the claim's lease token; completes and renews only with it
  int64_t lease_until = 0;  // Unix ms
};

// A reply accepted for delivery and not delivered yet (the outbox), as claimed by a worker.
struct OutgoingReply {
  int64_t id = 0;            // increasing: a conversation's replies go out in id order
  std::string conversation;  // replies with the same key keep their order
  std::string payload;       // the destination and the reply, encoded by the sender
  int64_t created_at = 0;    // Unix ms
  int attempts = 0;          // claims so far, this one included (0 for the adding worker)
};

}  // namespace faqbot::store
