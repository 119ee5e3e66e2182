// The Home tab below the chat layer: real SQLite, the real engine, a TrainingQueue and the Home's
// refreshes on ManualExecutors (so a test decides when a refresh runs), and a recording
// Messenger.
#include "assistant/home_tab.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "assistant/assistant.h"
#include "assistant/assistant_internal.h"
#include "assistant/recording_messenger.h"
#include "common/string_util.h"
#include "common/utf8.h"
#include "nlu/test_support.h"
#include "test_store.h"

namespace faqbot::assistant {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const store::UserRef kAlice{"T0001", "U0ALICE"};
const store::UserRef kBob{"T0001", "U0BOB"};

class HomeTabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
    auto lexicon = nlu::testing::BuiltLexicon();
    auto concierge = ConciergeNlu::Create(lexicon);
    ASSERT_TRUE(concierge.ok());
    concierge_ = std::move(concierge).value();
    registry_ = std::make_unique<ModelRegistry>(
        lexicon, [this](const OwnerKey& owner) { return store_->LoadLiveModel(owner); });
    TrainingQueue::Callbacks callbacks;
    callbacks.published = [this](const store::Publication& p) { assistant_->OnPublished(p); };
    training_ = std::make_unique<TrainingQueue>(*store_, *registry_, lexicon, training_executor_,
                                                clock_, callbacks);
    assistant_ = std::make_unique<Assistant>(*store_, messenger_, *registry_, *training_,
                                             *concierge_, clock_);
    HomeTabOptions options;
    options.topics_per_page = 5;
    options.nearest_topics = [this](const store::UserRef& owner) {
      return assistant_->NearestLiveTopics(owner);
    };
    home_ = std::make_unique<HomeTab>(*store_, assistant_->topics(), messenger_, home_executor_,
                                      clock_, options);
    assistant_->topics().SetObserver(
        [this](const store::UserRef& owner) { home_->Refresh(owner); });
  }
  void TearDown() override {
    assistant_->topics().SetObserver(nullptr);
    home_.reset();
    training_.reset();
    assistant_.reset();
    registry_.reset();
    store_.reset();
  }

  Topics& topics() { return assistant_->topics(); }
  int64_t AddTopic(const store::UserRef& owner, const std::string& question,
                   const std::string& answer, std::vector<std::string> phrasings = {}) {
    auto topic = topics().Add(owner, {question, std::move(phrasings), answer});
    EXPECT_TRUE(topic.ok()) << topic.status();
    return topic.ok() ? topic->id : 0;
  }
  // `asker`'s question, handed to `owner` (waiting in their unanswered queue).
  void HandOff(const store::UserRef& asker, const store::UserRef& owner, const std::string& text) {
    store::NewQuestion asked;
    asked.asker = asker;
    asked.owner = owner;
    asked.text = text;
    asked.outcome = store::QuestionOutcome::kHandedOff;
    ASSERT_TRUE(store_->RecordQuestion(asked).ok());
  }
  // Runs the queued refreshes; returns the Homes they showed.
  std::vector<RecordingMessenger::Home> Refreshed() {
    const size_t before = messenger_.homes().size();
    home_executor_.RunAll();
    auto all = messenger_.homes();
    return {all.begin() + static_cast<std::ptrdiff_t>(before), all.end()};
  }
  FormSubmission Form(const store::UserRef& from, const std::string& metadata,
                      const std::string& question, const std::string& phrasings,
                      const std::string& answer) {
    return {from,
            kTopicFormId,
            metadata,
            {{kFieldQuestion, question}, {kFieldPhrasings, phrasings}, {kFieldAnswer, answer}}};
  }
  ButtonPress HomePress(const store::UserRef& from, const std::string& action,
                        const std::string& value = "") {
    ButtonPress press;
    press.from = from;
    press.action = action;
    press.value = value;
    press.trigger_id = "trigger-1";
    return press;
  }

  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  FakeClock clock_;
  ManualExecutor training_executor_;
  ManualExecutor home_executor_;
  RecordingMessenger messenger_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ConciergeNlu> concierge_;
  std::unique_ptr<ModelRegistry> registry_;
  std::unique_ptr<TrainingQueue> training_;
  std::unique_ptr<Assistant> assistant_;
  std::unique_ptr<HomeTab> home_;
};

