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

// Every migration, in increasing order of version. A version may be missing while another
// branch's migration is not merged yet; a database is migrated to the highest one.
const std::vector<Migration>& AllMigrations();

}  // namespace faqbot::store
