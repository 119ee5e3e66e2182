// `faqbot topics import|export|list`, `faqbot token create|list|revoke`, `faqbot console
// link|signout` and `faqbot db migrate`: operators' access to the Store.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "app/commands.h"
#include "assistant/reply.h"
#include "assistant/topic_import.h"
#include "assistant/training_queue.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/utf8.h"
#include "server/api_tokens.h"
#include "server/console_auth.h"
#include "store/limits.h"
#include "store/postgres_backend.h"
#include "store/store.h"
#include "store/topic_state.h"

namespace faqbot::app {
namespace {

struct StoreFlags {
  std::string database;  // --database; empty: $FAQBOT_DATABASE_URL, else sqlite:./faqbot.db
  std::string owner;     // --owner U…
  std::string team;      // --team T…; optional when the owner is known in one workspace
  std::string file;      // import: the Rasa NLU YAML file
  std::string out;       // export: a file instead of stdout
  std::string name;      // token create: the token's label
  std::string token;     // token revoke: the token's id, or the token itself
  std::string domain;    // import: a Rasa domain file with the answers (responses)
  bool replace = false;  // import: delete the owner's topics the file does not name
  std::string format;    // export: "yaml" or "json"; default from --out's extension, else yaml
};

Result<std::unique_ptr<store::Store>> OpenStore(const StoreFlags& f, bool migrate = true) {
  store::StoreOptions options;
  options.migrate = migrate;
  options.pool_size = 2;
  auto opened =
      store::Store::Open(store::ResolveDatabaseUrl(f.database), SystemClock::Instance(), options);
  if (!opened.ok()) {
    return opened.status().WithContext(
        "database " + store::PostgresBackend::RedactUrl(store::ResolveDatabaseUrl(f.database)));
  }
  return opened;
}

std::string JoinTeams(const std::vector<std::string>& teams) {
  std::string list;
  for (const auto& t : teams) list += (list.empty() ? "" : ", ") + t;
  return list;
}

// The owner's workspace: --team, or the one workspace the owner is known in, or kLocalTeam for
// an owner nobody has seen yet (the terminal shell's workspace).
Result<store::UserRef> ResolveOwner(store::Store& db, const StoreFlags& f) {
  FAQBOT_RETURN_IF_ERROR(store::ValidateId(f.owner, "--owner"));
  if (!f.team.empty()) FAQBOT_RETURN_IF_ERROR(store::ValidateId(f.team, "--team"));
  FAQBOT_ASSIGN_OR_RETURN(auto teams, db.TeamsOfUser(f.owner));
  if (!f.team.empty()) {
    if (!teams.empty() && std::find(teams.begin(), teams.end(), f.team) == teams.end()) {
      // Most likely topics imported without --team (TLOCAL) and a token asked for with it: say
      // so, or the token quietly serves a person without topics.
      std::fprintf(stderr, "note: %s is not known in workspace %s yet, only in %s\n",
                   f.owner.c_str(), f.team.c_str(), JoinTeams(teams).c_str());
    }
    return store::UserRef{f.team, f.owner};
  }
  if (teams.empty()) return store::UserRef{std::string(kLocalTeam), f.owner};
  if (teams.size() > 1) {
    return InvalidArgumentError(f.owner + " is known in several workspaces (" + JoinTeams(teams) +
                                "): pass --team");
  }
  return store::UserRef{teams[0], f.owner};
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The topics of an import file: JSON when it ends in .json, else Rasa NLU YAML; answers from
// --domain for intents without a response.
Result<std::vector<store::TopicContent>> ReadTopicsFile(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(std::string text,
                          ReadFile(f.file, assistant::kMaxTopicsDocumentBytes));
  Result<std::vector<store::TopicContent>> topics =
      EndsWith(f.file, ".json") ? assistant::TopicsFromJson(text)
                                : assistant::TopicsFromNluYaml(text, f.file);
  if (!topics.ok() && EndsWith(f.file, ".json")) return topics.status().WithContext(f.file);
  if (!topics.ok() || f.domain.empty()) return topics;
  FAQBOT_ASSIGN_OR_RETURN(std::string domain, ReadFile(f.domain, assistant::kMaxTopicsDocumentBytes));
  FAQBOT_RETURN_IF_ERROR(assistant::AddDomainResponses(domain, f.domain, *topics).status());
  return topics;
}

Status Import(const StoreFlags& f) {
  // Every topic is checked before any is written, so a bad file imports nothing.
  FAQBOT_ASSIGN_OR_RETURN(auto topics, ReadTopicsFile(f));
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  FAQBOT_ASSIGN_OR_RETURN(store::TopicsImported done, db->ImportTopics(owner, topics, f.replace));
  const auto drafts = static_cast<size_t>(done.needs_answer);
  std::printf("imported %s for %s/%s (%d new, %d updated, %d already there",
              assistant::Count(topics.size(), "topic").c_str(), owner.team_id.c_str(),
              owner.user_id.c_str(), done.added, done.updated, done.unchanged);
  if (f.replace) std::printf(", %d deleted", done.deleted);
  std::printf(")");
  if (drafts > 0) {
    std::printf("; %s no answer: %s until %s one (edit it, or import with --domain)",
                drafts == 1 ? "1 topic has" : (std::to_string(drafts) + " topics have").c_str(),
                drafts == 1 ? "a draft that publishing leaves out" : "drafts that publishing leaves out",
                drafts == 1 ? "it has" : "they have");
  }
  std::printf("; publish to make them live\n");
  return Status::Ok();
}

Status Export(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  FAQBOT_ASSIGN_OR_RETURN(auto topics, db->ListTopics(owner));
  const std::string text =
      f.format == "json" || (f.format.empty() && EndsWith(f.out, ".json")) ? assistant::TopicsAsJson(topics) + "\n"
                                                         : assistant::TopicsAsNluYaml(topics);
  if (!f.out.empty()) return WriteFileAtomically(f.out, text);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return Status::Ok();
}

// One line of a question, for a terminal listing.
std::string OneLine(const std::string& text, size_t max = 80) {
  std::string out;
  for (char c : text) out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  if (out.size() > max) {
    Utf8Truncate(out, max);
    out += "…";
  }
  return out;
}

Status List(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  FAQBOT_ASSIGN_OR_RETURN(auto topics, db->ListTopics(owner));
  FAQBOT_ASSIGN_OR_RETURN(auto live, db->GetLivePublication(owner, false));
  store::TopicOverview overview = store::Overview(topics, live);
  std::printf("%zu topic%s of %s/%s", topics.size(), topics.size() == 1 ? "" : "s",
              owner.team_id.c_str(), owner.user_id.c_str());
  if (live) {
    std::printf("; published version %lld answers %zu\n", static_cast<long long>(live->version),
                live->topics.size());
  } else {
    std::printf("; nothing published yet\n");
  }
  for (const auto& [topic, state] : overview.topics) {
    const char* mark = state == store::TopicState::kLive          ? "✅"
                       : state == store::TopicState::kNeedsAnswer ? "✏"
                                                                  : "🅾";
    std::printf("%s %6lld  %-24s  %s", mark, static_cast<long long>(topic.id),
                OneLine(topic.content.name, 24).c_str(), OneLine(topic.content.question).c_str());
    if (state == store::TopicState::kNeedsAnswer) std::printf("  (needs an answer)");
    if (!topic.content.phrasings.empty()) {
      std::printf("  (+%zu phrasing%s)", topic.content.phrasings.size(),
                  topic.content.phrasings.size() == 1 ? "" : "s");
    }
    std::printf("\n");
  }
  for (const auto& removed : overview.removed_on_publish) {
    std::printf("✖ %6lld  %s  (live now; the next publish removes it)\n",
                static_cast<long long>(removed.topic_id),
                OneLine(removed.content.question).c_str());
  }
  return Status::Ok();
}

Status TokenCreate(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  FAQBOT_ASSIGN_OR_RETURN(server::CreatedApiToken created,
                          server::CreateApiToken(*db, owner, f.name));
  std::printf("API token %lld for %s/%s created; it is shown only now, keep it secret:\n",
              static_cast<long long>(created.info.id), owner.team_id.c_str(),
              owner.user_id.c_str());
  // Alone on the last line, for scripts: `faqbot token create … | tail -n 1`.
  std::printf("%s\n", created.token.c_str());
  return Status::Ok();
}

Status TokenList(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  FAQBOT_ASSIGN_OR_RETURN(auto tokens, db->ListApiTokens(owner));
  std::printf("%zu API token%s of %s/%s\n", tokens.size(), tokens.size() == 1 ? "" : "s",
              owner.team_id.c_str(), owner.user_id.c_str());
  if (tokens.empty()) return Status::Ok();
  std::printf("%6s  %-24s  %-20s  %s\n", "id", "name", "created", "last used");
  for (const auto& t : tokens) {
    std::printf("%6lld  %-24s  %-20s  %s\n", static_cast<long long>(t.id),
                OneLine(t.name.empty() ? "-" : t.name, 24).c_str(), UtcMinute(t.created_at).c_str(),
                UtcMinute(t.last_used_at).c_str());
  }
  return Status::Ok();
}

Status TokenRevoke(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  int64_t id = 0;
  if (f.token.rfind(server::kApiTokenPrefix, 0) == 0) {
    FAQBOT_ASSIGN_OR_RETURN(auto found, server::FindApiToken(*db, f.token));
    // Someone else's token is reported like an unknown one: nothing about it is revealed.
    if (!found || found->owner != owner) {
      return NotFoundError("no such API token of " + owner.team_id + "/" + owner.user_id);
    }
    id = found->id;
  } else {
    char* end = nullptr;
    id = std::strtoll(f.token.c_str(), &end, 10);
    if (f.token.empty() || *end != '\0' || id <= 0) {
      return InvalidArgumentError("not a token id or a token: " + OneLine(f.token, 20));
    }
  }
  FAQBOT_RETURN_IF_ERROR(db->RevokeApiToken(owner, id));
  std::printf("API token %lld of %s/%s revoked\n", static_cast<long long>(id),
              owner.team_id.c_str(), owner.user_id.c_str());
  return Status::Ok();
}

Status Migrate(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f, /*migrate=*/false));
  FAQBOT_ASSIGN_OR_RETURN(int applied, db->Migrate());
  FAQBOT_ASSIGN_OR_RETURN(int version, db->SchemaVersion());
  std::printf("%s database %s is at schema version %d (%d migration%s applied)\n",
              db->engine().c_str(),
              store::PostgresBackend::RedactUrl(store::ResolveDatabaseUrl(f.database)).c_str(),
              version, applied, applied == 1 ? "" : "s");
  return Status::Ok();
}

Status ConsoleLink(const StoreFlags& f) {
  FAQBOT_RETURN_IF_ERROR(CheckPublicUrlEnv());  // before a link is made that nobody could open
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  server::ConsoleAuth auth(*db);
  FAQBOT_ASSIGN_OR_RETURN(std::string link, auth.CreateLink(owner));
  std::fprintf(stderr, "A web console sign-in link for %s/%s; it works once, within %lld minutes:\n",
               owner.team_id.c_str(), owner.user_id.c_str(),
               static_cast<long long>(
                   std::chrono::duration_cast<std::chrono::minutes>(auth.options().link_ttl)
                       .count()));
  // Alone on stdout, for scripts.
  std::printf("%s\n", server::ConsoleLoginUrl(PublicUrlFromEnv(), link).c_str());
  return Status::Ok();
}

Status ConsoleSignOut(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  FAQBOT_ASSIGN_OR_RETURN(int ended, db->RevokeConsoleSessions(owner));
  std::printf("ended %d web console session%s of %s/%s\n", ended, ended == 1 ? "" : "s",
              owner.team_id.c_str(), owner.user_id.c_str());
  return Status::Ok();
}

void AddDatabaseOption(CLI::App* cmd, StoreFlags& f) {
  cmd->add_option("--database", f.database,
                  "database URL: sqlite:PATH or postgresql://… (default: $FAQBOT_DATABASE_URL, "
                  "else sqlite:./faqbot.db)");
}

void AddOwnerOptions(CLI::App* cmd, StoreFlags& f) {
  cmd->add_option("--owner", f.owner, "the owner's Slack user id (U…)")->required();
  cmd->add_option("--team", f.team,
                  "the owner's Slack workspace id (T…); needed only when the owner is known in "
                  "several workspaces");
  AddDatabaseOption(cmd, f);
}

}  // namespace