TEST_F(HomeTabTest, ShowsTopicsFiguresUnansweredAndTheButtons) {
  AddTopic(kAlice, "where is the wiki?", "On the intranet.", {"wiki link?"});
  HandOff(kBob, kAlice, "who runs the VPN?");

  home_->Refresh(kAlice);
  auto homes = Refreshed();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_EQ(homes[0].user, kAlice);
  const std::string& text = homes[0].text;
  EXPECT_THAT(text, HasSubstr("🅾 where is the wiki? — On the intranet. (+1 phrasing)"));
  EXPECT_THAT(text, HasSubstr("1 topic: 0 ✅ live, 1 🅾 not yet published."));
  EXPECT_THAT(text, HasSubstr("Last 7 days"));
  EXPECT_THAT(text, HasSubstr("Asked: 1 · Answered by your bot: 0 · Handed off to you: 1"));
  EXPECT_THAT(text, HasSubstr("who runs the VPN?"));
  EXPECT_THAT(text, HasSubstr("[Answer it]"));
  EXPECT_THAT(text, HasSubstr("[Add topic]"));
  EXPECT_THAT(text, HasSubstr("[Publish]"));
  EXPECT_THAT(text, HasSubstr("[Open the web console]"));
  bool console_button = false;
  std::optional<Button::Confirm> publish_confirm;
  for (const auto& section : homes[0].view.sections) {
    for (const auto& b : section.buttons) {
      console_button |= b.action == "open_console";
      if (b.action == kActionHomePublish) publish_confirm = b.confirm;
    }
  }
  EXPECT_TRUE(console_button);
  // Publishing from the Home acts at the press: Slack asks first, saying what is not yet live.
  ASSERT_TRUE(publish_confirm.has_value());
  EXPECT_EQ(publish_confirm->title, "Publish your topics?");
  EXPECT_THAT(publish_confirm->text, HasSubstr("(1 not yet published)"));
  EXPECT_EQ(publish_confirm->yes, "Publish");

  // Topics without an answer yet are counted, one as one.
  AddTopic(kAlice, "who runs the VPN?", "");
  home_->Refresh(kAlice);
  EXPECT_THAT(Refreshed().back().text,
              HasSubstr("2 topics: 0 ✅ live, 1 🅾 not yet published, 1 ❗ needs an answer."));
  AddTopic(kAlice, "where is the printer?", "");
  home_->Refresh(kAlice);
  EXPECT_THAT(Refreshed().back().text,
              HasSubstr("3 topics: 0 ✅ live, 1 🅾 not yet published, 2 ❗ need an answer."));
}

TEST_F(HomeTabTest, ABurstOfChangesRefreshesTheHomeOnce) {
  for (int i = 0; i < 5; ++i) {
    AddTopic(kAlice, "question " + std::to_string(i) + "?", "answer " + std::to_string(i));
  }
  AddTopic(kBob, "bob's question?", "bob's answer");
  auto homes = Refreshed();
  ASSERT_EQ(homes.size(), 2u);  // one for Alice, one for Bob
  EXPECT_EQ(homes[0].user, kAlice);
  EXPECT_THAT(homes[0].text, HasSubstr("question 4?"));
  EXPECT_EQ(homes[1].user, kBob);

  // After a refresh ran, the next change refreshes again.
  AddTopic(kAlice, "question 5?", "answer 5");
  EXPECT_EQ(Refreshed().size(), 1u);
  EXPECT_TRUE(Refreshed().empty());
}

