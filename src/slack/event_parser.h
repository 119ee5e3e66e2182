// Event parsing: Slack's JSON and form bodies → InboundEvent.
//
// The JSON functions take the payload object itself, so Socket Mode (whose envelope `payload` is
// the same JSON as the HTTP body) and HTTP share them; the *Body functions take a raw HTTP body.
// A request is one of: an event to process, a url_verification challenge, an ssl_check, or
// something this app does not act on (an event type it did not ask for, a shortcut, …), which is
// reported as Ignored rather than as an error so that it is acknowledged and not retried.
//
// Errors (never exceptions): InvalidArgument for malformed JSON or form encoding, a body that is
// not an object, or a required field that is missing or has the wrong type (the message names the
// field); ResourceExhausted for a body over the size limit. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"
#include "slack/form_decoding.h"
#include "slack/slack_event.h"

namespace faqbot::slack {

// Largest HTTP body accepted. Slack's own payloads stay far below it (a modal's block_actions
// with 100 long options is ~70 KB); anything larger is not from Slack.
inline constexpr size_t kMaxBodyBytes = size_t{1} << 20;  // 1 MiB

// Slack checks a new Request URL: answer with the challenge.
struct UrlVerification {
  std::string challenge;
};
// Slack checks a slash command URL's certificate (form field ssl_check=1): answer 200, empty.
struct SslCheck {};
// A well-formed request the app does not act on; acknowledged and dropped.
struct Ignored {
  std::string reason;  // for logs, e.g. "event type reaction_added"
};

using ParsedRequest = std::variant<InboundEvent, UrlVerification, SslCheck, Ignored>;

// Events API body: url_verification → UrlVerification; event_callback with an inner message,
// app_mention, app_home_opened, app_uninstalled or tokens_revoked (with a bot token among them)
// → InboundEvent (event_id, and from `authorizations` the enterprise and bot user, set); other
// inner or outer types (reaction_added, app_rate_limited, …) → Ignored.
Result<ParsedRequest> ParseEventsApi(const nlohmann::json& body);

// Interaction payload (the JSON inside `payload=`): block_actions → BlockAction (the first
// action; buttons and selects send exactly one), view_submission → ViewSubmission; other types
// (shortcut, view_closed, block_suggestion, …) → Ignored.
Result<ParsedRequest> ParseInteraction(const nlohmann::json& payload);

// Slash command from its decoded form fields: ssl_check=1 → SslCheck; otherwise SlashCommand
// (team_id, user_id and command are required).
Result<ParsedRequest> ParseSlashCommand(const FormFields& fields);
// The same from a Socket Mode slash_commands payload (a JSON object of the same fields).
Result<ParsedRequest> ParseSlashCommandJson(const nlohmann::json& payload);

// HTTP bodies, for the three Request URLs. Each first checks `body.size() <= max_bytes`.
// /slack/events: a JSON object.
Result<ParsedRequest> ParseEventsBody(std::string_view body, size_t max_bytes = kMaxBodyBytes);
// /slack/interactive: form-urlencoded with a single field payload=<URL-encoded JSON>.
Result<ParsedRequest> ParseInteractionBody(std::string_view body, size_t max_bytes = kMaxBodyBytes);
// /slack/commands: form-urlencoded slash command fields.
Result<ParsedRequest> ParseSlashCommandBody(std::string_view body,
                                            size_t max_bytes = kMaxBodyBytes);

// Parses JSON text into an object. Errors: InvalidArgument (not JSON, or not an object) with the
// parser's position. Exposed for the Socket Mode client's envelopes.
Result<nlohmann::json> ParseJsonObject(std::string_view text);

}  // namespace faqbot::slack
