// SlackMessenger end to end: a real WebApiClient over loopback HTTP to the Slack emulator, which
// records every call. Checks what Slack would receive: Block Kit limits, escaping, the DM / thread
// / ephemeral / response_url routes, display names, and errors from a failing Slack.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "common/clock.h"
#include "server/installations.h"
#include "server/secret_box.h"
#include "server/slack_messenger.h"
#include "slack/block_kit.h"
#include "slack/mrkdwn.h"
#include "slack/web_api_client.h"
#include "slack_emulator.h"
#include "test_store.h"

namespace faqbot::server {
namespace {

using assistant::Button;
using assistant::Destination;
using assistant::Line;
using assistant::Mention;
using assistant::Reply;
using assistant::UserText;
using assistant::Words;
using nlohmann::json;
using slack::SlackTextLength;
using slack_emulator::Fault;
using slack_emulator::RecordedCall;
using slack_emulator::SlackEmulator;
using ::testing::HasSubstr;
using ::testing::Not;

const store::UserRef kAlice{"T0EMULATOR", "U0ALICE"};
const store::UserRef kBob{"T0EMULATOR", "U0BOB"};

Destination Channel(std::string channel, std::string thread_ts = "") {
  Destination d;
  d.kind = Destination::Kind::kChannel;
  d.channel = std::move(channel);
  d.thread_ts = std::move(thread_ts);
  return d;
}

Fault MakeFault(Fault::Kind kind, std::string slack_error = "") {
  Fault f;
  f.kind = kind;
  f.slack_error = std::move(slack_error);
  return f;
}

Reply Say(std::string words) {
  Reply r;
  r.paragraphs.push_back(Line(std::move(words)));
  return r;
}

// The blocks of a recorded message, whether sent as a JSON array or a JSON string.
json Blocks(const RecordedCall& call) {
  const json& blocks = call.args.at("blocks");
  return blocks.is_string() ? json::parse(blocks.get<std::string>()) : blocks;
}

// Checks one recorded message against Slack's Block Kit limits (docs.slack.dev; the
// python-slack-sdk validators), independently of the renderer's own ValidateBlocks.
void ExpectWithinBlockKitLimits(const RecordedCall& call) {
  SCOPED_TRACE(call.method);
  EXPECT_EQ(call.http_status, 200);
  EXPECT_EQ(call.response.value("ok", false), true) << call.response;
  ASSERT_TRUE(call.args.contains("text"));
  EXPECT_LE(SlackTextLength(call.args["text"].get<std::string>()), 40'000u);
  const json blocks = Blocks(call);
  ASSERT_TRUE(blocks.is_array());
  EXPECT_GE(blocks.size(), 1u);
  EXPECT_LE(blocks.size(), 50u);
  auto check_button = [](const json& e) {
    ASSERT_EQ(e["type"], "button");
    EXPECT_EQ(e["text"]["type"], "plain_text");
    const size_t label = SlackTextLength(e["text"]["text"].get<std::string>());
    EXPECT_GE(label, 1u);
    EXPECT_LE(label, 75u);
    const size_t id = SlackTextLength(e["action_id"].get<std::string>());
    EXPECT_GE(id, 1u);
    EXPECT_LE(id, 255u);
    if (e.contains("value")) {
      EXPECT_LE(SlackTextLength(e["value"].get<std::string>()), 2000u);
    }
  };
  for (const json& block : blocks) {
    const std::string type = block["type"];
    if (block.contains("block_id")) {
      EXPECT_LE(SlackTextLength(block["block_id"].get<std::string>()), 255u);
    }
    if (type == "section") {
      ASSERT_TRUE(block.contains("text") || block.contains("fields")) << block;
      if (block.contains("text")) {
        const size_t n = SlackTextLength(block["text"]["text"].get<std::string>());
        EXPECT_GE(n, 1u);
        EXPECT_LE(n, 3000u);
      }
      if (block.contains("fields")) {
        EXPECT_LE(block["fields"].size(), 10u);
        for (const json& f : block["fields"]) {
          EXPECT_LE(SlackTextLength(f["text"].get<std::string>()), 2000u);
        }
      }
      if (block.contains("accessory")) check_button(block["accessory"]);
    } else if (type == "actions") {
      EXPECT_GE(block["elements"].size(), 1u);
      EXPECT_LE(block["elements"].size(), 25u);
      std::set<std::string> ids;
      for (const json& e : block["elements"]) {
        check_button(e);
        EXPECT_TRUE(ids.insert(e["action_id"].get<std::string>()).second)
            << "duplicate action_id " << e["action_id"];
      }
    } else if (type == "context") {
      EXPECT_GE(block["elements"].size(), 1u);
      EXPECT_LE(block["elements"].size(), 10u);
      for (const json& e : block["elements"]) {
        EXPECT_LE(SlackTextLength(e["text"].get<std::string>()), 3000u);
      }
    } else if (type == "header") {
      EXPECT_LE(SlackTextLength(block["text"]["text"].get<std::string>()), 150u);
    } else {
      EXPECT_EQ(type, "divider");
    }
  }
}

// Every mrkdwn text of the recorded messages (sections and context), in sending order.
std::vector<std::string> MrkdwnTexts(const std::vector<RecordedCall>& calls) {
  std::vector<std::string> out;
  for (const auto& call : calls) {
    for (const json& block : Blocks(call)) {
      if (block["type"] == "section" && block.contains("text")) {
        out.push_back(block["text"]["text"]);
      } else if (block["type"] == "context") {
        for (const json& e : block["elements"]) out.push_back(e["text"]);
      }
    }
  }
  return out;
}

// Every button of the recorded messages, in sending order.
std::vector<json> Buttons(const std::vector<RecordedCall>& calls) {
  std::vector<json> out;
  for (const auto& call : calls) {
    for (const json& block : Blocks(call)) {
      if (block.contains("accessory")) out.push_back(block["accessory"]);
      if (block["type"] == "actions") {
        for (const json& e : block["elements"]) out.push_back(e);
      }
    }
  }
  return out;
}

std::vector<std::string> Tokens(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class SlackMessengerOverWebApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.Start().ok());
    emulator_.AddUser({"U0ALICE", "alice", "Alice Liddell", "alice.l", false});
    emulator_.AddUser({"U0BOB", "bob", "Bob Builder", "", false});
    slack::WebApiClientOptions o;
    o.base_url = emulator_.base_url();
    o.bot_token = emulator_.options().bot_token;
    o.request_timeout = std::chrono::milliseconds(5'000);
    // Nothing here waits on the clock: no per-channel pacing, failures are final.
    o.channel_interval = std::chrono::milliseconds(0);
    o.max_retries = 0;
    web_ = std::make_unique<slack::WebApiClient>(o, clock_);
    messenger_ = std::make_unique<SlackMessenger>(*web_);
  }

  SlackEmulator emulator_;
  FakeClock clock_;
  std::unique_ptr<slack::WebApiClient> web_;
  std::unique_ptr<SlackMessenger> messenger_;
};

// Two processes on one database: one installs a new token for the workspace (a reinstall) while
// the other still has the old one cached. Slack refuses the old one; the reply is not lost: the
// token is read again and the reply sent with the new one.
TEST_F(SlackMessengerOverWebApiTest, AReplyRefusedWithATokenReplacedElsewhereIsSentWithTheNewOne) {
  store::testing::TestDatabase database(store::testing::Engine::kSqlite);
  auto store = store::testing::OpenStore(database, clock_);
  ASSERT_NE(store, nullptr);
  auto box =
      SecretBox::FromText("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  ASSERT_TRUE(box.ok());
  Installations here(*store, &*box, clock_), elsewhere(*store, &*box, clock_);
  slack::OAuthAccess access;
  access.team_id = emulator_.options().team_id;
  access.bot_user_id = "U0BOT";
  access.access_token = "xoxb-revoked-by-the-reinstall";
  ASSERT_TRUE(here.Save(access, "B0BOT").ok());
  ASSERT_EQ(*here.BotToken(access.team_id), access.access_token);  // cached here
  access.access_token = emulator_.options().bot_token;
  ASSERT_TRUE(elsewhere.Save(access, "B0BOT").ok());
  messenger_->UseInstallations(here);
  const store::UserRef alice{access.team_id, "U0ALICE"};
  ASSERT_TRUE(messenger_->Send(Destination::Direct(alice), Say("still reaches you")).ok());
  bool delivered = false;
  for (const auto& c : emulator_.Calls("chat.postMessage")) {
    delivered |= c.response.value("ok", false) &&
                 c.args.dump().find("still reaches you") != std::string::npos;
  }
  EXPECT_TRUE(delivered);
}

TEST_F(SlackMessengerOverWebApiTest, AHugeListAndALongAnswerArriveWhole) {
  // A 10,000-character answer of numbered words, over several paragraphs.
  std::string answer;
  for (int i = 0; answer.size() < 10'000; ++i) {
    answer += "w" + std::to_string(i) + ((i % 97 == 96) ? "\n\n" : " ");
  }
  answer.resize(10'000);
  while (answer.back() == ' ' || answer.back() == '\n' || answer.back() == 'w') answer.pop_back();

  Reply reply;
  reply.paragraphs.push_back(Line({Words("Here is the answer, "), Mention("U0ALICE"), Words(":")}));
  reply.paragraphs.push_back(Line({UserText(answer)}));
  for (int i = 0; i < 500; ++i) {
    const std::string id = std::to_string(i);
    std::string label = "Add phrasing";
    if (i % 50 == 0) label = std::string(120, 'L');  // longer than a button may show
    reply.items.push_back(
        {Line({Words("🅾 "), UserText("topic question number " + id + "?")}),
         {{"Edit", "edit_topic", "topic-" + id},
          {"Delete", "delete_topic", "topic-" + id, Button::Style::kDanger},
          {label, "add_phrasing", i == 7 ? std::string(2000, 'v') : "topic-" + id}}});
  }
  for (int i = 0; i < 30; ++i) reply.buttons.push_back({"More " + std::to_string(i), "more", ""});
  for (int i = 0; i < 12; ++i) reply.context.push_back(Line("note " + std::to_string(i)));

  Status sent = messenger_->Send(Channel("C0GENERAL", "1700000000.000001"), reply);
  ASSERT_TRUE(sent.ok()) << sent;

  const auto calls = emulator_.Calls("chat.postMessage");
  ASSERT_GT(calls.size(), 10u);  // 1,000+ blocks need many messages
  for (const auto& call : calls) {
    ExpectWithinBlockKitLimits(call);
    EXPECT_EQ(call.args["channel"], "C0GENERAL");
    EXPECT_EQ(call.args["thread_ts"], "1700000000.000001");
  }

  // Every item, once and in order.
  const auto texts = MrkdwnTexts(calls);
  size_t next_item = 0;
  for (const auto& t : texts) {
    if (next_item < 500 && t == "🅾 topic question number " + std::to_string(next_item) + "?") {
      ++next_item;
    }
  }
  EXPECT_EQ(next_item, 500u);

  // The whole answer: its words in order, after the introduction.
  std::string all;
  for (const auto& t : texts) all += t + "\n";
  EXPECT_THAT(all, HasSubstr("Here is the answer, <@U0ALICE>:"));
  const auto sent_words = Tokens(all);
  const auto answer_words = Tokens(answer);
  auto found =
      std::search(sent_words.begin(), sent_words.end(), answer_words.begin(), answer_words.end());
  EXPECT_NE(found, sent_words.end()) << "the answer did not arrive whole";
  EXPECT_THAT(all, Not(HasSubstr("shortened")));
  EXPECT_THAT(all, Not(HasSubstr("not shown")));

  // Every button, with its value; its action comes back from the action_id.
  std::map<std::string, std::set<std::string>> values;  // action → values
  size_t more = 0;
  for (const json& b : Buttons(calls)) {
    const std::string action = ActionOfActionId(b["action_id"].get<std::string>());
    if (action == "more") {
      ++more;
    } else {
      values[action].insert(b.value("value", ""));
    }
  }
  EXPECT_EQ(values["edit_topic"].size(), 500u);
  EXPECT_EQ(values["delete_topic"].size(), 500u);
  EXPECT_EQ(values["add_phrasing"].size(), 500u);
  EXPECT_TRUE(values["add_phrasing"].contains(std::string(2000, 'v')));
  EXPECT_EQ(more, 30u);
  // The reply's own buttons and small print come last.
  const auto last = Blocks(calls.back());
  EXPECT_EQ(last.back()["type"], "context");
  EXPECT_EQ(last.back()["elements"][0]["text"], "note 0");
}

TEST_F(SlackMessengerOverWebApiTest, PeoplesTextArrivesEscapedAndOwnMentionsStayMentions) {
  Reply reply;
  reply.paragraphs.push_back(
      Line({Mention("U0ALICE"), Words(" says - "),
            UserText("<!channel> <@U123> <https://wiki.example|the wiki> & co")}));
  reply.items.push_back({Line({UserText("<!here> & <#C0GENERAL>")}), {}});
  reply.context.push_back(
      Line({Words("asked by "), Mention("U0BOB"), Words(": "), UserText("<!everyone>")}));
  ASSERT_TRUE(messenger_->Send(Channel("C0GENERAL"), reply).ok());

  const auto calls = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(calls.size(), 1u);
  ExpectWithinBlockKitLimits(calls[0]);
  std::string all;
  for (const auto& t : MrkdwnTexts(calls)) all += t + "\n";
  // Broadcasts stay inert; the links, people and channels someone wrote show as they wrote them.
  EXPECT_THAT(all, HasSubstr("<@U0ALICE> says - &lt;!channel&gt; <@U123> "
                             "<https://wiki.example|the wiki> &amp; co"));
  EXPECT_THAT(all, HasSubstr("&lt;!here&gt; &amp; <#C0GENERAL>"));
  EXPECT_THAT(all, HasSubstr("asked by <@U0BOB>: &lt;!everyone&gt;"));
  // The only markup left is mentions, the link and the channel: never a broadcast.
  std::string rest = all;
  for (const std::string token :
       {"<@U0ALICE>", "<@U0BOB>", "<@U123>", "<https://wiki.example|the wiki>", "<#C0GENERAL>"}) {
    for (size_t at; (at = rest.find(token)) != std::string::npos;) rest.erase(at, token.size());
  }
  EXPECT_EQ(rest.find('<'), std::string::npos) << rest;
  EXPECT_EQ(rest.find('>'), std::string::npos) << rest;
  // What a notification shows.
  EXPECT_EQ(calls[0].args["text"],
            "<@U0ALICE> says - &lt;!channel&gt; <@U123> <https://wiki.example|the wiki> &amp; co");
  EXPECT_EQ(calls[0].args["unfurl_links"], false);
}

TEST_F(SlackMessengerOverWebApiTest, DirectMessagesOpenTheDmOncePerPerson) {
  for (int i = 0; i < 3; ++i) {
    Status sent = messenger_->Send(Destination::Direct(kAlice), Say("hello " + std::to_string(i)));
    ASSERT_TRUE(sent.ok()) << sent;
  }
  ASSERT_TRUE(messenger_->Send(Destination::Direct(kBob), Say("hi Bob")).ok());

  const auto opens = emulator_.Calls("conversations.open");
  ASSERT_EQ(opens.size(), 2u);
  EXPECT_EQ(opens[0].args["users"], "U0ALICE");
  EXPECT_EQ(opens[1].args["users"], "U0BOB");
  const auto posts = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(posts.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(posts[i].args["channel"], "D0ALICE");
    EXPECT_FALSE(posts[i].args.contains("thread_ts"));
    EXPECT_EQ(Blocks(posts[i])[0]["text"]["text"], "hello " + std::to_string(i));
  }
  EXPECT_EQ(posts[3].args["channel"], "D0BOB");
}

// A tracked reply reports where it went — the channel and ts Slack gave its first message — so
// that it can be updated later; other replies report nothing.
TEST_F(SlackMessengerOverWebApiTest, ATrackedReplyReportsWhereItWasPosted) {
  std::vector<std::vector<std::string>> reported;
  messenger_->OnPosted(
      [&](const std::string& key, const std::string& channel, const std::string& ts) {
        reported.push_back({key, channel, ts});
      });
  ASSERT_TRUE(messenger_->Send(Destination::Direct(kAlice), Say("untracked")).ok());
  Reply tracked = Say("Bob asked you: where is the wiki?");
  tracked.track = "handoff:42";
  ASSERT_TRUE(messenger_->Send(Destination::Direct(kAlice), tracked).ok());
  ASSERT_TRUE(messenger_->Send(Channel("C0GENERAL", ""), tracked).ok());

  const auto posts = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(posts.size(), 3u);
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported[0],
            (std::vector<std::string>{"handoff:42", "D0ALICE", posts[1].response.value("ts", "")}));
  EXPECT_EQ(reported[1], (std::vector<std::string>{"handoff:42", "C0GENERAL",
                                                   posts[2].response.value("ts", "")}));
  EXPECT_FALSE(reported[0][2].empty());
  EXPECT_NE(reported[0][2], reported[1][2]);
}

// A DM addressed to the person and a reply in the DM's channel are one conversation, so a
// QueuedMessenger keeps them in order. Finding the key never calls Slack (it runs on the event
// thread): the DM is opened when the reply is sent, on a sender thread.
TEST_F(SlackMessengerOverWebApiTest, ConversationsAreFoundWithoutSlack) {
  Destination in_dm;
  in_dm.kind = Destination::Kind::kChannel;
  in_dm.channel = "D0ALICE";
  in_dm.user = kAlice;
  EXPECT_EQ(SlackMessenger::ConversationOf(Destination::Direct(kAlice)), "dm:T0EMULATOR/U0ALICE");
  EXPECT_EQ(SlackMessenger::ConversationOf(in_dm), "dm:T0EMULATOR/U0ALICE");
  Destination in_channel = Channel("C0GENERAL", "1700000000.000100");
  in_channel.user = kAlice;
  EXPECT_EQ(SlackMessenger::ConversationOf(in_channel), "C0GENERAL");
  Destination response;
  response.kind = Destination::Kind::kResponse;
  response.response_url = "https://hooks.example/1";
  EXPECT_EQ(SlackMessenger::ConversationOf(response), "response:https://hooks.example/1");
  EXPECT_TRUE(emulator_.Calls("conversations.open").empty());
}

TEST_F(SlackMessengerOverWebApiTest, WithoutConversationsOpenDmsGoToTheUserId) {
  emulator_.InjectFault("conversations.open", MakeFault(Fault::Kind::kSlackError, "missing_scope"));
  ASSERT_TRUE(messenger_->Send(Destination::Direct(kBob), Say("one")).ok());
  ASSERT_TRUE(messenger_->Send(Destination::Direct(kBob), Say("two")).ok());
  EXPECT_EQ(emulator_.Calls("conversations.open").size(), 1u);  // remembered
  const auto posts = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].args["channel"], "U0BOB");
  EXPECT_EQ(posts[1].args["channel"], "U0BOB");

