#include "slack/block_kit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "slack/mrkdwn.h"

namespace faqbot::slack {
namespace {

using nlohmann::json;

// Calls `f` on every object in `j`, recursively.
void ForEachObject(const json& j, const std::function<void(const json&)>& f) {
  if (j.is_object()) f(j);
  if (j.is_structured()) {
    for (const json& child : j) ForEachObject(child, f);
  }
}

// Every limit, checked independently of ValidateBlocks.
void ExpectWithinLimits(const json& message) {
  ASSERT_TRUE(message.contains("blocks"));
  EXPECT_LE(message["blocks"].size(), kMaxBlocksPerMessage);
  EXPECT_LE(SlackTextLength(message["text"].get<std::string>()), kMaxSectionText);
  ForEachObject(message["blocks"], [](const json& o) {
    if (o.value("type", "") == "mrkdwn" || o.value("type", "") == "plain_text") {
      EXPECT_LE(SlackTextLength(o["text"].get<std::string>()), kMaxSectionText);
      EXPECT_FALSE(o["text"].get<std::string>().empty());
    }
    if (o.value("type", "") == "button") {
      EXPECT_LE(SlackTextLength(o["text"]["text"].get<std::string>()), kMaxButtonText);
      EXPECT_LE(o.value("action_id", "").size(), kMaxActionId);
      EXPECT_LE(o.value("value", "").size(), kMaxButtonValue);
    }
    if (o.value("type", "") == "actions") {
      EXPECT_LE(o["elements"].size(), kMaxActionsElements);
    }
  });
  EXPECT_TRUE(ValidateBlocks(message["blocks"]).ok()) << ValidateBlocks(message["blocks"]);
}

std::string TextsOf(const json& blocks) {
  std::string all;
  for (const json& b : blocks) {
    if (b.contains("text")) all += b["text"]["text"].get<std::string>();
  }
  return all;
}

std::string WithoutSpace(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }),
          s.end());
  return s;
}

std::vector<ListItem> Topics(size_t n, size_t buttons) {
  std::vector<ListItem> items;
  for (size_t i = 0; i < n; ++i) {
    ListItem item;
    item.mrkdwn = "\u2705 *" + EscapeMrkdwn("Question <" + std::to_string(i) + "> & more?") +
                  "*\n" + EscapeMrkdwn("The answer to question " + std::to_string(i));
    const std::string id = "topic-" + std::to_string(i);
    const char* labels[] = {"Edit", "Delete", "Add a phrasing"};
    for (size_t b = 0; b < buttons; ++b) {
      item.buttons.push_back({labels[b % 3], std::string("topic_") + labels[b % 3], id,
                              b == 1 ? ButtonStyle::kDanger : ButtonStyle::kDefault});
    }
    items.push_back(std::move(item));
  }
  return items;
}

TEST(BlockKitTest, FiveHundredTopicsWithButtonsPaginateWithinLimits) {
  PageOptions options{.title = "Your topics", .footer = "", .nav_action_id = "topics_page"};
  auto pages = PaginateList(Topics(500, 3), options);
  ASSERT_TRUE(pages.ok()) << pages.status();
  // 2 blocks per topic, 47 blocks of room per page: 23 topics a page.
  EXPECT_EQ(pages->size(), 22u);
  std::multiset<std::string> seen;
  for (const json& page : *pages) {
    ExpectWithinLimits(page);
    for (const json& b : page["blocks"]) {
      if (b["type"] == "section") seen.insert(b["text"]["text"].get<std::string>());
    }
  }
  EXPECT_EQ(seen.size(), 500u);
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), 500u);
}

TEST(BlockKitTest, ButtonLabelsShowWhatAReaderSeesOfMarkup) {
  EXPECT_EQ(PlainLabel("It's “Where is the <https://wiki.example.com|wiki>?”"),
            "It's “Where is the wiki?”");
  EXPECT_EQ(PlainLabel("see <https://x.example> &amp; ask <@U0ALICE> in <#C01|it-help> &lt;3"),
            "see https://x.example & ask @U0ALICE in #it-help <3");
  EXPECT_EQ(PlainLabel("<!here> <!subteam^S01|@ops> a < b & c >"), "@here @ops a < b & c >");
  Button b{"Ask <@U0BOB|bob> &amp; co", "ask", "v"};
  b.confirm = Confirm{"Sure?", "Send <https://x|the link>?", "Yes", "No"};
  const auto element = ButtonElement(b);
  EXPECT_EQ(element["text"]["text"], "Ask @bob & co");
  EXPECT_EQ(element["confirm"]["text"]["text"], "Send the link?");
}

TEST(BlockKitTest, SingleButtonTopicsUseAnAccessory) {
  auto pages = PaginateList(Topics(500, 1), {.title = "Topics"});
  ASSERT_TRUE(pages.ok()) << pages.status();
  EXPECT_EQ(pages->size(), 11u);  // 48 one-block topics a page
  for (const json& page : *pages) ExpectWithinLimits(page);
  EXPECT_EQ((*pages)[0]["blocks"][1]["accessory"]["type"], "button");
}

