#include "slack/form_decoding.h"

#include <gtest/gtest.h>

namespace faqbot::slack {
namespace {

TEST(FormDecodingTest, DecodesPercentAndPlus) {
  auto s = PercentDecode("https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1+x%2b%2B%7e");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, "https://hooks.slack.com/commands/T1 x++~");
}

TEST(FormDecodingTest, DecodesMultiByteUtf8) {
  auto s = PercentDecode("caf%C3%A9+%F0%9F%98%80");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(FormDecodingTest, RejectsInvalidEscapes) {
  for (const char* bad : {"%", "%4", "abc%", "%zz", "%4g", "100%25%"}) {
    auto s = PercentDecode(bad);
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(FormDecodingTest, EncodeRoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string encoded = PercentEncode(all);
  EXPECT_EQ(encoded.find_first_of("&=/?#"), std::string::npos);  // nothing a form splits on
  auto decoded = PercentDecode(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, all);
  EXPECT_EQ(PercentEncode("a b&c=d"), "a+b%26c%3Dd");
}

TEST(FormDecodingTest, ParsesSlashCommandBody) {
  auto f = ParseForm(
      "team_id=T0FAQ1&user_id=U0ASKER&command=%2Fask&text=%3C%40U0OWNER%7Calice%3E+where+is+"
      "the+VPN%3F&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0FAQ1%2F1%2Fx");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->at("command"), "/ask");
  EXPECT_EQ(f->at("text"), "<@U0OWNER|alice> where is the VPN?");
  EXPECT_EQ(f->at("response_url"), "https://hooks.slack.com/commands/T0FAQ1/1/x");
}

TEST(FormDecodingTest, EmptyValuesAndEmptyPairs) {
  auto f = ParseForm("text=&&flag&a=1&");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->size(), 3u);
  EXPECT_EQ(f->at("text"), "");
  EXPECT_EQ(f->at("flag"), "");
  EXPECT_EQ(f->at("a"), "1");
  auto empty = ParseForm("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(FormDecodingTest, ValueMayContainEquals) {
  auto f = ParseForm("payload=a=b");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->at("payload"), "a=b");
}

TEST(FormDecodingTest, RejectsBadEscapeNamingTheField) {
  auto f = ParseForm("team_id=T1&text=100%");
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("text"), std::string::npos) << f.status();
}

TEST(FormDecodingTest, RejectsRepeatedField) {
  auto f = ParseForm("user_id=U1&user_id=U2");
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("twice"), std::string::npos);
}

}  // namespace
}  // namespace faqbot::slack