  // A token problem is not "cannot open DMs": nothing is posted, and the next send tries again.
  emulator_.InjectFault("conversations.open", MakeFault(Fault::Kind::kSlackError, "invalid_auth"));
  EXPECT_EQ(messenger_->Send(Destination::Direct(kAlice), Say("x")).code(),
            StatusCode::kUnauthenticated);
  ASSERT_TRUE(messenger_->Send(Destination::Direct(kAlice), Say("y")).ok());
  EXPECT_EQ(emulator_.Calls("chat.postMessage").back().args["channel"], "D0ALICE");
}

TEST_F(SlackMessengerOverWebApiTest, ChannelRepliesGoToTheThread) {
  ASSERT_TRUE(messenger_->Send(Channel("C0GENERAL", "1700000000.000100"), Say("in thread")).ok());
  ASSERT_TRUE(messenger_->Send(Channel("C0RANDOM"), Say("top level")).ok());
  const auto posts = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].args["channel"], "C0GENERAL");
  EXPECT_EQ(posts[0].args["thread_ts"], "1700000000.000100");
  EXPECT_EQ(posts[0].response["message"]["thread_ts"], "1700000000.000100");
  EXPECT_EQ(posts[1].args["channel"], "C0RANDOM");
  EXPECT_FALSE(posts[1].args.contains("thread_ts"));
  EXPECT_TRUE(emulator_.Calls("conversations.open").empty());
}

