#include "slack/event_parser.h"

#include <gtest/gtest.h>

#include <random>

#include "common/json_limits.h"
#include "slack/inbound_test_support.h"

namespace faqbot::slack {
namespace {

using testing::Fixture;
using testing::FixtureJson;
using testing::InteractionFormBody;

// The payload of a parsed event, failing the test when it is something else.
template <typename T>
T EventOf(const Result<ParsedRequest>& r) {
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return T{};
  const auto* inbound = std::get_if<InboundEvent>(&*r);
  EXPECT_NE(inbound, nullptr) << "not an InboundEvent";
  if (inbound == nullptr) return T{};
  const auto* t = std::get_if<T>(&inbound->payload);
  EXPECT_NE(t, nullptr) << "payload of another type";
  return t == nullptr ? T{} : *t;
}

std::string IgnoredReason(const Result<ParsedRequest>& r) {
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return "";
  const auto* ignored = std::get_if<Ignored>(&*r);
  EXPECT_NE(ignored, nullptr) << "not Ignored";
  return ignored == nullptr ? "" : ignored->reason;
}

TEST(EventParserTest, UrlVerificationGivesTheChallenge) {
  auto r = ParseEventsBody(Fixture("events_url_verification.json"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(std::holds_alternative<UrlVerification>(*r));
  EXPECT_EQ(std::get<UrlVerification>(*r).challenge,
            "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
}

TEST(EventParserTest, BodiesNestedTooDeepAreRefusedUnparsed) {
  const std::string deep = R"({"type":"event_callback","x":)" + std::string(kMaxJsonNesting, '[') +
                           std::string(kMaxJsonNesting, ']') + "}";
  auto r = ParseEventsBody(deep);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status();
  EXPECT_NE(r.status().message().find("levels deep"), std::string::npos) << r.status();
}

TEST(EventParserTest, DirectMessage) {
  auto r = ParseEventsBody(Fixture("events_message_im.json"));
  auto m = EventOf<MessageEvent>(r);
  EXPECT_EQ(std::get<InboundEvent>(*r).event_id, "Ev0FAQDM0001");
  EXPECT_EQ(m.team_id, "T0FAQTEAM1");
  EXPECT_EQ(m.channel, "D0ASKERDM1");
  EXPECT_EQ(m.channel_type, "im");
  EXPECT_EQ(m.user, "U0ASKER001");
  EXPECT_EQ(m.text, "ask <@U0OWNER001> how do I reset my VPN password?");
  EXPECT_EQ(m.ts, "1700000123.000200");
  EXPECT_EQ(m.thread_ts, "");
  EXPECT_EQ(m.bot_id, "");
  EXPECT_EQ(m.subtype, "");
}

// Several workspaces share a deployment: each event names the bot user of its own.
TEST(EventParserTest, AuthorizationsGiveTheWorkspacesBotUser) {
  auto r = ParseEventsBody(Fixture("events_message_im.json"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::get<InboundEvent>(*r).bot_user_id, "U0FAQBOT01");
  EXPECT_EQ(std::get<InboundEvent>(*r).enterprise_id, "");
}

TEST(EventParserTest, AppUninstalled) {
  auto r = ParseEventsBody(Fixture("events_app_uninstalled.json"));
  auto u = EventOf<AppUninstalled>(r);
  EXPECT_EQ(u.team_id, "T0FAQTEAM1");
  EXPECT_EQ(u.enterprise_id, "");
  EXPECT_FALSE(u.is_enterprise_install);
}

TEST(EventParserTest, BotTokensRevokedInAnOrganisation) {
  auto r = ParseEventsBody(Fixture("events_tokens_revoked_org.json"));
  auto t = EventOf<TokensRevoked>(r);
  EXPECT_EQ(t.team_id, "T0ORGTEAM2");
  EXPECT_EQ(t.enterprise_id, "E0GRIDORG1");
  EXPECT_TRUE(t.is_enterprise_install);
  EXPECT_EQ(t.bot_user_ids, std::vector<std::string>{"U0ORGBOT01"});
  EXPECT_EQ(std::get<InboundEvent>(*r).bot_user_id, "U0ORGBOT01");

  // Only user tokens revoked: nothing the app holds.
  nlohmann::json body = FixtureJson("events_tokens_revoked_org.json");
  body["event"]["tokens"].erase("bot");
  EXPECT_EQ(IgnoredReason(ParseEventsApi(body)), "user tokens revoked");
}

TEST(EventParserTest, InteractionsAndCommandsNameTheirOrganisation) {
  nlohmann::json payload = FixtureJson("interaction_block_actions.json");
  payload["enterprise"] = {{"id", "E0GRIDORG1"}, {"name", "Grid"}};
  auto r = ParseInteraction(payload);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::get<InboundEvent>(*r).enterprise_id, "E0GRIDORG1");

  FormFields fields = {{"team_id", "T0ORGTEAM2"},
                       {"user_id", "U0ASKER001"},
                       {"command", "/ask"},
                       {"enterprise_id", "E0GRIDORG1"}};
  auto c = ParseSlashCommand(fields);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(std::get<InboundEvent>(*c).enterprise_id, "E0GRIDORG1");
}

// message.channels / message.groups: a watched channel's messages, top-level or in a thread.
TEST(EventParserTest, ChannelAndPrivateChannelMessages) {
  auto top = EventOf<MessageEvent>(ParseEventsBody(Fixture("events_message_channel.json")));
  EXPECT_EQ(top.channel, "C0HELPDESK");
  EXPECT_EQ(top.channel_type, "channel");
  EXPECT_EQ(top.user, "U0ASKER001");
  EXPECT_EQ(top.text, "where do visitors park?");
  EXPECT_EQ(top.ts, "1700000400.000100");
  EXPECT_EQ(top.thread_ts, "");
  EXPECT_EQ(top.subtype, "");
  auto reply =
      EventOf<MessageEvent>(ParseEventsBody(Fixture("events_message_group_thread_reply.json")));
  EXPECT_EQ(reply.channel, "G0PRIVHELP");
  EXPECT_EQ(reply.channel_type, "group");
  EXPECT_EQ(reply.ts, "1700000410.000300");
  EXPECT_EQ(reply.thread_ts, "1700000400.000100");
  EXPECT_EQ(reply.subtype, "");
}

TEST(EventParserTest, ChannelAppMentionWithRichTextBlocks) {
  auto r = ParseEventsBody(Fixture("events_app_mention_rich_text.json"));
  auto m = EventOf<AppMentionEvent>(r);
  EXPECT_EQ(std::get<InboundEvent>(*r).event_id, "Ev0FAQMENT01");
  EXPECT_EQ(m.channel, "C0GENERAL1");
  EXPECT_EQ(m.user, "U0ASKER001");
  // The text stays as Slack escaped it; the blocks are not needed to read it.
  EXPECT_EQ(m.text,
            "<@U0FAQBOT01> ask <@U0OWNER001> where is the *expense* form &amp; who signs it?");
  EXPECT_EQ(m.ts, "1700000456.001300");
  EXPECT_EQ(m.thread_ts, "1700000400.001100");
}

TEST(EventParserTest, AppHomeOpened) {
  auto h = EventOf<AppHomeOpenedEvent>(ParseEventsBody(Fixture("events_app_home_opened.json")));
  EXPECT_EQ(h.team_id, "T0FAQTEAM1");
  EXPECT_EQ(h.user, "U0OWNER001");
  EXPECT_EQ(h.channel, "D0OWNERDM1");
  EXPECT_EQ(h.tab, "home");
}

TEST(EventParserTest, BotMessagesKeepTheirBotIdentity) {
  auto own = EventOf<MessageEvent>(ParseEventsBody(Fixture("events_message_own_bot.json")));
  EXPECT_EQ(own.bot_id, "B0FAQBOT01");
  EXPECT_EQ(own.user, "U0FAQBOT01");
  auto classic = EventOf<MessageEvent>(ParseEventsBody(Fixture("events_message_classic_bot.json")));
  EXPECT_EQ(classic.subtype, "bot_message");
  EXPECT_EQ(classic.bot_id, "B0CLASSIC1");
  EXPECT_EQ(classic.user, "");
}

TEST(EventParserTest, EditedAndDeletedMessagesParseWithTheirSubtype) {
  auto changed = EventOf<MessageEvent>(ParseEventsBody(Fixture("events_message_changed.json")));
  EXPECT_EQ(changed.subtype, "message_changed");
  EXPECT_EQ(changed.user, "");  // the author is inside "message", which the filter drops anyway
  auto deleted = EventOf<MessageEvent>(ParseEventsBody(Fixture("events_message_deleted.json")));
  EXPECT_EQ(deleted.subtype, "message_deleted");
  auto broadcast =
      EventOf<MessageEvent>(ParseEventsBody(Fixture("events_message_thread_broadcast.json")));
  EXPECT_EQ(broadcast.subtype, "thread_broadcast");
  EXPECT_EQ(broadcast.thread_ts, "1700000290.000950");
}

TEST(EventParserTest, UnknownEventTypesAreIgnoredNotErrors) {
  EXPECT_EQ(IgnoredReason(ParseEventsBody(Fixture("events_reaction_added.json"))),
            "event type reaction_added");
  EXPECT_EQ(IgnoredReason(ParseEventsBody(Fixture("events_app_rate_limited.json"))),
            "events api type app_rate_limited");
}

TEST(EventParserTest, BlockActionButtonInAnEphemeralMessage) {
  auto a = EventOf<BlockAction>(
      ParseInteractionBody(InteractionFormBody("interaction_block_actions.json")));
  EXPECT_EQ(a.team_id, "T0FAQTEAM1");
  EXPECT_EQ(a.user, "U0ASKER001");
  EXPECT_EQ(a.channel, "D0ASKERDM1");
  EXPECT_EQ(a.message_ts, "1700000130.000400");
  EXPECT_EQ(a.container_type, "message");
  EXPECT_TRUE(a.is_ephemeral);
  EXPECT_EQ(a.action_id, "faq_helpful");
  EXPECT_EQ(a.block_id, "feedback");
  EXPECT_EQ(a.action_type, "button");
  EXPECT_EQ(a.value, "topic-42:yes");
  EXPECT_EQ(a.response_url,
            "https://hooks.slack.com/actions/T0FAQTEAM1/6211112233445/Xy7zAbCdEfGhIjKlMnOpQrSt");
  EXPECT_EQ(a.trigger_id, "6211112233445.5566778899.0a1b2c3d4e5f60718293a4b5c6d7e8f9");
}

TEST(EventParserTest, BlockActionInAChannelThreadNamesTheThread) {
  auto a = EventOf<BlockAction>(
      ParseInteractionBody(InteractionFormBody("interaction_block_actions_thread.json")));
  EXPECT_EQ(a.channel, "C0GENERAL1");
  EXPECT_EQ(a.message_ts, "1700000555.000200");
  EXPECT_EQ(a.thread_ts, "1700000555.000001");
  EXPECT_FALSE(a.is_ephemeral);
  EXPECT_EQ(a.action_id, "ask_owner");
  EXPECT_EQ(a.value, "U0ALICE01 password for the office?");
}

TEST(EventParserTest, BlockActionThreadFallsBackToTheMessagesThread) {
  nlohmann::json payload = FixtureJson("interaction_block_actions_thread.json");
  payload["container"].erase("thread_ts");
  EXPECT_EQ(EventOf<BlockAction>(ParseInteraction(payload)).thread_ts, "1700000555.000001");
  // A thread's parent message: Slack's message.thread_ts is its own ts, the thread too.
  payload["message"]["thread_ts"] = payload["message"]["ts"];
  EXPECT_EQ(EventOf<BlockAction>(ParseInteraction(payload)).thread_ts, "1700000555.000200");
  // A top-level message is in no thread.
  payload["message"].erase("thread_ts");
  EXPECT_EQ(EventOf<BlockAction>(ParseInteraction(payload)).thread_ts, "");
  EXPECT_EQ(EventOf<BlockAction>(
                ParseInteractionBody(InteractionFormBody("interaction_block_actions.json")))
                .thread_ts,
            "");
}

TEST(EventParserTest, BlockActionSelectInAViewOfAnOrgWideInstall) {
  auto a = EventOf<BlockAction>(
      ParseInteraction(FixtureJson("interaction_block_actions_view_select.json")));
  EXPECT_EQ(a.team_id, "T0FAQTEAM1");  // team is null: taken from the user
  EXPECT_EQ(a.container_type, "view");
  EXPECT_EQ(a.view_id, "V0EDITVIEW1");
  EXPECT_EQ(a.channel, "");
  EXPECT_EQ(a.action_type, "static_select");
  EXPECT_EQ(a.value, "topic-42");
}

TEST(EventParserTest, ViewSubmissionFlattensStateValues) {
  auto v = EventOf<ViewSubmission>(
      ParseInteractionBody(InteractionFormBody("interaction_view_submission.json")));
  EXPECT_EQ(v.team_id, "T0FAQTEAM1");
  EXPECT_EQ(v.user, "U0OWNER001");
  EXPECT_EQ(v.view_id, "V0NEWTOPIC1");
  EXPECT_EQ(v.callback_id, "new_topic");
  EXPECT_EQ(v.private_metadata, "{\"draft\":7}");
  std::map<std::string, std::string> expected{
      {"question.text", "How do I reset my VPN password?"},
      {"answer.text", "Settings \xE2\x86\x92 Security \xE2\x86\x92 Reset.\nThen sign in again."},
      {"phrasings.text", ""},
      {"audience.channels", "C0GENERAL1,C0HELPDSK1"},
      {"kind.pick", "it"},
  };
  EXPECT_EQ(v.values, expected);
}

TEST(EventParserTest, OtherInteractionsAreIgnored) {
  EXPECT_EQ(IgnoredReason(ParseInteraction(FixtureJson("interaction_shortcut.json"))),
            "interaction type shortcut");
}

TEST(EventParserTest, SlashCommandFromForm) {
  auto c = EventOf<SlashCommand>(ParseSlashCommandBody(Fixture("command_ask.form")));
  EXPECT_EQ(c.team_id, "T0FAQTEAM1");
  EXPECT_EQ(c.user_id, "U0ASKER001");
  EXPECT_EQ(c.channel_id, "C0GENERAL1");
  EXPECT_EQ(c.command, "/ask");
  EXPECT_EQ(c.text,
            "<@U0OWNER001|owner.one> where is the expense form? & who signs it "
            "\xE2\x9C\x8D\xEF\xB8\x8F");
  EXPECT_EQ(c.response_url,
            "https://hooks.slack.com/commands/T0FAQTEAM1/6211112233449/aBcDeFgHiJkLmNoPqRsTuVwX");
  EXPECT_EQ(c.trigger_id, "6211112233449.5566778899.1234567890abcdef1234567890abcdef");
}

TEST(EventParserTest, SlashCommandFromSocketModeJson) {
  auto c = EventOf<SlashCommand>(
      ParseSlashCommandJson(FixtureJson("socket_slash_command_payload.json")));
  EXPECT_EQ(c.command, "/ask");
  EXPECT_EQ(c.channel_id, "D0ASKERDM1");
  EXPECT_EQ(c.text, "<@U0OWNER001|owner.one> vpn?");
}

TEST(EventParserTest, SslCheck) {
  auto r = ParseSlashCommandBody(Fixture("command_ssl_check.form"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(std::holds_alternative<SslCheck>(*r));
}

TEST(EventParserTest, MalformedJsonIsInvalidArgument) {
  for (const char* bad : {"", "{", "{\"type\":", "not json", "{\"a\":1}}", "\xFF\xFE{}",
                          "{\"type\":\"event_callback\",\"x\":\"\xC3\x28\"}"}) {
    auto r = ParseEventsBody(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(EventParserTest, NonObjectBodiesAreInvalidArgument) {
  for (const char* bad : {"[]", "42", "\"event_callback\"", "null"}) {
    auto r = ParseEventsBody(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ParseInteraction(nlohmann::json::array()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSlashCommandJson(nlohmann::json(3)).status().code(), StatusCode::kInvalidArgument);
}

TEST(EventParserTest, MissingOrMistypedRequiredFieldsAreNamed) {
  auto body = FixtureJson("events_message_im.json");
  body.erase("event_id");
  auto r = ParseEventsApi(body);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("event_id"), std::string::npos) << r.status();

  body = FixtureJson("events_message_im.json");
  body["event"]["channel"] = 12;
  r = ParseEventsApi(body);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("channel"), std::string::npos) << r.status();

  body = FixtureJson("events_message_im.json");
  body["event"] = "message";
  EXPECT_EQ(ParseEventsApi(body).status().code(), StatusCode::kInvalidArgument);

  auto action = FixtureJson("interaction_block_actions.json");
  action["actions"] = nlohmann::json::array();
  EXPECT_EQ(ParseInteraction(action).status().code(), StatusCode::kInvalidArgument);
  action["actions"] = nlohmann::json::array({nlohmann::json::object({{"value", "x"}})});
  r = ParseInteraction(action);
  EXPECT_NE(r.status().message().find("action_id"), std::string::npos) << r.status();

  auto view = FixtureJson("interaction_view_submission.json");
  view["view"]["state"]["values"]["question"] = "oops";
  EXPECT_EQ(ParseInteraction(view).status().code(), StatusCode::kInvalidArgument);

  auto r2 = ParseSlashCommandBody("team_id=T1&command=%2Fask&text=hi");
  EXPECT_NE(r2.status().message().find("user_id"), std::string::npos) << r2.status();
}

TEST(EventParserTest, InteractionBodyNeedsAPayloadField) {
  EXPECT_EQ(ParseInteractionBody("foo=bar").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseInteractionBody("payload=%7B%22type").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseInteractionBody("payload=%7").status().code(), StatusCode::kInvalidArgument);
}

TEST(EventParserTest, OversizedBodiesAreResourceExhausted) {
  std::string big =
      "{\"type\":\"url_verification\",\"challenge\":\"" + std::string(kMaxBodyBytes, 'a') + "\"}";
  EXPECT_EQ(ParseEventsBody(big).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ParseInteractionBody("payload=" + std::string(kMaxBodyBytes, 'a')).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(ParseSlashCommandBody("text=" + std::string(kMaxBodyBytes, 'a')).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(ParseEventsBody("{}", 1).status().code(), StatusCode::kResourceExhausted);
}

TEST(EventParserTest, DeeplyNestedJsonIsHandledWithoutCrashing) {
  const std::string deep = "{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  auto r = ParseEventsBody(deep);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);  // no "type"
}

// Byte-level damage to every fixture (truncation, flipped bytes, inserted and deleted bytes):
// the parser answers with a value or InvalidArgument, never an exception or a crash.
TEST(EventParserTest, SurvivesDamagedFixtures) {
  std::mt19937 rng(20261125);
  auto damage = [&](std::string s) {
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s.resize(at);
          break;
        case 1:
          s[at] = static_cast<char>(s[at] ^ (1 << (rng() % 8)));
          break;
        case 2:
          s.insert(at, 1, "{}[]\",:%&=+\x80"[rng() % 12]);
          break;
        default:
          s.erase(at, 1);
      }
    }
    return s;
  };
  auto expect_sane = [](const Result<ParsedRequest>& r, const std::string& input) {
    EXPECT_TRUE(r.ok() || r.status().code() == StatusCode::kInvalidArgument)
        << r.status() << " for " << input;
  };
  const std::vector<std::string> events = {
      "events_url_verification.json",      "events_message_im.json",
      "events_app_mention_rich_text.json", "events_app_home_opened.json",
      "events_message_changed.json",       "events_reaction_added.json"};
  const std::vector<std::string> interactions = {
      "interaction_block_actions.json", "interaction_block_actions_thread.json",
      "interaction_block_actions_view_select.json", "interaction_view_submission.json"};
  for (int round = 0; round < 200; ++round) {
    for (const std::string& f : events) {
      const std::string body = damage(Fixture(f));
      expect_sane(ParseEventsBody(body), body);
    }
    for (const std::string& f : interactions) {
      const std::string json = damage(FixtureJson(f).dump());
      const std::string body = "payload=" + PercentEncode(json);
      expect_sane(ParseInteractionBody(body), json);
      const std::string form = damage(InteractionFormBody(f));
      expect_sane(ParseInteractionBody(form), form);
    }
    const std::string command = damage(Fixture("command_ask.form"));
    expect_sane(ParseSlashCommandBody(command), command);
  }
}

}  // namespace
}  // namespace faqbot::slack
