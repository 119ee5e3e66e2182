#include "store/sql_backend.h"

#include <charconv>
#include <cstdlib>

namespace faqbot::store {

const std::string& SqlCell::str() const {
  static const std::string kEmpty;
  return value_ ? *value_ : kEmpty;
}

std::optional<int64_t> SqlCell::OptInt() const {
  if (!value_) return std::nullopt;
  int64_t v = 0;
  const char* begin = value_->data();
  auto [ptr, ec] = std::from_chars(begin, begin + value_->size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

int64_t SqlCell::Int() const { return OptInt().value_or(0); }

double SqlCell::Double() const {
  if (!value_) return 0.0;
  return std::strtod(value_->c_str(), nullptr);
}

std::string ExpandDdlTokens(std::string_view ddl, std::string_view id, std::string_view blob,
                            std::string_view dbl) {
  std::string out(ddl);
  auto replace_all = [&](std::string_view from, std::string_view to) {
    for (size_t pos = out.find(from); pos != std::string::npos;
         pos = out.find(from, pos + to.size())) {
      out.replace(pos, from.size(), to);
    }
  };
  replace_all("{{ID}}", id);
  replace_all("{{BLOB}}", blob);
  replace_all("{{DOUBLE}}", dbl);
  return out;
}

}  // namespace faqbot::store