TEST_F(SlackMessengerOverWebApiTest, EphemeralRepliesNameTheirViewer) {
  Destination d;
  d.kind = Destination::Kind::kEphemeral;
  d.channel = "C0GENERAL";
  d.user = kBob;
  ASSERT_TRUE(messenger_->Send(d, Say("only you can see this")).ok());
  const auto calls = emulator_.Calls("chat.postEphemeral");
  ASSERT_EQ(calls.size(), 1u);
  ExpectWithinBlockKitLimits(calls[0]);
  EXPECT_EQ(calls[0].args["channel"], "C0GENERAL");
  EXPECT_EQ(calls[0].args["user"], "U0BOB");
  EXPECT_EQ(Blocks(calls[0])[0]["text"]["text"], "only you can see this");
  EXPECT_TRUE(emulator_.Calls("chat.postMessage").empty());
}

// A reply kept through a Slack outage may outlive its response_url (30 minutes): the person's
// DM gets it instead. Without a person to DM, the refusal is final (not worth a retry).
TEST_F(SlackMessengerOverWebApiTest, AnExpiredResponseUrlsReplyGoesToTheDm) {
  Destination d;
  d.kind = Destination::Kind::kResponse;
  d.response_url = emulator_.root_url() + "/response/T0EMULATOR/999/hook";  // never handed out
  d.user = kAlice;
  Status sent = messenger_->Send(d, Say("answered at last"));
  ASSERT_TRUE(sent.ok()) << sent;
  const auto dms = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(dms.size(), 1u);
  EXPECT_EQ(dms[0].args["channel"], "D0ALICE");
  EXPECT_FALSE(dms[0].args.contains("response_type"));
  d.user = {};
  EXPECT_EQ(messenger_->Send(d, Say("nobody to tell")).code(), StatusCode::kFailedPrecondition);
}

