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
