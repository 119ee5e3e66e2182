#include "slack/mrkdwn.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace faqbot::slack {
namespace {

const std::string kGrin = "\xF0\x9F\x98\x80";  // 😀, 4 bytes, 2 UTF-16 units
const std::string kEacute = "\xC3\xA9";        // é, 2 bytes, 1 unit
const std::string kEuro = "\xE2\x82\xAC";      // €, 3 bytes, 1 unit

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// No piece ends inside an entity: every '&' starts a whole &amp; &lt; or &gt;.
bool EntitiesWhole(std::string_view s) {
  for (size_t i = s.find('&'); i != std::string_view::npos; i = s.find('&', i + 1)) {
    if (s.compare(i, 5, "&amp;") != 0 && s.compare(i, 4, "&lt;") != 0 &&
        s.compare(i, 4, "&gt;") != 0) {
      return false;
    }
  }
  return true;
}

std::string WithoutSpace(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }),
          s.end());
  return s;
}

std::string Joined(const std::vector<std::string>& pieces) {
  std::string all;
  for (const auto& p : pieces) all += p;
  return all;
}

TEST(DecodeSlackEntitiesTest, DecodesTheThreeEntitiesOnce) {
  EXPECT_EQ(DecodeSlackEntities("&lt;b&gt; &amp;"), "<b> &");
  EXPECT_EQ(DecodeSlackEntities("a &amp;lt; b"), "a &lt; b");  // not decoded twice
  EXPECT_EQ(DecodeSlackEntities("&quot;x&quot; &#39; &nbsp;"), "&quot;x&quot; &#39; &nbsp;");
  EXPECT_EQ(DecodeSlackEntities("&"), "&");
  EXPECT_EQ(DecodeSlackEntities("&l"), "&l");
  EXPECT_EQ(DecodeSlackEntities("&lt"), "&lt");
  EXPECT_EQ(DecodeSlackEntities("x&amp"), "x&amp");
  EXPECT_EQ(DecodeSlackEntities("<@U0ALICE> says &gt;&gt;"), "<@U0ALICE> says >>");
  EXPECT_EQ(DecodeSlackEntities(""), "");
}

TEST(MrkdwnTest, EscapesExactlyTheThreeCharacters) {
  EXPECT_EQ(EscapeMrkdwn("a & b < c > d \"q\" 'x' *bold* _it_"),
            "a &amp; b &lt; c &gt; d \"q\" 'x' *bold* _it_");
  EXPECT_EQ(EscapeMrkdwn("&amp;"), "&amp;amp;");  // escaping twice shows the entity literally
  EXPECT_EQ(EscapeMrkdwn(""), "");
}

TEST(MrkdwnTest, MentionsPingsAndLinksInUserTextBecomeInert) {
  EXPECT_EQ(EscapeMrkdwn("<!channel> hey"), "&lt;!channel&gt; hey");
  EXPECT_EQ(EscapeMrkdwn("<!here|here> <!everyone>"), "&lt;!here|here&gt; &lt;!everyone&gt;");
  EXPECT_EQ(EscapeMrkdwn("ask <@U123>"), "ask &lt;@U123&gt;");
  EXPECT_EQ(EscapeMrkdwn("<https://evil.example|click>"), "&lt;https://evil.example|click&gt;");
  EXPECT_EQ(EscapeMrkdwn("<!subteam^S01|@team>"), "&lt;!subteam^S01|@team&gt;");
  for (const char* s : {"<!channel>", "<@U123>", "<https://evil|click>", "<#C123|general>"}) {
    EXPECT_EQ(EscapeMrkdwn(s).find_first_of("<>"), std::string::npos) << s;
  }
}

