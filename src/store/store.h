// Store: everything faqbot keeps — workspaces and people, topics, publications (the live model
// of each owner and the exact topics in it), the publish job queue, conversation state, Slack
// event ids already processed, and the questions people asked.
//
// One class over two engines (SqlBackend): SQLite by default (`sqlite:./faqbot.db`) and
// PostgreSQL (`postgresql://…`) for several processes; both give the same semantics and pass one
// conformance suite. Every method is one transaction; every write is durable when it returns ok.
//
// Ownership rules live here, not in callers' goodwill: topic and publication calls take the
// owner, and a topic id of another owner is NotFound.
//
// Errors common to every method: Unavailable (the database is down or unreachable; nothing was
// changed; retry later), InvalidArgument (bad ids, malformed input), ResourceExhausted (a limit
// of limits.h), Internal (an unexpected engine error). Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/database_url.h"
#include "store/sql_backend.h"
#include "store/store_types.h"

namespace faqbot::store {

struct StoreOptions {
  // Connections per process (both engines).
  int pool_size = 4;
  // Apply pending migrations on open. When false, the caller runs Migrate or checks
  // SchemaVersion itself (`faqbot db migrate`).
  bool migrate = true;
  // A publish job is retried this many times before it is marked failed.
  int max_job_attempts = 3;
};

class Store {
 public:
  // Called with the owner whose live publication changed, in this or another process.
  using PublicationListener = std::function<void(const UserRef& owner, int64_t version)>;

  // Opens the database `url` (see database_url.h), applying migrations unless told not to.
  // `clock` must outlive the Store. Errors: InvalidArgument (bad URL), Unavailable (cannot
  // connect or open), DataLoss (not a database), FailedPrecondition (schema newer than this
  // build).
  static Result<std::unique_ptr<Store>> Open(const std::string& url, Clock& clock,
                                             StoreOptions options = {});
  // Same, over a backend the caller opened.
  static Result<std::unique_ptr<Store>> Open(std::unique_ptr<SqlBackend> backend, Clock& clock,
                                             StoreOptions options = {});

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // "sqlite" or "postgresql".
  const std::string& engine() const;
  SqlBackend& backend() { return *backend_; }

  // ---- schema ----
  // Applies every migration not yet applied; returns how many ran. Safe when several processes
  // start at once.
  Result<int> Migrate();
  // The schema version of the database (0 for an empty one).
  Result<int> SchemaVersion();

  // ---- workspaces and people ----
  Status UpsertWorkspace(const std::string& team_id, const std::string& name);
  Status UpsertPerson(const UserRef& user, const std::string& display_name);
  Result<std::optional<Person>> GetPerson(const UserRef& user);
  // The workspaces in which `user_id` is known, sorted.
  Result<std::vector<std::string>> TeamsOfUser(const std::string& user_id);

  // ---- owner settings ----
  // The owner's settings; the defaults when they never changed any.
  Result<OwnerSettings> GetOwnerSettings(const UserRef& owner);
  Status SetOwnerSettings(const UserRef& owner, const OwnerSettings& settings);

  // ---- topics ----
  // Adds a topic; its owner is registered as a person when new. An empty name gets one made from
  // the question (topic_name.h), with a suffix when the owner has it already. ResourceExhausted
  // when the owner already has kMaxTopicsPerOwner topics; AlreadyExists when another topic of
  // the owner has the given name; InvalidArgument for an invalid name.
  Result<Topic> AddTopic(const UserRef& owner, const TopicContent& content);
  // NotFound when `id` is not one of the owner's topics; AlreadyExists when `edit.name` is
  // another of the owner's topics' name.
  Result<Topic> UpdateTopic(const UserRef& owner, int64_t id, const TopicEdit& edit);
  // Writes `topics` (each with a valid name, names distinct: InvalidArgument otherwise) as the
  // owner's in one transaction: a topic of the same name keeps its id and takes the content
  // (its answer too, unless the new content has none: a Rasa nlu.yml without `responses:` keeps
  // the answers); other names are added, in order. With `replace`, the owner's topics whose name is
  // not in `topics` are deleted. Nothing is written on any error; ResourceExhausted when the owner
  // would have more than kMaxTopicsPerOwner topics.
  Result<TopicsImported> ImportTopics(const UserRef& owner, const std::vector<TopicContent>& topics,
                                      bool replace);
  Status DeleteTopic(const UserRef& owner, int64_t id);
  // Deletes every topic of the owner; returns how many.
  Result<int> DeleteAllTopics(const UserRef& owner);
  Result<std::optional<Topic>> GetTopic(const UserRef& owner, int64_t id);
  // The owner's topics in the order they were added.
  Result<std::vector<Topic>> ListTopics(const UserRef& owner);
  Result<int64_t> CountTopics(const UserRef& owner);