TEST_F(SlackMessengerOverWebApiTest, AResponseUrlTakesFivePostsAndTheRestGoesToTheDm) {
  Destination d;
  d.kind = Destination::Kind::kResponse;
  d.response_url = emulator_.NewResponseUrl();
  d.user = kAlice;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(messenger_->Send(d, Say("r" + std::to_string(i))).ok());
  Reply list = Say("Your topics:");  // several messages
  for (int i = 0; i < 100; ++i) {
    list.items.push_back({Line({UserText("q" + std::to_string(i))}),
                          {{"Edit", "edit_topic", std::to_string(i)},
                           {"Delete", "delete_topic", std::to_string(i)}}});
  }
  Status sent = messenger_->Send(d, list);
  ASSERT_TRUE(sent.ok()) << sent;
  EXPECT_EQ(emulator_.Calls("response_url").size(), 5u);  // none refused as used_url
  const auto dms = emulator_.Calls("chat.postMessage");
  ASSERT_GE(dms.size(), 2u);
  for (const auto& post : dms) EXPECT_EQ(post.args["channel"], "D0ALICE");

  // Without a person to DM, the sixth post is an error rather than a refused request, and a
  // final one: no retry can make the URL take it.
  d.user = {};
  EXPECT_EQ(messenger_->Send(d, Say("one more")).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(emulator_.Calls("response_url").size(), 5u);
}

TEST_F(SlackMessengerOverWebApiTest, AnUpdateReplacesTheMessageItNames) {
  ASSERT_TRUE(messenger_->Send(Channel("C0GENERAL"), Say("with buttons")).ok());
  const std::string ts = emulator_.Calls("chat.postMessage").back().response["ts"];
  Destination update;
  update.kind = Destination::Kind::kUpdate;
  update.channel = "C0GENERAL";
  update.ts = ts;
  ASSERT_TRUE(messenger_->Send(update, Say("done, by <@U0ALICE>")).ok());
  const auto updates = emulator_.Calls("chat.update");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].args["ts"], ts);
  EXPECT_TRUE(updates[0].response["ok"].get<bool>());
  ExpectWithinBlockKitLimits(updates[0]);
  // A message Slack does not have is an error, not a new post.
  update.ts = "1700000000.999999";
  EXPECT_FALSE(messenger_->Send(update, Say("again")).ok());
  EXPECT_EQ(emulator_.Calls("chat.postMessage").size(), 1u);
  // Without a ts (an ephemeral message), the response_url replaces it.
  update.ts.clear();
  update.response_url = emulator_.NewResponseUrl();
  ASSERT_TRUE(messenger_->Send(update, Say("replaced")).ok());
  const auto responses = emulator_.Calls("response_url");
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_TRUE(responses[0].args["replace_original"].get<bool>());
  EXPECT_EQ(Blocks(responses[0])[0]["text"]["text"], "replaced");
}

