// The topics API over real HTTP, wired as `faqbot serve` wires it: a real HttpServer with
// RasaApi and TopicsApi over a real SQLite Store, a token made by the function `faqbot token
// create` calls, publishes by a real TrainingQueue, requests from a keep-alive TCP client.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "assistant/topics.h"
#include "server/api_tokens.h"
#include "server/http_test_client.h"
#include "server/published_models_fixture.h"
#include "server/rasa_api.h"
#include "server/topics_api.h"

namespace faqbot::server {
namespace {

using Json = nlohmann::json;
using testing::TestHttpClient;
using testing::TestResponse;

const store::UserRef kAlice{"T0001", "U0ALICE"};
const store::UserRef kBob{"T0001", "U0BOB"};

// Rasa NLU YAML without `responses:` (Rasa keeps them in domain.yml), and the same with them.
constexpr char kNoResponses[] = R"(version: "3.1"
nlu:
- intent: wifi_password
  examples: |
    - what is the wifi password?
    - guest wifi code
- intent: visitor_parking
  examples: |
    - where can visitors park?
)";
const std::string kWithResponses = std::string(kNoResponses) + R"(responses:
  utter_wifi_password:
  - text: "It's on the fridge."
)";

class TopicsApiIntegrationTest : public testing::PublishedModelsFixture {
 protected:
  void SetUp() override {
    PublishedModelsFixture::SetUp();
    RasaApiOptions options;
    options.rate = {.per_second = 20, .burst = 40};  // the defaults of `faqbot serve`
    rasa_ = std::make_unique<RasaApi>(*store_, *registry_, clock_, options);
    topics_ = std::make_unique<assistant::Topics>(*store_, *registry_, *training_);
    api_ = std::make_unique<TopicsApi>(*rasa_, *topics_);
    server_ = std::make_unique<HttpServer>(testing::LoopbackServerOptions());
    ASSERT_TRUE(rasa_->Register(*server_).ok());
    ASSERT_TRUE(api_->Register(*server_).ok());
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(client_.Connect(server_->port()).ok());
    auto created = CreateApiToken(*store_, kAlice, "integration");
    ASSERT_TRUE(created.ok()) << created.status();
    token_ = created->token;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    PublishedModelsFixture::TearDown();
  }

  TestResponse Send(const std::string& method, const std::string& target,
                    const std::string& body = "", slack::Headers headers = {},
                    bool with_token = true) {
    if (with_token) headers["Authorization"] = "Bearer " + token_;
    auto response = client_.Send(method, target, body, headers);
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) {
      (void)client_.Connect(server_->port());
      return {};
    }
    return *response;
  }

  std::vector<store::Topic> AlicesTopics() {
    auto topics = store_->ListTopics(kAlice);
    EXPECT_TRUE(topics.ok());
    return topics.ok() ? *topics : std::vector<store::Topic>{};
  }

  std::unique_ptr<RasaApi> rasa_;
  std::unique_ptr<assistant::Topics> topics_;
  std::unique_ptr<TopicsApi> api_;
  std::unique_ptr<HttpServer> server_;
  TestHttpClient client_;
  std::string token_;
};

TEST_F(TopicsApiIntegrationTest, EveryEndpointWantsAValidToken) {
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", kTopicsPath}, {"PUT", kTopicsPath}, {"POST", kPublishPath}}) {
    TestResponse none = Send(method, path, kWithResponses, {}, /*with_token=*/false);
    EXPECT_EQ(none.status, 401) << method << " " << path;
    EXPECT_EQ(Json::parse(none.body)["ok"], false);
    TestResponse bad = Send(method, path, kWithResponses,
                            {{"Authorization", "Bearer faqbot_" + std::string(64, '0')}},
                            /*with_token=*/false);
    EXPECT_EQ(bad.status, 401) << method << " " << path;
  }
  EXPECT_TRUE(AlicesTopics().empty());
  EXPECT_FALSE(store_->GetLivePublication(kAlice, false)->has_value());
}

