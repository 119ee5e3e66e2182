// The input of the inbound Slack benchmarks: 4096 signed Events API requests, each the
// app_mention fixture (src/slack/testdata/events_app_mention_rich_text.json, ~1.9 KB) with its
// own event_id, signed once up front for a fixed clock (kSignedAt).
#pragma once

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "slack/http_headers.h"
#include "slack/signature_verifier.h"

namespace faqbot::bench {

inline constexpr char kSigningSecret[] = "8f742231b10e8888abcd99yyyzzz85a5";
inline constexpr int64_t kSignedAt = 1'700'000'000;
inline constexpr size_t kSignedRequests = 4096;

struct SignedRequest {
  slack::Headers headers;
  std::string body;
};

// Built on first use; aborts when the fixture is missing (a broken checkout).
inline const std::vector<SignedRequest>& SignedEventRequests() {
  static const std::vector<SignedRequest> requests = [] {
    auto fixture = ReadFile(std::string(FAQBOT_SOURCE_DIR) +
                            "/src/slack/testdata/events_app_mention_rich_text.json");
    if (!fixture.ok()) std::abort();
    auto json = nlohmann::json::parse(*fixture);
    std::vector<SignedRequest> out;
    for (size_t i = 0; i < kSignedRequests; ++i) {
      json["event_id"] = "Ev" + std::to_string(1'000'000 + i);
      SignedRequest r;
      r.body = json.dump(2);
      r.headers = {
          {"Content-Type", "application/json"},
          {"X-Slack-Request-Timestamp", std::to_string(kSignedAt)},
          {"X-Slack-Signature", slack::ComputeSignature(kSigningSecret, kSignedAt, r.body)}};
      out.push_back(std::move(r));
    }
    return out;
  }();
  return requests;
}

}  // namespace faqbot::bench
