// RasaApi's handlers over a real SQLite Store, real trained models (the lexicon the build
// compiled) published through a real TrainingQueue on a ManualExecutor, and a FakeClock for the
// rate limit. tests/server/rasa_api_integration_test.cc drives the same API over HTTP.
#include "server/rasa_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/json_limits.h"
#include "nlu/rasa_json.h"
#include "server/api_tokens.h"
#include "server/published_models_fixture.h"
#include "slack/form_decoding.h"

namespace faqbot::server {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const store::UserRef kAlice{"T0001", "U0ALICE"};
const store::UserRef kBob{"T0001", "U0BOB"};

class RasaApiTest : public testing::PublishedModelsFixture {
 protected:
  void SetUp() override {
    PublishedModelsFixture::SetUp();
    RasaApiOptions options;
    options.rate = {.per_second = 1, .burst = 3};
    api_ = std::make_unique<RasaApi>(*store_, *registry_, clock_, options);
  }

  std::string Token(const store::UserRef& owner) {
    auto created = CreateApiToken(*store_, owner, "test");
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->token : "";
  }
  static HttpRequest ParseRequest(const std::string& token, std::string body) {
    HttpRequest request;
    request.method = "POST";
    request.target = request.path = kModelParsePath;
    if (!token.empty()) request.headers["Authorization"] = "Bearer " + token;
    request.body = std::move(body);
    return request;
  }
  static HttpRequest StatusRequest(const std::string& token) {
    HttpRequest request;
    request.method = "GET";
    request.path = kRasaStatusPath;
    request.target = std::string(kRasaStatusPath) + "?token=" + slack::PercentEncode(token);
    return request;
  }
  static void ExpectError(const HttpResponse& response, int status, const std::string& error) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    const Json body = Json::parse(response.body);
    EXPECT_EQ(body["ok"], false);
    EXPECT_EQ(body["error"], error);
    EXPECT_EQ(body["status"], "failure");
    EXPECT_EQ(body["reason"], error);
    EXPECT_EQ(body["code"], status);
    EXPECT_TRUE(body["message"].is_string());
  }

  std::unique_ptr<RasaApi> api_;
};

TEST_F(RasaApiTest, ParseAnswersFromTheTokenOwnersLiveModelInRasasShape) {
  AddTopic(kAlice, "what is the wifi password?", "hunter2");
  AddTopic(kAlice, "where do I park my car?", "level -2");
  AddTopic(kBob, "when is the office closed?", "on Sundays");
  Publish(kAlice);
  Publish(kBob);
  const std::string alice = Token(kAlice);

  const std::string text = "how do I get the wifi password";
  const HttpResponse response = api_->Parse(ParseRequest(alice, Json{{"text", text}}.dump()));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/json");
  const Json body = Json::parse(response.body);
  // The topic's name, not the model's internal topic_<id>.
  EXPECT_EQ(body["intent"]["name"], "wifi_password");
  EXPECT_EQ(body["intent_ranking"][0]["name"], "wifi_password");
  EXPECT_EQ(body["intent_ranking"][1]["name"], "park_car");
  EXPECT_EQ(body["text"], text);
  EXPECT_EQ(body["entities"], Json::array());
  // Byte for byte what `faqbot nlu parse` writes for the live model, with the topics' names.
  auto model = registry_->Get(kAlice);
  ASSERT_TRUE(model.ok());
  nlu::Prediction expected = (*model)->Predict(text, 10);
  auto live = store_->GetLivePublication(kAlice, false);
  ASSERT_TRUE(live.ok() && live->has_value());
  assistant::IntentNames((*live)->topics).Rename(expected);
  EXPECT_EQ(response.body, nlu::RasaJson(text, expected, 10));

  // Bob's token reaches Bob's bot, never Alice's.
  const Json bob =
      Json::parse(api_->Parse(ParseRequest(Token(kBob), R"({"text":"wifi password"})")).body);
  for (const auto& ranked : bob["intent_ranking"]) {
    EXPECT_NE(ranked["name"], "wifi_password");
  }
}