TEST_F(TopicsApiIntegrationTest, PutWithoutResponsesMakesDraftsAndPublishLeavesThemOut) {
  TestResponse put = Send("PUT", kTopicsPath, kNoResponses, {{"Content-Type", "application/x-yaml"}});
  ASSERT_EQ(put.status, 200) << put.body;
  Json done = Json::parse(put.body);
  EXPECT_EQ(done["added"], 2);
  EXPECT_EQ(done["needs_answer"], 2);

  // Answers come later (here: the same file with responses); ids stay.
  const auto before = AlicesTopics();
  put = Send("PUT", kTopicsPath, kWithResponses);
  ASSERT_EQ(put.status, 200) << put.body;
  done = Json::parse(put.body);
  EXPECT_EQ(done["updated"], 1);
  EXPECT_EQ(done["unchanged"], 1);
  EXPECT_EQ(done["needs_answer"], 1);
  const auto after = AlicesTopics();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_EQ(after[0].content.name, "wifi_password");

  TestResponse publish = Send("POST", kPublishPath);
  ASSERT_EQ(publish.status, 202) << publish.body;
  const Json publishing = Json::parse(publish.body);
  EXPECT_EQ(publishing["topics"], 1);
  EXPECT_EQ(publishing["needs_answer"], 1);
  EXPECT_NE(publishing["message"].get<std::string>().find("1 topic needs an answer"),
            std::string::npos);
  executor_.RunAll();
  auto live = store_->GetLivePublication(kAlice, false);
  ASSERT_TRUE(live.ok() && live->has_value());
  ASSERT_EQ((*live)->topics.size(), 1u);
  EXPECT_EQ((*live)->topics[0].content.name, "wifi_password");

  // A Rasa client dispatching on intent names gets the imported name back.
  TestResponse parsed = Send("POST", "/model/parse", R"({"text":"what's the guest wifi code?"})",
                             {{"Content-Type", "application/json"}});
  ASSERT_EQ(parsed.status, 200) << parsed.body;
  EXPECT_EQ(Json::parse(parsed.body)["intent"]["name"], "wifi_password");
}

TEST_F(TopicsApiIntegrationTest, GetGivesBackWhatWasPutAsYamlOrJson) {
  ASSERT_EQ(Send("PUT", kTopicsPath, kWithResponses).status, 200);
  TestResponse yaml = Send("GET", kTopicsPath);
  ASSERT_EQ(yaml.status, 200) << yaml.body;
  EXPECT_NE(slack::HeaderValue(yaml.headers, "content-type").find("yaml"), std::string::npos);
  // Putting the export back changes nothing: the same intents, examples and responses.
  TestResponse again = Send("PUT", kTopicsPath, yaml.body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json::parse(again.body)["unchanged"], 2);

  TestResponse json = Send("GET", kTopicsPath, "", {{"Accept", "application/json"}});
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_EQ(slack::HeaderValue(json.headers, "content-type"), "application/json");
  const Json doc = Json::parse(json.body);
  ASSERT_EQ(doc["topics"].size(), 2u);
  EXPECT_EQ(doc["topics"][0]["name"], "wifi_password");
  EXPECT_EQ(doc["topics"][0]["question"], "what is the wifi password?");
  EXPECT_EQ(doc["topics"][0]["phrasings"], Json::array({"guest wifi code"}));
  EXPECT_EQ(doc["topics"][0]["answer"], "It's on the fridge.");
  EXPECT_EQ(doc["topics"][0]["needs_answer"], false);
  EXPECT_EQ(doc["topics"][1]["needs_answer"], true);
  EXPECT_EQ(Send("GET", std::string(kTopicsPath) + "?format=json").body, json.body);

  // JSON in: a renamed topic and one without a name (made from its question); --replace semantics.
  const std::string body = R"({"topics":[
      {"name":"guest_wifi","question":"what is the wifi password?","answer":"fridge"},
      {"question":"When does the canteen open?","answer":"at 11:30"}]})";
  TestResponse put = Send("PUT", kTopicsPath, body, {{"Content-Type", "application/json"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Json::parse(put.body)["added"], 2);
  EXPECT_EQ(Json::parse(put.body)["deleted"], 2);
  const auto topics = AlicesTopics();
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].content.name, "guest_wifi");
  EXPECT_EQ(topics[1].content.name, "canteen_open");
  // Media types are case-insensitive.
  put = Send("PUT", kTopicsPath, body, {{"Content-Type", "Application/JSON; charset=UTF-8"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Json::parse(put.body)["unchanged"], 2);
}

TEST_F(TopicsApiIntegrationTest, BadBodiesGet400Or413AndChangeNothing) {
  ASSERT_EQ(Send("PUT", kTopicsPath, kWithResponses).status, 200);
  const auto before = AlicesTopics();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"application/x-yaml", "nlu: [unclosed"},
      {"application/x-yaml", "version: \"3.1\"\nnlu:\n- intent: a\n  examples: |\n    - x\n"
                             "- intent: a\n  examples: |\n    - y\n"},
      {"application/json", "{\"topics\": 3}"},
      {"application/json", "{\"topics\": [{\"name\": \"a\"}]}"},
      {"application/json", R"({"topics":[{"name":"x","question":"q"},{"name":"x","question":"r"}]})"},
      {"application/json", R"({"topics":[{"name":"two\nlines","question":"q"}]})"},
      {"application/json", "not json"},
  };
  for (const auto& [type, body] : bad) {
    TestResponse response = Send("PUT", kTopicsPath, body, {{"Content-Type", type}});
    EXPECT_EQ(response.status, 400) << body << " → " << response.body;
    const Json error = Json::parse(response.body, nullptr, false);
    ASSERT_TRUE(error.is_object()) << response.body;
    EXPECT_EQ(error["ok"], false);
    EXPECT_TRUE(error["message"].is_string());
  }
  TestResponse format = Send("GET", std::string(kTopicsPath) + "?format=xml");
  EXPECT_EQ(format.status, 400);

  TestResponse huge = Send("PUT", kTopicsPath, std::string((1u << 20) + 1, 'x'));
  EXPECT_EQ(huge.status, 413);
  (void)client_.Connect(server_->port());  // the server may close after refusing a body
  const auto after = AlicesTopics();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].content, before[i].content);
}

