#include "nlu/text_normalizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faqbot::nlu {
namespace {

using ::testing::ElementsAre;

TEST(TextNormalizerTest, FoldsCaseAndAccents) {
  EXPECT_EQ(NormalizeText("Café  ÜBER\tNaïve"), "cafe uber naive");
  EXPECT_EQ(NormalizeText("ﬁle"), "file");  // compatibility ligature
}

TEST(TextNormalizerTest, ReducesSlackMarkupToWhatReadersSee) {
  EXPECT_EQ(NormalizeText("ask <@U123ABC> about <https://x.io/wifi|the wifi> :tada:"),
            "ask about the wifi");
  EXPECT_EQ(NormalizeText("<!channel> see <#C42|general>"), "see general");
  EXPECT_EQ(NormalizeText("time 10:30 now"), "time 10:30 now");  // not an emoji
}

TEST(TextNormalizerTest, AsciiTextIsFoldedAsTheUnicodePathFoldsIt) {
  // ASCII text takes a shortcut; a trailing "É" sends the same text down the Unicode path.
  for (int c = 0; c < 128; ++c) {
    const std::string text = std::string("Ab") + static_cast<char>(c) + "Cd";
    EXPECT_EQ(NormalizeText(text + "\xc3\x89"), NormalizeText(text) + "e") << "character " << c;
  }
  EXPECT_EQ(NormalizeText(" Line\r\nBreak\x01\x7f \v\f TAB\t"), "line break tab");
}

TEST(TextNormalizerTest, InvalidUtf8BecomesSpaces) {
  const std::string bad = std::string("wi") + "\xff\xfe" + "fi";
  EXPECT_FALSE(IsValidUtf8(bad));
  EXPECT_EQ(FirstInvalidUtf8(bad), 2u);
  EXPECT_EQ(NormalizeText(bad), "wi fi");
  EXPECT_TRUE(IsValidUtf8("emoji 😀 ok"));
}

TEST(TokenizeTest, SplitsWordsAndContractions) {
  EXPECT_THAT(Tokenize("haven't i can't won't it's 4g-lte"),
              ElementsAre("have", "not", "i", "can", "not", "will", "not", "it", "4g", "lte"));
  EXPECT_THAT(Tokenize("¿qué tal?"), ElementsAre("qué", "tal"));
  EXPECT_TRUE(Tokenize("?!... ---").empty());
}

TEST(TokenizeTest, HanAndKanaAreATokenEachOtherScriptsKeepTheirWords) {
  // Chinese and Japanese put no spaces between words: each character is a token, so two
  // phrasings share the characters of their words ("午餐", "开始").
  EXPECT_THAT(Tokenize("公司的午餐几点开始"),
              ElementsAre("公", "司", "的", "午", "餐", "几", "点", "开", "始"));
  EXPECT_THAT(Tokenize("wifi密码是什么?"), ElementsAre("wifi", "密", "码", "是", "什", "么"));
  EXPECT_THAT(Tokenize("コーヒーは々"), ElementsAre("コ", "ー", "ヒ", "ー", "は", "々"));
  // Korean, Thai and Cyrillic words are runs, as before.
  EXPECT_THAT(Tokenize("점심 시간 привет"), ElementsAre("점심", "시간", "привет"));
  EXPECT_THAT(Tokenize("ภาษาไทย"), ElementsAre("ภาษาไทย"));
  // Models stored before split nothing.
  EXPECT_THAT(Tokenize("午餐几点 lunch", {.split_ideographs = false}),
              ElementsAre("午餐几点", "lunch"));
}

TEST(TokenizeTest, HandlesVeryLongInput) {
  std::string big(1 << 20, 'a');
  big[1000] = ' ';
  EXPECT_EQ(Tokenize(NormalizeText(big)).size(), 2u);
}

}  // namespace
}  // namespace faqbot::nlu