TEST_F(RasaApiTest, ParseFollowsANewPublication) {
  AddTopic(kAlice, "what is the wifi password?", "hunter2");
  Publish(kAlice);
  const std::string alice = Token(kAlice);
  const int64_t lunch = AddTopic(kAlice, "when is lunch served?", "at noon");
  const auto before =
      Json::parse(api_->Parse(ParseRequest(alice, R"({"text":"when is lunch served"})")).body);
  EXPECT_NE(before["intent"]["name"], "lunch_served");
  Publish(kAlice);
  const auto after =
      Json::parse(api_->Parse(ParseRequest(alice, R"({"text":"when is lunch served"})")).body);
  EXPECT_EQ(after["intent"]["name"], "lunch_served");

  // A rename is a draft like any edit: clients see the new name from the next publish on.
  store::TopicEdit rename;
  rename.name = "lunch_hours";
  ASSERT_TRUE(store_->UpdateTopic(kAlice, lunch, rename).ok());
  clock_.Advance(std::chrono::minutes(1));  // a fresh rate-limit bucket
  const HttpResponse draft = api_->Parse(ParseRequest(alice, R"({"text":"when is lunch served"})"));
  ASSERT_EQ(draft.status, 200) << draft.body;
  EXPECT_EQ(Json::parse(draft.body)["intent"]["name"], "lunch_served");
  Publish(kAlice);
  const HttpResponse renamed =
      api_->Parse(ParseRequest(alice, R"({"text":"when is lunch served"})"));
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Json::parse(renamed.body)["intent"]["name"], "lunch_hours");
}

TEST_F(RasaApiTest, RefusesMissingUnknownAndRevokedTokens) {
  AddTopic(kAlice, "what is the wifi password?", "hunter2");
  Publish(kAlice);
  const std::string body = R"({"text":"wifi"})";
  ExpectError(api_->Parse(ParseRequest("", body)), 401, "unauthenticated");
  ExpectError(api_->Parse(ParseRequest("faqbot_" + std::string(64, '0'), body)), 401,
              "unauthenticated");
  HttpRequest basic = ParseRequest("", body);
  basic.headers["Authorization"] = "Basic dXNlcjpwYXNz";
  ExpectError(api_->Parse(basic), 401, "unauthenticated");
  ExpectError(api_->GetStatus(StatusRequest("nonsense")), 401, "unauthenticated");

  auto created = CreateApiToken(*store_, kAlice, "soon revoked");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(api_->Parse(ParseRequest(created->token, body)).status, 200);
  // The scheme is case-insensitive; the query parameter works too.
  HttpRequest lower = ParseRequest("", body);
  lower.headers["Authorization"] = "bearer " + created->token;
  EXPECT_EQ(api_->Parse(lower).status, 200);
  HttpRequest query = ParseRequest("", body);
  query.target = std::string(kModelParsePath) + "?token=" + created->token;
  EXPECT_EQ(api_->Parse(query).status, 200);

  ASSERT_TRUE(store_->RevokeApiToken(kAlice, created->info.id).ok());
  ExpectError(api_->Parse(ParseRequest(created->token, body)), 401, "unauthenticated");
  ExpectError(api_->Parse(query), 401, "unauthenticated");
}

TEST_F(RasaApiTest, RefusesBadBodiesWithAJsonError) {
  AddTopic(kAlice, "what is the wifi password?", "hunter2");
  Publish(kAlice);
  const std::string alice = Token(kAlice);
  clock_.Advance(std::chrono::seconds(100));  // a full bucket for each of the cases below
  for (const char* bad : {"", "text=wifi", "{\"text\":", "[\"wifi\"]", "{}", "{\"text\":42}",
                          "{\"text\":null}", "{\"message\":\"wifi\"}"}) {
    ExpectError(api_->Parse(ParseRequest(alice, bad)), 400, "invalid_argument");
    clock_.Advance(std::chrono::seconds(1));
  }
  const std::string long_text = Json{{"text", std::string(nlu::kMaxExampleBytes + 1, 'a')}}.dump();
  ExpectError(api_->Parse(ParseRequest(alice, long_text)), 413, "resource_exhausted");
  clock_.Advance(std::chrono::seconds(1));
  HttpRequest bad_query = ParseRequest("", R"({"text":"wifi"})");
  bad_query.target = std::string(kModelParsePath) + "?token=%zz";
  ExpectError(api_->Parse(bad_query), 400, "invalid_argument");
  // With the token in the header too: the query is still malformed.
  clock_.Advance(std::chrono::seconds(1));
  bad_query = ParseRequest(alice, R"({"text":"wifi"})");
  bad_query.target = std::string(kModelParsePath) + "?x=%zz";
  ExpectError(api_->Parse(bad_query), 400, "invalid_argument");
  // Valid JSON, but nested deeper than any request needs: refused before it is parsed.
  clock_.Advance(std::chrono::seconds(1));
  const std::string deep = R"({"text":"wifi","x":)" + std::string(kMaxJsonNesting, '[') +
                           std::string(kMaxJsonNesting, ']') + "}";
  const HttpResponse refused = api_->Parse(ParseRequest(alice, deep));
  ExpectError(refused, 400, "invalid_argument");
  EXPECT_NE(refused.body.find("levels deep"), std::string::npos) << refused.body;
}

