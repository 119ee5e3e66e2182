// Slack views of the Home and the topic form: the Home of an owner with 150 topics and a long
// unanswered queue, built by a real HomeTab over SQLite, stays a valid view of at most 100
// blocks with paging; the form and its submission round-trip.
#include "server/slack_views.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "assistant/home_tab.h"
#include "assistant/recording_messenger.h"
#include "server/published_models_fixture.h"
#include "slack/block_kit.h"

namespace faqbot::server {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const store::UserRef kAlice{"T0001", "U0ALICE"};
const store::UserRef kBob{"T0001", "U0BOB"};

// Every button of a view: action_id → value.
std::vector<std::pair<std::string, std::string>> Buttons(const json& view) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& block : view["blocks"]) {
    if (block.contains("accessory")) {
      out.emplace_back(block["accessory"]["action_id"], block["accessory"].value("value", ""));
    }
    if (block.value("type", "") == "actions") {
      for (const auto& e : block["elements"]) {
        out.emplace_back(e["action_id"], e.value("value", ""));
      }
    }
  }
  return out;
}

using SlackViewsHomeTest = testing::PublishedModelsFixture;

TEST_F(SlackViewsHomeTest, AHomeWith150TopicsStaysWithinTheLimitsAndPages) {
  assistant::Topics topics(*store_, *registry_, *training_);
  assistant::RecordingMessenger messenger;
  assistant::HomeTab home(*store_, topics, messenger, executor_, clock_);

  for (int i = 0; i < 150; ++i) {
    // Long texts too: each is shortened, none spills into more blocks.
    auto added = topics.Add(kAlice, {"question " + std::to_string(i) + "? " + std::string(500, 'q'),
                                     {"p1", "p2"},
                                     std::string(5000, 'a')});
    ASSERT_TRUE(added.ok()) << added.status();
  }
  for (int i = 0; i < 40; ++i) {
    store::NewQuestion asked;
    asked.asker = kBob;
    asked.owner = kAlice;
    asked.text = "unanswered question " + std::to_string(i) + "?";
    asked.outcome = store::QuestionOutcome::kHandedOff;
    ASSERT_TRUE(store_->RecordQuestion(asked).ok());
  }

  int pages = 0;
  for (int page = 0;; ++page) {
    auto view = home.Build(kAlice, page);
    ASSERT_TRUE(view.ok()) << view.status();
    auto rendered = RenderHome(*view);
    ASSERT_TRUE(rendered.ok()) << rendered.status();
    EXPECT_EQ((*rendered)["type"], "home");
    const json& blocks = (*rendered)["blocks"];
    EXPECT_LE(blocks.size(), slack::kMaxBlocksPerView);
    EXPECT_TRUE(slack::ValidateBlocks(blocks, slack::kMaxBlocksPerView).ok());
    EXPECT_THAT(rendered->dump(), Not(HasSubstr("more blocks are not shown")));
    // The Publish button carries Slack's confirmation dialog.
    EXPECT_THAT(rendered->dump(), HasSubstr("\"confirm\":{\"confirm\":{"));
    EXPECT_THAT(rendered->dump(), HasSubstr("Publish your topics?"));
    ++pages;
    std::string next;
    int edits = 0;
    for (const auto& [action, value] : Buttons(*rendered)) {
      if (action.rfind("home_page#", 0) == 0 && value == std::to_string(page + 1)) next = value;
      edits += action.rfind("home_edit_topic#", 0) == 0;
    }
    EXPECT_EQ(edits, 20 - (page == 7 ? 10 : 0)) << "page " << page;
    if (next.empty()) break;
    ASSERT_LT(page, 20) << "paging never ends";
  }
  EXPECT_EQ(pages, 8);  // 150 topics, 20 a page
}

TEST(SlackViewsTest, AnOverlongHomeIsCutAtTheLimitAndSaysSo) {
  assistant::HomeView view;
  assistant::Reply section;
  for (int i = 0; i < 150; ++i) {
    assistant::ListItem item;
    item.text = assistant::Line("item " + std::to_string(i));
    section.items.push_back(std::move(item));
  }
  view.sections.push_back(std::move(section));
  auto rendered = RenderHome(view);
  ASSERT_TRUE(rendered.ok()) << rendered.status();
  ASSERT_EQ((*rendered)["blocks"].size(), slack::kMaxBlocksPerView);
  EXPECT_THAT((*rendered)["blocks"].back().dump(), HasSubstr("51 more blocks are not shown"));
}

