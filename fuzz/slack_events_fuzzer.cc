// Fuzzes the Events API body parser (/slack/events and Socket Mode events_api payloads): any
// bytes must give a parsed request or InvalidArgument / ResourceExhausted, never an exception or
// a crash; the size limit must hold; and an event it accepts must go through the event filter.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "slack/event_filter.h"
#include "slack/event_parser.h"
#include "slack_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = faqbot::slack::ParseEventsBody(body);
  if (!parsed.ok()) {
    if (!faqbot::fuzz::IsParseError(parsed.status())) std::abort();
    return 0;
  }
  // The same body over a smaller limit is refused before it is read.
  if (size > 0) {
    auto limited = faqbot::slack::ParseEventsBody(body, size - 1);
    if (limited.ok() || limited.status().code() != faqbot::StatusCode::kResourceExhausted) {
      std::abort();
    }
  }
  if (const auto* event = std::get_if<faqbot::slack::InboundEvent>(&*parsed)) {
    (void)faqbot::slack::FilterReason(*event, {"U0FAQBOT", "B0FAQBOT"});
    (void)faqbot::slack::FilterReason(*event, {});
  }
  return 0;
}
