#include "server/status_http.h"

#include <gtest/gtest.h>

namespace faqbot::server {
namespace {

TEST(StatusHttpTest, ErrorResponseIsJsonWithTheMappedStatus) {
  const HttpResponse response = ErrorResponse(UnavailableError("database down"));
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body,
            R"({"ok":false,"error":"unavailable","message":"database down","status":"failure",)"
            R"("reason":"unavailable","code":503})");
}

}  // namespace
}  // namespace faqbot::server
