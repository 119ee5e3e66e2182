// SlackBridge: Slack events through a real Assistant (real SQLite in a temporary folder, the
// lexicon the build compiled, the concierge model, a TrainingQueue on a ManualExecutor) to a
// Messenger that records what was said and where.
#include "server/slack_bridge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "assistant/recording_messenger.h"
#include "common/clock.h"
#include "common/executor.h"
#include "nlu/test_support.h"
#include "server/queued_messenger.h"
#include "server/slack_messenger.h"
#include "test_store.h"

namespace faqbot::server {
namespace {

using assistant::Destination;
using assistant::RecordingMessenger;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTeam[] = "T0001";
constexpr char kBot[] = "U0FAQBOT";
const store::UserRef kAlice{kTeam, "U0ALICE"};

slack::InboundEvent Event(slack::EventPayload payload) {
  slack::InboundEvent event;
  event.payload = std::move(payload);
  event.event_id = "Ev0TEST";
  return event;
}

slack::MessageEvent Dm(const std::string& text) {
  slack::MessageEvent m;
  m.team_id = kTeam;
  m.channel = "D0ALICE";
  m.channel_type = "im";
  m.user = kAlice.user_id;
  m.text = text;
  m.ts = "1700000000.000100";
  return m;
}

// Bob mentions the app in #general.
slack::AppMentionEvent BobMentions(const std::string& text) {
  slack::AppMentionEvent m;
  m.team_id = kTeam;
  m.channel = "C0GENERAL";
  m.user = "U0BOB";
  m.text = text;
  m.ts = "1700000001.000300";
  return m;
}

// Bob types a slash command in `channel`.
slack::SlashCommand BobTypes(const std::string& command, const std::string& channel,
                             const std::string& text) {
  slack::SlashCommand c;
  c.team_id = kTeam;
  c.user_id = "U0BOB";
  c.channel_id = channel;
  c.command = command;
  c.text = text;
  c.response_url = "https://hooks.slack.com/commands/T0001/1/xyz";
  return c;
}

slack::BlockAction Press(const std::string& action_id, const std::string& value = "") {
  slack::BlockAction a;
  a.team_id = kTeam;
  a.user = kAlice.user_id;
  a.channel = "D0ALICE";
  a.message_ts = "1700000000.000200";
  a.container_type = "message";
  a.action_id = action_id;
  a.action_type = "button";
  a.value = value;
  a.response_url = "https://hooks.slack.com/actions/T0001/1/abc";
  return a;
}

// A press of a button in the app's Home tab: no channel, message or response_url.
slack::BlockAction PressInHome(const std::string& action_id, const std::string& value = "") {
  slack::BlockAction a = Press(action_id, value);
  a.container_type = "view";
  a.view_id = "V0HOME";
  a.channel.clear();
  a.message_ts.clear();
  a.response_url.clear();
  a.trigger_id = "trigger-7";
  return a;
}

class SlackBridgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    messenger_.SetName(kAlice, "Alice");
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
    auto lexicon = nlu::testing::BuiltLexicon();
    auto concierge = assistant::ConciergeNlu::Create(lexicon);
    ASSERT_TRUE(concierge.ok()) << concierge.status();
    concierge_ = std::move(concierge).value();
    registry_ = std::make_unique<assistant::ModelRegistry>(
        lexicon, [this](const assistant::OwnerKey& owner) { return store_->LoadLiveModel(owner); });
    training_ = std::make_unique<assistant::TrainingQueue>(
        *store_, *registry_, lexicon, executor_, clock_, assistant::TrainingQueue::Callbacks{});
    assistant_ = std::make_unique<assistant::Assistant>(*store_, messenger_, *registry_, *training_,
                                                        *concierge_, clock_);
    home_ = std::make_unique<assistant::HomeTab>(*store_, assistant_->topics(), messenger_,
                                                 home_executor_, clock_);
    assistant_->topics().SetObserver([this](const store::UserRef& o) { home_->Refresh(o); });
    bridge_ = std::make_unique<SlackBridge>(*assistant_, kBot, home_.get());
  }
  void TearDown() override {
    bridge_.reset();
    home_.reset();
    training_.reset();
    assistant_.reset();
    registry_.reset();
    concierge_.reset();
    store_.reset();
  }