TEST_F(SlackMessengerOverWebApiTest, ResponseUrlRepliesAreEphemeralUnlessAskedOtherwise) {
  Destination d;
  d.kind = Destination::Kind::kResponse;
  d.response_url = emulator_.NewResponseUrl();
  d.user = kBob;
  ASSERT_TRUE(messenger_->Send(d, Say("just for you")).ok());
  d.in_channel = true;
  ASSERT_TRUE(messenger_->Send(d, Say("for everyone")).ok());

  const auto calls = emulator_.Calls("response_url");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].args["response_type"], "ephemeral");
  EXPECT_EQ(Blocks(calls[0])[0]["text"]["text"], "just for you");
  EXPECT_EQ(calls[1].args["response_type"], "in_channel");
  EXPECT_EQ(Blocks(calls[1])[0]["text"]["text"], "for everyone");
  for (const auto& c : calls) EXPECT_EQ(c.http_status, 200);
  // No token goes to a response_url: the URL is the credential.
  EXPECT_EQ(calls[0].headers.count("authorization"), 0u);
  EXPECT_TRUE(emulator_.Calls("chat.postMessage").empty());
}

TEST_F(SlackMessengerOverWebApiTest, DisplayNamesComeFromUsersInfoOnce) {
  EXPECT_EQ(messenger_->DisplayName(kAlice), "alice.l");
  EXPECT_EQ(messenger_->DisplayName(kAlice), "alice.l");
  EXPECT_EQ(messenger_->DisplayName(kBob), "Bob Builder");  // no display name: the real name
  EXPECT_EQ(messenger_->DisplayName(kBob), "Bob Builder");
  EXPECT_EQ(emulator_.Calls("users.info").size(), 2u);

  EXPECT_EQ(messenger_->DisplayName({"T0EMULATOR", "U0NOBODY"}), "");  // user_not_found
  emulator_.InjectFault("users.info", MakeFault(Fault::Kind::kServerError));
  const store::UserRef carol{"T0EMULATOR", "U0CAROL"};
  EXPECT_EQ(messenger_->DisplayName(carol), "");
  // A failed lookup is not remembered: once Slack is back, the name comes.
  emulator_.AddUser({"U0CAROL", "carol", "Carol Danvers", "", false});
  EXPECT_EQ(messenger_->DisplayName(carol), "Carol Danvers");
}

