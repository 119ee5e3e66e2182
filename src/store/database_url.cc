#include "store/database_url.h"

#include <cstdlib>

namespace faqbot::store {

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url) {
  DatabaseUrl out;
  out.url = std::string(url);
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    out.engine = DatabaseUrl::Engine::kPostgres;
    return out;
  }
  if (url.rfind("sqlite:", 0) == 0) {
    std::string_view path = url.substr(7);
    // Accept sqlite:///abs/path and sqlite://rel as well as sqlite:path.
    if (path.rfind("//", 0) == 0) path.remove_prefix(2);
    if (path.empty()) return InvalidArgumentError("sqlite URL without a path: " + out.url);
    out.sqlite_path = std::string(path);
    return out;
  }
  const size_t scheme_end = url.find(':');
  return InvalidArgumentError(
      "unsupported database URL (expected sqlite:PATH or postgresql://…): scheme '" +
      std::string(url.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end)) + "'");
}

std::string ResolveDatabaseUrl(std::string_view flag) {
  if (!flag.empty()) return std::string(flag);
  if (const char* env = std::getenv("FAQBOT_DATABASE_URL"); env && *env) return env;
  return std::string(kDefaultDatabaseUrl);
}

}  // namespace faqbot::store