TEST_F(HomeTabTest, PagesLongListsAndRemembersThePage) {
  for (int i = 0; i < 12; ++i) {
    AddTopic(kAlice, "question " + std::to_string(i) + "?", "answer");
  }
  Refreshed();
  auto first = home_->Build(kAlice, 0);
  ASSERT_TRUE(first.ok()) << first.status();
  const Reply& list = first->sections[2];
  EXPECT_EQ(list.items.size(), 5u);
  EXPECT_THAT(PlainText(list), HasSubstr("page 1 of 3"));
  ASSERT_EQ(list.buttons.size(), 1u);
  EXPECT_EQ(list.buttons[0].action, kActionHomePage);
  EXPECT_EQ(list.buttons[0].value, "1");

  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomePage, "2")).ok());
  auto homes = Refreshed();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_THAT(homes[0].text, HasSubstr("page 3 of 3"));
  EXPECT_THAT(homes[0].text, HasSubstr("question 11?"));
  EXPECT_THAT(homes[0].text, Not(HasSubstr("question 0?")));
  EXPECT_THAT(homes[0].text, HasSubstr("[Previous]"));
  EXPECT_THAT(homes[0].text, Not(HasSubstr("[Next]")));

  // A change refreshes the page the owner looks at.
  AddTopic(kAlice, "question 12?", "answer");
  homes = Refreshed();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_THAT(homes[0].text, HasSubstr("question 12?"));
  EXPECT_TRUE(home_->Press(HomePress(kAlice, kActionHomePage, "x")).code() ==
              StatusCode::kInvalidArgument);
}

TEST_F(HomeTabTest, AddAndEditOpenTheFormWithTheTrigger) {
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomeAddTopic)).ok());
  const int64_t id = AddTopic(kAlice, "where is the wiki?", "On the intranet.", {"wiki?"});
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomeEditTopic, std::to_string(id))).ok());
  auto forms = messenger_.forms();
  ASSERT_EQ(forms.size(), 2u);
  EXPECT_EQ(forms[0].trigger_id, "trigger-1");
  EXPECT_EQ(forms[0].form.topic_id, 0);
  EXPECT_TRUE(forms[0].form.question.empty());
  EXPECT_EQ(forms[1].form.topic_id, id);
  EXPECT_EQ(forms[1].form.question, "where is the wiki?");
  EXPECT_THAT(forms[1].form.phrasings, ElementsAre("wiki?"));
  EXPECT_EQ(forms[1].form.answer, "On the intranet.");
}

TEST_F(HomeTabTest, AnotherOwnersTopicIsRefused) {
  const int64_t id = AddTopic(kAlice, "where is the wiki?", "On the intranet.");
  Refreshed();
  EXPECT_EQ(home_->Press(HomePress(kBob, kActionHomeEditTopic, std::to_string(id))).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(messenger_.forms().empty());
  EXPECT_THAT(messenger_.sent().back().text, HasSubstr("can't find that topic"));
  auto shown = Refreshed();
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].user, kBob);

  Status saved = home_->Submit(Form(kBob, std::to_string(id), "mine now?", "", "Bob's."));
  EXPECT_EQ(saved.code(), StatusCode::kNotFound);
  auto topic = store_->GetTopic(kAlice, id);
  ASSERT_TRUE(topic.ok() && topic->has_value());
  EXPECT_EQ((*topic)->content.question, "where is the wiki?");
  ASSERT_FALSE(messenger_.sent().empty());
  EXPECT_EQ(messenger_.sent().back().to.user, kBob);
  EXPECT_THAT(messenger_.sent().back().text, HasSubstr("not one of yours"));
  EXPECT_TRUE(Refreshed().empty());
}

