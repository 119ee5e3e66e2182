// Fuzzes the slash command body parser (/slack/commands, form-urlencoded fields): any bytes must
// give a parsed request or InvalidArgument / ResourceExhausted, never a crash; and any form it
// decodes must encode and decode back to the same fields.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "slack/event_parser.h"
#include "slack/form_decoding.h"
#include "slack_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = faqbot::slack::ParseSlashCommandBody(body);
  if (!parsed.ok() && !faqbot::fuzz::IsParseError(parsed.status())) std::abort();
  auto fields = faqbot::slack::ParseForm(body);
  if (!fields.ok()) return 0;
  std::string encoded;
  for (const auto& [name, value] : *fields) {
    if (!encoded.empty()) encoded += '&';
    encoded += faqbot::slack::PercentEncode(name) + "=" + faqbot::slack::PercentEncode(value);
  }
  auto again = faqbot::slack::ParseForm(encoded);
  if (!again.ok() || *again != *fields) std::abort();
  // Slash command parsing depends only on the fields, not on how they were encoded.
  if (faqbot::slack::ParseSlashCommandBody(encoded).ok() != parsed.ok()) std::abort();
  return 0;
}
