// `faqbot topics import|export|list` and `faqbot db migrate`: operators' access to the Store.
#include <cstdio>
#include <set>
#include <string>

#include "app/commands.h"
#include "assistant/reply.h"
#include "assistant/training_queue.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/utf8.h"
#include "nlu/nlu_yaml.h"
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

// The owner's workspace: --team, or the one workspace the owner is known in, or kLocalTeam for
// an owner nobody has seen yet (the terminal shell's workspace).
Result<store::UserRef> ResolveOwner(store::Store& db, const StoreFlags& f) {
  FAQBOT_RETURN_IF_ERROR(store::ValidateId(f.owner, "--owner"));
  if (!f.team.empty()) {
    FAQBOT_RETURN_IF_ERROR(store::ValidateId(f.team, "--team"));
    return store::UserRef{f.team, f.owner};
  }
  FAQBOT_ASSIGN_OR_RETURN(auto teams, db.TeamsOfUser(f.owner));
  if (teams.empty()) return store::UserRef{std::string(kLocalTeam), f.owner};
  if (teams.size() > 1) {
    std::string list;
    for (const auto& t : teams) list += (list.empty() ? "" : ", ") + t;
    return InvalidArgumentError(f.owner + " is known in several workspaces (" + list +
                                "): pass --team");
  }
  return store::UserRef{teams[0], f.owner};
}

Status Import(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(nlu::TrainingData data, nlu::ReadNluYamlFile(f.file));
  // Check every topic before writing any, so a bad file imports nothing.
  std::vector<store::TopicContent> incoming;
  for (const auto& intent : data.intents) {
    if (intent.response.empty()) {
      return InvalidArgumentError(f.file + ": intent '" + intent.name +
                                  "' has no answer (add `responses: utter_" + intent.name +
                                  ": - text: …`)");
    }
    store::TopicContent content;
    content.question = intent.examples.front();
    content.phrasings.assign(intent.examples.begin() + 1, intent.examples.end());
    content.answer = intent.response;
    if (content.phrasings.size() > store::kMaxPhrasings) {
      return ResourceExhaustedError(
          f.file + ": intent '" + intent.name + "' has " + std::to_string(intent.examples.size()) +
          " examples; a topic keeps at most " + std::to_string(store::kMaxPhrasings + 1));
    }
    incoming.push_back(std::move(content));
  }
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  FAQBOT_ASSIGN_OR_RETURN(auto existing, db->ListTopics(owner));
  std::set<std::string> known;
  for (const auto& t : existing) known.insert(t.content.question);
  int added = 0, skipped = 0;
  for (const auto& content : incoming) {
    if (known.count(content.question)) {
      ++skipped;
      continue;
    }
    auto topic = db->AddTopic(owner, content);
    if (!topic.ok()) {
      return topic.status().WithContext("after importing " +
                                        assistant::Count(static_cast<size_t>(added), "topic"));
    }
    known.insert(content.question);
    ++added;
  }
  std::printf("imported %d topic%s for %s/%s", added, added == 1 ? "" : "s", owner.team_id.c_str(),
              owner.user_id.c_str());
  if (skipped > 0) std::printf(" (%d already there, skipped)", skipped);
  std::printf("; publish to make them live\n");
  return Status::Ok();
}

Status Export(const StoreFlags& f) {
  FAQBOT_ASSIGN_OR_RETURN(auto db, OpenStore(f));
  FAQBOT_ASSIGN_OR_RETURN(store::UserRef owner, ResolveOwner(*db, f));
  FAQBOT_ASSIGN_OR_RETURN(auto topics, db->ListTopics(owner));
  const std::string yaml = nlu::WriteNluYaml(assistant::TopicsAsTrainingData(topics));
  if (!f.out.empty()) return WriteFileAtomically(f.out, yaml);
  std::fwrite(yaml.data(), 1, yaml.size(), stdout);
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
    std::printf("%s %6lld  %s", state == store::TopicState::kLive ? "✅" : "🅾",
                static_cast<long long>(topic.id), OneLine(topic.content.question).c_str());
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
      "import", "add the intents of a Rasa NLU YAML file (answers as responses) as topics");
  AddOwnerOptions(import, f);
  import->add_option("FILE", f.file, "Rasa NLU YAML file")->required();
  registry.Add(import, [flags] { return Import(*flags); });

  CLI::App* exp = topics->add_subcommand(
      "export", "write the owner's topics as Rasa NLU YAML with the answers as responses");
  AddOwnerOptions(exp, f);
  exp->add_option("--out", f.out, "write to this file instead of standard output");
  registry.Add(exp, [flags] { return Export(*flags); });

  CLI::App* list = topics->add_subcommand(
      "list", "list the owner's topics: ✅ live, 🅾 not yet published, ✖ removed on publish");
  AddOwnerOptions(list, f);
  registry.Add(list, [flags] { return List(*flags); });

  CLI::App* db = app.add_subcommand("db", "the database");
  db->require_subcommand(1);
  CLI::App* migrate = db->add_subcommand("migrate", "apply every pending schema migration");
  AddDatabaseOption(migrate, f);
  registry.Add(migrate, [flags] { return Migrate(*flags); });
}

}  // namespace faqbot::app
