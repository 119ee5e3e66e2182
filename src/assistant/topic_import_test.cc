#include "assistant/topic_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/json_limits.h"
#include "store/limits.h"

namespace faqbot::assistant {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kNlu[] = R"(version: "3.1"
nlu:
- intent: wifi_password
  examples: |
    - what is the wifi password?
    - guest wifi code
- intent: visitor_parking
  examples: |
    - where can visitors park?
responses:
  utter_wifi_password:
  - text: "It's on the fridge."
)";

store::Topic AsTopic(int64_t id, store::TopicContent content) {
  store::Topic t;
  t.id = id;
  t.content = std::move(content);
  return t;
}

TEST(TopicImportTest, IntentsBecomeTopicsNamedAfterThem) {
  auto topics = TopicsFromNluYaml(kNlu, "nlu.yml");
  ASSERT_TRUE(topics.ok()) << topics.status();
  ASSERT_EQ(topics->size(), 2u);
  EXPECT_EQ((*topics)[0], (store::TopicContent{"what is the wifi password?", {"guest wifi code"},
                                               "It's on the fridge.", "wifi_password"}));
  // No response: a draft that needs an answer.
  EXPECT_EQ((*topics)[1].name, "visitor_parking");
  EXPECT_TRUE(store::NeedsAnswer((*topics)[1]));
}

TEST(TopicImportTest, ExportThenImportGivesTheSameTopics) {
  auto topics = TopicsFromNluYaml(kNlu);
  ASSERT_TRUE(topics.ok());
  std::vector<store::Topic> stored = {AsTopic(7, (*topics)[0]), AsTopic(9, (*topics)[1])};
  auto again = TopicsFromNluYaml(TopicsAsNluYaml(stored));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *topics);
  auto from_json = TopicsFromJson(TopicsAsJson(stored));
  ASSERT_TRUE(from_json.ok()) << from_json.status();
  EXPECT_EQ(*from_json, *topics);
  const auto json = nlohmann::json::parse(TopicsAsJson(stored));
  EXPECT_EQ(json["topics"][1]["id"], 9);
  EXPECT_EQ(json["topics"][1]["needs_answer"], true);
}

TEST(TopicImportTest, ADomainFileAnswersTheDrafts) {
  auto topics = TopicsFromNluYaml(kNlu);
  ASSERT_TRUE(topics.ok());
  constexpr char kDomain[] = R"(version: "3.1"
intents:
- wifi_password
- visitor_parking
responses:
  utter_wifi_password:
  - text: "not used: the NLU file answers it"
  utter_visitor_parking:
  - text: "Level -2."
  utter_greet:
  - text: "hi"
)";
  auto added = AddDomainResponses(kDomain, "domain.yml", *topics);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 1);
  EXPECT_EQ((*topics)[0].answer, "It's on the fridge.");
  EXPECT_EQ((*topics)[1].answer, "Level -2.");
  EXPECT_FALSE(AddDomainResponses("- not: [a mapping", "domain.yml", *topics).ok());
}

TEST(TopicImportTest, JsonNamesAreOptionalAndChecked) {
  auto topics = TopicsFromJson(R"({"topics":[
      {"question":"What is the wifi password?","answer":"fridge"},
      {"name":"wifi_password","question":"wifi code?","phrasings":["pw"]}]})");
  ASSERT_TRUE(topics.ok()) << topics.status();
  // The made name avoids every given one.
  EXPECT_EQ((*topics)[0].name, "wifi_password_2");
  EXPECT_EQ((*topics)[1].name, "wifi_password");
  EXPECT_THAT((*topics)[1].phrasings, ElementsAre("pw"));
  EXPECT_TRUE(store::NeedsAnswer((*topics)[1]));

  for (const char* bad : {"[]", R"({"topics":{}})", R"({"topics":[1]})",
                          R"({"topics":[{"answer":"no question"}]})",
                          R"({"topics":[{"question":"q","phrasings":"p"}]})",
                          R"({"topics":[{"question":"q","phrasings":[1]}]})",
                          R"({"topics":[{"question":"q","name":" x"}]})",
                          R"({"topics":[{"question":"q","name":"a"},{"question":"r","name":"a"}]})"}) {
    auto refused = TopicsFromJson(bad);
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(TopicImportTest, JsonNestedTooDeepIsRefusedUnparsed) {
  const std::string deep = R"({"topics":[{"question":"q","answer":"a"}],"x":)" +
                           std::string(kMaxJsonNesting, '[') + std::string(kMaxJsonNesting, ']') +
                           "}";
  auto refused = TopicsFromJson(deep);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("levels deep"));
}

TEST(TopicImportTest, TooManyExamplesForOneTopicAreRefused) {
  std::string yaml = "nlu:\n- intent: big\n  examples: |\n";
  for (size_t i = 0; i <= store::kMaxPhrasings + 1; ++i) yaml += "    - q" + std::to_string(i) + "\n";
  auto topics = TopicsFromNluYaml(yaml, "big.yml");
  EXPECT_EQ(topics.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(topics.status().message(),
              HasSubstr("intent 'big' has 202 examples; a topic keeps at most 201 (its question "
                        "and 200 other phrasings)"));

  // JSON counts phrasings as it lists them: besides the question.
  std::string json = R"({"topics":[{"question":"q","name":"big","phrasings":[)";
  for (size_t i = 0; i < store::kMaxPhrasings; ++i) json += "\"p" + std::to_string(i) + "\",";
  json.pop_back();
  EXPECT_TRUE(TopicsFromJson(json + "]}]}").ok());
  auto refused = TopicsFromJson(json + R"(,"p200"]}]})");
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.status().message(),
            "topics[0] has 201 phrasings; a topic takes at most 200 besides its question");
}

}  // namespace
}  // namespace faqbot::assistant
