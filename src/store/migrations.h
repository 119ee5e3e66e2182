// The schema, as numbered migrations. Each migration is a list of engine-neutral statements
// (tokens {{ID}}, {{BLOB}}, {{DOUBLE}} expanded by the backend) applied in one transaction and
// recorded in `schema_migrations`. Never edit a released migration; add the next one.
#pragma once

#include <string_view>
#include <vector>

namespace faqbot::store {

struct Migration {
  int version;
  std::string_view name;
  std::vector<std::string_view> statements;
};

// Every migration, in order; versions are 1, 2, 3, …
const std::vector<Migration>& AllMigrations();

}  // namespace faqbot::store