TEST_F(HomeTabTest, SubmittingANewTopicStoresItAndRefreshesTheHome) {
  ASSERT_TRUE(home_
                  ->Submit(Form(kAlice, "", "  where is the wiki?  ", "wiki?\n\n  wiki link?\n",
                                "On the intranet."))
                  .ok());
  auto stored = store_->ListTopics(kAlice);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].content.question, "where is the wiki?");
  EXPECT_THAT((*stored)[0].content.phrasings, ElementsAre("wiki?", "wiki link?"));
  EXPECT_EQ((*stored)[0].content.answer, "On the intranet.");
  auto homes = Refreshed();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_THAT(homes[0].text, HasSubstr("where is the wiki?"));
}

TEST_F(HomeTabTest, EditChangesTheQuestionAndRemovesPhrasings) {
  const int64_t id =
      AddTopic(kAlice, "where is the wiki?", "On the intranet.", {"wiki?", "wiki link?"});
  Refreshed();
  // "wiki link?" is gone; the question changed; a phrasing repeating it is kept once.
  ASSERT_TRUE(home_
                  ->Submit(Form(kAlice, std::to_string(id), "how do I find the wiki?",
                                "wiki?\nhow do I find the wiki?\nwiki?", "At wiki.example."))
                  .ok());
  auto topic = store_->GetTopic(kAlice, id);
  ASSERT_TRUE(topic.ok() && topic->has_value());
  EXPECT_EQ((*topic)->content.question, "how do I find the wiki?");
  EXPECT_THAT((*topic)->content.phrasings, ElementsAre("wiki?"));
  EXPECT_EQ((*topic)->content.answer, "At wiki.example.");
  auto homes = Refreshed();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_THAT(homes[0].text, HasSubstr("how do I find the wiki? — At wiki.example."));
}

// Slack's inputs take 3,000 characters: an edit form shows each text that fits whole (counted
// as Slack counts, not in bytes), whole phrasings only, and keeps what it cannot show, so saving
// it unchanged changes nothing.
TEST_F(HomeTabTest, SavingAnUnchangedEditKeepsWhatTheFormCouldNotShow) {
  std::string russian;  // 2,400 characters, 4,200 bytes
  while (Utf16Length(russian) < 2400) russian += "Ответ на вопрос. ";
  russian = Trim(russian);
  std::vector<std::string> phrasings;
  for (int i = 0; i < 100; ++i) {
    phrasings.push_back("how do I get into the parking garage on level " + std::to_string(i) + "?");
  }
  const int64_t id = AddTopic(kAlice, "where do I park?", russian, phrasings);
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomeEditTopic, std::to_string(id))).ok());
  ASSERT_EQ(messenger_.forms().size(), 1u);
  const TopicForm form = messenger_.forms()[0].form;
  EXPECT_EQ(form.answer, russian);
  EXPECT_FALSE(form.answer_kept);
  ASSERT_LT(form.phrasings.size(), phrasings.size());
  EXPECT_GT(form.phrasings.size(), 40u);
  EXPECT_EQ(form.phrasings_kept, phrasings.size() - form.phrasings.size());
  std::string lines;
  for (size_t i = 0; i < form.phrasings.size(); ++i) {
    EXPECT_EQ(form.phrasings[i], phrasings[i]);  // whole, in order
    lines += (lines.empty() ? "" : "\n") + form.phrasings[i];
  }
  EXPECT_LE(Utf16Length(lines), kMaxFormInputChars);

  ASSERT_TRUE(
      home_->Submit(Form(kAlice, TopicFormMetadata(form), form.question, lines, form.answer)).ok());
  auto topic = store_->GetTopic(kAlice, id);
  ASSERT_TRUE(topic.ok() && topic->has_value());
  EXPECT_EQ((*topic)->content.answer, russian);
  EXPECT_EQ((*topic)->content.phrasings, phrasings);
  // A phrasing removed from those shown goes; the ones not shown stay.
  ASSERT_TRUE(home_
                  ->Submit(Form(kAlice, TopicFormMetadata(form), "where can I park?",
                                lines.substr(lines.find('\n') + 1), form.answer))
                  .ok());
  topic = store_->GetTopic(kAlice, id);
  ASSERT_TRUE(topic.ok() && topic->has_value());
  EXPECT_EQ((*topic)->content.question, "where can I park?");
  EXPECT_EQ((*topic)->content.phrasings,
            std::vector<std::string>(phrasings.begin() + 1, phrasings.end()));

  // An answer longer than the input is not shown: left empty, it stays; written, it is replaced.
  const std::string long_answer = std::string(2990, 'a') + " 😀😀😀😀😀😀";  // 3,003 units
  const int64_t long_id = AddTopic(kAlice, "what is the long one?", long_answer);
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomeEditTopic, std::to_string(long_id))).ok());
  const TopicForm kept = messenger_.forms().back().form;
  EXPECT_TRUE(kept.answer_kept);
  EXPECT_TRUE(kept.answer.empty());
  EXPECT_FALSE(kept.question_kept);
  EXPECT_EQ(TopicFormMetadata(kept), std::to_string(long_id) + " keep-answer");
  const FormSubmission unchanged =
      Form(kAlice, TopicFormMetadata(kept), "what is the longest one?", "", "");
  auto parsed = ParseTopicForm(unchanged);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(ValidateTopicForm(*parsed).empty());
  ASSERT_TRUE(home_->Submit(unchanged).ok());
  topic = store_->GetTopic(kAlice, long_id);
  ASSERT_TRUE(topic.ok() && topic->has_value());
  EXPECT_EQ((*topic)->content.question, "what is the longest one?");
  EXPECT_EQ((*topic)->content.answer, long_answer);
  ASSERT_TRUE(
      home_->Submit(Form(kAlice, TopicFormMetadata(kept), "what is the longest one?", "", "Short."))
          .ok());
  topic = store_->GetTopic(kAlice, long_id);
  ASSERT_TRUE(topic.ok() && topic->has_value());
  EXPECT_EQ((*topic)->content.answer, "Short.");
  // Metadata it did not write is refused.
  EXPECT_FALSE(ParseTopicForm(Form(kAlice, "12 keep-everything", "q?", "", "a")).ok());
}

