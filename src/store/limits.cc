#include "store/limits.h"

#include <string>

#include "common/string_util.h"

namespace faqbot::store {

Status ValidateId(std::string_view id, std::string_view what) {
  if (id.empty()) return InvalidArgumentError(std::string(what) + " is empty");
  if (id.size() > kMaxIdBytes) {
    return InvalidArgumentError(std::string(what) + " is longer than " +
                                std::to_string(kMaxIdBytes) + " bytes");
  }
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok)
      return InvalidArgumentError(std::string(what) + " has a character outside [A-Za-z0-9._:-]");
  }
  return Status::Ok();
}

Status ValidateText(std::string_view text, size_t max_bytes, std::string_view what, bool required) {
  if (required && text.empty()) return InvalidArgumentError(std::string(what) + " is empty");

  if (text.size() > max_bytes) {
    return ResourceExhaustedError(std::string(what) + " is " + std::to_string(text.size()) +
                                  " bytes; the limit is " + std::to_string(max_bytes));
  }
  return Status::Ok();
}

namespace {

// The length in bytes of the control character at text[i] (C0 but tab and line breaks, DEL, C1),
// or 0.
size_t ControlCharacterAt(std::string_view text, size_t i) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return 1;
  const bool c1 = c == 0xC2 && i + 1 < text.size() &&
                  static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                  static_cast<unsigned char>(text[i + 1]) <= 0x9F;
  return c1 ? 2 : 0;
}

}  // namespace

Status ValidateTypedText(std::string_view text, size_t max_bytes, std::string_view what,
                         bool required) {
  FAQBOT_RETURN_IF_ERROR(ValidateText(text, max_bytes, what, required));
  if (!text.empty() && IsBlankText(text)) {
    // Zero-width or no-break spaces only: nothing a reader would see.
    return InvalidArgumentError(std::string(what) +
                                " is blank (only spaces or invisible characters)");
  }
  // Control characters (NUL, ESC, …) show nothing either, and no export format keeps them all.
  for (size_t i = 0; i < text.size(); ++i) {
    if (ControlCharacterAt(text, i) > 0) {
      return InvalidArgumentError(std::string(what) + " contains a control character");
    }
  }
  return Status::Ok();
}

std::string ControlCharactersAsSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t control = ControlCharacterAt(text, i);
    if (control > 0) {
      out.push_back(' ');
      i += control;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

}  // namespace faqbot::store