  // Handles `payload` and returns the replies it caused.
  std::vector<RecordingMessenger::Sent> Handle(slack::EventPayload payload) {
    const size_t before = messenger_.sent().size();
    bridge_->Handle(Event(std::move(payload)));
    auto all = messenger_.sent();
    return {all.begin() + static_cast<std::ptrdiff_t>(before), all.end()};
  }
  // The text of the single reply `payload` causes.
  std::string Reply(slack::EventPayload payload) {
    auto replies = Handle(std::move(payload));
    EXPECT_EQ(replies.size(), 1u);
    return replies.empty() ? "" : replies.back().text;
  }

  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  FakeClock clock_;
  ManualExecutor executor_;
  ManualExecutor home_executor_;
  RecordingMessenger messenger_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<assistant::ConciergeNlu> concierge_;
  std::unique_ptr<assistant::ModelRegistry> registry_;
  std::unique_ptr<assistant::TrainingQueue> training_;
  std::unique_ptr<assistant::Assistant> assistant_;
  std::unique_ptr<assistant::HomeTab> home_;
  std::unique_ptr<SlackBridge> bridge_;
};

// As `faqbot serve` wires it: the assistant speaks through a QueuedMessenger with sender threads.
class SlackBridgeOverQueueTest : public SlackBridgeTest {
 protected:
  void SetUp() override {
    SlackBridgeTest::SetUp();
    queued_ =
        std::make_unique<QueuedMessenger>(messenger_, &SlackMessenger::ConversationOf, senders_);
    bridge_.reset();
    home_.reset();
    assistant_ = std::make_unique<assistant::Assistant>(*store_, *queued_, *registry_, *training_,
                                                        *concierge_, clock_);
    bridge_ = std::make_unique<SlackBridge>(*assistant_, kBot);
  }
  void TearDown() override {
    messenger_.ReleaseNames();
    bridge_.reset();
    assistant_.reset();
    queued_.reset();
    senders_.Shutdown();
    SlackBridgeTest::TearDown();
  }

  ThreadPool senders_{2, "send"};
  std::unique_ptr<QueuedMessenger> queued_;
};

// users.info can take seconds (a rate limit's Retry-After). Here it takes until the test says so:
// the event thread goes on, and the replies — Alice's own and Bob's after hers — go out meanwhile.
TEST_F(SlackBridgeOverQueueTest, ASlowNameLookupDelaysNobodysReply) {
  messenger_.HoldNames();
  std::thread events([&] {             // one event thread, as Socket Mode has
    bridge_->Handle(Event(Dm("hi")));  // the greeting wants Alice's name
    bridge_->Handle(Event(BobMentions("<@U0FAQBOT> ask <@U0ALICE> where is the wiki?")));
  });
  // Bounded so that the old behaviour (the turn waits for the lookup) fails instead of hanging.
  const bool replied = messenger_.WaitForSent(2, std::chrono::seconds(30));
  const int lookups_waiting = messenger_.names_waiting();
  messenger_.ReleaseNames();
  events.join();
  ASSERT_TRUE(replied);
  EXPECT_EQ(lookups_waiting, 1);  // the lookup was still hanging when both replies were out
  ASSERT_TRUE(queued_->WaitIdle(std::chrono::seconds(30)));
  std::string all;
  for (const auto& sent : messenger_.sent()) all += sent.text;
  EXPECT_THAT(all, HasSubstr("How can I help?"));
  EXPECT_THAT(all, HasSubstr("<@U0ALICE> has not published any topics yet"));

  // Once the lookup is done, Alice is greeted by her name.
  const size_t before = messenger_.sent().size();
  bridge_->Handle(Event(Dm("hi")));
  ASSERT_TRUE(messenger_.WaitForSent(before + 1));
  EXPECT_THAT(messenger_.sent().back().text, HasSubstr("Hey, Alice!"));
}

TEST_F(SlackBridgeTest, AnImMessageIsADirectMessageAnsweredInTheDm) {
  auto replies = Handle(Dm("hi"));
  ASSERT_EQ(replies.size(), 1u);
  // Only the DM surface talks with the concierge.
  EXPECT_THAT(replies[0].text, HasSubstr("Hey, Alice! How can I help?"));
  EXPECT_EQ(replies[0].to.kind, Destination::Kind::kChannel);
  EXPECT_EQ(replies[0].to.channel, "D0ALICE");
  EXPECT_EQ(replies[0].to.user, kAlice);
  EXPECT_TRUE(replies[0].to.thread_ts.empty());
}