  // ---- publications ----
  // The owner's live publication (model bytes included when `with_model`), or nullopt.
  Result<std::optional<Publication>> GetLivePublication(const UserRef& owner, bool with_model);
  // The owner's publications, newest first, without model bytes: the live one and up to
  // kPublicationsKept - 1 superseded (older ones are deleted as new ones go live), and failures.
  Result<std::vector<Publication>> ListPublications(const UserRef& owner, int limit = 20);
  // Every owner's live publication (topics, no model): what a workspace-wide index starts from.
  Result<std::vector<Publication>> ListLivePublications();
  // The model bytes and version of the owner's live publication, or nullopt when nothing is
  // published (or the live publication is empty: the owner took the bot down). ModelRegistry's
  // loader.
  Result<std::optional<LiveModel>> LoadLiveModel(const UserRef& owner);
  // Makes `publication` the owner's live one without a publish job, provided the live version is
  // still `base_version` (0: nothing live yet): how a phrasing or topic learned from a hand-off
  // goes live at once while the owner's other drafts stay drafts. The caller builds
  // `publication` from the live topics it read at `base_version`. Aborted when another publish
  // or amendment got there first (read the live publication again and retry); nothing is stored
  // then. Announced like a publish.
  Result<Publication> AmendLivePublication(const UserRef& owner, int64_t base_version,
                                           const NewPublication& publication);
  // Calls `listener` whenever a publication of any owner goes live — committed by this process
  // (right after commit) or, on PostgreSQL, by another one (LISTEN/NOTIFY). When notifications
  // may have been missed (the database connection was lost and came back), calls it once with
  // an empty owner and version 0: forget every cached model. Call before use.
  Status SubscribePublications(PublicationListener listener);

  // ---- API tokens ----
  // Records a token of `owner` by its hash (the caller hashes; the token is never stored); the
  // owner is registered as a person when new. `form_key`, when not empty, is the one-time value
  // of the form that asked for it: AlreadyExists when the owner has a token of that key already
  // (the form sent again), as when the hash is taken; InvalidArgument for an empty hash or a name
  // or key over kMaxNameBytes.
  Result<ApiToken> AddApiToken(const UserRef& owner, const std::string& token_hash,
                               const std::string& name, const std::string& form_key = {});
  // The token with this hash, or nullopt (unknown or revoked).
  Result<std::optional<ApiToken>> FindApiToken(const std::string& token_hash);
  // The owner's tokens, oldest first.
  Result<std::vector<ApiToken>> ListApiTokens(const UserRef& owner);
  // Records that token `id` was used at `at_millis`. Unknown ids are ignored. Does not wait for a
  // lock another writer holds (SQLite: Unavailable at once): the caller is serving a request.
  Status TouchApiToken(int64_t id, int64_t at_millis);
  // Revokes (deletes) the owner's token `id`. NotFound when it is not one of the owner's.
  Status RevokeApiToken(const UserRef& owner, int64_t id);

