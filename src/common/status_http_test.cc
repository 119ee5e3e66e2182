#include "common/status_http.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace faqbot {
namespace {

TEST(StatusHttpTest, MapsEveryCode) {
  const std::vector<std::pair<StatusCode, int>> table = {
      {StatusCode::kOk, 200},
      {StatusCode::kInvalidArgument, 400},
      {StatusCode::kUnauthenticated, 401},
      {StatusCode::kPermissionDenied, 403},
      {StatusCode::kNotFound, 404},
      {StatusCode::kAlreadyExists, 409},
      {StatusCode::kAborted, 409},
      {StatusCode::kFailedPrecondition, 409},
      {StatusCode::kResourceExhausted, 413},
      {StatusCode::kUnavailable, 503},
      {StatusCode::kDeadlineExceeded, 504},
      {StatusCode::kDataLoss, 500},
      {StatusCode::kInternal, 500},
  };
  for (const auto& [code, http] : table) {
    EXPECT_EQ(HttpStatusFor(code), http) << StatusCodeName(code);
  }
}

TEST(StatusHttpTest, ErrorJsonNamesTheCodeAndEscapesTheMessage) {
  const std::string body = ErrorJson(InvalidArgumentError("field \"text\" <missing>\n"));
  const auto json = nlohmann::json::parse(body);
  EXPECT_EQ(json["ok"], false);
  EXPECT_EQ(json["error"], "invalid_argument");
  EXPECT_EQ(json["message"], "field \"text\" <missing>\n");
  // Rasa's fields too.
  EXPECT_EQ(json["status"], "failure");
  EXPECT_EQ(json["reason"], "invalid_argument");
  EXPECT_EQ(json["code"], 400);
  EXPECT_EQ(ErrorJson(Status::Ok()), R"({"ok":true})");
  EXPECT_EQ(ErrorJson(405, "method_not_allowed", "/x accepts POST"),
            R"({"ok":false,"error":"method_not_allowed","message":"/x accepts POST",)"
            R"("status":"failure","reason":"method_not_allowed","code":405})");
}

TEST(StatusHttpTest, ErrorJsonSurvivesInvalidUtf8) {
  const std::string body = ErrorJson(NotFoundError("no topic \xff\xfe"));
  ASSERT_TRUE(nlohmann::json::accept(body)) << body;
  EXPECT_EQ(nlohmann::json::parse(body)["error"], "not_found");
}

}  // namespace
}  // namespace faqbot