TEST(BlockKitTest, PageNavigationButtons) {
  auto pages = PaginateList(Topics(60, 1), {.title = "Topics", .nav_action_id = "nav"});
  ASSERT_TRUE(pages.ok());
  ASSERT_EQ(pages->size(), 2u);
  const json& first_nav = (*pages)[0]["blocks"].back();
  ASSERT_EQ(first_nav["elements"].size(), 1u);
  EXPECT_EQ(first_nav["elements"][0]["action_id"], "nav:next");
  EXPECT_EQ(first_nav["elements"][0]["value"], "1");
  const json& last_nav = (*pages)[1]["blocks"].back();
  ASSERT_EQ(last_nav["elements"].size(), 1u);
  EXPECT_EQ(last_nav["elements"][0]["action_id"], "nav:prev");
  EXPECT_EQ(last_nav["elements"][0]["value"], "0");
  EXPECT_EQ((*pages)[1]["blocks"][0]["text"]["text"], "Topics (2/2)");
}

TEST(BlockKitTest, HugeTopicsAreShortenedVisibly) {
  ListItem item;
  item.mrkdwn = std::string(5000, 'q');
  item.buttons.push_back({std::string(100, 'L'), "edit", "topic-1"});
  auto pages = PaginateList({item}, {.title = std::string(200, 'T')});
  ASSERT_TRUE(pages.ok()) << pages.status();
  ExpectWithinLimits(pages->front());
  const json& blocks = pages->front()["blocks"];
  EXPECT_NE(blocks[1]["text"]["text"].get<std::string>().find("shortened"), std::string::npos);
  const std::string label = blocks[1]["accessory"]["text"]["text"];
  EXPECT_EQ(label.substr(label.size() - kEllipsis.size()), kEllipsis);
  EXPECT_LE(SlackTextLength(blocks[0]["text"]["text"].get<std::string>()), kMaxHeaderText);
}

TEST(BlockKitTest, EmptyListIsOnePageSayingSo) {
  auto pages = PaginateList({}, {.title = "Your topics"});
  ASSERT_TRUE(pages.ok());
  ASSERT_EQ(pages->size(), 1u);
  EXPECT_EQ((*pages)[0]["blocks"][1]["elements"][0]["text"], "Nothing to show.");
}

TEST(BlockKitTest, ItemTooLargeForAPageIsAnError) {
  auto pages = PaginateList(Topics(1, 3), {.title = "t", .max_blocks = 3});
  EXPECT_EQ(pages.status().code(), StatusCode::kInvalidArgument);
}

TEST(BlockKitTest, TenThousandCharacterAnswerIsFullyPresentAcrossSections) {
  std::string answer;
  for (int i = 0; answer.size() < 10'000; ++i) {
    answer += EscapeMrkdwn("Step " + std::to_string(i) + ": open <Settings> & choose \"Reset\". ");
    if (i % 7 == 6) answer += "\n\n";
  }
  MessageBuilder message("answer");
  message.AddText(answer);
  auto built = message.Build();
  ASSERT_TRUE(built.ok()) << built.status();
  ExpectWithinLimits(*built);
  EXPECT_GE((*built)["blocks"].size(), 4u);
  EXPECT_EQ(WithoutSpace(TextsOf((*built)["blocks"])), WithoutSpace(answer));
}

TEST(BlockKitTest, EscapedUserTextStaysInert) {
  json section = SectionBlock(EscapeMrkdwn("<!channel> see <https://evil|click> <@U123>"));
  const std::string text = section["text"]["text"];
  EXPECT_EQ(text.find('<'), std::string::npos);
  EXPECT_EQ(text, "&lt;!channel&gt; see &lt;https://evil|click&gt; &lt;@U123&gt;");
}

TEST(BlockKitTest, ButtonsKeepLimitsAndStyles) {
  json b =
      ButtonElement({std::string(80, 'x'), "faq_helpful", "topic-42:yes", ButtonStyle::kPrimary});
  EXPECT_EQ(b["style"], "primary");
  EXPECT_LE(SlackTextLength(b["text"]["text"].get<std::string>()), kMaxButtonText);
  EXPECT_EQ(b["value"], "topic-42:yes");
  json plain = ButtonElement({"No", "faq_not_helpful", "", ButtonStyle::kDefault});
  EXPECT_FALSE(plain.contains("style"));
  EXPECT_FALSE(plain.contains("value"));
}

TEST(BlockKitTest, OverlongIdentifiersFailTheBuildInsteadOfBeingCut) {
  MessageBuilder value_too_long("x");
  value_too_long.Add(ActionsBlock({{"Ok", "ok", std::string(kMaxButtonValue + 1, 'v')}}));
  auto r = value_too_long.Build();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("blocks[0].elements[0].value"), std::string::npos)
      << r.status();
  MessageBuilder id_too_long("x");
  id_too_long.Add(SectionBlock("hi", {}, Button{"Ok", std::string(256, 'a'), "v"}));
  EXPECT_NE(id_too_long.Build().status().message().find("accessory.action_id"), std::string::npos);
  MessageBuilder block_id_too_long("x");
  block_id_too_long.Add(SectionBlock("hi", {}, std::nullopt, std::string(256, 'b')));
  EXPECT_FALSE(block_id_too_long.Build().ok());
}