TEST_F(HomeTabTest, AnInvalidFormChangesNothing) {
  EXPECT_EQ(home_->Submit(Form(kAlice, "", "", "", "an answer")).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(home_->Submit(Form(kAlice, "not-an-id", "q?", "", "a")).code(),
            StatusCode::kInvalidArgument);
  auto stored = store_->ListTopics(kAlice);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->empty());
  EXPECT_TRUE(Refreshed().empty());
}

TEST_F(HomeTabTest, ValidationNamesEachBadField) {
  TopicForm form;
  auto errors = ValidateTopicForm(form);
  EXPECT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[kFieldQuestion], HasSubstr("question"));
  EXPECT_THAT(errors[kFieldAnswer], HasSubstr("answer"));
  form.question = "q?";
  form.answer = "a";
  EXPECT_TRUE(ValidateTopicForm(form).empty());
  // Only invisible characters (zero-width, no-break, ideographic spaces) is nothing written.
  auto blank = ParseTopicForm(Form(kAlice, "", "\u200B\u00A0", "\u3000\n\u200B", "\u3000"));
  ASSERT_TRUE(blank.ok());
  EXPECT_TRUE(blank->phrasings.empty());
  EXPECT_EQ(ValidateTopicForm(*blank).size(), 2u);
  form.phrasings.assign(201, "p");
  EXPECT_EQ(ValidateTopicForm(form).count(kFieldPhrasings), 1u);
  form.phrasings = {std::string(4001, 'x')};
  EXPECT_EQ(ValidateTopicForm(form).count(kFieldPhrasings), 1u);
  // Emoji or punctuation alone cannot be matched to what people ask, as in the DM.
  form.phrasings = {"how do I :muscle:", ":muscle: 🎉 ?!"};
  form.question = ":muscle: 🎉";
  errors = ValidateTopicForm(form);
  EXPECT_THAT(errors[kFieldQuestion], HasSubstr("Write some words"));
  EXPECT_THAT(errors[kFieldPhrasings], HasSubstr("“:muscle: 🎉 ?!”: Write some words"));
  form.question = "🎉 party time?";
  form.phrasings = {"how do I :muscle:"};
  EXPECT_TRUE(ValidateTopicForm(form).empty());
}