TEST(MrkdwnTest, PeoplesLinksMentionsAndChannelsAreKeptAndBroadcastsStayInert) {
  EXPECT_EQ(EscapeMrkdwnKeepingLinks("see <https://wiki.example.com|the wiki>, ask <@U0MARIA> in "
                                     "<#C0IT|it-help> or <mailto:it@example.com>"),
            "see <https://wiki.example.com|the wiki>, ask <@U0MARIA> in <#C0IT|it-help> or "
            "<mailto:it@example.com>");
  EXPECT_EQ(EscapeMrkdwnKeepingLinks("<http://x.example/?a=1&b=2|A & B> & <@W123|dana>"),
            "<http://x.example/?a=1&amp;b=2|A &amp; B> &amp; <@W123|dana>");
  for (const char* inert : {"<!channel>", "<!here|here>", "<!everyone>", "<!subteam^S01|@team>",
                            "<javascript:alert(1)|x>", "<https://>", "<@u123>", "<@U12 3>",
                            "<https://a b|c>", "<#X123>", "a < b > c", "<", ">", "<<@U1>"}) {
    const std::string out = EscapeMrkdwnKeepingLinks(inert);
    if (std::string_view(inert) == "<<@U1>") {
      EXPECT_EQ(out, "&lt;<@U1>");
    } else {
      EXPECT_EQ(out, EscapeMrkdwn(inert)) << inert;
    }
  }
  EXPECT_EQ(EscapeMrkdwnKeepingLinks("<!channel> see <https://a.example>"),
            "&lt;!channel&gt; see <https://a.example>");
}

TEST(MrkdwnTest, EscapingKeepsUtf8) {
  EXPECT_EQ(EscapeMrkdwn(kGrin + "<" + kEacute), kGrin + "&lt;" + kEacute);
}

TEST(MrkdwnTest, LengthCountsUtf16Units) {
  EXPECT_EQ(SlackTextLength(""), 0u);
  EXPECT_EQ(SlackTextLength("abc"), 3u);
  EXPECT_EQ(SlackTextLength(kEacute + kEuro), 2u);
  EXPECT_EQ(SlackTextLength(kGrin), 2u);
  EXPECT_EQ(SlackTextLength("\xFF\xC3"), 2u);  // malformed bytes count one each
}

TEST(MrkdwnTest, ShortTextIsOnePiece) {
  EXPECT_EQ(SplitText("hello world", 3000), std::vector<std::string>{"hello world"});
  EXPECT_TRUE(SplitText("", 3000).empty());
}

