#include "common/string_util.h"

#include <gtest/gtest.h>

namespace faqbot {
namespace {

TEST(StringUtilTest, TrimRemovesAsciiWhitespaceAtBothEndsOnly) {
  EXPECT_EQ(Trim("  where is the wiki?\t\r\n"), "where is the wiki?");
  EXPECT_EQ(Trim("a  b"), "a  b");
  EXPECT_EQ(Trim(" \t\r\n "), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("\n caf\xC3\xA9 \n"), "caf\xC3\xA9");
  EXPECT_EQ(Trim("\xC2\xA0x\xC2\xA0"), "\xC2\xA0x\xC2\xA0");  // no-break spaces are text
}

// What a person typed: a question of zero-width and no-break spaces is no question.
TEST(StringUtilTest, TrimTextRemovesEveryBlankCharacterAtBothEnds) {
  EXPECT_EQ(TrimText("\u200B\u00A0 where is the wiki?\u3000\uFEFF\n"), "where is the wiki?");
  EXPECT_EQ(TrimText("a\u00A0\u200Bb"), "a\u00A0\u200Bb");  // inside: text
  EXPECT_EQ(TrimText("\u200B\u200C\u200D\u2060\u00AD\u2028\u2029\u202F\u205F\u1680"), "");
  EXPECT_EQ(TrimText(""), "");
  EXPECT_EQ(TrimText(" caf\u00E9\u00A0"), "caf\u00E9");
  EXPECT_EQ(TrimText("\u2764\uFE0F"), "\u2764\uFE0F");  // an emoji's variation selector stays
  EXPECT_EQ(TrimText("\xA0x\xA0"), "\xA0x\xA0");        // invalid UTF-8 is kept
  EXPECT_EQ(TrimText("x\xE2\x80"), "x\xE2\x80");        // a cut-off character too
  EXPECT_TRUE(IsBlankText("\u3000\u200B \t"));
  EXPECT_FALSE(IsBlankText("\u3000?"));
}

TEST(StringUtilTest, AsciiLowerLowersAsciiLettersOnly) {
  EXPECT_EQ(AsciiLower("It’s The WIFI one, 42!"), "it’s the wifi one, 42!");
  EXPECT_EQ(AsciiLower("ÉCOLE"), "École");  // UTF-8 bytes untouched
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(StringUtilTest, LowerHexWritesTwoDigitsPerByte) {
  EXPECT_EQ(LowerHex(""), "");
  EXPECT_EQ(LowerHex(std::string_view("\x00\x01\xab\xff", 4)), "0001abff");
}

}  // namespace
}  // namespace faqbot
