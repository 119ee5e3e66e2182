// SlackMessenger::Render, the pure half of the messenger: a Reply → Slack messages. Sending them
// (DM, thread, ephemeral, response_url) is tested against the loopback emulator in
// tests/server/slack_messenger_integration_test.cc.
#include "server/slack_messenger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "slack/block_kit.h"
#include "slack/mrkdwn.h"

namespace faqbot::server {
namespace {

using assistant::Button;
using assistant::Line;
using assistant::ListItem;
using assistant::Mention;
using assistant::Reply;
using assistant::UserText;
using assistant::Words;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// Every mrkdwn text of `messages`, in order.
std::vector<std::string> Texts(const std::vector<json>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) {
    for (const auto& block : m["blocks"]) {
      if (block.contains("text") && block["text"].is_object()) {
        out.push_back(block["text"]["text"].get<std::string>());
      }
      if (block.contains("elements")) {
        for (const auto& e : block["elements"]) {
          if (e.value("type", "") == "mrkdwn") out.push_back(e["text"].get<std::string>());
        }
      }
    }
  }
  return out;
}

std::string Joined(const std::vector<json>& messages) {
  std::string out;
  for (const auto& t : Texts(messages)) out += t + "\n";
  return out;
}

TEST(SlackMessengerTest, ActionOfActionIdDropsThePosition) {
  EXPECT_EQ(ActionOfActionId("publish#2"), "publish");
  EXPECT_EQ(ActionOfActionId("feedback_up#0"), "feedback_up");
  EXPECT_EQ(ActionOfActionId("publish"), "publish");
  EXPECT_EQ(ActionOfActionId(""), "");
  EXPECT_EQ(ActionOfActionId("a#1#2"), "a");
}

TEST(SlackMessengerTest, RendersParagraphsButtonsAndContextAsOneMessage) {
  Reply reply;
  reply.paragraphs.push_back(Line("Hey, *Alice*! How can I help?"));
  reply.paragraphs.push_back(Line({Words("You asked: "), UserText("a < b")}));
  reply.buttons = {{"Add a topic", "add_topic", "", Button::Style::kPrimary},
                   {"Publish", "publish", "", Button::Style::kDanger},
                   {"Help", "help", "x"}};
  reply.context.push_back(Line({Words("topic: "), UserText("wifi & vpn")}));

  auto messages = SlackMessenger::Render(reply);
  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 1u);
  const json& m = messages->front();
  EXPECT_EQ(m["text"], "Hey, *Alice*! How can I help?\nYou asked: a &lt; b");
  const json& blocks = m["blocks"];
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0]["type"], "section");
  EXPECT_EQ(blocks[0]["text"]["type"], "mrkdwn");
  EXPECT_EQ(blocks[0]["text"]["text"], "Hey, *Alice*! How can I help?\n\nYou asked: a &lt; b");
  ASSERT_EQ(blocks[1]["type"], "actions");
  ASSERT_EQ(blocks[1]["elements"].size(), 3u);
  EXPECT_EQ(blocks[1]["elements"][0]["action_id"], "add_topic#0");
  EXPECT_EQ(blocks[1]["elements"][0]["style"], "primary");
  EXPECT_FALSE(blocks[1]["elements"][0].contains("value"));
  EXPECT_EQ(blocks[1]["elements"][1]["action_id"], "publish#1");
  EXPECT_EQ(blocks[1]["elements"][1]["style"], "danger");
  EXPECT_EQ(blocks[1]["elements"][2]["value"], "x");
  EXPECT_EQ(blocks[2]["type"], "context");
  EXPECT_EQ(blocks[2]["elements"][0]["text"], "topic: wifi &amp; vpn");
}