TEST_F(SlackMessengerOverWebApiTest, SlackFailuresBecomeErrorsNotCrashes) {
  emulator_.InjectFault("chat.postMessage", MakeFault(Fault::Kind::kServerError));
  Status s = messenger_->Send(Channel("C0GENERAL"), Say("a"));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;

  emulator_.InjectFault("chat.postMessage",
                        MakeFault(Fault::Kind::kSlackError, "channel_not_found"));
  s = messenger_->Send(Channel("C0GONE"), Say("b"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s;
  EXPECT_EQ(slack::SlackErrorCode(s), "channel_not_found");

  emulator_.InjectFault("chat.postMessage", MakeFault(Fault::Kind::kNotJson));
  EXPECT_FALSE(messenger_->Send(Channel("C0GENERAL"), Say("c")).ok());

  emulator_.InjectFault("chat.postEphemeral",
                        MakeFault(Fault::Kind::kSlackError, "user_not_in_channel"));
  Destination eph;
  eph.kind = Destination::Kind::kEphemeral;
  eph.channel = "C0GENERAL";
  eph.user = kBob;
  EXPECT_FALSE(messenger_->Send(eph, Say("e")).ok());

  Destination response;
  response.kind = Destination::Kind::kResponse;
  response.response_url = emulator_.NewResponseUrl();
  emulator_.InjectFault("response_url", MakeFault(Fault::Kind::kServerError));
  EXPECT_FALSE(messenger_->Send(response, Say("f")).ok());
  response.response_url = emulator_.root_url() + "/response/T0EMULATOR/999/unknown";
  EXPECT_FALSE(messenger_->Send(response, Say("g")).ok());

  // The DM cannot be opened: nothing is posted, and the failure is not remembered.
  emulator_.InjectFault("conversations.open", MakeFault(Fault::Kind::kServerError));
  const size_t posts = emulator_.Calls("chat.postMessage").size();
  EXPECT_FALSE(messenger_->Send(Destination::Direct(kAlice), Say("h")).ok());
  EXPECT_EQ(emulator_.Calls("chat.postMessage").size(), posts);
  ASSERT_TRUE(messenger_->Send(Destination::Direct(kAlice), Say("i")).ok());
  EXPECT_EQ(emulator_.Calls("chat.postMessage").back().args["channel"], "D0ALICE");

  // Slack is fine again.
  EXPECT_TRUE(messenger_->Send(Channel("C0GENERAL"), Say("j")).ok());
}

// Stored text may hold stray bytes, even cut inside a UTF-8 sequence; that may not break the
// request.
TEST_F(SlackMessengerOverWebApiTest, MalformedUtf8IsSentNotThrown) {
  Reply reply;
  reply.paragraphs.push_back(Line({Words("caf\xC3"), UserText("bad \xFF\xFE byte")}));
  Status sent = messenger_->Send(Channel("C0GENERAL"), reply);
  ASSERT_TRUE(sent.ok()) << sent;
  const auto calls = emulator_.Calls("chat.postMessage");
  ASSERT_EQ(calls.size(), 1u);
  ExpectWithinBlockKitLimits(calls[0]);
  EXPECT_THAT(calls[0].args["text"].get<std::string>(), HasSubstr("caf"));
}

TEST_F(SlackMessengerOverWebApiTest, AFailureInALongReplyStopsTheRest) {
  Reply reply = Say("Your topics:");
  for (int i = 0; i < 100; ++i) {
    reply.items.push_back({Line({UserText("q" + std::to_string(i))}),
                           {{"Edit", "edit_topic", std::to_string(i)},
                            {"Delete", "delete_topic", std::to_string(i)}}});
  }
  ASSERT_TRUE(messenger_->Send(Channel("C0GENERAL"), reply).ok());
  const size_t pages = emulator_.Calls("chat.postMessage").size();
  ASSERT_GE(pages, 3u);
  emulator_.ClearCalls();

  // The second message fails: the error comes back and no later page is sent.
  emulator_.InjectFault("chat.postMessage", MakeFault(Fault::Kind::kDelay), 1);
  emulator_.InjectFault("chat.postMessage", MakeFault(Fault::Kind::kServerError), 1);
  Status s = messenger_->Send(Channel("C0GENERAL"), reply);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
  EXPECT_EQ(emulator_.Calls("chat.postMessage").size(), 2u);
}

}  // namespace
}  // namespace faqbot::server
