// Database URLs as operators write them: `sqlite:PATH` (relative or absolute; `sqlite::memory:`
// for a private in-memory database) or `postgresql://…` / `postgres://…` (libpq URI).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace faqbot::store {

inline constexpr std::string_view kDefaultDatabaseUrl = "sqlite:./faqbot.db";

struct DatabaseUrl {
  enum class Engine { kSqlite, kPostgres };
  Engine engine = Engine::kSqlite;
  std::string sqlite_path;  // for kSqlite
  std::string url;          // the whole URL, as given
};

// InvalidArgument for anything else (the message never repeats a password).
Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

// `flag` when not empty, else $FAQBOT_DATABASE_URL when set, else kDefaultDatabaseUrl.
std::string ResolveDatabaseUrl(std::string_view flag);

}  // namespace faqbot::store
