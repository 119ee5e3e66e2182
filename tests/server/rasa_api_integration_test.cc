// The Rasa-compatible API over real HTTP, wired as `faqbot serve` wires it: a real HttpServer
// with RasaApi over a real SQLite Store, a token made by the function `faqbot token create`
// calls, topics published by a real TrainingQueue, requests from a keep-alive TCP client.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/api_tokens.h"
#include "server/http_test_client.h"
#include "server/published_models_fixture.h"
#include "server/rasa_api.h"

namespace faqbot::server {
namespace {

using Json = nlohmann::json;
using testing::TestHttpClient;

const store::UserRef kAlice{"T0001", "U0ALICE"};

class RasaApiIntegrationTest : public testing::PublishedModelsFixture {
 protected:
  void SetUp() override {
    PublishedModelsFixture::SetUp();
    RasaApiOptions options;
    options.rate = {.per_second = 20, .burst = 40};  // the defaults of `faqbot serve`
    api_ = std::make_unique<RasaApi>(*store_, *registry_, clock_, options);
    server_ = std::make_unique<HttpServer>(testing::LoopbackServerOptions());
    ASSERT_TRUE(api_->Register(*server_).ok());
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(client_.Connect(server_->port()).ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    PublishedModelsFixture::TearDown();
  }

  Result<testing::TestResponse> Parse(const std::string& token, const std::string& body) {
    slack::Headers headers{{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return client_.Send("POST", "/model/parse", body, headers);
  }

  std::unique_ptr<RasaApi> api_;
  std::unique_ptr<HttpServer> server_;
  TestHttpClient client_;
};

TEST_F(RasaApiIntegrationTest, ATokenOwnerParsesWithTheLiveModelAndOthersAreRefused) {
  auto created = CreateApiToken(*store_, kAlice, "integration");
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string token = created->token;

  // Nothing published yet: Rasa's "no model loaded" conflict.
  auto unpublished = Parse(token, R"({"text":"wifi password"})");
  ASSERT_TRUE(unpublished.ok()) << unpublished.status();
  EXPECT_EQ(unpublished->status, 409);

  auto wifi = store_->AddTopic(kAlice, {"what is the wifi password?", {"wifi code"}, "hunter2"});
  auto parking = store_->AddTopic(kAlice, {"where can I park my car?", {}, "level -2"});
  ASSERT_TRUE(wifi.ok() && parking.ok());
  ASSERT_TRUE(training_->Enqueue(kAlice).ok());
  executor_.RunAll();

  auto parsed = Parse(token, R"({"text":"what's the password for the wifi?"})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->status, 200) << parsed->body;
  EXPECT_EQ(slack::HeaderValue(parsed->headers, "content-type"), "application/json");
  const Json answer = Json::parse(parsed->body);
  EXPECT_EQ(answer["intent"]["name"], "wifi_password");
  EXPECT_GT(answer["intent"]["confidence"].get<double>(), 0.5);
  EXPECT_EQ(answer["intent_ranking"][0]["name"], "wifi_password");
  EXPECT_EQ(answer["text"], "what's the password for the wifi?");

  auto status = client_.Send("GET", "/status?token=" + token);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(Json::parse(status->body)["num_topics"], 2);

  // Missing, wrong and revoked tokens: 401 with a JSON error, connection kept.
  for (const std::string& bad : {std::string(), std::string("faqbot_") + std::string(64, 'a')}) {
    auto refused = Parse(bad, R"({"text":"wifi"})");
    ASSERT_TRUE(refused.ok()) << refused.status();
    EXPECT_EQ(refused->status, 401);
    EXPECT_EQ(Json::parse(refused->body)["error"], "unauthenticated");
  }
  ASSERT_TRUE(store_->RevokeApiToken(kAlice, created->info.id).ok());
  auto revoked = Parse(token, R"({"text":"wifi"})");
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->status, 401);
  EXPECT_EQ(client_.Send("GET", "/status?token=" + token)->status, 401);
}

TEST_F(RasaApiIntegrationTest, BadAndOversizedBodiesAreRefused) {
  auto created = CreateApiToken(*store_, kAlice, "");
  ASSERT_TRUE(created.ok());
  AddTopic(kAlice, "what is the wifi password?", "hunter2");
  Publish(kAlice);

  auto not_json = Parse(created->token, "text=wifi");
  ASSERT_TRUE(not_json.ok());
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(Json::parse(not_json->body)["error"], "invalid_argument");
  auto no_text = Parse(created->token, R"({"query":"wifi"})");
  ASSERT_TRUE(no_text.ok());
  EXPECT_EQ(no_text->status, 400);

  // Just over 1 MiB: refused before any handler runs.
  const std::string big = R"({"text":")" + std::string((size_t{1} << 20), 'a') + R"("})";
  auto oversized = Parse(created->token, big);
  ASSERT_TRUE(oversized.ok()) << oversized.status();
  EXPECT_EQ(oversized->status, 413);
  EXPECT_EQ(Json::parse(oversized->body)["ok"], false);
}

TEST_F(RasaApiIntegrationTest, ABurstOverTheLimitGets429WithRetryAfter) {
  auto created = CreateApiToken(*store_, kAlice, "");
  ASSERT_TRUE(created.ok());
  AddTopic(kAlice, "what is the wifi password?", "hunter2");
  Publish(kAlice);

  // The clock stands still: exactly the burst passes, then every request is limited.
  int ok = 0, limited = 0;
  std::string retry_after;
  for (int i = 0; i < 60; ++i) {
    auto res = Parse(created->token, R"({"text":"wifi"})");
    ASSERT_TRUE(res.ok()) << res.status();
    if (res->status == 200) ++ok;
    if (res->status == 429) {
      ++limited;
      retry_after = slack::HeaderValue(res->headers, "retry-after");
    }
  }
  EXPECT_EQ(ok, 40);
  EXPECT_EQ(limited, 20);
  EXPECT_EQ(retry_after, "1");
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Parse(created->token, R"({"text":"wifi"})")->status, 200);
}

}  // namespace
}  // namespace faqbot::server
