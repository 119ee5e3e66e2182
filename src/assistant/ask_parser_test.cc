#include "assistant/ask_parser.h"

#include <gtest/gtest.h>

namespace faqbot::assistant {
namespace {

using Kind = AskParse::Kind;

TEST(AskParserTest, DirectMessageForm) {
  const AskParse p = ParseAskMessage("ask <@U01ABCDEF> how do I reset my password?");
  EXPECT_EQ(p.kind, Kind::kAsk);
  EXPECT_EQ(p.owner_user_id, "U01ABCDEF");
  EXPECT_EQ(p.question, "how do I reset my password?");
}

TEST(AskParserTest, LegacyMentionCasePunctuationAndEnterpriseIds) {
  const AskParse p = ParseAskMessage("  Ask: <@W0123ABC|bob>,  where is the wiki ");
  EXPECT_EQ(p.kind, Kind::kAsk);
  EXPECT_EQ(p.owner_user_id, "W0123ABC");
  EXPECT_EQ(p.question, "where is the wiki");
}

TEST(AskParserTest, ChannelMentionOfTheApp) {
  const AskParse p = ParseAskMessage("<@UBOT123> ask <@U777> is the office open?", "UBOT123");
  EXPECT_EQ(p.kind, Kind::kAsk);
  EXPECT_EQ(p.owner_user_id, "U777");
  EXPECT_EQ(p.question, "is the office open?");
}

TEST(AskParserTest, NotAnAsk) {
  EXPECT_EQ(ParseAskMessage("hello").kind, Kind::kNotAsk);
  EXPECT_EQ(ParseAskMessage("asking for a friend").kind, Kind::kNotAsk);
  EXPECT_EQ(ParseAskMessage("").kind, Kind::kNotAsk);
  EXPECT_EQ(ParseAskMessage("please ask <@U1AB> x").kind, Kind::kNotAsk);
}

TEST(AskParserTest, MissingMentionOrQuestion) {
  // The old system silently answered nothing or took an arbitrary tail of the message.
  EXPECT_EQ(ParseAskMessage("ask").kind, Kind::kMissingMention);
  EXPECT_EQ(ParseAskMessage("ask <@u01abc> lower-case is not an id").kind, Kind::kMissingMention);
  EXPECT_EQ(ParseAskMessage("ask <@U01ABCDEF>").kind, Kind::kMissingQuestion);
  EXPECT_EQ(ParseAskMessage("ask <@U01ABCDEF> ,  ").kind, Kind::kMissingQuestion);
  EXPECT_EQ(ParseAskMessage("ask <@U01ABCDEF").kind, Kind::kMissingMention);
  // Words that stand for a question not written yet ask for it instead of asking them.
  EXPECT_EQ(ParseAskMessage("ask a question").kind, Kind::kMissingMention);
  EXPECT_EQ(ParseAskMessage("Ask you something?").kind, Kind::kMissingMention);
  EXPECT_EQ(ParseAskArguments("a quick question").kind, Kind::kMissingMention);
  EXPECT_EQ(ParseAskMessage("ask <@U01ABCDEF> a question").kind, Kind::kMissingQuestion);
  EXPECT_EQ(ParseAskMessage("ask <@U01ABCDEF> something.").kind, Kind::kMissingQuestion);
  // A real question that merely contains those words is asked.
  EXPECT_EQ(ParseAskMessage("<@UBOT123> a question", "UBOT123").kind, Kind::kMissingMention);
  EXPECT_EQ(ParseAskMessage("ask a question about payroll").kind, Kind::kAskEveryone);
  EXPECT_EQ(ParseAskMessage("ask <@U01ABCDEF> something about the wiki").kind, Kind::kAsk);
}

TEST(AskParserTest, AQuestionWithoutAnOwnerIsForEveryone) {
  AskParse p = ParseAskMessage("ask where is the wiki?");
  EXPECT_EQ(p.kind, Kind::kAskEveryone);
  EXPECT_EQ(p.question, "where is the wiki?");
  EXPECT_TRUE(p.owner_user_id.empty());
  EXPECT_EQ(ParseAskMessage("Ask: bob where is the wiki").question, "bob where is the wiki");
  // A channel mention of the app, with or without "ask".
  p = ParseAskMessage("<@UBOT123> where is the wiki?", "UBOT123");
  EXPECT_EQ(p.kind, Kind::kAskEveryone);
  EXPECT_EQ(p.question, "where is the wiki?");
  EXPECT_EQ(ParseAskMessage("<@UBOT123>, ask where is the wiki?", "UBOT123").question,
            "where is the wiki?");
  EXPECT_EQ(ParseAskMessage("<@UBOT123> asking for a friend: wiki?", "UBOT123").question,
            "asking for a friend: wiki?");
  EXPECT_EQ(ParseAskMessage("<@UBOT123>", "UBOT123").kind, Kind::kNotAsk);
  // Not addressed to the app: chatter, not a question for everyone.
  EXPECT_EQ(ParseAskMessage("where is the wiki?", "UBOT123").kind, Kind::kNotAsk);
  EXPECT_EQ(ParseAskMessage("<@U777> where is the wiki?", "UBOT123").kind, Kind::kNotAsk);
  EXPECT_EQ(ParseAskArguments("where is the wiki?").kind, Kind::kAskEveryone);
  // "ask @faqbot …": the app is nobody's bot.
  p = ParseAskMessage("ask <@UBOT123> where is the wiki?", "UBOT123");
  EXPECT_EQ(p.kind, Kind::kAskEveryone);
  EXPECT_TRUE(p.owner_user_id.empty());
  EXPECT_EQ(p.question, "where is the wiki?");
  EXPECT_EQ(ParseAskMessage("<@UBOT123> ask <@UBOT123> wiki?", "UBOT123").kind, Kind::kAskEveryone);
  EXPECT_EQ(ParseAskMessage("ask <@UBOT123>", "UBOT123").kind, Kind::kMissingMention);
}

TEST(AskParserTest, SlashCommandArguments) {
  const AskParse p = ParseAskArguments("<@U01ABCDEF|alice> when is payday?");
  EXPECT_EQ(p.kind, Kind::kAsk);
  EXPECT_EQ(p.owner_user_id, "U01ABCDEF");
  EXPECT_EQ(p.question, "when is payday?");
  EXPECT_EQ(ParseAskArguments("").kind, Kind::kMissingMention);
  EXPECT_EQ(ParseAskArguments("@alice when is payday?").kind, Kind::kMissingMention);
  EXPECT_EQ(ParseAskArguments("<@U01ABCDEF>").kind, Kind::kMissingQuestion);
}

}  // namespace
}  // namespace faqbot::assistant