// What an edit form cannot show (assistant::EditForm) is not offered as an empty required input:
// the input is optional and says that leaving it empty keeps the text.
TEST(SlackViewsTest, AFormSaysWhatItKeptUnshown) {
  assistant::TopicForm form;
  form.topic_id = 7;
  form.question = "where is the wiki?";
  form.phrasings = {"wiki?"};
  form.answer_kept = true;
  form.phrasings_shown = 1;
  form.phrasings_kept = 55;
  const json modal = RenderTopicForm(form);
  EXPECT_EQ(modal["private_metadata"], "7 keep-answer phrasings-shown=1");
  EXPECT_FALSE(modal["blocks"][0]["optional"].get<bool>());
  EXPECT_THAT(modal["blocks"][1]["hint"]["text"].get<std::string>(),
              HasSubstr("55 more are not shown here and stay as they are"));
  EXPECT_TRUE(modal["blocks"][2]["optional"].get<bool>());
  EXPECT_FALSE(modal["blocks"][2]["element"].contains("initial_value"));
  EXPECT_THAT(modal["blocks"][2]["hint"]["text"].get<std::string>(),
              HasSubstr("leave this empty to keep the answer as it is"));
}

TEST(SlackViewsTest, TheFormCarriesItsTopicAndComesBackAsASubmission) {
  assistant::TopicForm form{12, "where is the wiki?", {"wiki?", "wiki link?"}, "On the intranet."};
  const json modal = RenderTopicForm(form);
  EXPECT_EQ(modal["type"], "modal");
  EXPECT_EQ(modal["callback_id"], "topic_form");
  EXPECT_EQ(modal["private_metadata"], "12");
  EXPECT_EQ(modal["title"]["text"], "Edit the topic");
  ASSERT_EQ(modal["blocks"].size(), 3u);
  EXPECT_EQ(modal["blocks"][0]["block_id"], "question");
  EXPECT_EQ(modal["blocks"][0]["element"]["action_id"], "question");
  EXPECT_EQ(modal["blocks"][0]["element"]["initial_value"], "where is the wiki?");
  EXPECT_EQ(modal["blocks"][1]["element"]["initial_value"], "wiki?\nwiki link?");
  EXPECT_TRUE(modal["blocks"][1]["optional"].get<bool>());
  EXPECT_EQ(modal["blocks"][2]["element"]["initial_value"], "On the intranet.");
  EXPECT_EQ(RenderTopicForm({})["title"]["text"], "Add a topic");
  EXPECT_FALSE(RenderTopicForm({})["blocks"][0]["element"].contains("initial_value"));

  slack::ViewSubmission submitted{"T0001",
                                  "U0ALICE",
                                  "V1",
                                  "topic_form",
                                  "12",
                                  "",
                                  {{"question.question", "where is the wiki?"},
                                   {"phrasings.phrasings", "wiki?\r\n"},
                                   {"answer.answer", "On the intranet."}}};
  const assistant::FormSubmission submission = FormOfViewSubmission(submitted);
  EXPECT_EQ(submission.from, kAlice);
  EXPECT_EQ(submission.form_id, "topic_form");
  auto parsed = assistant::ParseTopicForm(submission);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->topic_id, 12);
  EXPECT_EQ(parsed->phrasings, std::vector<std::string>{"wiki?"});
  EXPECT_FALSE(TopicFormErrorsAck(submitted).has_value());

  submitted.values["question.question"] = "   ";
  submitted.values["answer.answer"] = "";
  auto ack = TopicFormErrorsAck(submitted);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ((*ack)["response_action"], "errors");
  EXPECT_EQ((*ack)["errors"].size(), 2u);
  EXPECT_TRUE((*ack)["errors"].contains("question"));
  EXPECT_TRUE((*ack)["errors"].contains("answer"));
  // A form that kept its answer (too long for the input) takes it empty.
  submitted.values["question.question"] = "where is the wiki?";
  submitted.private_metadata = "12 keep-answer";
  EXPECT_FALSE(TopicFormErrorsAck(submitted).has_value());
  submitted.private_metadata = "12";
  // Another modal is none of this ack's business.
  submitted.callback_id = "other";
  EXPECT_FALSE(TopicFormErrorsAck(submitted).has_value());
}

}  // namespace
}  // namespace faqbot::server
