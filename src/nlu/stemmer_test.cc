#include "nlu/stemmer.h"

#include <gtest/gtest.h>

#include "nlu/stop_words.h"

namespace faqbot::nlu {
namespace {

TEST(StemmerTest, SnowballEnglish) {
  Stemmer s;
  EXPECT_EQ(s.Stem("arrived"), "arriv");
  EXPECT_EQ(s.Stem("arrival"), "arriv");
  EXPECT_EQ(s.Stem("cards"), "card");
  EXPECT_EQ(s.Stem("a"), "a");
}

TEST(StopWordsTest, FunctionWordsOnly) {
  EXPECT_TRUE(IsStopWord("the"));
  EXPECT_TRUE(IsStopWord("how"));
  EXPECT_FALSE(IsStopWord("not"));
  EXPECT_FALSE(IsStopWord("card"));
  EXPECT_FALSE(IsStopWord("thanks"));
}

}  // namespace
}  // namespace faqbot::nlu