TEST_F(HomeTabTest, ADmChangeAndAPublishRefreshTheHome) {
  // The concierge's add-a-topic flow goes through the same Topics.
  UserMessage m;
  m.surface = UserMessage::Surface::kDirect;
  m.from = kAlice;
  m.channel = "D0ALICE";
  for (const char* text : {"hey, add a new topic", "where is the wiki?", "On the intranet."}) {
    m.text = text;
    assistant_->HandleMessage(m);
  }
  auto homes = Refreshed();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_THAT(homes[0].text, HasSubstr("🅾 where is the wiki?"));

  // Publish from the Home: the request refreshes it, and so does the publication going live.
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomePublish)).ok());
  EXPECT_THAT(messenger_.sent().back().text, HasSubstr("published shortly"));
  Refreshed();
  training_executor_.RunAll();
  homes = Refreshed();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_THAT(homes[0].text, HasSubstr("✅ where is the wiki?"));
}

// Publish is offered only when it changes something; taking the bot down says so; a press on a
// Home older than the last change publishes nothing that changes nothing.
TEST_F(HomeTabTest, PublishIsOfferedWhenItChangesSomethingAndSaysWhenItTakesTheBotDown) {
  const auto publish_button = [&]() -> std::optional<Button> {
    home_->Refresh(kAlice);
    auto homes = Refreshed();
    EXPECT_EQ(homes.size(), 1u);
    if (homes.empty()) return std::nullopt;
    for (const auto& b : homes.back().view.sections[0].buttons) {
      if (b.action == kActionHomePublish) return b;
    }
    return std::nullopt;
  };
  EXPECT_FALSE(publish_button().has_value());  // a new owner: nothing to publish
  size_t before = messenger_.sent().size();
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomePublish)).ok());
  ASSERT_EQ(messenger_.sent().size(), before + 1);
  EXPECT_THAT(messenger_.sent().back().text, HasSubstr("don't have any topics to publish yet"));
  training_executor_.RunAll();
  EXPECT_FALSE(store_->GetLivePublication(kAlice, false)->has_value());

  const int64_t id = AddTopic(kAlice, "where is the wiki?", "On the intranet.");
  ASSERT_TRUE(publish_button().has_value());
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomePublish)).ok());
  training_executor_.RunAll();
  EXPECT_FALSE(publish_button().has_value());  // live as it is
  before = messenger_.sent().size();
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomePublish)).ok());
  EXPECT_THAT(messenger_.sent().back().text, HasSubstr("already answers with your topics"));

  ASSERT_TRUE(topics().Delete(kAlice, id).ok());
  const std::optional<Button> offline = publish_button();
  ASSERT_TRUE(offline.has_value());
  EXPECT_EQ(offline->style, Button::Style::kDanger);
  ASSERT_TRUE(offline->confirm.has_value());
  EXPECT_EQ(offline->confirm->title, "Take your bot offline?");
  EXPECT_THAT(offline->confirm->text, HasSubstr("stops answering the 1 topic it knows"));
}