TEST(BlockKitTest, SectionFieldsBeyondTenSayHowManyMore) {
  std::vector<std::string> fields;
  for (int i = 0; i < 12; ++i) fields.push_back("field " + std::to_string(i));
  fields[0] = std::string(2500, 'f');
  json s = SectionBlock("", fields);
  EXPECT_FALSE(s.contains("text"));
  ASSERT_EQ(s["fields"].size(), kMaxSectionFields);
  EXPECT_EQ(s["fields"][9]["text"], "_\u2026and 3 more_");
  EXPECT_LE(SlackTextLength(s["fields"][0]["text"].get<std::string>()), kMaxFieldText);
  EXPECT_TRUE(ValidateBlocks(json::array({s})).ok());
}

TEST(BlockKitTest, ActionsAndContextKeepTheirElementLimits) {
  std::vector<Button> many(30, Button{"b", "a", "v"});
  EXPECT_EQ(ActionsBlock(many)["elements"].size(), kMaxActionsElements);
  EXPECT_EQ(ContextBlock(std::vector<std::string>(12, "c"))["elements"].size(),
            kMaxContextElements);
}

TEST(BlockKitTest, MessageOverFiftyBlocksIsCutVisibly) {
  MessageBuilder message("many");
  for (int i = 0; i < 60; ++i) message.Add(DividerBlock());
  auto built = message.Build();
  ASSERT_TRUE(built.ok()) << built.status();
  ASSERT_EQ((*built)["blocks"].size(), kMaxBlocksPerMessage);
  EXPECT_NE((*built)["blocks"].back()["elements"][0]["text"].get<std::string>().find("11 more"),
            std::string::npos);
}

TEST(BlockKitTest, AButtonThatAsksFirstCarriesItsDialogWithinLimits) {
  Button publish{"Publish", "home_publish#1", "", ButtonStyle::kDefault,
                 Confirm{std::string(120, 't'), std::string(400, 'x'), "Publish", "Cancel"}};
  json b = ButtonElement(publish);
  ASSERT_TRUE(b.contains("confirm"));
  const json& c = b["confirm"];
  EXPECT_EQ(c["title"]["type"], "plain_text");
  EXPECT_LE(SlackTextLength(c["title"]["text"].get<std::string>()), kMaxConfirmTitle);
  EXPECT_LE(SlackTextLength(c["text"]["text"].get<std::string>()), kMaxConfirmText);
  EXPECT_EQ(c["confirm"]["text"], "Publish");
  EXPECT_EQ(c["deny"]["text"], "Cancel");
  EXPECT_TRUE(ValidateBlocks(json::array({ActionsBlock({publish})})).ok());
  EXPECT_FALSE(ButtonElement({"No", "a", ""}).contains("confirm"));
  // A dialog Slack would reject is named.
  json bad = b;
  bad["confirm"]["deny"]["text"] = std::string(31, 'x');
  EXPECT_NE(ValidateBlocks(json::array({{{"type", "actions"}, {"elements", {bad}}}}))
                .message()
                .find("confirm.deny"),
            std::string::npos);
  bad = b;
  bad["confirm"].erase("title");
  EXPECT_FALSE(ValidateBlocks(json::array({{{"type", "actions"}, {"elements", {bad}}}})).ok());
}

TEST(BlockKitTest, ValidateBlocksNamesTheViolation) {
  EXPECT_FALSE(ValidateBlocks(json::object()).ok());
  EXPECT_NE(ValidateBlocks(json::array({{{"type", "section"}}})).message().find("neither"),
            std::string::npos);
  json header = {{"type", "header"}, {"text", MrkdwnText("x")}};
  EXPECT_FALSE(ValidateBlocks(json::array({header})).ok());
  json bad_style = ButtonElement({"b", "a", "v"});
  bad_style["style"] = "loud";
  EXPECT_FALSE(
      ValidateBlocks(json::array({{{"type", "actions"}, {"elements", {bad_style}}}})).ok());
  json long_text = {{"type", "section"}, {"text", MrkdwnText(std::string(3001, 'x'))}};
  EXPECT_NE(ValidateBlocks(json::array({long_text})).message().find("3001 characters"),
            std::string::npos);
  json empty_actions = {{"type", "actions"}, {"elements", json::array()}};
  EXPECT_FALSE(ValidateBlocks(json::array({empty_actions})).ok());
  EXPECT_FALSE(ValidateBlocks(json(std::vector<json>(51, DividerBlock()))).ok());
}

}  // namespace
}  // namespace faqbot::slack
