#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace faqbot {
namespace {

// Text made of one kind of character, cut at every byte count: the prefix always ends with a
// whole character and is the longest such prefix.
void ExpectWholeCharactersAtEveryCut(const std::string& character, const std::string& head) {
  const std::string text = head + character + character + character;
  for (size_t max = 0; max <= text.size() + 2; ++max) {
    SCOPED_TRACE("max_bytes " + std::to_string(max));
    const std::string_view prefix = Utf8Prefix(text, max);
    ASSERT_LE(prefix.size(), max);
    ASSERT_EQ(text.compare(0, prefix.size(), prefix), 0);
    // Whole characters only, and no room for one more.
    if (prefix.size() >= head.size()) {
      EXPECT_EQ((prefix.size() - head.size()) % character.size(), 0u);
      if (prefix.size() < text.size()) {
        EXPECT_GT(prefix.size() + character.size(), max);
      }
    } else {
      EXPECT_EQ(prefix.size(), std::min(max, head.size()));
    }
    std::string truncated = text;
    Utf8Truncate(truncated, max);
    EXPECT_EQ(truncated, prefix);
  }
}

TEST(Utf8Test, CutsBetweenWholeCharactersOfEveryLength) {
  ExpectWholeCharactersAtEveryCut("\xC3\xA9", "caf");             // é: 2 bytes
  ExpectWholeCharactersAtEveryCut("\xE8\xB0\x81", "who ");        // 谁: 3 bytes (CJK)
  ExpectWholeCharactersAtEveryCut("\xF0\x9F\x98\xBA", "smile ");  // 😺: 4 bytes
  ExpectWholeCharactersAtEveryCut("a", "");
}

TEST(Utf8Test, KeepsAWholeLastCharacter) {
  // The text ends with a multi-byte character and fits: nothing is lost.
  EXPECT_EQ(Utf8Prefix("who runs the caf\xC3\xA9", 100), "who runs the caf\xC3\xA9");
  EXPECT_EQ(Utf8Prefix("who runs the caf\xC3\xA9", 18), "who runs the caf\xC3\xA9");
  EXPECT_EQ(Utf8Prefix("who runs the caf\xC3\xA9", 17), "who runs the caf");
  EXPECT_EQ(Utf8Prefix("\xF0\x9F\x98\xBA", 4), "\xF0\x9F\x98\xBA");
  EXPECT_EQ(Utf8Prefix("\xF0\x9F\x98\xBA", 3), "");
}

TEST(Utf8Test, MalformedBytesAreCharactersOfTheirOwn) {
  EXPECT_EQ(Utf8CharBytes("\xFF"
                          "a",
                          0),
            1u);
  EXPECT_EQ(Utf8CharBytes("\xC3", 0), 1u);  // truncated sequence
  EXPECT_EQ(Utf8CharBytes("\xC3"
                          "a",
                          0),
            1u);  // lead byte without continuation
  EXPECT_EQ(Utf8CharBytes("\xE8\xB0\x81", 0), 3u);
  EXPECT_EQ(Utf8Prefix("ab\xFF\xFE", 3), "ab\xFF");
  EXPECT_EQ(Utf8Prefix("\x80\x80\x80\x80\x80", 2), "\x80\x80");
  EXPECT_EQ(Utf8Prefix("", 5), "");
}

TEST(Utf8Test, ReplacesEveryMalformedByteAndKeepsValidText) {
  EXPECT_EQ(Utf8Valid("caf\xC3\xA9 \xF0\x9F\x98\xBA ok"), "caf\xC3\xA9 \xF0\x9F\x98\xBA ok");
  EXPECT_EQ(Utf8Valid("ask \xFF\xFE wifi"), "ask \xEF\xBF\xBD\xEF\xBF\xBD wifi");
  EXPECT_EQ(Utf8Valid("cut \xE2\x82"), "cut \xEF\xBF\xBD\xEF\xBF\xBD");  // truncated
  EXPECT_EQ(Utf8Valid("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(Utf8Valid(""), "");
}

TEST(Utf8Test, DecodesOneCharacterAndTellsWordCharacters) {
  int32_t cp = 0;
  EXPECT_EQ(Utf8Decode("é!", 0, &cp), 2u);
  EXPECT_EQ(cp, 0xE9);
  EXPECT_EQ(Utf8Decode("a\xff", 1, &cp), 0u);
  EXPECT_EQ(Utf8Decode("\xe6\xbc", 0, &cp), 0u);  // truncated
  for (const int32_t c : {int32_t{'a'}, int32_t{'Z'}, int32_t{'7'}, 0xE9, 0x6F22, 0x0915, 0x093E}) {
    EXPECT_TRUE(IsWordCodePoint(c)) << c;  // … 漢, Devanagari KA and its vowel sign AA
  }
  for (const int32_t c : {int32_t{' '}, int32_t{'?'}, int32_t{'\''}, 0xFF1F, 0x1F600}) {
    EXPECT_FALSE(IsWordCodePoint(c)) << c;  // … full-width "？", an emoji
  }
}

TEST(Utf8Test, TellsIdeographsAndKanaFromLettersOfSpacedScripts) {
  // 中, 〇, 々, あ, ア, ㇰ, 𠀀 (extension B), 豈 (compatibility)
  for (int32_t c : {0x4E2D, 0x3007, 0x3005, 0x3042, 0x30A2, 0x31F0, 0x20000, 0xF900}) {
    EXPECT_TRUE(IsIdeographicCodePoint(c)) << c;
  }
  // a, é, Ж, 한 (Hangul is written with spaces), ก (Thai), 。 (a full stop), ＡB full-width
  for (int32_t c : {0x61, 0xE9, 0x416, 0xD55C, 0xE01, 0x3002, 0xFF21}) {
    EXPECT_FALSE(IsIdeographicCodePoint(c)) << c;
  }
}

}  // namespace
}  // namespace faqbot