  // ---- web console sign-in ----
  // Records a one-time sign-in link of `owner` by the hash of its secret, valid for `ttl` from
  // now; the owner is registered as a person when new. AlreadyExists when the hash is taken;
  // InvalidArgument for an empty hash or a ttl that is not positive.
  Status AddConsoleLink(const UserRef& owner, const std::string& link_hash,
                        std::chrono::milliseconds ttl);
  // In one transaction: uses up the link with hash `link_hash` and opens a session of its owner,
  // kept by `session_hash` and valid for `session_ttl` from now. nullopt (and nothing changes)
  // when the link is unknown, expired or used already — of several concurrent redeemers, even
  // in several processes, exactly one gets the session. AlreadyExists when `session_hash` is
  // taken; InvalidArgument for empty hashes or a ttl that is not positive.
  Result<std::optional<ConsoleSession>> RedeemConsoleLink(const std::string& link_hash,
                                                          const std::string& session_hash,
                                                          std::chrono::milliseconds session_ttl);
  // The session kept by `session_hash`, or nullopt when it is unknown, revoked or expired.
  Result<std::optional<ConsoleSession>> FindConsoleSession(const std::string& session_hash);
  // Ends the session kept by `session_hash` (signing out). Unknown hashes are ignored.
  Status RevokeConsoleSession(const std::string& session_hash);
  // Ends every session of `owner` (sign out everywhere); returns how many were open. Also
  // deletes the owner's links that were never used.
  Result<int> RevokeConsoleSessions(const UserRef& owner);
  // Deletes expired links and sessions; returns how many.
  Result<int> PurgeExpiredConsoleSignIns();

  // ---- help channels ----
  // Turns on auto-answers in `channel` of `by`'s workspace; `by` is registered as a person when
  // new. True when the channel was not watched before (false: already watched, nothing changes).
  // InvalidArgument for an invalid user or channel id.
  Result<bool> WatchChannel(const UserRef& by, const std::string& channel);
  // Turns them off. True when the channel was watched.
  Result<bool> UnwatchChannel(const std::string& team_id, const std::string& channel);
  // The channel, when it is watched.
  Result<std::optional<WatchedChannel>> GetWatchedChannel(const std::string& team_id,
                                                          const std::string& channel);
  // The workspace's watched channels, oldest first.
  Result<std::vector<WatchedChannel>> ListWatchedChannels(const std::string& team_id);
  // Whether a question was recorded in the thread `thread_ts` of `channel` (so a watched
  // thread is answered once, whichever process sees it).
  Result<bool> HasQuestionInThread(const std::string& team_id, const std::string& channel,
                                   const std::string& thread_ts);

  // ---- Slack installations (OAuth) ----
  // Stores `installation`, replacing the one of the same workspace (or, org-wide, the same
  // organisation). InvalidArgument when it names neither a team nor, org-wide, an enterprise,
  // or has no sealed token.
  Status SaveInstallation(const Installation& installation);
  // The installation serving workspace `team_id`: its own, else the org-wide one of
  // `enterprise_id` (when empty: of the organisation recorded for the workspace by
  // NoteWorkspaceEnterprise, if any); nullopt when there is none.
  Result<std::optional<Installation>> FindInstallation(const std::string& team_id,
                                                       const std::string& enterprise_id);
  // Records that workspace `team_id` belongs to Enterprise Grid organisation `enterprise_id`
  // (replacing what was recorded), for FindInstallation in any process. InvalidArgument when
  // either is empty.
  Status NoteWorkspaceEnterprise(const std::string& team_id, const std::string& enterprise_id);
  // Deletes the installation of workspace `team_id` (org-wide, `team_id` empty: of organisation
  // `enterprise_id`); the workspace's topics and people stay. True when one was deleted.
  Result<bool> DeleteInstallation(const std::string& team_id, const std::string& enterprise_id);
  // Every installation, workspaces then organisations, by id.
  Result<std::vector<Installation>> ListInstallations();

  // ---- OAuth state ----
  // Records an OAuth `state` handed out (by its hash), good until `ttl` from now; expired ones
  // are deleted on the way. AlreadyExists when the hash is taken; InvalidArgument for an empty
  // hash or a ttl that is not positive.
  Status AddOAuthState(const std::string& state_hash, std::chrono::milliseconds ttl);
  // Uses up the state: true exactly once (of concurrent callers, in any process) for a state
  // recorded and not expired; false when unknown, expired or used already.
  Result<bool> ConsumeOAuthState(const std::string& state_hash);