void RegisterStoreCommands(CLI::App& app, CommandRegistry& registry) {
  auto flags = std::make_shared<StoreFlags>();
  StoreFlags& f = *flags;

  CLI::App* topics = app.add_subcommand("topics", "an owner's topics in the database");
  topics->require_subcommand(1);
  CLI::App* import = topics->add_subcommand(
      "import",
      "add the intents of a Rasa NLU YAML file (answers as responses) or a JSON file as topics, "
      "named after the intents; a topic of the same name is updated in place");
  AddOwnerOptions(import, f);
  import->add_option("FILE", f.file, "Rasa NLU YAML file, or JSON (*.json)")->required();
  import->add_option("--domain", f.domain,
                     "Rasa domain file whose responses (utter_<intent>) answer the intents the "
                     "file has no response for");
  import->add_flag("--replace", f.replace, "also delete the owner's topics the file does not name");
  registry.Add(import, [flags] { return Import(*flags); });

  CLI::App* exp = topics->add_subcommand(
      "export", "write the owner's topics as Rasa NLU YAML with the answers as responses");
  AddOwnerOptions(exp, f);
  exp->add_option("--out", f.out, "write to this file instead of standard output");
  exp->add_option("--format", f.format, "yaml (default) or json (default for --out *.json)")
      ->check(CLI::IsMember({"yaml", "json"}));
  registry.Add(exp, [flags] { return Export(*flags); });

  CLI::App* list = topics->add_subcommand(
      "list",
      "list the owner's topics by id and name: ✅ live, 🅾 not yet published, ✏ needs an answer, "
      "✖ removed on publish");
  AddOwnerOptions(list, f);
  registry.Add(list, [flags] { return List(*flags); });

  CLI::App* token = app.add_subcommand(
      "token", "an owner's API tokens (the Rasa-compatible /model/parse and /status)");
  token->require_subcommand(1);
  CLI::App* create = token->add_subcommand(
      "create", "make a new API token; it is printed once, alone on the last line");
  AddOwnerOptions(create, f);
  create->add_option("--name", f.name, "a label to recognise the token by in `token list`");
  registry.Add(create, [flags] { return TokenCreate(*flags); });

  CLI::App* tokens = token->add_subcommand(
      "list", "list the owner's API tokens: id, name, created, last used (never the token)");
  AddOwnerOptions(tokens, f);
  registry.Add(tokens, [flags] { return TokenList(*flags); });

  CLI::App* revoke = token->add_subcommand("revoke", "revoke one of the owner's API tokens");
  AddOwnerOptions(revoke, f);
  revoke->add_option("ID", f.token, "the token's id (from `token list`) or the token itself")
      ->required();
  registry.Add(revoke, [flags] { return TokenRevoke(*flags); });

  CLI::App* console = app.add_subcommand("console", "sign-in to the web console of `faqbot serve`");
  console->require_subcommand(1);
  CLI::App* link = console->add_subcommand(
      "link", "print a one-time sign-in URL for the owner (valid 15 minutes; base URL "
              "$FAQBOT_PUBLIC_URL, else http://localhost:$FAQBOT_PORT)");
  AddOwnerOptions(link, f);
  registry.Add(link, [flags] { return ConsoleLink(*flags); });
  CLI::App* signout = console->add_subcommand(
      "signout", "end every web console session of the owner and unused sign-in links");
  AddOwnerOptions(signout, f);
  registry.Add(signout, [flags] { return ConsoleSignOut(*flags); });

  CLI::App* db = app.add_subcommand("db", "the database");
  db->require_subcommand(1);
  CLI::App* migrate = db->add_subcommand("migrate", "apply every pending schema migration");
  AddDatabaseOption(migrate, f);
  registry.Add(migrate, [flags] { return Migrate(*flags); });
}

}  // namespace faqbot::app
