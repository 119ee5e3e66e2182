#include "common/json_limits.h"

#include <string>

namespace faqbot {

bool JsonNestingWithin(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > limit) return false;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return true;
}

Status CheckJsonNesting(std::string_view text, std::string_view what) {
  if (JsonNestingWithin(text)) return Status::Ok();
  return InvalidArgumentError(std::string(what) + " nests more than " +
                              std::to_string(kMaxJsonNesting) + " levels deep");
}

}  // namespace faqbot