TEST_F(SlackBridgeTest, MessagesOutsideTheDmAndChannelsAreIgnored) {
  // (Channel messages reach the assistant only for watched channels: SlackBridgeWatchTest.)
  for (const char* type : {"channel", "group", "mpim", ""}) {
    auto m = Dm("<@U0FAQBOT> hi");
    m.channel = "C0GENERAL";
    m.channel_type = type;
    EXPECT_TRUE(Handle(m).empty()) << type;
  }
  // Opening the Messages tab or submitting some other modal does nothing.
  EXPECT_TRUE(
      Handle(slack::AppHomeOpenedEvent{kTeam, kAlice.user_id, "D0ALICE", "messages"}).empty());
  EXPECT_TRUE(Handle(slack::ViewSubmission{kTeam, kAlice.user_id, "V1", "cb", "", "", {}}).empty());
  home_executor_.RunAll();
  EXPECT_TRUE(messenger_.homes().empty());
  EXPECT_TRUE(messenger_.forms().empty());
}

// With the workspace searched and Alice's topics published, as `faqbot serve` runs.
class SlackBridgeWatchTest : public SlackBridgeTest {
 protected:
  void SetUp() override {
    SlackBridgeTest::SetUp();
    workspace_ = std::make_unique<assistant::WorkspaceIndex>(nlu::testing::BuiltLexicon());
    ASSERT_TRUE(assistant::FollowPublications(*store_, *workspace_).ok());
    bridge_.reset();
    home_.reset();
    assistant_ = std::make_unique<assistant::Assistant>(
        *store_, messenger_, *registry_, *training_, *concierge_, clock_,
        assistant::AssistantOptions{}, workspace_.get());
    bridge_ = std::make_unique<SlackBridge>(*assistant_, kBot);
    ASSERT_TRUE(
        store_->AddTopic(kAlice, {"where do visitors park", {"parking for guests"}, "Level -2."})
            .ok());
    ASSERT_TRUE(training_->Enqueue(kAlice).ok());
    executor_.RunAll();
  }
  void TearDown() override {
    bridge_.reset();
    assistant_.reset();
    SlackBridgeTest::TearDown();
    workspace_.reset();
  }
  slack::MessageEvent InChannel(const std::string& channel, const std::string& type,
                                const std::string& text, const std::string& ts) {
    slack::MessageEvent m;
    m.team_id = kTeam;
    m.channel = channel;
    m.channel_type = type;
    m.user = "U0BOB";
    m.text = text;
    m.ts = ts;
    return m;
  }
  std::unique_ptr<assistant::WorkspaceIndex> workspace_;
};

TEST_F(SlackBridgeWatchTest, TopLevelMessagesOfAWatchedChannelAreAnsweredInTheirThread) {
  slack::SlashCommand c = BobTypes("/faqbot", "C0HELP", "watch");
  EXPECT_THAT(Reply(c), HasSubstr("asked me to answer questions in this channel"));
  c.channel_id = "G0PRIV";
  EXPECT_THAT(Reply(c), HasSubstr("asked me to answer questions in this channel"));

  auto replies = Handle(InChannel("C0HELP", "channel", "where do visitors park?", "500.1"));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_THAT(replies[0].text, HasSubstr("Level -2."));
  EXPECT_EQ(replies[0].to.kind, Destination::Kind::kChannel);
  EXPECT_EQ(replies[0].to.channel, "C0HELP");
  EXPECT_EQ(replies[0].to.thread_ts, "500.1");
  EXPECT_THAT(Reply(InChannel("G0PRIV", "group", "where do visitors park?", "500.2")),
              HasSubstr("Level -2."));

  // A thread reply, one also sent to the channel, an edit, or a group DM: never.
  auto reply = InChannel("C0HELP", "channel", "where do visitors park?", "500.4");
  reply.thread_ts = "500.3";
  EXPECT_TRUE(Handle(reply).empty());
  reply.subtype = "thread_broadcast";
  EXPECT_TRUE(Handle(reply).empty());
  auto edit = InChannel("C0HELP", "channel", "where do visitors park?", "500.5");
  edit.subtype = "message_changed";
  EXPECT_TRUE(Handle(edit).empty());
  EXPECT_TRUE(Handle(InChannel("G0MPIM", "mpim", "where do visitors park?", "500.6")).empty());
}