  // ---- publish jobs ----
  // The owner's publish jobs waiting or being trained (Rasa's num_active_training_jobs).
  Result<int64_t> CountActivePublishJobs(const UserRef& owner);
  // Every owner's publish jobs waiting or being trained: the depth of the training queue.
  Result<int64_t> CountActivePublishJobs();
  // Asks for the owner's topics to be published. Coalesces: when the owner already has a
  // pending job, that job is returned (coalesced = true) and no new one is made.
  Result<EnqueueResult> EnqueuePublish(const UserRef& owner);
  // Claims the oldest claimable job — pending and available, or running with an expired lease
  // (its worker died) — for `lease`. Never gives one job to two workers; skips owners whose
  // other job is running under a valid lease. nullopt when there is nothing to do.
  Result<std::optional<PublishJob>> ClaimPublishJob(const std::string& worker,
                                                    std::chrono::milliseconds lease);
  // In one transaction: stores the publication as the owner's live one (the previous live one
  // becomes superseded), marks the job done and announces the change. Aborted when the job's
  // lease was lost (another worker reclaimed it): nothing is stored. With `base_version` (the
  // live version read before the topics were), FailedPrecondition when the live publication
  // changed since — an amend (a learned phrasing) the publication may not hold: nothing is
  // stored, the job stays the caller's to retry from fresh topics.
  Result<Publication> CompletePublishJob(const PublishJob& job, const NewPublication& publication,
                                         std::optional<int64_t> base_version = std::nullopt);
  // Records a failed attempt. With attempts left and a `retry_after` (a transient failure), the
  // job becomes pending again after it; otherwise (attempts used up, or nullopt: retrying cannot
  // help) it is failed and a failed publication records `error` (the live one stays). Returns
  // the job as it is now. Aborted when the lease was lost.
  Result<PublishJob> FailPublishJob(const PublishJob& job, const std::string& error,
                                    std::optional<std::chrono::milliseconds> retry_after);
  // Gives a claimed job back unfinished (shutdown): pending again, the attempt not counted.
  Status ReleasePublishJob(const PublishJob& job);
  Result<std::optional<PublishJob>> GetPublishJob(int64_t id);

  // ---- conversation state ----
  Result<std::optional<Conversation>> GetConversation(const UserRef& user);
  // Writes the state when the stored version is `expected_version` (0: none stored yet) and
  // returns the new version. Aborted when another writer got there first.
  Result<int64_t> SaveConversation(const UserRef& user, const std::string& state,
                                   int64_t expected_version);
  Status DeleteConversation(const UserRef& user);

  // ---- Slack event dedup ----
  // Records `event_id` until `ttl` from now. True when it was not seen (or its record expired):
  // the caller should process the event. Exactly one of several concurrent callers gets true.
  Result<bool> MarkEventIfNew(const std::string& event_id, std::chrono::milliseconds ttl);
  // Deletes expired event records; returns how many.
  Result<int> PurgeExpiredEvents();

  // ---- durable inbox ----
  // Stores an accepted event before it is acknowledged. True when stored; false when an event
  // with the same non-empty dedup_key is stored already (pending, being handled, or handled and
  // still kept): a duplicate delivery, nothing changes. Exactly one of several concurrent adds
  // of one key gets true. InvalidArgument for a malformed key or team id, an empty kind;
  // ResourceExhausted for a payload over kMaxInboxPayloadBytes.
  Result<bool> AddInboxEvent(const NewInboxEvent& event);
  // Claims, for `lease`, the oldest unfinished event whose person has no older unfinished event
  // and that nobody holds under a valid lease (new, or its worker died). So one person's events
  // are handled oldest first and never two at once, across every process on the database; other
  // persons' events are claimed in parallel. Counts the attempt. nullopt when nothing is
  // claimable.
  Result<std::optional<InboxEvent>> ClaimInboxEvent(const std::string& worker,
                                                    std::chrono::milliseconds lease);
  // Extends the claim's lease to `lease` from now. Aborted when the lease was lost (it expired
  // and another worker claimed the event).
  Status RenewInboxLease(const InboxEvent& event, std::chrono::milliseconds lease);
  // Marks the claimed event handled; it is kept for `keep` from now so a late retry of its key is
  // still a duplicate. Aborted when the lease was lost.
  Status CompleteInboxEvent(const InboxEvent& event, std::chrono::milliseconds keep);
  // Gives a claimed event back unhandled (shutdown): claimable again at once, the attempt not
  // counted. Aborted when the lease was lost.
  Status ReleaseInboxEvent(const InboxEvent& event);
  // Deletes handled events whose keep time passed; returns how many.
  Result<int> PurgeInboxEvents();
  // Unfinished events (waiting or being handled), for a queue-depth gauge. One indexed count.
  Result<int64_t> CountPendingInboxEvents();

