#include "slack/inbound_router.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <utility>

#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "common/status_http.h"
#include "common/string_util.h"

namespace faqbot::slack {
namespace {

constexpr std::string_view kRetryNumHeader = "X-Slack-Retry-Num";
constexpr std::string_view kRetryReasonHeader = "X-Slack-Retry-Reason";

std::string_view KindName(RequestKind kind) {
  switch (kind) {
    case RequestKind::kEvents:
      return "events";
    case RequestKind::kInteractive:
      return "interactive";
    case RequestKind::kCommands:
      return "commands";
  }
  return "unknown";
}

AckResponse JsonResponse(int status, const nlohmann::json& body) {
  AckResponse r;
  r.status = status;
  r.content_type = "application/json";
  // Replace invalid UTF-8 rather than throw: a body can echo user text.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// A rejected request as an HTTP answer, through the mapping and error body the server uses
// (common/status_http.h). Signature failures are 401 whatever their code (a malformed timestamp
// header is still a failed authentication), with one message that tells a caller nothing about
// which check failed (the log has it).
AckResponse Rejection(const Status& status, bool signature) {
  const Status shown = signature ? UnauthenticatedError("invalid request signature") : status;
  AckResponse r;
  r.status = HttpStatusFor(shown.code());
  r.content_type = "application/json";
  r.body = ErrorJson(shown);
  // Resending the same bytes cannot fix a malformed or oversized request.
  if (r.status == 400 || r.status == 413) r.headers.emplace("X-Slack-No-Retry", "1");
  return r;
}

int ParseRetryNum(std::string_view header) {
  if (header.empty()) return 0;
  int n = 0;
  auto [ptr, ec] = std::from_chars(header.data(), header.data() + header.size(), n);
  if (ec != std::errc() || ptr != header.data() + header.size() || n < 0) {
    LogWarn("slack: ignoring malformed {} header", kRetryNumHeader);
    return 0;
  }
  return n;
}

// A view submission carries no event_id, and Slack does not resend it; a proxy or a replay
// within the signature's five minutes could, and so could a double submit, and each delivery
// would add the topic again. The same user's same view (its id, callback and metadata)
// submitted with the same values is one submission (a corrected resubmission, after the modal
// showed errors, differs in its values): "view:" and 128 bits of a SHA-256 of them, short
// enough for the inbox's ids.
std::string ViewSubmissionKey(const ViewSubmission& view) {
  std::string parts;
  auto add = [&parts](std::string_view part) {
    parts += std::to_string(part.size());  // length-prefixed: no two lists give the same bytes
    parts += ':';
    parts += part;
  };
  add(view.team_id);
  add(view.user);
  add(view.view_id);
  add(view.callback_id);
  add(view.private_metadata);
  for (const auto& [input, value] : view.values) {
    add(input);
    add(value);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(parts.data(), parts.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    return "";  // no key: handled as before, at least once
  }
  return "view:" + LowerHex({reinterpret_cast<const char*>(digest), std::min(size, 16u)});
}

}  // namespace

std::string_view PayloadName(const EventPayload& payload) {
  static_assert(std::variant_size_v<EventPayload> == 8, "name every payload type below");
  static constexpr std::string_view kNames[] = {
      "message",         "app_mention",   "app_home_opened", "block_action",
      "view_submission", "slash_command", "app_uninstalled", "tokens_revoked"};
  return kNames[payload.index()];
}

LogContext LogContextOf(const InboundEvent& event, const std::string& key,
                        Clock::TimePoint arrived) {
  LogContext context;
  context.event_id = key;
  std::visit(
      [&context](const auto& payload) {
        context.team_id = payload.team_id;
        if constexpr (requires { payload.user_id; }) {
          context.user_id = payload.user_id;
        } else if constexpr (requires { payload.user; }) {
          context.user_id = payload.user;
        }  // app_uninstalled, tokens_revoked: about the workspace, no user
      },
      event.payload);
  context.arrived = arrived;
  return context;
}

void RunEventHandler(const std::function<void(InboundEvent)>& handler, InboundEvent event,
                     std::string_view log_id, const Clock& clock) {
  const std::string_view kind = PayloadName(event.payload);
  const Clock::TimePoint started = clock.Now();
  try {
    handler(std::move(event));
    LogInfo("slack: handled {} in {} ms", kind,
            std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now() - started).count());
  } catch (const std::exception& e) {
    LogError("slack: event handler failed for {}: {}", log_id, e.what());
  } catch (...) {
    LogError("slack: event handler failed for {} with a non-standard exception", log_id);
  }
}

std::optional<nlohmann::json> DefaultAck(const InboundEvent& event) {
  if (!std::holds_alternative<SlashCommand>(event.payload)) return std::nullopt;
  return nlohmann::json{{"response_type", "ephemeral"}, {"text", "Working on it\u2026"}};
}

InboundRouter::InboundRouter(const SignatureVerifier& verifier, DedupStore& dedup,
                             Executor& executor, const Clock& clock, Handler handler,
                             InboundRouterOptions options)
    : verifier_(verifier),
      dedup_(&dedup),
      executor_(&executor),
      clock_(clock),
      handler_(std::make_shared<const Handler>(std::move(handler))),
      options_(std::move(options)) {}

InboundRouter::InboundRouter(const SignatureVerifier& verifier, EventInbox& inbox,
                             const Clock& clock, InboundRouterOptions options)
    : verifier_(verifier), inbox_(&inbox), clock_(clock), options_(std::move(options)) {}

AckResponse InboundRouter::HandleHttp(RequestKind kind, const Headers& headers,
                                      std::string_view body) {
  if (body.size() > options_.max_body_bytes) {
    refused_.Warn("slack: " + std::string(KindName(kind)) + " request of " +
                  std::to_string(body.size()) + " bytes rejected (limit " +
                  std::to_string(options_.max_body_bytes) + ")");
    return Rejection(ResourceExhaustedError("request body too large"), false);
  }
  // A slash command body is decoded before verification only to recognise ssl_check, which is
  // answered without processing anything; every other request is verified before it is used.
  std::optional<Result<ParsedRequest>> command;
  if (kind == RequestKind::kCommands) {
    command = ParseSlashCommandBody(body, options_.max_body_bytes);
    if (command->ok() && std::holds_alternative<SslCheck>(**command)) return AckResponse{};
  }
  if (Status s = verifier_.Verify(headers, body); !s.ok()) {
    refused_.Warn("slack: " + std::string(KindName(kind)) + " request rejected: " + s.ToString());
    return Rejection(s, true);
  }

  Result<ParsedRequest> parsed = InvalidArgumentError("unknown request kind");
  std::string_view stored_kind;
  switch (kind) {
    case RequestKind::kEvents:
      parsed = ParseEventsBody(body, options_.max_body_bytes);
      stored_kind = kInboxHttpEvents;
      break;
    case RequestKind::kInteractive:
      parsed = ParseInteractionBody(body, options_.max_body_bytes);
      stored_kind = kInboxHttpInteractive;
      break;
    case RequestKind::kCommands:
      parsed = std::move(*command);
      stored_kind = kInboxHttpCommands;
      break;
  }
  Decision d = Dispatch(std::move(parsed), ParseRetryNum(HeaderValue(headers, kRetryNumHeader)),
                        HeaderValue(headers, kRetryReasonHeader), /*fallback_id=*/"",
                        {stored_kind, [body] { return std::string(body); }});
  if (!d.status.ok()) {
    LogWarn("slack: {} request rejected: {}", KindName(kind), d.status.ToString());
    return Rejection(d.status, false);
  }
  return d.body ? JsonResponse(200, *d.body) : AckResponse{};
}

Result<std::optional<nlohmann::json>> InboundRouter::HandleSocketMode(
    std::string_view envelope_type, const nlohmann::json& payload, std::string_view envelope_id,
    int retry_attempt, std::string_view retry_reason) {
  Result<ParsedRequest> parsed =
      ParsedRequest(Ignored{"envelope type " + std::string(envelope_type)});
  std::string_view stored_kind;
  if (envelope_type == "events_api") {
    parsed = ParseEventsApi(payload);
    stored_kind = kInboxSocketEvents;
  } else if (envelope_type == "interactive") {
    parsed = ParseInteraction(payload);
    stored_kind = kInboxSocketInteractive;
  } else if (envelope_type == "slash_commands") {
    parsed = ParseSlashCommandJson(payload);
    stored_kind = kInboxSocketCommands;
  }
  const std::string text = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > options_.max_body_bytes) {
    // As over HTTP (413): the same envelope again would be refused again, so it is acked
    // (InvalidArgument) and dropped rather than left for Slack to deliver again and again.
    const Status too_big =
        InvalidArgumentError("payload is " + std::to_string(text.size()) + " bytes; the limit is " +
                             std::to_string(options_.max_body_bytes));
    LogWarn("slack: socket mode {} envelope {} dropped: {}", envelope_type, envelope_id,
            too_big.ToString());
    return too_big;
  }
  Decision d = Dispatch(std::move(parsed), retry_attempt, retry_reason,
                        envelope_id.empty() ? "" : "envelope:" + std::string(envelope_id),
                        {stored_kind, [&text] { return text; }});
  if (!d.status.ok()) {
    LogWarn("slack: socket mode {} envelope {} rejected: {}", envelope_type, envelope_id,
            d.status.ToString());
    return d.status;
  }
  return d.body;
}

InboundRouter::Decision InboundRouter::Dispatch(Result<ParsedRequest> parsed, int retry_num,
                                                std::string_view retry_reason,
                                                std::string_view fallback_id,
                                                const Received& received) {
  if (!parsed.ok()) return {parsed.status(), std::nullopt};
  if (auto* v = std::get_if<UrlVerification>(&*parsed)) {
    return {Status::Ok(), nlohmann::json{{"challenge", v->challenge}}};
  }
  if (std::holds_alternative<SslCheck>(*parsed)) return {};
  if (auto* ignored = std::get_if<Ignored>(&*parsed)) {
    LogDebug("slack: ignored {}", ignored->reason);
    return {};
  }

  InboundEvent& event = std::get<InboundEvent>(*parsed);
  event.retry_num = retry_num;
  event.retry_reason = std::string(retry_reason);
  if (retry_num > 0) {
    LogInfo("slack: delivery {} of {} {} (retry reason: {})", retry_num + 1,
            PayloadName(event.payload), event.event_id.empty() ? fallback_id : event.event_id,
            retry_reason.empty() ? "none given" : retry_reason);
  }
  // Each workspace has its own bot user: the one the event names, else the configured one.
  BotIdentity self = options_.self;
  if (!event.bot_user_id.empty() && event.bot_user_id != self.user_id) {
    self = BotIdentity{event.bot_user_id, ""};
  }
  if (auto reason = FilterReason(event, self)) {
    LogDebug("slack: dropped {} {}: {}", PayloadName(event.payload), event.event_id, *reason);
    return {};
  }

  std::optional<nlohmann::json> ack;
  try {
    if (options_.ack_builder) ack = options_.ack_builder(event);
  } catch (const std::exception& e) {
    LogError("slack: ack builder failed for {}: {}", PayloadName(event.payload), e.what());
  }
  std::string dedup_key = event.event_id.empty() ? std::string(fallback_id) : event.event_id;
  if (const auto* view = std::get_if<ViewSubmission>(&event.payload);
      view != nullptr && event.event_id.empty() && !view->view_id.empty()) {
    dedup_key = ViewSubmissionKey(*view);
  }
  if (inbox_ != nullptr) {
    Status stored = StoreInInbox(event, std::move(dedup_key), received);
    if (!stored.ok()) return {stored, std::nullopt};
    return {Status::Ok(), std::move(ack)};
  }
  if (!Post(std::move(event), std::move(dedup_key))) {
    return {UnavailableError("not accepting events: shutting down"), std::nullopt};
  }
  return {Status::Ok(), std::move(ack)};
}

Status InboundRouter::StoreInInbox(const InboundEvent& event, std::string dedup_key,
                                   const Received& received) {
  auto [team_id, person_id] = PersonOf(event);
  InboxEntry entry{std::move(dedup_key), std::move(team_id), std::move(person_id),
                   std::string(received.kind), received.text()};
  Result<bool> added = inbox_->Add(entry);
  if (!added.ok()) {
    LogError("slack: cannot store {}{} in the inbox ({}); not acknowledged",
             PayloadName(event.payload), entry.dedup_key.empty() ? "" : " " + entry.dedup_key,
             added.status().ToString());
    return UnavailableError("cannot store the event: " + added.status().message());
  }
  if (!*added) {
    metrics::Faqbot().events_deduplicated.With().Inc();
    LogInfo("slack: duplicate delivery of {} dropped", entry.dedup_key);
  }
  return Status::Ok();
}

bool InboundRouter::Post(InboundEvent event, std::string dedup_key) {
  std::string log_id = dedup_key.empty() ? "local-" + std::to_string(++local_ids_) : dedup_key;
  return executor_->Post([handler = handler_, &dedup = *dedup_, &clock = clock_,
                          ttl = options_.dedup_ttl_seconds, key = std::move(dedup_key),
                          log_id = std::move(log_id), arrived = clock_.Now(),
                          event = std::move(event)]() mutable {
    // Every line logged while handling the event names it, and the assistant measures from
    // `arrived`.
    ScopedLogContext context(LogContextOf(event, log_id, arrived));
    if (!key.empty()) {
      Result<bool> first = dedup.MarkIfNew(key, clock.UnixSeconds() + ttl);
      if (!first.ok()) {
        // Answering twice is better than not answering: process without the dedup record.
        LogWarn("slack: dedup store failed for {} ({}); processing anyway", key,
                first.status().ToString());
      } else if (!*first) {
        metrics::Faqbot().events_deduplicated.With().Inc();
        LogInfo("slack: duplicate delivery of {} dropped", key);
        return;
      }
    }
    RunEventHandler(*handler, std::move(event), log_id, clock);
  });
}

}  // namespace faqbot::slack
