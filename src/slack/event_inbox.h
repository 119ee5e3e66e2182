// EventInbox: where the InboundRouter keeps an accepted event durably before it acknowledges it,
// so an acknowledged event is never lost (a process killed right after the ack leaves it to be
// handled by the next one). The router stores the request as received, with the person it is
// about and its dedup key; whoever implements the inbox hands stored events to the handler,
// one person's oldest first (server/inbox_dispatcher.h over the Store).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "slack/slack_event.h"

namespace faqbot::slack {

// One accepted request, ready to store. Value type.
struct InboxEntry {
  // Slack's event_id, else for a view submission "view:<32 hex digits>" (a hash of its team,
  // user, view and values; see InboundRouter), else "envelope:<Socket Mode envelope id>"; empty
  // when there is none of these (another interaction or a command over HTTP): such an entry is
  // never a duplicate. At most 64 bytes of [A-Za-z0-9._:-] (the store's ids).
  std::string dedup_key;
  std::string team_id;    // the workspace
  std::string person_id;  // the user the event is about (see PersonOf); may be empty
  std::string kind;       // how `payload` is read back: one of the kInbox* names below
  std::string payload;    // the body (HTTP) or the envelope payload as JSON (Socket Mode)
};

// Payload kinds: the three Request URLs' bodies and the three Socket Mode envelope types.
inline constexpr std::string_view kInboxHttpEvents = "http_events";
inline constexpr std::string_view kInboxHttpInteractive = "http_interactive";
inline constexpr std::string_view kInboxHttpCommands = "http_commands";
inline constexpr std::string_view kInboxSocketEvents = "sm_events_api";
inline constexpr std::string_view kInboxSocketInteractive = "sm_interactive";
inline constexpr std::string_view kInboxSocketCommands = "sm_slash_commands";

class EventInbox {
 public:
  virtual ~EventInbox() = default;
  // Stores `entry` durably, to be handled later. True when stored; false when its dedup_key is
  // stored already (a retry or redelivery: drop it). Errors: whatever the backing store reports
  // (e.g. Unavailable): nothing was stored, so the router must not acknowledge. Thread-safe.
  virtual Result<bool> Add(const InboxEntry& entry) = 0;
};

// The workspace and user an event is about: the author, the presser, the submitter.
std::pair<std::string, std::string> PersonOf(const InboundEvent& event);

// Reads a stored entry back into the event the router accepted (its event_id set when the
// payload has one; retry fields empty). InvalidArgument for an unknown kind, a malformed payload
// or one that is not an event to process. Pure; thread-safe.
Result<InboundEvent> ParseInboxEntry(std::string_view kind, std::string_view payload);

}  // namespace faqbot::slack