TEST(MrkdwnTest, SplitsTenThousandCharactersOnParagraphs) {
  std::string answer;
  int paragraph = 0;
  while (answer.size() < 10'000) {
    answer += "Paragraph " + std::to_string(paragraph++) + ": ";
    for (int w = 0; w < 40; ++w) answer += "word" + std::to_string(w) + " ";
    answer += "end.\n\n";
  }
  answer.resize(answer.size() - 2);
  ASSERT_GE(answer.size(), 10'000u);
  auto pieces = SplitText(answer, 3000);
  ASSERT_GE(pieces.size(), 4u);
  for (const auto& p : pieces) {
    EXPECT_LE(SlackTextLength(p), 3000u);
    EXPECT_FALSE(p.empty());
    EXPECT_EQ(p.rfind("end.", p.size() - 4), p.size() - 4) << "cut inside a paragraph";
  }
  EXPECT_EQ(WithoutSpace(Joined(pieces)), WithoutSpace(answer));
}

TEST(MrkdwnTest, SplitsOnLinesThenWords) {
  std::string lines;
  for (int i = 0; i < 300; ++i) lines += "line number " + std::to_string(i) + "\n";
  for (const auto& p : SplitText(lines, 100)) {
    EXPECT_LE(SlackTextLength(p), 100u);
    EXPECT_EQ(p.find("line number"), 0u) << p;  // every piece starts at a line
  }
  std::string words;
  for (int i = 0; i < 500; ++i) words += "word" + std::to_string(i) + " ";
  auto pieces = SplitText(words, 100);
  for (const auto& p : pieces) {
    EXPECT_LE(SlackTextLength(p), 100u);
    EXPECT_EQ(p.find("word"), 0u) << p;
  }
  EXPECT_EQ(WithoutSpace(Joined(pieces)), WithoutSpace(words));
}

TEST(MrkdwnTest, NeverCutsInsideUtf8NearTheCutPoint) {
  // Every alignment of 4-byte characters around the limit, with no spaces to cut at.
  for (size_t prefix = 0; prefix < 8; ++prefix) {
    std::string text(prefix, 'a');
    for (int i = 0; i < 200; ++i) text += kGrin + kEacute + kEuro;
    auto pieces = SplitText(text, 101);
    for (const auto& p : pieces) {
      EXPECT_TRUE(IsValidUtf8(p)) << "prefix " << prefix;
      EXPECT_LE(SlackTextLength(p), 101u);
    }
    EXPECT_EQ(Joined(pieces), text) << "hard cuts drop nothing";
  }
  // A text of only emoji and an odd limit: a 2-unit character never straddles it.
  std::string emoji;
  for (int i = 0; i < 100; ++i) emoji += kGrin;
  auto emoji_pieces = SplitText(emoji, 7);
  for (size_t i = 0; i < emoji_pieces.size(); ++i) {
    EXPECT_EQ(SlackTextLength(emoji_pieces[i]), i + 1 < emoji_pieces.size() ? 6u : 2u);
    EXPECT_TRUE(IsValidUtf8(emoji_pieces[i]));
  }
  EXPECT_EQ(Joined(emoji_pieces), emoji);
}

TEST(MrkdwnTest, NeverCutsInsideAnEntity) {
  std::string text;
  for (int i = 0; i < 400; ++i) text += "&amp;&lt;&gt;";
  for (size_t limit : {20u, 21u, 22u, 23u, 24u, 100u, 3000u}) {
    auto pieces = SplitText(text, limit);
    for (const auto& p : pieces) {
      EXPECT_TRUE(EntitiesWhole(p)) << limit << ": " << p;
      EXPECT_LE(SlackTextLength(p), limit);
    }
    EXPECT_EQ(Joined(pieces), text);
  }
}

TEST(MrkdwnTest, KeepsMarkupTokensWhole) {
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += "see <https://example.com/page" + std::to_string(i) + "|the page> ";
  for (const auto& p : SplitText(text, 120)) {
    EXPECT_EQ(std::count(p.begin(), p.end(), '<'), std::count(p.begin(), p.end(), '>')) << p;
  }
  // A token longer than the limit is cut anyway, between whole characters.
  const std::string huge = "<https://example.com/" + std::string(300, 'x') + ">";
  auto pieces = SplitText(huge, 100);
  EXPECT_EQ(Joined(pieces), huge);
  for (const auto& p : pieces) EXPECT_LE(SlackTextLength(p), 100u);
}

TEST(MrkdwnTest, TruncateIsVisible) {
  EXPECT_EQ(TruncateText("short", 75, kEllipsis), "short");
  const std::string long_label =
      "Reset the VPN password for the whole engineering department in one go please";
  ASSERT_GT(long_label.size(), 75u);
  const std::string cut = TruncateText(long_label, 75, kEllipsis);
  EXPECT_LE(SlackTextLength(cut), 75u);
  EXPECT_EQ(cut.substr(cut.size() - kEllipsis.size()), kEllipsis);
  EXPECT_EQ(long_label.find(cut.substr(0, cut.size() - kEllipsis.size())), 0u);

  std::string answer(5000, 'a');
  for (size_t i = 50; i < answer.size(); i += 51) answer[i] = ' ';
  const std::string section = TruncateText(answer, 3000, kTruncatedMark);
  EXPECT_LE(SlackTextLength(section), 3000u);
  EXPECT_NE(section.find("shortened"), std::string::npos);
}

// "question — <one very long word>": the only space is near the start; cutting there would show
// the question and an ellipsis, so the word is cut instead and as much as fits is shown.
TEST(MrkdwnTest, TruncateCutsALongWordRatherThanDropIt) {
  const std::string item = "what is the code? — " + std::string(3000, 'x');
  const std::string cut = TruncateText(item, 3000, kTruncatedMark);
  EXPECT_LE(SlackTextLength(cut), 3000u);
  EXPECT_GT(cut.size(), 2900u) << cut.substr(0, 40);
  EXPECT_EQ(cut.rfind(kTruncatedMark), cut.size() - kTruncatedMark.size());
  // Split, nothing is lost: the question stays whole in its own piece.
  EXPECT_EQ(SplitText(item, 1000).front(), "what is the code? —");
}

TEST(MrkdwnTest, TruncateNeverBreaksEmojiOrEntities) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += kGrin + "&amp;";
  for (size_t limit = 5; limit < 40; ++limit) {
    const std::string cut = TruncateText(text, limit, kEllipsis);
    EXPECT_LE(SlackTextLength(cut), limit);
    EXPECT_TRUE(IsValidUtf8(cut));
    EXPECT_TRUE(EntitiesWhole(cut)) << cut;
  }
}

}  // namespace
}  // namespace faqbot::slack