TEST_F(SlackBridgeTest, OpeningTheHomeTabPublishesIt) {
  bridge_->Handle(Event(slack::AppHomeOpenedEvent{kTeam, kAlice.user_id, "D0ALICE", "home"}));
  EXPECT_TRUE(messenger_.homes().empty());  // queued, never on the event's thread
  home_executor_.RunAll();
  auto homes = messenger_.homes();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_EQ(homes[0].user, kAlice);
  EXPECT_THAT(homes[0].text, HasSubstr("You have no topics yet"));
}

TEST_F(SlackBridgeTest, HomeButtonsOpenTheFormAndItsSubmissionIsStored) {
  EXPECT_TRUE(Handle(PressInHome("home_add_topic#0")).empty());
  auto forms = messenger_.forms();
  ASSERT_EQ(forms.size(), 1u);
  EXPECT_EQ(forms[0].trigger_id, "trigger-7");
  EXPECT_EQ(forms[0].form.topic_id, 0);

  slack::ViewSubmission submitted{kTeam,
                                  kAlice.user_id,
                                  "V1",
                                  "topic_form",
                                  "",
                                  "",
                                  {{"question.question", "is &lt;b&gt; bold?"},
                                   {"phrasings.phrasings", ""},
                                   {"answer.answer", "Yes."}}};
  // The ack has nothing to say about a valid form.
  EXPECT_FALSE(SlackBridge::Ack(Event(submitted)).has_value());
  EXPECT_TRUE(Handle(submitted).empty());
  auto topics = store_->ListTopics(kAlice);
  ASSERT_TRUE(topics.ok());
  ASSERT_EQ(topics->size(), 1u);
  // Modal inputs are plain text: Slack sends them verbatim, nothing to decode.
  EXPECT_EQ((*topics)[0].content.question, "is &lt;b&gt; bold?");
  home_executor_.RunAll();
  ASSERT_EQ(messenger_.homes().size(), 1u);

  // An invalid one is answered in the ack, under its input.
  submitted.values["answer.answer"] = "";
  auto ack = SlackBridge::Ack(Event(submitted));
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ((*ack)["response_action"], "errors");
  EXPECT_TRUE((*ack)["errors"].contains("answer")) << ack->dump();
  EXPECT_FALSE((*ack)["errors"].contains("question")) << ack->dump();
}

TEST_F(SlackBridgeTest, AnAssistantButtonOnTheHomeRefreshesIt) {
  auto replies = Handle(PressInHome("help#1"));
  ASSERT_FALSE(replies.empty());
  EXPECT_EQ(replies[0].to.kind, Destination::Kind::kDirect);  // a Home press is answered in the DM
  home_executor_.RunAll();
  EXPECT_EQ(messenger_.homes().size(), 1u);

  // The web console's button answers in the DM (here, with no console served, how to get a
  // sign-in link).
  auto console = Handle(PressInHome("open_console#2"));
  ASSERT_EQ(console.size(), 1u);
  EXPECT_EQ(console[0].to.kind, Destination::Kind::kDirect);
  EXPECT_THAT(console[0].text, HasSubstr("faqbot console link"));
}

TEST_F(SlackBridgeTest, AnAppMentionIsAnsweredInItsThread) {
  // The bot's own mention is not taken as the owner.
  auto m = BobMentions("<@U0FAQBOT> ask <@U0ALICE>");
  auto replies = Handle(m);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_THAT(replies[0].text, HasSubstr("What would you like to ask <@U0ALICE>?"));
  EXPECT_EQ(replies[0].to.kind, Destination::Kind::kChannel);
  EXPECT_EQ(replies[0].to.channel, "C0GENERAL");
  EXPECT_EQ(replies[0].to.thread_ts, "1700000001.000300");
  EXPECT_EQ(replies[0].to.user, (store::UserRef{kTeam, "U0BOB"}));

  // Inside a thread, the answer stays in that thread.
  m.ts = "1700000002.000400";
  m.thread_ts = "1700000000.000001";
  m.text = "<@U0FAQBOT> hello";
  replies = Handle(m);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_THAT(replies[0].text, HasSubstr("Who should I ask?"));
  EXPECT_EQ(replies[0].to.thread_ts, "1700000000.000001");
}

