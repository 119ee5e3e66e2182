#include "store/migrations.h"

namespace faqbot::store {

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "initial schema",
       {
           R"(CREATE TABLE workspaces (
                team_id TEXT PRIMARY KEY,
                name {{BLOB}} NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL))",
           R"(CREATE TABLE people (
                team_id TEXT NOT NULL REFERENCES workspaces(team_id),
                user_id TEXT NOT NULL,
                display_name {{BLOB}} NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (team_id, user_id)))",
           R"(CREATE TABLE topics (
                id {{ID}},
                team_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                question {{BLOB}} NOT NULL,
                phrasings {{BLOB}} NOT NULL,
                answer {{BLOB}} NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                FOREIGN KEY (team_id, owner_id) REFERENCES people(team_id, user_id)))",
           "CREATE INDEX topics_by_owner ON topics (team_id, owner_id, id)",
           R"(CREATE TABLE publications (
                id {{ID}},
                team_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                version BIGINT NOT NULL,
                status TEXT NOT NULL,
                topics {{BLOB}} NOT NULL,
                topic_count INTEGER NOT NULL,
                model {{BLOB}},
                error {{BLOB}},
                job_id BIGINT,
                requested_at BIGINT NOT NULL,
                started_at BIGINT NOT NULL,
                finished_at BIGINT NOT NULL,
                UNIQUE (team_id, owner_id, version),
                FOREIGN KEY (team_id, owner_id) REFERENCES people(team_id, user_id)))",
           "CREATE UNIQUE INDEX publications_one_live ON publications (team_id, owner_id) "
           "WHERE status = 'live'",
           R"(CREATE TABLE publish_jobs (
                id {{ID}},
                team_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                claim_token TEXT,
                worker TEXT,
                enqueued_at BIGINT NOT NULL,
                available_at BIGINT NOT NULL,
                lease_until BIGINT,
                error {{BLOB}},
                publication_id BIGINT,
                finished_at BIGINT,
                FOREIGN KEY (team_id, owner_id) REFERENCES people(team_id, user_id)))",
           "CREATE UNIQUE INDEX publish_jobs_one_pending ON publish_jobs (team_id, owner_id) "
           "WHERE status = 'pending'",
           "CREATE INDEX publish_jobs_claimable ON publish_jobs (status, available_at)",
           R"(CREATE TABLE conversations (
                team_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                state {{BLOB}} NOT NULL,
                version BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (team_id, user_id)))",
           R"(CREATE TABLE slack_events (
                event_id TEXT PRIMARY KEY,
                expires_at BIGINT NOT NULL))",
           "CREATE INDEX slack_events_expiry ON slack_events (expires_at)",
           R"(CREATE TABLE questions (
                id {{ID}},
                team_id TEXT NOT NULL,
                asker_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                text {{BLOB}} NOT NULL,
                outcome TEXT NOT NULL,
                topic_id BIGINT,
                confidence {{DOUBLE}} NOT NULL,
                feedback TEXT NOT NULL,
                channel TEXT NOT NULL,
                thread_ts TEXT NOT NULL,
                asked_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL))",
           "CREATE INDEX questions_by_owner ON questions (team_id, owner_id, outcome)",
       }},
      {2,
       "owner settings",
       {
           R"(CREATE TABLE owner_settings (
                team_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                learn INTEGER NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (team_id, owner_id),
                FOREIGN KEY (team_id, owner_id) REFERENCES people(team_id, user_id)))",
       }},
      {3,
       "api tokens",
       {
           // Only the SHA-256 of a token is kept: a copy of the database grants no access.
           R"(CREATE TABLE api_tokens (
                id {{ID}},
                team_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT,
                FOREIGN KEY (team_id, owner_id) REFERENCES people(team_id, user_id)))",
           "CREATE INDEX api_tokens_by_owner ON api_tokens (team_id, owner_id)",
       }},
      {4,
       "topic names",
       {
           // Topics from before names keep the intent name clients already saw: topic_<id>.
           "ALTER TABLE topics ADD COLUMN name TEXT NOT NULL DEFAULT ''",
           "UPDATE topics SET name = 'topic_' || CAST(id AS TEXT)",
           "CREATE UNIQUE INDEX topics_unique_name ON topics (team_id, owner_id, name)",
       }},
      {5,
       "web console sign-in",
       {
           // One-time sign-in links and console sessions, both kept by the SHA-256 of their
           // secret only, like API tokens.
           R"(CREATE TABLE console_links (
                id {{ID}},
                team_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                secret_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT,
                FOREIGN KEY (team_id, owner_id) REFERENCES people(team_id, user_id)))",
           R"(CREATE TABLE console_sessions (
                id {{ID}},
                team_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                secret_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                FOREIGN KEY (team_id, owner_id) REFERENCES people(team_id, user_id)))",
           "CREATE INDEX console_sessions_by_owner ON console_sessions (team_id, owner_id)",
       }},
      {6,
       "help channels",
       {
           // Channels where the bot answers questions on its own. Only who turned it on and
           // when: nothing posted in the channel is kept here.
           R"(CREATE TABLE watched_channels (
                team_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                watched_by TEXT NOT NULL,
                watched_at BIGINT NOT NULL,
                PRIMARY KEY (team_id, channel),
                FOREIGN KEY (team_id, watched_by) REFERENCES people(team_id, user_id)))",
           // A watched thread is answered once: its recorded questions are looked up by it.
           "CREATE INDEX questions_by_thread ON questions (team_id, channel, thread_ts)",
       }},
      {7,
       "hand-off pacing",
       {
           // When each owner last got a hand-off DM and how many hand-offs waited since, so the
           // pacing holds across every process on the database.
           R"(CREATE TABLE handoff_pacing (
                team_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                last_dm_at BIGINT,
                held_back BIGINT NOT NULL,
                PRIMARY KEY (team_id, owner_id)))",
       }},
      {8,
       "slack installations",
       {
           // One row per OAuth install: a workspace (team_id) or, org-wide, an Enterprise Grid
           // organisation (team_id ''). The bot token is sealed with FAQBOT_SECRET_KEY; the
           // database alone cannot speak to Slack.
           R"(CREATE TABLE slack_installations (
                enterprise_id TEXT NOT NULL,
                team_id TEXT NOT NULL,
                is_enterprise_install INTEGER NOT NULL,
                app_id TEXT NOT NULL,
                bot_user_id TEXT NOT NULL,
                bot_id TEXT NOT NULL,
                scopes TEXT NOT NULL,
                bot_token {{BLOB}} NOT NULL,
                installer_id TEXT NOT NULL,
                installed_at BIGINT NOT NULL,
                PRIMARY KEY (enterprise_id, team_id)))",
           "CREATE INDEX slack_installations_by_team ON slack_installations (team_id)",
           // OAuth `state` values handed out and not yet used, by their hash: each is good once.
           R"(CREATE TABLE oauth_states (
                state_hash TEXT PRIMARY KEY,
                expires_at BIGINT NOT NULL))",
       }},
      {9,
       "durable inbox; asked questions found by key",
       {
           // Every accepted Slack event or interaction, stored before it is acknowledged and
           // kept after it was handled (done_at) until keep_until, so a late retry of its
           // dedup_key is still dropped. Rows without a key (an interaction over HTTP) have a
           // NULL one. One person's rows are handled oldest first, one at a time, by whichever
           // process holds the lease.
           R"(CREATE TABLE inbox_events (
                id {{ID}},
                dedup_key TEXT UNIQUE,
                team_id TEXT NOT NULL,
                person_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                payload {{BLOB}} NOT NULL,
                received_at BIGINT NOT NULL,
                attempts INTEGER NOT NULL,
                claim_token TEXT,
                worker TEXT,
                lease_until BIGINT,
                done_at BIGINT,
                keep_until BIGINT))",
           "CREATE INDEX inbox_events_unfinished ON inbox_events (team_id, person_id, id) "
           "WHERE done_at IS NULL",
           // The claim's scan in id order over unfinished rows only: without it the handled
           // rows kept for dedup (15 minutes of traffic) are read on every claim.
           "CREATE INDEX inbox_events_pending ON inbox_events (id) WHERE done_at IS NULL",
           "CREATE INDEX inbox_events_done ON inbox_events (keep_until) WHERE done_at IS NOT NULL",
           // The key an answer's feedback buttons carry, so the question can be stored after the
           // answer went out (NULL for questions recorded without one).
           "ALTER TABLE questions ADD COLUMN ask_key TEXT",
           "CREATE UNIQUE INDEX questions_by_key ON questions (ask_key)",
       }},
      {10,
       "outbox of replies not delivered yet",
       {
           // Every reply a process accepted, until Slack took it (or it was given up on). The
           // worker holds it under a lease it renews; a row whose lease ran out (the process
           // died) or that was given back (lease_until NULL) is claimed by any process.
           R"(CREATE TABLE outgoing_replies (
                id {{ID}},
                conversation TEXT NOT NULL,
                payload {{BLOB}} NOT NULL,
                created_at BIGINT NOT NULL,
                attempts INTEGER NOT NULL,
                worker TEXT,
                lease_until BIGINT))",
           "CREATE INDEX outgoing_replies_by_conversation ON outgoing_replies (conversation, id)",
           "CREATE INDEX outgoing_replies_by_worker ON outgoing_replies (worker)",
       }},
      {11,
       "where a question's hand-off message was posted",
       {
           // The owner's hand-off DM of the question, once Slack posted it, so that the DM can
           // say how the question was settled when that happens elsewhere (NULL: none known).
           "ALTER TABLE questions ADD COLUMN handoff_channel TEXT",
           "ALTER TABLE questions ADD COLUMN handoff_ts TEXT",
       }},
      {12,
       "a token made from a console form once",
       {
           // The one-time value of the console form that made the token (NULL: made otherwise),
           // so that the form sent again — to this process or another — makes no second token.
           "ALTER TABLE api_tokens ADD COLUMN form_key TEXT",
           "CREATE UNIQUE INDEX api_tokens_by_form ON api_tokens (team_id, owner_id, form_key)",
       }},
      {13,
       "which organisation a workspace belongs to",
       {
           // The Enterprise Grid organisation of a workspace, as its events name it, so that
           // any process (a restarted one, or one taking over a dead one's outbox) finds the
           // org-wide installation that serves the workspace without waiting for its next event.
           R"(CREATE TABLE slack_workspace_enterprises (
                team_id TEXT PRIMARY KEY,
                enterprise_id TEXT NOT NULL,
                noted_at BIGINT NOT NULL))",
       }},
  };
  return kMigrations;
}

}  // namespace faqbot::store