TEST_F(HomeTabTest, AnUnansweredQuestionOffersItsNearestTopicsAndOnePressTeachesIt) {
  AddTopic(kAlice, "where is the wiki?", "On the intranet.");
  AddTopic(kAlice, "who runs the VPN?", "Dana does.");
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomePublish)).ok());
  training_executor_.RunAll();
  HandOff(kBob, kAlice, "how do I find the wiki page");
  Refreshed();

  // As on the hand-off DM, the owner's live model offers its nearest topics.
  home_->Refresh(kAlice);
  auto homes = Refreshed();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_THAT(homes[0].text, HasSubstr("how do I find the wiki page"));
  EXPECT_THAT(homes[0].text, HasSubstr("[It's “where is the wiki?”]"));
  std::optional<Button> its_wiki;
  for (const auto& section : homes[0].view.sections) {
    for (const auto& item : section.items) {
      for (const auto& b : item.buttons) {
        if (b.label == "It's “where is the wiki?”") its_wiki = b;
      }
    }
  }
  ASSERT_TRUE(its_wiki.has_value());
  EXPECT_EQ(its_wiki->action, kActionHandoffTopic);

  // A press in the Home (no message to update) teaches the bot, answers Bob and leaves the list.
  ButtonPress press;
  press.from = kAlice;
  press.action = its_wiki->action;
  press.value = its_wiki->value;
  assistant_->HandleButton(press);
  training_executor_.RunAll();
  bool bob_answered = false;
  for (const auto& sent : messenger_.sent()) {
    bob_answered |= sent.to.user == kBob && sent.text.find("On the intranet.") != std::string::npos;
  }
  EXPECT_TRUE(bob_answered);
  home_->Refresh(kAlice);
  homes = Refreshed();
  ASSERT_FALSE(homes.empty());
  EXPECT_THAT(homes.back().text, Not(HasSubstr("how do I find the wiki page")));
  EXPECT_THAT(homes.back().text, HasSubstr("where is the wiki? — On the intranet. (+1 phrasing)"));
}

TEST_F(HomeTabTest, ANewTopicTheBotAlreadyAnswersIsPointedOutAndMergedOnce) {
  const int64_t wiki = AddTopic(kAlice, "where is the wiki?", "On the intranet.");
  AddTopic(kAlice, "who runs the VPN?", "Dana does.");
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomePublish)).ok());
  training_executor_.RunAll();
  size_t before = messenger_.sent().size();
  ASSERT_TRUE(
      home_->Submit(Form(kAlice, "", "where can I find the wiki?", "wiki location", "Ask Dana."))
          .ok());
  // Saved as asked, and pointed out in the DM.
  auto topics = store_->ListTopics(kAlice);
  ASSERT_TRUE(topics.ok() && topics->size() == 3u);
  ASSERT_GT(messenger_.sent().size(), before);
  const auto pointed = messenger_.sent().back();
  EXPECT_EQ(pointed.to.user, kAlice);
  EXPECT_THAT(pointed.text, HasSubstr("Your new topic where can I find the wiki? looks like your "
                                      "topic where is the wiki?"));
  ASSERT_EQ(pointed.reply.buttons.size(), 2u);
  const Button merge = pointed.reply.buttons[0];
  EXPECT_EQ(merge.label, "Add as a phrasing of “where is the wiki?”");
  EXPECT_EQ(pointed.reply.buttons[1].action, kActionHomeKeepTopic);

  ButtonPress press = HomePress(kAlice, merge.action, merge.value);
  press.channel = "DU0ALICE";
  press.message_ts = "1700000000.000100";
  const int64_t version = store_->GetLivePublication(kAlice, false).value()->version;
  before = messenger_.sent().size();
  ASSERT_TRUE(home_->Press(press).ok());
  // Both ways of asking went live in one change of the live publication.
  EXPECT_EQ(store_->GetLivePublication(kAlice, false).value()->version, version + 1);
  auto sent = messenger_.sent();
  ASSERT_EQ(sent.size(), before + 1);
  EXPECT_EQ(sent.back().to.kind, Destination::Kind::kUpdate);
  EXPECT_EQ(sent.back().to.ts, "1700000000.000100");
  EXPECT_THAT(sent.back().text, HasSubstr("where can I find the wiki? and its other phrasings are "
                                          "now ways to ask where is the wiki?"));
  EXPECT_THAT(sent.back().text, HasSubstr("It's live"));
  topics = store_->ListTopics(kAlice);
  ASSERT_TRUE(topics.ok() && topics->size() == 2u);
  auto merged = store_->GetTopic(kAlice, wiki);
  ASSERT_TRUE(merged.ok() && merged->has_value());
  EXPECT_THAT((*merged)->content.phrasings,
              ElementsAre("where can I find the wiki?", "wiki location"));
  EXPECT_EQ((*merged)->content.answer, "On the intranet.");

  // A second press (double click, another device), or Keep pressed after it, changes nothing
  // and leaves the pressed message saying what was done: the note is a message of its own.
  ButtonPress keep = HomePress(kAlice, kActionHomeKeepTopic, pointed.reply.buttons[1].value);
  keep.channel = press.channel;
  keep.message_ts = press.message_ts;
  for (const ButtonPress& again : {press, keep}) {
    before = messenger_.sent().size();
    ASSERT_TRUE(home_->Press(again).ok());
    ASSERT_EQ(messenger_.sent().size(), before + 1);
    EXPECT_THAT(messenger_.sent().back().text, HasSubstr("answered that one already"));
    EXPECT_NE(messenger_.sent().back().to.kind, Destination::Kind::kUpdate);
  }
  merged = store_->GetTopic(kAlice, wiki);
  EXPECT_EQ((*merged)->content.phrasings.size(), 2u);
  EXPECT_EQ(store_->ListTopics(kAlice)->size(), 2u);
}

