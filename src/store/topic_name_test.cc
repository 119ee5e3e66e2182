#include "store/topic_name.h"

#include <gtest/gtest.h>

namespace faqbot::store {
namespace {

TEST(TopicNameTest, MakesARasaLikeNameFromAQuestion) {
  EXPECT_EQ(TopicNameFromQuestion("What is the wifi password?"), "wifi_password");
  EXPECT_EQ(TopicNameFromQuestion("How do I connect to the VPN from home?"),
            "connect_vpn_from_home");
  EXPECT_EQ(TopicNameFromQuestion("what's the deal with the 3rd-floor printer"),
            "deal_with_3rd_floor_printer");
  EXPECT_EQ(TopicNameFromQuestion("How are you?"), "how_are_you");
  EXPECT_EQ(TopicNameFromQuestion("¿Dónde está?"), "donde_esta");
  EXPECT_EQ(TopicNameFromQuestion("Wie sind die Öffnungszeiten der Kantine?"),
            "wie_sind_die_offnungszeiten_der");
  EXPECT_EQ(TopicNameFromQuestion("漢字"), "漢字");
  EXPECT_EQ(TopicNameFromQuestion("What’s the Wi-Fi?"), "wi_fi");
  EXPECT_EQ(TopicNameFromQuestion("?! \xff --"), "topic");
  EXPECT_EQ(TopicNameFromQuestion(""), "topic");
}

TEST(TopicNameTest, MadeNamesStayShortAndValid) {
  const std::string name = TopicNameFromQuestion(
      "supercalifragilisticexpialidocious antidisestablishmentarianism one two three four");
  EXPECT_LE(name.size(), 40u);
  EXPECT_TRUE(ValidateTopicName(name).ok());
  EXPECT_EQ(TopicNameFromQuestion("one two three four five six seven"), "one_two_three_four_five");
  EXPECT_EQ(TopicNameFromQuestion(std::string(500, 'x')), std::string(40, 'x'));
  // A long word of a script of three-byte characters is cut at a character, not in one.
  std::string cjk;
  for (int i = 0; i < 30; ++i) cjk += "漢";
  const std::string cut = TopicNameFromQuestion(cjk);
  EXPECT_EQ(cut.size(), 39u);
  EXPECT_TRUE(ValidateTopicName(cut).ok());
}

TEST(TopicNameTest, UniqueNamesGetASuffix) {
  EXPECT_EQ(UniqueTopicName("wifi", {}), "wifi");
  EXPECT_EQ(UniqueTopicName("wifi", {"wifi"}), "wifi_2");
  EXPECT_EQ(UniqueTopicName("wifi", {"wifi", "wifi_2", "wifi_3"}), "wifi_4");
  const std::string longest(kMaxTopicNameBytes, 'n');
  const std::string next = UniqueTopicName(longest, {longest});
  EXPECT_EQ(next.size(), kMaxTopicNameBytes);
  EXPECT_EQ(next.substr(next.size() - 2), "_2");
}

TEST(TopicNameTest, ValidatesNames) {
  EXPECT_TRUE(ValidateTopicName("wifi_password").ok());
  EXPECT_TRUE(ValidateTopicName("Öffnungszeiten der Kantine").ok());
  EXPECT_TRUE(ValidateTopicName(std::string(kMaxTopicNameBytes, 'n')).ok());
  EXPECT_FALSE(ValidateTopicName("").ok());
  EXPECT_FALSE(ValidateTopicName(std::string(kMaxTopicNameBytes + 1, 'n')).ok());
  EXPECT_FALSE(ValidateTopicName(" padded").ok());
  EXPECT_FALSE(ValidateTopicName("wifi\u00a0").ok());         // a no-break space
  EXPECT_FALSE(ValidateTopicName("\u200bwifi").ok());         // a zero-width space
  EXPECT_TRUE(ValidateTopicName("wifi\u00a0password").ok());  // inside, it is the owner's
  EXPECT_FALSE(ValidateTopicName("two\nlines").ok());
  EXPECT_FALSE(ValidateTopicName("tab\there").ok());
  EXPECT_FALSE(ValidateTopicName("bad \xff utf8").ok());
}

}  // namespace
}  // namespace faqbot::store
