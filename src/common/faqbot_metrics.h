// faqbot's own metrics, in the process-wide registry (metrics::Registry::Global()): one place
// that names them, so docs/operations.md, the dashboards and the code agree. Every label takes
// its values from a small fixed set (never user text or ids).
//
// Gauges read at scrape time (queue depths, models loaded) are callbacks that `faqbot serve`
// registers under the k…Gauge names below, over the components it owns.
//
// Thread-safe.
#pragma once

#include <string_view>

#include "common/metrics.h"

namespace faqbot::metrics {

struct FaqbotMetrics {
  // faqbot_asks_total{outcome,surface}: questions asked of a bot that got a reply. outcome:
  // answered, chosen (several answers shown), suggested (owners offered), declined (nobody knows),
  // handed_off (the owner was asked), unavailable (the bot could not be loaded); surface: dm,
  // mention, slash, channel (a watched channel), everyone (asked of every bot, any surface).
  Family<Counter>& asks;
  // faqbot_ask_duration_seconds{surface}: from the event's arrival in the process to the reply
  // handed to the messenger.
  Family<Histogram>& ask_seconds;
  // faqbot_publish_duration_seconds: from the publish request to the model serving (training
  // queue jobs that went live).
  Family<Histogram>& publish_seconds;
  // faqbot_publish_jobs_total{result}: publish jobs finished: live, failed.
  Family<Counter>& publish_jobs;
  // faqbot_slack_api_calls_total{method,result}: Web API HTTP attempts. result: ok, slack_error
  // (ok:false), 429, 5xx, network, http_error (another status or an unreadable body).
  Family<Counter>& slack_api_calls;
  // faqbot_slack_api_retries_total{method}: attempts repeated after a 429, 5xx or network error.
  Family<Counter>& slack_api_retries;
  // faqbot_socket_mode_reconnects_total: Socket Mode connections given up and replaced.
  Family<Counter>& socket_mode_reconnects;
  // faqbot_events_deduplicated_total: Slack deliveries dropped as already handled (retries,
  // redelivered envelopes).
  Family<Counter>& events_deduplicated;
  // faqbot_http_requests_total{route,status}: HTTP requests answered; route is the registered
  // path ("unmatched" for none), status the HTTP status code.
  Family<Counter>& http_requests;
  // faqbot_replies_total{result}: replies the outgoing queue is done with: delivered, refused
  // (Slack refused it for good), given_up (still failing when no more tries were allowed),
  // kept (left in the outbox at shutdown, for the next start).
  Family<Counter>& replies;
  // faqbot_reply_retries_total: tries of a reply repeated by the outgoing queue after a failure
  // that may pass (Slack down, rate limited, unreachable).
  Family<Counter>& reply_retries;
  // faqbot_feedback_total{vote}: 👍 / 👎 pressed under an answer (helpful, unhelpful); the same
  // button pressed again counts once.
  Family<Counter>& feedback;
  // faqbot_handoffs_resolved_total{action}: questions an owner settled from a hand-off or the
  // unanswered list: its_topic (an existing topic), answered (a new topic), ignored.
  Family<Counter>& handoffs_resolved;
  // faqbot_learned_total{kind}: what went live from an owner's answer without a publish (learning
  // on): phrasing (an *It's X*), topic (an *Answer it*).
  Family<Counter>& learned;
  // faqbot_suggestions_picked_total: declined questions whose asker found the answer among the
  // topics suggested to them (and got it without waiting for the owner).
  Family<Counter>& suggestions_picked;
};

// The metrics, registered in Registry::Global() on the first call (so /metrics lists them all
// from the start when `faqbot serve` calls this once early).
const FaqbotMetrics& Faqbot();

// Gauges that `faqbot serve` registers as callbacks (Registry::AddGaugeCallback).
inline constexpr char kTrainingQueueDepthGauge[] = "faqbot_training_queue_depth";
inline constexpr char kInboxDepthGauge[] = "faqbot_inbox_depth";
inline constexpr char kOutboxDepthGauge[] = "faqbot_outbox_depth";
inline constexpr char kModelsLoadedGauge[] = "faqbot_models_loaded";
inline constexpr char kModelsBytesGauge[] = "faqbot_models_bytes";
inline constexpr char kSocketModeConnectedGauge[] = "faqbot_socket_mode_connected";

}  // namespace faqbot::metrics
