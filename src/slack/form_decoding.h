// application/x-www-form-urlencoded: how Slack sends slash commands ("team_id=T1&text=hi+there")
// and interactivity ("payload=%7B...%7D"). Decoding follows the WHATWG URL standard's
// form-urlencoded parser, except that a malformed percent escape is an error instead of being
// passed through: a request that arrives garbled is rejected, never half-understood.
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace faqbot::slack {

// Field name → value, both decoded.
using FormFields = std::map<std::string, std::string>;

// Decodes one component: "+" → space, "%XY" → the byte 0xXY (hex digits of either case).
// Errors: InvalidArgument for "%" not followed by two hex digits. The result is bytes; it is not
// checked to be UTF-8 (JSON parsing does that for payloads).
Result<std::string> PercentDecode(std::string_view encoded);

// Encodes one component so that PercentDecode gives it back: unreserved characters
// (A-Z a-z 0-9 - . _ ~) stay, space becomes "+", every other byte "%XY" (upper-case hex).
// Used by tests and the loopback emulator to build request bodies.
std::string PercentEncode(std::string_view raw);

// Parses a whole body "a=1&b=2". Empty pairs ("a=1&&b=2") are skipped; a pair without "=" is a
// field with an empty value. Errors: InvalidArgument for a bad escape (naming the field) or the
// same field twice (Slack never repeats one, so a repeat is a forged or garbled body).
Result<FormFields> ParseForm(std::string_view body);

}  // namespace faqbot::slack