  // ---- outbox: replies accepted and not delivered yet ----
  // A process stores each reply before it tries to send it and holds it under a lease it keeps
  // renewing; when the process dies (or gives replies back), another one — or the next start —
  // claims and sends them, so an accepted reply survives a restart and a long Slack outage.
  //
  // Stores a reply of `conversation` held by `worker` for `lease`, and returns it — unless an
  // older reply of the conversation is not `worker`'s own: held by another live worker (waiting
  // out Slack's rate limit, say) or waiting to be claimed. Then it is stored held by nobody
  // (`held` false) and claimed after those (by the older one's holder, or by anyone once they
  // are gone), so replies of one conversation never overtake one another across processes. InvalidArgument for a malformed worker name or an empty conversation;
  // ResourceExhausted for a conversation key over kMaxConversationKeyBytes or a payload over
  // kMaxOutgoingReplyBytes.
  struct AddedReply {
    int64_t id = 0;
    bool held = true;  // by `worker`, who sends it; false: left for the older one's holder
  };
  Result<AddedReply> AddOutgoingReply(const std::string& conversation, const std::string& payload,
                                      const std::string& worker, std::chrono::milliseconds lease);
  // Delivered, or given up on: the reply is gone. Deleting an unknown id is not an error.
  Status DeleteOutgoingReply(int64_t id);
  // Extends the lease of every reply `worker` holds to `lease` from now; returns how many.
  Result<int64_t> RenewOutgoingReplies(const std::string& worker, std::chrono::milliseconds lease);
  // Gives replies back unsent (shutdown): held by nobody, claimable at once.
  Status ReleaseOutgoingReplies(const std::vector<int64_t>& ids);
  // Claims for `worker`, for `lease`, up to `limit` replies nobody holds (given back, or their
  // worker's lease ran out), oldest first, except those whose conversation has an older reply
  // still held by another worker (that worker sends the conversation in order; `worker` itself
  // may take the later replies of a conversation it holds). Counts an attempt on each.
  Result<std::vector<OutgoingReply>> ClaimOutgoingReplies(const std::string& worker,
                                                          std::chrono::milliseconds lease,
                                                          int limit);
  // Replies waiting, held or not. One count.
  Result<int64_t> CountOutgoingReplies();

