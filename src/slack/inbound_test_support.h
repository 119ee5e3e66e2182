// Shared helpers of the inbound Slack tests: fixture files under src/slack/testdata/ and signed
// request headers. Test-only (needs FAQBOT_SOURCE_DIR, which every test target defines).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/file_util.h"
#include "slack/form_decoding.h"
#include "slack/http_headers.h"
#include "slack/signature_verifier.h"

namespace faqbot::slack::testing {

inline constexpr char kSecret[] = "8f742231b10e8888abcd99yyyzzz85a5";

// The bytes of src/slack/testdata/<name>; fails the test (and returns "") when unreadable.
inline std::string Fixture(const std::string& name) {
  auto bytes = ReadFile(std::string(FAQBOT_SOURCE_DIR) + "/src/slack/testdata/" + name);
  EXPECT_TRUE(bytes.ok()) << name << ": " << bytes.status();
  return bytes.ok() ? *bytes : std::string();
}

inline nlohmann::json FixtureJson(const std::string& name) {
  return nlohmann::json::parse(Fixture(name));
}

// An interaction fixture as Slack posts it: payload=<URL-encoded JSON>.
inline std::string InteractionFormBody(const std::string& json_fixture) {
  return "payload=" + PercentEncode(FixtureJson(json_fixture).dump());
}

// Headers of a request Slack signed with kSecret at `timestamp`.
inline Headers SignedHeaders(std::string_view body, int64_t timestamp) {
  return {{"X-Slack-Request-Timestamp", std::to_string(timestamp)},
          {"X-Slack-Signature", ComputeSignature(kSecret, timestamp, body)}};
}

}  // namespace faqbot::slack::testing
