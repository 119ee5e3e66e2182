#include "assistant/concierge_nlu.h"

#include <gtest/gtest.h>

#include "nlu/nlu_yaml.h"
#include "nlu/test_support.h"

namespace faqbot::assistant {
namespace {

class ConciergeNluTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = ConciergeNlu::Create(nlu::testing::BuiltLexicon());
    ASSERT_TRUE(c.ok()) << c.status();
    concierge_ = std::move(*c).release();
  }
  static void TearDownTestSuite() { delete concierge_; }
  static ConciergeIntent Intent(std::string_view text) {
    return concierge_->Understand(text).intent;
  }
  static ConciergeNlu* concierge_;
};
ConciergeNlu* ConciergeNluTest::concierge_ = nullptr;

TEST_F(ConciergeNluTest, EveryBuiltInExampleIsUnderstood) {
  auto data = nlu::ParseNluYaml(ConciergeYaml());
  ASSERT_TRUE(data.ok()) << data.status();
  for (const auto& intent : data->intents) {
    for (const auto& example : intent.examples) {
      EXPECT_EQ(IntentName(Intent(example)), intent.name) << example;
    }
  }
}

TEST_F(ConciergeNluTest, UnderstandsFreeTextPhrasings) {
  EXPECT_EQ(Intent("hey, add a new topic"), ConciergeIntent::kAddTopic);
  EXPECT_EQ(Intent("Hi!"), ConciergeIntent::kGreet);
  EXPECT_EQ(Intent("could you show me my topics please"), ConciergeIntent::kListTopics);
  EXPECT_EQ(Intent("yes please"), ConciergeIntent::kAffirm);
  EXPECT_EQ(Intent("no thanks"), ConciergeIntent::kDeny);
  EXPECT_EQ(Intent("Cancel"), ConciergeIntent::kCancel);
  EXPECT_EQ(Intent("publish my faq now"), ConciergeIntent::kPublish);
  EXPECT_EQ(Intent("please delete all of my topics"), ConciergeIntent::kDeleteAllTopics);
  EXPECT_EQ(Intent("which questions were unanswered?"), ConciergeIntent::kUnanswered);
  EXPECT_EQ(Intent("anything waiting for me?"), ConciergeIntent::kUnanswered);
  EXPECT_EQ(Intent("has someone asked me a question?"), ConciergeIntent::kUnanswered);
  EXPECT_EQ(Intent("how do I ask a question"), ConciergeIntent::kAsk);
  EXPECT_EQ(Intent("please open the web console"), ConciergeIntent::kOpenConsole);
  EXPECT_EQ(Intent("can you undo that please"), ConciergeIntent::kUndo);
  EXPECT_EQ(Intent("oops, wrong topic"), ConciergeIntent::kUndo);
  EXPECT_EQ(Intent("forget it"), ConciergeIntent::kCancel);
}

TEST_F(ConciergeNluTest, CommandPhrasesAreTheBuiltInCommandsWordForWord) {
  EXPECT_TRUE(concierge_->IsCommandPhrase("show my topics"));
  EXPECT_TRUE(concierge_->IsCommandPhrase("Actually, show my topics first."));
  EXPECT_TRUE(concierge_->IsCommandPhrase("wait, publish"));
  EXPECT_TRUE(concierge_->IsCommandPhrase("add a topic"));
  EXPECT_TRUE(concierge_->IsCommandPhrase("HELP!"));
  // Answers and questions, even those the model would read a command into.
  EXPECT_FALSE(concierge_->IsCommandPhrase("where can I work out"));
  EXPECT_EQ(Intent("where can I work out"), ConciergeIntent::kHelp);
  EXPECT_FALSE(concierge_->IsCommandPhrase("Publish it on the wiki"));
  EXPECT_FALSE(concierge_->IsCommandPhrase("Use the help desk portal"));
  // Yes, no, thanks and cancel are answers too ("Is the office open on Sundays?" — "No").
  EXPECT_FALSE(concierge_->IsCommandPhrase("yes"));
  EXPECT_FALSE(concierge_->IsCommandPhrase("no"));
  EXPECT_FALSE(concierge_->IsCommandPhrase("thanks"));
  EXPECT_FALSE(concierge_->IsCommandPhrase(""));
  EXPECT_FALSE(concierge_->IsCommandPhrase("actually"));
  // Undo, however put.
  EXPECT_TRUE(concierge_->IsCommandPhrase("oops, wrong topic"));
  EXPECT_TRUE(concierge_->IsCommandPhrase("wait, wrong topic, undo"));
  EXPECT_TRUE(concierge_->IsCommandPhrase("Undo!"));
  EXPECT_FALSE(concierge_->IsCommandPhrase("Press Ctrl+Z to undo"));
}

TEST_F(ConciergeNluTest, DeclinesWhatItDoesNotKnow) {
  EXPECT_EQ(Intent(""), ConciergeIntent::kUnknown);
  EXPECT_EQ(Intent("the quarterly revenue report for emea"), ConciergeIntent::kUnknown);
}

TEST(ConciergeIntentTest, NamesRoundTrip) {
  for (int i = 0; i < static_cast<int>(ConciergeIntent::kUnknown); ++i) {
    const auto intent = static_cast<ConciergeIntent>(i);
    EXPECT_EQ(IntentFromName(IntentName(intent)), intent);
  }
  EXPECT_FALSE(IntentFromName("nlu_fallback").has_value());
  EXPECT_FALSE(IntentFromName("drop_database").has_value());
}

}  // namespace
}  // namespace faqbot::assistant
