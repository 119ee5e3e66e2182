#include "common/faqbot_metrics.h"

namespace faqbot::metrics {

const FaqbotMetrics& Faqbot() {
  static const FaqbotMetrics* const m = [] {
    Registry& r = Registry::Global();
    return new FaqbotMetrics{
        .asks =
            r.AddCounter("faqbot_asks_total", "Questions asked of a bot, by outcome and surface.",
                         {"outcome", "surface"}),
        .ask_seconds =
            r.AddHistogram("faqbot_ask_duration_seconds",
                           "Time from a question's arrival to its reply handed to the messenger.",
                           LatencyBuckets(), {"surface"}),
        .publish_seconds =
            r.AddHistogram("faqbot_publish_duration_seconds",
                           "Time from a publish request to its model serving.", SlowBuckets()),
        .publish_jobs =
            r.AddCounter("faqbot_publish_jobs_total",
                         "Publish jobs finished, by result (live, failed).", {"result"}),
        .slack_api_calls = r.AddCounter("faqbot_slack_api_calls_total",
                                        "Slack Web API HTTP attempts, by method and result.",
                                        {"method", "result"}),
        .slack_api_retries = r.AddCounter(
            "faqbot_slack_api_retries_total",
            "Slack Web API attempts repeated after a 429, 5xx or network error.", {"method"}),
        .socket_mode_reconnects = r.AddCounter("faqbot_socket_mode_reconnects_total",
                                               "Socket Mode connections given up and replaced."),
        .events_deduplicated =
            r.AddCounter("faqbot_events_deduplicated_total",
                         "Slack deliveries dropped because the event was already handled."),
        .http_requests =
            r.AddCounter("faqbot_http_requests_total",
                         "HTTP requests answered, by route and status.", {"route", "status"}),
        .replies = r.AddCounter("faqbot_replies_total",
                                "Replies the outgoing queue is done with, by result (delivered, "
                                "refused, given_up, kept).",
                                {"result"}),
        .reply_retries = r.AddCounter(
            "faqbot_reply_retries_total",
            "Reply tries repeated by the outgoing queue after a failure that may pass."),
        .feedback =
            r.AddCounter("faqbot_feedback_total",
                         "Answers rated by their asker, by vote (helpful, unhelpful).", {"vote"}),
        .handoffs_resolved =
            r.AddCounter("faqbot_handoffs_resolved_total",
                         "Questions settled by their owner, by action (its_topic, answered, "
                         "ignored).",
                         {"action"}),
        .learned = r.AddCounter("faqbot_learned_total",
                                "Owners' answers live without a publish, by kind (phrasing, "
                                "topic).",
                                {"kind"}),
        .suggestions_picked = r.AddCounter(
            "faqbot_suggestions_picked_total",
            "Declined questions whose asker picked the answer among the suggested topics."),
    };
  }();
  return *m;
}

}  // namespace faqbot::metrics