TEST_F(TopicsApiIntegrationTest, OneTokenOneRateLimitAcrossTheApis) {
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 60 && limited == 0; ++i) {
    TestResponse r = Send("GET", kTopicsPath);
    if (r.status == 429) {
      ++limited;
      retry_after = std::string(slack::HeaderValue(r.headers, "retry-after"));
    }
  }
  EXPECT_EQ(limited, 1);
  EXPECT_FALSE(retry_after.empty());
  // /model/parse shares the bucket.
  EXPECT_EQ(Send("POST", "/model/parse", R"({"text":"x"})").status, 429);
  // Another owner's token is not limited, and sees only its own topics.
  auto bob = CreateApiToken(*store_, kBob, "bob");
  ASSERT_TRUE(bob.ok());
  TestResponse bobs = Send("GET", std::string(kTopicsPath) + "?format=json", "",
                           {{"Authorization", "Bearer " + bob->token}}, /*with_token=*/false);
  ASSERT_EQ(bobs.status, 200) << bobs.body;
  EXPECT_EQ(Json::parse(bobs.body)["topics"], Json::array());
}

TEST_F(TopicsApiIntegrationTest, ServesItsOpenApiDocument) {
  TestResponse doc = Send("GET", kOpenApiPath, "", {}, /*with_token=*/false);
  ASSERT_EQ(doc.status, 200);
  const Json openapi = Json::parse(doc.body, nullptr, false);
  ASSERT_TRUE(openapi.is_object()) << doc.body.substr(0, 200);
  EXPECT_EQ(openapi["openapi"], "3.0.3");
  for (const char* path : {kTopicsPath, kPublishPath, "/model/parse", "/status"}) {
    EXPECT_TRUE(openapi["paths"].contains(path)) << path;
  }
  EXPECT_TRUE(openapi["paths"][kTopicsPath].contains("put"));
  const Json topic = openapi["components"]["schemas"]["Topic"]["properties"];
  for (const char* field : {"name", "question", "phrasings", "answer", "needs_answer", "id"}) {
    EXPECT_TRUE(topic.contains(field)) << field;
  }
}

}  // namespace
}  // namespace faqbot::server