  // ---- asked questions ----
  // Stores a question. A non-empty `key` (1-64 of [A-Za-z0-9._:-], unique: AlreadyExists
  // otherwise) finds it again with FindQuestionByKey: what a reply sent before the question was
  // stored can carry.
  Result<AskedQuestion> RecordQuestion(const NewQuestion& question, const std::string& key = "");
  Result<std::optional<AskedQuestion>> GetQuestion(int64_t id);
  // The question recorded with `key`, or nullopt.
  Result<std::optional<AskedQuestion>> FindQuestionByKey(const std::string& key);
  Status SetQuestionOutcome(int64_t id, QuestionOutcome outcome, std::optional<int64_t> topic_id);
  // Closes a question still waiting for its owner (declined, handed off, or answered with 👎)
  // with `outcome` and `topic_id` (kept when nullopt). True when this call closed it; false when
  // it was closed already — so a second press of a one-shot button changes nothing, even from
  // another process. NotFound for an unknown id.
  Result<bool> CloseQuestion(int64_t id, QuestionOutcome outcome, std::optional<int64_t> topic_id);
  // Puts a question settled as topic `topic_id` — by its owner, or answered so by the bot — back
  // in the owner's queue (handed off, no topic): an *Undo* of *It's X*. True when this call did;
  // false when the question is not settled as that topic (undone already, in any process).
  // NotFound for an unknown id.
  Result<bool> ReopenQuestion(int64_t id, int64_t topic_id);
  // Where the owner's hand-off message of question `id` was posted (the chat service's channel
  // and message ts), so that it can be updated when the question is settled elsewhere; a later
  // hand-off of the same question replaces it. InvalidArgument for an empty channel or ts,
  // NotFound for an unknown id.
  Status SetHandoffMessage(int64_t id, const std::string& channel, const std::string& ts);
  // The question of `owner` whose hand-off message is the one posted at `channel`/`ts` (the
  // newest, should two share it), or nullopt: a reply in that message's thread answers it.
  Result<std::optional<AskedQuestion>> FindQuestionByHandoffMessage(const UserRef& owner,
                                                                    const std::string& channel,
                                                                    const std::string& ts);
  // Only the asker may give feedback: PermissionDenied otherwise. True when this call changed the
  // question's feedback; false when it already was `feedback` (a second press of the same
  // button: a double click, another device), so a 👎 pressed twice hands the question off once.
  Result<bool> SetQuestionFeedback(int64_t id, const UserRef& by, Feedback feedback);
  // The owner's questions still waiting for them: declined or handed off, or answered with 👎;
  // oldest first.
  Result<std::vector<AskedQuestion>> ListUnanswered(const UserRef& owner, int limit = 200);
  // The questions asked of `owner` at or after `since_millis` (Unix ms) that the bot answered
  // with topic `topic_id` (not those settled by the owner), oldest first, at most `limit`.
  Result<std::vector<AskedQuestion>> ListAnsweredAs(const UserRef& owner, int64_t topic_id,
                                                    int64_t since_millis, int limit);
  // The questions of `owner` settled by the owner as topic `topic_id` (outcome resolved) whose last
  // change lies in [from_millis, to_millis] (Unix ms), oldest first, at most `limit`: those a
  // press closed along with the one it answered, found again when the press is handled anew.
  Result<std::vector<AskedQuestion>> ListSettledAs(const UserRef& owner, int64_t topic_id,
                                                   int64_t from_millis, int64_t to_millis,
                                                   int limit);
  // Counts of the questions asked of `owner` at or after `since_millis` (Unix ms), by what
  // happened to them; the Home tab's and the web console's "last 7 days".
  Result<OwnerActivity> GetOwnerActivity(const UserRef& owner, int64_t since_millis);

  // ---- hand-off pacing ----
  struct HandoffClaim {
    int held_back = 0;                      // hand-offs held back since the previous DM
    std::optional<int64_t> previous_dm_at;  // when that DM went (Unix ms); nullopt: the first
    bool operator==(const HandoffClaim&) const = default;
  };
  // Whether a hand-off DM may go to `owner` now: at most one every `interval` per owner, across
  // every process on the database. When it may, records now as the owner's last hand-off DM and
  // returns how many hand-offs were held back since the previous one (0 or more) and when that
  // one went; when not, counts this hand-off as held back and returns nullopt. Of concurrent
  // callers within one interval, exactly one gets a value. InvalidArgument for an invalid owner.
  Result<std::optional<HandoffClaim>> ClaimHandoffDm(const UserRef& owner,
                                                     std::chrono::milliseconds interval);
  // Owners with hand-offs held back since their last hand-off DM, which went before
  // `last_dm_before_millis` (Unix ms): no DM has told them of those questions yet. Longest
  // waiting first, at most `limit`.
  struct HeldBackHandoffs {
    UserRef owner;
    int held_back = 0;
    int64_t last_dm_at = 0;  // Unix ms
    bool operator==(const HeldBackHandoffs&) const = default;
  };
  Result<std::vector<HeldBackHandoffs>> ListHeldBackHandoffs(int64_t last_dm_before_millis,
                                                             int limit);
  // Forgets the owner's held-back count (their questions were settled without a DM), unless a
  // hand-off DM went after `last_dm_at` (its grant has counted them already). InvalidArgument for
  // an invalid owner.
  Status ForgetHeldBackHandoffs(const UserRef& owner, int64_t last_dm_at);

 private:
  Store(std::unique_ptr<SqlBackend> backend, Clock& clock, StoreOptions options);
  void AnnouncePublication(const UserRef& owner, int64_t version);

  std::unique_ptr<SqlBackend> backend_;
  Clock& clock_;
  StoreOptions options_;
  std::mutex listeners_mu_;
  std::vector<PublicationListener> listeners_;
  bool listening_ = false;
};

}  // namespace faqbot::store