TEST_F(RasaApiTest, NothingPublishedIsAConflictAsInRasaWithoutAModel) {
  AddTopic(kAlice, "what is the wifi password?", "hunter2");  // a draft only
  const HttpResponse response = api_->Parse(ParseRequest(Token(kAlice), R"({"text":"wifi"})"));
  ExpectError(response, 409, "failed_precondition");
  EXPECT_THAT(response.body, HasSubstr("published nothing"));
}

TEST_F(RasaApiTest, ABotTakenOfflineSaysSoRatherThanNeverPublished) {
  const int64_t id = AddTopic(kAlice, "what is the wifi password?", "hunter2");
  Publish(kAlice);
  ASSERT_TRUE(store_->DeleteTopic(kAlice, id).ok());
  ASSERT_TRUE(training_->Enqueue(kAlice).ok());  // a publish of no topics
  executor_.RunAll();
  const HttpResponse response = api_->Parse(ParseRequest(Token(kAlice), R"({"text":"wifi"})"));
  ExpectError(response, 409, "failed_precondition");
  EXPECT_THAT(response.body, HasSubstr("took their bot offline"));
}

TEST_F(RasaApiTest, RateLimitsEachTokenWithRetryAfter) {
  AddTopic(kAlice, "what is the wifi password?", "hunter2");
  Publish(kAlice);
  const std::string first = Token(kAlice);
  const std::string second = Token(kAlice);
  const std::string body = R"({"text":"wifi"})";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(api_->Parse(ParseRequest(first, body)).status, 200) << i;
  const HttpResponse limited = api_->Parse(ParseRequest(first, body));
  ExpectError(limited, 429, "resource_exhausted");
  EXPECT_EQ(slack::HeaderValue(limited.headers, "Retry-After"), "1");
  // Another token of the same owner has its own budget; /status shares the token's.
  EXPECT_EQ(api_->Parse(ParseRequest(second, body)).status, 200);
  EXPECT_EQ(api_->GetStatus(StatusRequest(first)).status, 429);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(api_->Parse(ParseRequest(first, body)).status, 200);
}

TEST_F(RasaApiTest, StatusDescribesTheLiveModelAsRasaDoes) {
  const std::string alice = Token(kAlice);
  const HttpResponse empty = api_->GetStatus(StatusRequest(alice));
  ASSERT_EQ(empty.status, 200) << empty.body;
  const Json none = Json::parse(empty.body);
  EXPECT_TRUE(none["model_id"].is_null());
  EXPECT_TRUE(none["model_file"].is_null());
  EXPECT_EQ(none["fingerprint"], Json::object());
  EXPECT_EQ(none["num_active_training_jobs"], 0);
  EXPECT_EQ(none["num_topics"], 0);

  AddTopic(kAlice, "what is the wifi password?", "hunter2");
  AddTopic(kAlice, "where do I park my car?", "level -2");
  ASSERT_TRUE(training_->Enqueue(kAlice).ok());
  EXPECT_EQ(Json::parse(api_->GetStatus(StatusRequest(alice)).body)["num_active_training_jobs"], 1);
  executor_.RunAll();
  const Json live = Json::parse(api_->GetStatus(StatusRequest(alice)).body);
  EXPECT_EQ(live["num_active_training_jobs"], 0);
  EXPECT_EQ(live["num_topics"], 2);
  auto publication = store_->GetLivePublication(kAlice, true);
  ASSERT_TRUE(publication.ok() && publication->has_value());
  const std::string digest = Sha256Hex((*publication)->model);
  EXPECT_EQ(live["model_id"], digest.substr(0, 32));
  EXPECT_EQ(live["model_file"], "T0001-U0ALICE-v1.faqbot");
  EXPECT_EQ(live["fingerprint"]["model_sha256"], digest);
  EXPECT_EQ(live["fingerprint"]["version"], 1);
  EXPECT_TRUE(live["fingerprint"]["trained_at"].is_number());
}

TEST_F(RasaApiTest, RecordsWhenATokenWasLastUsedAtMostOncePerInterval) {
  AddTopic(kAlice, "what is the wifi password?", "hunter2");
  Publish(kAlice);
  auto created = CreateApiToken(*store_, kAlice, "");
  ASSERT_TRUE(created.ok());
  const int64_t first_use = clock_.UnixMillis();
  EXPECT_EQ(api_->GetStatus(StatusRequest(created->token)).status, 200);
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(api_->GetStatus(StatusRequest(created->token)).status, 200);
  EXPECT_EQ((*store_->ListApiTokens(kAlice))[0].last_used_at, first_use);
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_EQ(api_->GetStatus(StatusRequest(created->token)).status, 200);
  EXPECT_EQ((*store_->ListApiTokens(kAlice))[0].last_used_at, clock_.UnixMillis());
}

}  // namespace
}  // namespace faqbot::server