TEST_F(SlackBridgeTest, ASlashCommandIsAnsweredThroughItsResponseUrl) {
  slack::SlashCommand c = BobTypes("/ask", "C0GENERAL", "");
  auto replies = Handle(c);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_THAT(replies[0].text, HasSubstr("`/ask @person your question`"));
  EXPECT_EQ(replies[0].to.kind, Destination::Kind::kResponse);
  EXPECT_EQ(replies[0].to.response_url, c.response_url);
  EXPECT_FALSE(replies[0].to.in_channel);

  // The asker hears back through the response URL; the owner is told in a DM.
  c.text = "<@U0ALICE|alice> where is the wifi?";
  replies = Handle(c);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_THAT(replies[0].text, HasSubstr("<@U0ALICE> has not published any topics yet"));
  EXPECT_EQ(replies[0].to.kind, Destination::Kind::kResponse);
  EXPECT_EQ(replies[0].to.response_url, c.response_url);
  EXPECT_EQ(replies[1].to.kind, Destination::Kind::kDirect);
  EXPECT_EQ(replies[1].to.user, kAlice);
  EXPECT_THAT(replies[1].text, HasSubstr("where is the wifi?"));
}

TEST_F(SlackBridgeTest, AButtonPressTakesItsActionFromTheActionId) {
  EXPECT_THAT(Reply(Press("publish#2")),
              HasSubstr("You don't have any topics to publish yet. Add one first?"));
  auto replies = Handle(Press("add_topic#0"));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_THAT(replies[0].text, HasSubstr("What question should I expect?"));
  EXPECT_EQ(replies[0].to.kind, Destination::Kind::kChannel);
  EXPECT_EQ(replies[0].to.channel, "D0ALICE");

  // A press on an ephemeral message can only be answered through its response_url.
  auto ephemeral = Press("help#1");
  ephemeral.is_ephemeral = true;
  replies = Handle(ephemeral);
  ASSERT_FALSE(replies.empty());
  EXPECT_EQ(replies[0].to.kind, Destination::Kind::kResponse);
  EXPECT_EQ(replies[0].to.response_url, ephemeral.response_url);

  EXPECT_THAT(Reply(Press("no_such_action#0")), HasSubstr("That button is no longer valid"));
}

TEST_F(SlackBridgeTest, SlackEntitiesAreDecodedBeforeTheAssistantSeesThem) {
  EXPECT_THAT(Reply(Press("add_topic#0")), HasSubstr("What question should I expect?"));
  EXPECT_THAT(Reply(Dm("is &lt;b&gt; bold &amp; loud?")),
              HasSubstr("What answer should I provide?"));
  EXPECT_THAT(Reply(Dm("Yes &amp; no: use &lt;b&gt;")), HasSubstr("Topic added"));

  auto replies = Handle(Dm("show my topics"));
  ASSERT_EQ(replies.size(), 1u);
  std::vector<std::string> user_texts;
  for (const auto& item : replies[0].reply.items) {
    for (const auto& span : item.text.spans) {
      if (span.kind == assistant::Span::Kind::kUserText) user_texts.push_back(span.value);
    }
  }
  EXPECT_THAT(user_texts, ::testing::Contains("is <b> bold & loud?")) << replies[0].text;
  EXPECT_THAT(replies[0].text, Not(HasSubstr("&lt;")));
  EXPECT_THAT(replies[0].text, Not(HasSubstr("&amp;")));
}

TEST_F(SlackBridgeTest, TheBotUserIdCanBeSetAfterStart) {
  SlackBridge late(*assistant_, "");
  late.set_bot_user_id(kBot);
  const size_t before = messenger_.sent().size();
  late.Handle(Event(BobMentions("<@U0FAQBOT> ask <@U0ALICE>")));
  auto sent = messenger_.sent();
  ASSERT_EQ(sent.size(), before + 1);
  EXPECT_THAT(sent.back().text, HasSubstr("What would you like to ask <@U0ALICE>?"));
}

// With several workspaces, each event names its own bot user; the mention of that one is stripped.
TEST_F(SlackBridgeTest, EachWorkspacesOwnBotUserIsTheMentionedOne) {
  SlackBridge bridge(*assistant_, "");
  slack::InboundEvent event = Event(BobMentions("<@U0OTHERBOT> ask <@U0ALICE>"));
  event.bot_user_id = "U0OTHERBOT";
  const size_t before = messenger_.sent().size();
  bridge.Handle(event);
  auto sent = messenger_.sent();
  ASSERT_EQ(sent.size(), before + 1);
  EXPECT_THAT(sent.back().text, HasSubstr("What would you like to ask <@U0ALICE>?"));
}

}  // namespace
}  // namespace faqbot::server
