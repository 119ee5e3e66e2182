#include "assistant/workspace_ask.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "assistant/training_queue.h"
#include "nlu/test_support.h"

namespace faqbot::assistant {
namespace {

const store::UserRef kAlice{"T0001", "U0ALICE"};
const store::UserRef kBob{"T0001", "U0BOB"};
const store::UserRef kCarol{"T0001", "U0CAROL"};

class WorkspaceAskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Publish(kAlice, {{1, {"what is the guest wifi password", {"how do visitors get online",
                                                              "wifi code for guests"}, "fridge"}},
                     {2, {"where do I park my car", {"visitor parking"}, "level -2"}}});
    Publish(kBob, {{3, {"how do I set up the vpn on my laptop", {"vpn client install"}, "x"}},
                   {4, {"how do I reset my password", {"forgot my password"}, "y"}}});
    Publish(kCarol, {{5, {"when is the team lunch", {"lunch time on friday"}, "noon"}},
                     {6, {"who orders the pizza for the party", {}, "carol"}}});
  }

  void Publish(const store::UserRef& owner, std::vector<store::PublishedTopic> topics) {
    nlu::TrainingData data;
    for (const auto& t : topics) {
      std::vector<std::string> examples{t.content.question};
      examples.insert(examples.end(), t.content.phrasings.begin(), t.content.phrasings.end());
      data.intents.push_back({TopicIntent(t.topic_id), examples, t.content.answer});
    }
    auto model = nlu::Model::Train(data, lexicon_);
    ASSERT_TRUE(model.ok()) << model.status();
    models_[owner] = *model;
    index_.Update(owner, 1, topics);
  }

  WorkspaceDecision Ask(std::string_view question, const WorkspaceAskOptions& options = {}) {
    return DecideAcrossBots(question, Gather(question, options), lexicon_, options);
  }
  std::vector<CandidateBot> Gather(std::string_view question,
                                   const WorkspaceAskOptions& options = {}) {
    return GatherCandidates(
        index_, "T0001", question,
        [this](const store::UserRef& owner) -> std::shared_ptr<const nlu::Model> {
          auto it = models_.find(owner);
          return it == models_.end() ? nullptr : it->second;
        },
        options);
  }

  std::shared_ptr<const nlu::Lexicon> lexicon_ = nlu::testing::BuiltLexicon();
  WorkspaceIndex index_{lexicon_};
  std::map<store::UserRef, std::shared_ptr<const nlu::Model>> models_;
};

TEST_F(WorkspaceAskTest, AnswersFromTheOneOwnerWhoKnows) {
  auto d = Ask("what's the wifi password for guests?");
  ASSERT_EQ(d.kind, WorkspaceDecision::Kind::kAnswer);
  ASSERT_EQ(d.picks.size(), 1u);
  EXPECT_EQ(d.picks[0].owner, kAlice);
  EXPECT_EQ(d.picks[0].topic_id, 1);
  EXPECT_GE(d.picks[0].confidence, WorkspaceAskOptions{}.min_confidence);
}

TEST_F(WorkspaceAskTest, CandidatesCarryTheirBotsGuessAndTopicTexts) {
  auto candidates = Gather("how do I install the vpn client");
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates[0].owner, kBob);
  EXPECT_EQ(TopicIdOfIntent(candidates[0].prediction.ranking[0].name), 3);
  ASSERT_FALSE(candidates[0].nearest.empty());
  EXPECT_EQ(candidates[0].nearest[0].content.question, "how do I set up the vpn on my laptop");
}

TEST_F(WorkspaceAskTest, NearEqualOwnersAreShownSideBySideNeverChosenSilently) {
  // Bob teaches the same question as Alice, in the same words: the workspace cannot tell whose.
  Publish(kBob, {{3, {"how do I set up the vpn on my laptop", {"vpn client install"}, "x"}},
                 {7, {"what is the guest wifi password", {"how do visitors get online",
                                                          "wifi code for guests"}, "z"}}});
  auto d = Ask("what is the guest wifi password");
  ASSERT_EQ(d.kind, WorkspaceDecision::Kind::kChoose);
  ASSERT_EQ(d.picks.size(), 2u);
  std::set<std::string> owners{d.picks[0].owner.user_id, d.picks[1].owner.user_id};
  EXPECT_EQ(owners, (std::set<std::string>{"U0ALICE", "U0BOB"}));
}

TEST_F(WorkspaceAskTest, WhenNobodyIsSureSuggestsTheOwnersOfTheNearestTopics) {
  WorkspaceAskOptions strict;
  strict.min_confidence = 1.1f;  // nobody is ever sure enough
  strict.min_choice_confidence = 1.1f;
  auto d = Ask("is there parking for visitors with a car", strict);
  ASSERT_EQ(d.kind, WorkspaceDecision::Kind::kSuggest);
  ASSERT_FALSE(d.picks.empty());
  EXPECT_EQ(d.picks[0].owner, kAlice);
  EXPECT_LE(d.picks.size(), strict.max_shown);
}

TEST_F(WorkspaceAskTest, TheJointModelKeepsTheEnginesFullFloorsForItsFewNearTopics) {
  // "pizza on friday" falls between Carol's lunch and pizza topics. The joint model holds only
  // the topics nearest the question, so the engine's lower floor for a bot of few topics (an
  // unrelated question rarely lands near one of them) does not hold for it: with that floor it
  // would answer one of the two at once; with the full floors it only suggests Carol.
  const WorkspaceAskOptions defaults;
  EXPECT_EQ(defaults.joint_matcher.calibration_floor_size_gain, 0.0f);
  EXPECT_EQ(defaults.joint_matcher.calibration_head_floor_large_gain, 0.0f);
  EXPECT_EQ(defaults.joint_matcher.calibration_head_floor_few_gain, 0.0f);
  auto d = Ask("pizza on friday");
  EXPECT_EQ(d.kind, WorkspaceDecision::Kind::kSuggest);
  ASSERT_FALSE(d.picks.empty());
  EXPECT_EQ(d.picks[0].owner, kCarol);
  WorkspaceAskOptions bots_floors = defaults;
  bots_floors.joint_matcher = nlu::MatcherOptions{};
  EXPECT_EQ(Ask("pizza on friday", bots_floors).kind, WorkspaceDecision::Kind::kAnswer);
}

TEST_F(WorkspaceAskTest, NothingNearGivesNothing) {
  EXPECT_EQ(Ask("tell me about quantum chromodynamics").kind, WorkspaceDecision::Kind::kNothing);
  EXPECT_EQ(Ask("").kind, WorkspaceDecision::Kind::kNothing);
  EXPECT_EQ(DecideAcrossBots("anything", {}, lexicon_).kind, WorkspaceDecision::Kind::kNothing);
}

TEST_F(WorkspaceAskTest, AnOwnerWithoutAModelIsLeftOut) {
  models_.erase(kAlice);
  for (const auto& c : Gather("what is the guest wifi password")) EXPECT_NE(c.owner, kAlice);
}

}  // namespace
}  // namespace faqbot::assistant
