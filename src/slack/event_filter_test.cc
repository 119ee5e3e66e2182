#include "slack/event_filter.h"

#include <gtest/gtest.h>

#include "slack/event_parser.h"
#include "slack/inbound_test_support.h"

namespace faqbot::slack {
namespace {

const BotIdentity kSelf{"U0FAQBOT01", "B0FAQBOT01"};

InboundEvent Inbound(EventPayload payload, std::string event_id = "") {
  InboundEvent event;
  event.payload = std::move(payload);
  event.event_id = std::move(event_id);
  return event;
}

InboundEvent Parsed(const std::string& fixture) {
  auto r = ParseEventsBody(testing::Fixture(fixture));
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::get<InboundEvent>(*r) : InboundEvent{};
}

InboundEvent Message(std::string user, std::string bot_id, std::string subtype, std::string text) {
  MessageEvent m;
  m.user = std::move(user);
  m.bot_id = std::move(bot_id);
  m.subtype = std::move(subtype);
  m.text = std::move(text);
  return Inbound(std::move(m), "Ev1");
}

InboundEvent Mention(std::string user, std::string bot_id, std::string text) {
  AppMentionEvent m;
  m.user = std::move(user);
  m.bot_id = std::move(bot_id);
  m.text = std::move(text);
  return Inbound(std::move(m), "Ev2");
}

TEST(EventFilterTest, KeepsPeoplesMessagesAndMentions) {
  EXPECT_EQ(FilterReason(Parsed("events_message_im.json"), kSelf), std::nullopt);
  EXPECT_EQ(FilterReason(Parsed("events_app_mention_rich_text.json"), kSelf), std::nullopt);
  EXPECT_EQ(FilterReason(Parsed("events_app_home_opened.json"), kSelf), std::nullopt);
}

TEST(EventFilterTest, DropsOwnMessages) {
  EXPECT_EQ(FilterReason(Parsed("events_message_own_bot.json"), kSelf), "own message");
  // Matched by user alone and by bot_id alone.
  EXPECT_EQ(FilterReason(Message("U0FAQBOT01", "", "", "hi"), kSelf), "own message");
  EXPECT_EQ(FilterReason(Message("", "B0FAQBOT01", "", "hi"), kSelf), "own message");
  // Own messages are dropped whatever their subtype.
  EXPECT_EQ(FilterReason(Message("U0FAQBOT01", "", "thread_broadcast", "hi"), kSelf),
            "own message");
}

TEST(EventFilterTest, DropsOwnMentions) {
  EXPECT_EQ(FilterReason(Mention("U0FAQBOT01", "", "<@U0FAQBOT01> hi"), kSelf), "own message");
}

TEST(EventFilterTest, DropsOtherBots) {
  EXPECT_EQ(FilterReason(Parsed("events_message_other_bot.json"), kSelf),
            "message from another bot");
  EXPECT_EQ(FilterReason(Parsed("events_message_classic_bot.json"), kSelf),
            "message from another bot");
  EXPECT_EQ(FilterReason(Mention("U0OTHERBOT", "B0OTHERAPP", "x"), kSelf),
            "message from another bot");
}

TEST(EventFilterTest, DropsEditsDeletionsAndOtherSubtypes) {
  EXPECT_EQ(FilterReason(Parsed("events_message_changed.json"), kSelf),
            "message subtype message_changed");
  EXPECT_EQ(FilterReason(Parsed("events_message_deleted.json"), kSelf),
            "message subtype message_deleted");
  EXPECT_EQ(FilterReason(Message("U1", "", "channel_join", "joined"), kSelf),
            "message subtype channel_join");
}

TEST(EventFilterTest, KeepsThreadBroadcastAndFileShareWithText) {
  EXPECT_EQ(FilterReason(Parsed("events_message_thread_broadcast.json"), kSelf), std::nullopt);
  EXPECT_EQ(FilterReason(Message("U1", "", "file_share", "what is this?"), kSelf), std::nullopt);
  EXPECT_EQ(FilterReason(Message("U1", "", "file_share", ""), kSelf), "message without text");
  // Nobody to answer: dropped, rather than fail later as a conversation with no one.
  EXPECT_EQ(FilterReason(Message("", "", "", "where is the wiki?"), kSelf),
            "message without an author");
}

TEST(EventFilterTest, UnknownIdentityMatchesNoOne) {
  BotIdentity unknown;
  EXPECT_EQ(FilterReason(Message("U1", "", "", "hi"), unknown), std::nullopt);
  EXPECT_EQ(FilterReason(Message("", "B9", "", "hi"), unknown), "message from another bot");
}

TEST(EventFilterTest, KeepsInteractionsAndCommands) {
  // Even when the "user" is the bot's own ID: only people click and type commands.
  BlockAction action;
  action.user = kSelf.user_id;
  EXPECT_EQ(FilterReason(Inbound(action), kSelf), std::nullopt);
  EXPECT_EQ(FilterReason(Inbound(ViewSubmission()), kSelf), std::nullopt);
  EXPECT_EQ(FilterReason(Inbound(SlashCommand()), kSelf), std::nullopt);
}

}  // namespace
}  // namespace faqbot::slack
