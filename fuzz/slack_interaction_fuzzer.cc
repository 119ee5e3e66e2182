// Fuzzes the interactivity body parser (/slack/interactive: payload=<URL-encoded JSON>): any bytes
// must give a parsed request or InvalidArgument / ResourceExhausted, never an exception or a
// crash. The first input byte chooses the mode: the rest as the raw body, or the rest as the JSON
// inside a correctly encoded `payload=` field, so the fuzzer also reaches the JSON behind the form
// decoding.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "slack/event_parser.h"
#include "slack/form_decoding.h"
#include "slack_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string body =
      (data[0] & 1) ? "payload=" + faqbot::slack::PercentEncode(rest) : std::string(rest);
  auto parsed = faqbot::slack::ParseInteractionBody(body);
  if (!parsed.ok()) {
    if (!faqbot::fuzz::IsParseError(parsed.status())) std::abort();
    return 0;
  }
  // A wrapped payload is also parsed the way Socket Mode delivers it: as the JSON itself.
  if (data[0] & 1) {
    auto json = faqbot::slack::ParseJsonObject(rest);
    if (!json.ok()) std::abort();  // the HTTP path accepted it
    if (!faqbot::slack::ParseInteraction(*json).ok()) std::abort();
  }
  return 0;
}