TEST(SlackMessengerTest, EscapesUserTextButNotTheAssistantsMarkupOrMentions) {
  Reply reply;
  reply.paragraphs.push_back(
      Line({Mention("U0ALICE"), Words(" says - "),
            UserText("<!channel> <@U123> <https://wiki.example|the wiki> &")}));
  reply.items.push_back({Line({UserText("<!here> item")}), {{"Edit", "edit_topic", "1"}}});
  reply.context.push_back(Line({UserText("<#C0GENERAL> <!subteam^S1|@team>")}));

  auto messages = SlackMessenger::Render(reply);
  ASSERT_TRUE(messages.ok()) << messages.status();
  const std::string all = Joined(*messages);
  // Broadcasts stay inert; what the person linked or mentioned shows as they wrote it.
  EXPECT_THAT(all, HasSubstr("<@U0ALICE> says - &lt;!channel&gt; <@U123> "
                             "<https://wiki.example|the wiki> &amp;"));
  EXPECT_THAT(all, HasSubstr("&lt;!here&gt; item"));
  EXPECT_THAT(all, HasSubstr("<#C0GENERAL> &lt;!subteam^S1|@team&gt;"));
  EXPECT_THAT(all, Not(HasSubstr("<!")));
  // The notification text too.
  for (const auto& m : *messages) {
    EXPECT_EQ(m["text"],
              "<@U0ALICE> says - &lt;!channel&gt; <@U123> "
              "<https://wiki.example|the wiki> &amp;");
  }
}

TEST(SlackMessengerTest, NotificationTextIsTheStartOfTheReplyShortenedVisibly) {
  Reply reply;
  std::string answer;
  for (int i = 0; i < 40; ++i) answer += "caf\xC3\xA9 & <b> ";
  reply.paragraphs.push_back(Line({Mention("U0ALICE"), Words(" says - "), UserText(answer)}));
  reply.paragraphs.push_back(Line("Was this helpful?"));
  auto messages = SlackMessenger::Render(reply);
  ASSERT_TRUE(messages.ok()) << messages.status();
  const std::string text = messages->front()["text"];
  EXPECT_LE(slack::SlackTextLength(text), 150u);
  EXPECT_EQ(text.rfind("<@U0ALICE> says - caf\xC3\xA9 &amp; &lt;b&gt; caf", 0), 0u) << text;
  EXPECT_EQ(text.substr(text.size() - 3), "\u2026");
  // Cut between whole entities: every '&' starts one.
  for (size_t at = text.find('&'); at != std::string::npos; at = text.find('&', at + 1)) {
    EXPECT_TRUE(text.compare(at, 5, "&amp;") == 0 || text.compare(at, 4, "&lt;") == 0 ||
                text.compare(at, 4, "&gt;") == 0)
        << text.substr(at);
  }

  Reply list;
  list.items.push_back({Line({Words("🅾 "), UserText("a < b")}), {}});
  EXPECT_EQ(SlackMessenger::Render(list)->front()["text"], "🅾 a &lt; b");
}

TEST(SlackMessengerTest, ListItemsKeepTheirTextAndButtons) {
  Reply reply;
  reply.paragraphs.push_back(Line("Your topics:"));
  for (int i = 0; i < 3; ++i) {
    reply.items.push_back(
        {Line({Words("🅾 "), UserText("question " + std::to_string(i))}),
         {{"Edit", "edit_topic", std::to_string(i)},
          {"Delete", "delete_topic", std::to_string(i), Button::Style::kDanger}}});
  }
  reply.items.push_back({Line({UserText("one button")}), {{"Edit", "edit_topic", "3"}}});
  reply.buttons = {{"Add a topic", "add_topic", ""}};

  auto messages = SlackMessenger::Render(reply);
  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 1u);
  const json& blocks = messages->front()["blocks"];
  EXPECT_TRUE(slack::ValidateBlocks(blocks).ok());
  EXPECT_EQ(blocks[0]["text"]["text"], "Your topics:");
  EXPECT_EQ(blocks[1]["text"]["text"], "🅾 question 0");
  EXPECT_EQ(blocks[2]["type"], "actions");
  EXPECT_EQ(blocks[2]["elements"][0]["action_id"], "edit_topic#0");
  EXPECT_EQ(blocks[2]["elements"][1]["action_id"], "delete_topic#1");
  EXPECT_EQ(blocks[2]["elements"][1]["value"], "0");
  // An item with one button carries it as the section's accessory.
  EXPECT_EQ(blocks[7]["text"]["text"], "one button");
  EXPECT_EQ(blocks[7]["accessory"]["action_id"], "edit_topic#0");
  // The page's context line, then the reply's buttons last.
  EXPECT_EQ(blocks[8]["type"], "context");
  EXPECT_EQ(blocks.back()["type"], "actions");
  EXPECT_EQ(blocks.back()["elements"][0]["action_id"], "add_topic#0");
}

