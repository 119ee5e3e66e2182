#include "assistant/dialogue_state.h"

#include <gtest/gtest.h>

namespace faqbot::assistant {
namespace {

using Step = DialogueState::Step;

TEST(DialogueStateTest, EveryStepIsStoredAndReadBack) {
  for (int i = 0; i <= static_cast<int>(Step::kOfferMore); ++i) {
    DialogueState state{static_cast<Step>(i), "the printer is upstairs", 4, 7};
    state.message_channel = "D0ALICE";
    state.message_ts = "1700000000.000100";
    state.message_is_list = i % 2 == 0;
    if (i % 3 == 0) {
      state.undo = "12:5+13,14";
      state.undo_at = 1700000000123;
    }
    auto back = DialogueState::Parse(state.Serialize());
    ASSERT_TRUE(back.ok()) << back.status() << " step " << i;
    EXPECT_EQ(*back, state) << state.Serialize();
  }
  // Names, not numbers, are stored: a state written before a step was added reads the same.
  auto old = DialogueState::Parse(R"({"step":"confirm_similar","question":"vpn?","topic_id":3})");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->step, Step::kConfirmSimilar);
  EXPECT_EQ(old->topic_id, 3);
  EXPECT_EQ(
      DialogueState::Parse(R"({"step":"confirm_answer","question":"Upstairs.","handoff_id":9})")
          ->handoff_id,
      9);
}

TEST(DialogueStateTest, NothingStoredIsIdleAndAnythingUnreadableIsDataLoss) {
  EXPECT_EQ(DialogueState::Parse("")->step, Step::kIdle);
  EXPECT_EQ(DialogueState::Parse(R"({"step":"dance"})").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DialogueState::Parse("{").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DialogueState::Parse(R"({"question":"x"})").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace faqbot::assistant