TEST_F(HomeTabTest, ANewTopicKeptBesideTheOneItLooksLikeStays) {
  AddTopic(kAlice, "where is the wiki?", "On the intranet.");
  AddTopic(kAlice, "who runs the VPN?", "Dana does.");
  ASSERT_TRUE(home_->Press(HomePress(kAlice, kActionHomePublish)).ok());
  training_executor_.RunAll();
  ASSERT_TRUE(home_->Submit(Form(kAlice, "", "where can I find the wiki?", "", "Ask Dana.")).ok());
  const Button keep = messenger_.sent().back().reply.buttons.at(1);
  EXPECT_EQ(keep.label, "Keep as a new topic");
  ASSERT_TRUE(home_->Press(HomePress(kAlice, keep.action, keep.value)).ok());
  EXPECT_THAT(messenger_.sent().back().text, HasSubstr("kept as a new topic"));
  EXPECT_EQ(store_->ListTopics(kAlice)->size(), 3u);
  // *Add as a phrasing* pressed later on the same message (a stale device) merges nothing.
  const Button merge = messenger_.sent().at(messenger_.sent().size() - 2).reply.buttons.at(0);
  ASSERT_EQ(merge.action, kActionHomeMergeTopic);
  ASSERT_TRUE(home_->Press(HomePress(kAlice, merge.action, merge.value)).ok());
  EXPECT_THAT(messenger_.sent().back().text, HasSubstr("answered that one already"));
  EXPECT_EQ(store_->ListTopics(kAlice)->size(), 3u);
  // A question the bot does not answer yet is just saved.
  const size_t before = messenger_.sent().size();
  ASSERT_TRUE(home_->Submit(Form(kAlice, "", "when is the picnic?", "", "In June.")).ok());
  EXPECT_EQ(messenger_.sent().size(), before);
}

TEST_F(HomeTabTest, RefreshesQueuedWhenTheHomeGoesDoNothing) {
  AddTopic(kAlice, "where is the wiki?", "On the intranet.");
  assistant_->topics().SetObserver(nullptr);
  home_.reset();
  home_executor_.RunAll();
  EXPECT_TRUE(messenger_.homes().empty());
  // TearDown resets what is left.
  HomeTabOptions options;
  home_ = std::make_unique<HomeTab>(*store_, assistant_->topics(), messenger_, home_executor_,
                                    clock_, options);
}

}  // namespace
}  // namespace faqbot::assistant