TEST(SlackMessengerTest, ManyButtonsSpreadOverActionsBlocksWithUniqueIds) {
  Reply reply;
  reply.paragraphs.push_back(Line("Pick one"));
  for (int i = 0; i < 60; ++i) reply.buttons.push_back({"B" + std::to_string(i), "pick", "v"});
  auto messages = SlackMessenger::Render(reply);
  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 1u);
  const json& blocks = messages->front()["blocks"];
  ASSERT_EQ(blocks.size(), 4u);  // the text and 25 + 25 + 10 buttons
  size_t buttons = 0;
  for (size_t b = 1; b < blocks.size(); ++b) {
    std::set<std::string> ids;
    for (const auto& e : blocks[b]["elements"]) {
      EXPECT_TRUE(ids.insert(e["action_id"].get<std::string>()).second) << e;
      EXPECT_EQ(ActionOfActionId(e["action_id"].get<std::string>()), "pick");
      ++buttons;
    }
    EXPECT_LE(blocks[b]["elements"].size(), slack::kMaxActionsElements);
  }
  EXPECT_EQ(buttons, 60u);
}

TEST(SlackMessengerTest, LongButtonLabelsAreShortenedVisibly) {
  Reply reply;
  reply.paragraphs.push_back(Line("Which topic?"));
  reply.buttons = {{std::string(200, 'x'), "handoff_topic", "7"}};
  auto messages = SlackMessenger::Render(reply);
  ASSERT_TRUE(messages.ok()) << messages.status();
  const std::string label = messages->front()["blocks"][1]["elements"][0]["text"]["text"];
  EXPECT_LE(slack::SlackTextLength(label), slack::kMaxButtonText);
  EXPECT_THAT(label, ::testing::EndsWith(std::string(slack::kEllipsis)));
}

TEST(SlackMessengerTest, AButtonValueOverTheLimitIsAnErrorNotAnInvalidMessage) {
  Reply reply;
  reply.paragraphs.push_back(Line("x"));
  reply.buttons = {{"Answer", "handoff_answer", std::string(slack::kMaxButtonValue + 1, 'v')}};
  auto messages = SlackMessenger::Render(reply);
  ASSERT_FALSE(messages.ok());
  EXPECT_EQ(messages.status().code(), StatusCode::kInvalidArgument);
}

// The longest answer the store accepts, made mostly of "&", which grows fivefold when escaped:
// more sections than one message may hold, so it goes out over several messages, all of it.
TEST(SlackMessengerTest, AnAnswerLongerThanOneMessageIsSplitNotCut) {
  std::string answer;
  for (int i = 0; answer.size() + 30 < 40'000; ++i) {
    answer += std::string(20, '&') + std::to_string(i) + " ";
  }
  Reply reply;
  reply.paragraphs.push_back(Line({UserText(answer)}));
  reply.buttons = {{"👍 Helpful", "feedback_up", "1"}};

  auto messages = SlackMessenger::Render(reply);
  ASSERT_TRUE(messages.ok()) << messages.status();
  EXPECT_GT(messages->size(), 1u);
  std::string sent;
  for (const auto& m : *messages) {
    EXPECT_TRUE(slack::ValidateBlocks(m["blocks"]).ok());
    for (const auto& block : m["blocks"]) {
      if (block["type"] == "section") sent += block["text"]["text"].get<std::string>() + " ";
    }
  }
  EXPECT_THAT(sent, Not(HasSubstr("not shown")));
  const std::string escaped = slack::EscapeMrkdwn(answer);
  // Cuts drop only the whitespace where they fall.
  auto squeeze = [](std::string s) {
    std::erase(s, ' ');
    return s;
  };
  EXPECT_EQ(squeeze(sent), squeeze(escaped));
  EXPECT_EQ(messages->back()["blocks"].back()["type"], "actions");
}

}  // namespace
}  // namespace faqbot::server
