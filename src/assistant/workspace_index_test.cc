#include "assistant/workspace_index.h"

#include <gtest/gtest.h>

#include "nlu/test_support.h"

namespace faqbot::assistant {
namespace {

const store::UserRef kAlice{"T0001", "U0ALICE"};
const store::UserRef kBob{"T0001", "U0BOB"};
const store::UserRef kCarol{"T0001", "U0CAROL"};
const store::UserRef kOtherTeam{"T0002", "U0DAVE"};

store::PublishedTopic Topic(int64_t id, std::string question,
                            std::vector<std::string> phrasings = {}) {
  return {id, {std::move(question), std::move(phrasings), "an answer"}};
}

class WorkspaceIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_.Update(kAlice, 1,
                  {Topic(1, "what is the guest wifi password", {"how do visitors get online"}),
                   Topic(2, "where do I park my car")});
    index_.Update(kBob, 1, {Topic(3, "how do I set up the vpn on my laptop"),
                            Topic(4, "how do I reset my password")});
    index_.Update(kCarol, 1, {Topic(5, "when is the team lunch")});
    index_.Update(kOtherTeam, 1, {Topic(6, "what is the guest wifi password")});
  }

  std::vector<std::string> Owners(std::string_view question, float min_score = 0.1f) {
    std::vector<std::string> out;
    for (const auto& c : index_.Candidates("T0001", question, 5, min_score)) {
      out.push_back(c.owner.user_id);
    }
    return out;
  }

  WorkspaceIndex index_{nlu::testing::BuiltLexicon()};
};

TEST_F(WorkspaceIndexTest, FindsTheOwnersWhoseTopicsShareTheQuestionsWords) {
  auto candidates = index_.Candidates("T0001", "guest wifi password?", 5, 0.1f);
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates[0].owner, kAlice);
  EXPECT_EQ(candidates[0].topic_id, 1);
  EXPECT_GT(candidates[0].score, 0.9f);
  // Bob's password topic shares one word: a weaker candidate, after Alice.
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[1].owner, kBob);
  EXPECT_LT(candidates[1].score, candidates[0].score);
  EXPECT_EQ(Owners("when is lunch with the team"), std::vector<std::string>{"U0CAROL"});
  EXPECT_TRUE(Owners("tell me about quantum chromodynamics").empty());
  EXPECT_TRUE(Owners("").empty());
  EXPECT_TRUE(index_.Candidates("T9999", "guest wifi password", 5, 0.0f).empty());
}

TEST_F(WorkspaceIndexTest, KeepsWorkspacesApartAndRespectsTheLimitAndTheMinimum) {
  for (const auto& c : index_.Candidates("T0002", "guest wifi password", 5, 0.0f)) {
    EXPECT_EQ(c.owner, kOtherTeam);
  }
  EXPECT_EQ(index_.Candidates("T0001", "password", 1, 0.0f).size(), 1u);
  EXPECT_TRUE(Owners("guest wifi password and lunch and parking", 0.99f).empty());
}

TEST_F(WorkspaceIndexTest, APublicationReplacesTheOwnersTopicsAndAnOlderOneIsIgnored) {
  index_.Update(kCarol, 2, {Topic(7, "where is the printer")});
  EXPECT_TRUE(Owners("when is the team lunch").empty());
  EXPECT_EQ(Owners("where is the printer"), std::vector<std::string>{"U0CAROL"});
  EXPECT_EQ(index_.version(kCarol), 2);
  // A late notification of version 1 changes nothing.
  index_.Update(kCarol, 1, {Topic(5, "when is the team lunch")});
  EXPECT_TRUE(Owners("when is the team lunch").empty());
  // An empty publication takes the owner out.
  index_.Update(kCarol, 3, {});
  EXPECT_TRUE(Owners("where is the printer").empty());
  EXPECT_EQ(index_.stats("T0001").owners, 2u);
  index_.Remove(kAlice);
  EXPECT_TRUE(Owners("guest wifi").empty());
  EXPECT_EQ(index_.stats("T0001").owners, 1u);
  EXPECT_EQ(index_.stats("T0001").topics, 2u);
}

TEST_F(WorkspaceIndexTest, KeepsTheTopicsTextsForTheDecision) {
  auto topics = index_.Topics(kAlice, {2, 1, 99});
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].topic_id, 2);
  EXPECT_EQ(topics[1].content.phrasings, std::vector<std::string>{"how do visitors get online"});
  EXPECT_TRUE(topics[1].content.answer.empty());
  EXPECT_TRUE(index_.Topics(kBob, {1}).empty());
}

TEST_F(WorkspaceIndexTest, ManyRepublicationsCompactAndStillFindEveryOwner) {
  for (int version = 2; version < 300; ++version) {
    std::vector<store::PublishedTopic> topics;
    for (int i = 0; i < 10; ++i) {
      topics.push_back(Topic(1000 + i, "printer number " + std::to_string(i) + " is jammed"));
    }
    index_.Update(kCarol, version, topics);
  }
  const auto stats = index_.stats("T0001");
  EXPECT_EQ(stats.topics, 4u + 10u);
  // 2,980 topics were dropped; at most about a thousand dead ones wait for the next compaction.
  EXPECT_LT(stats.postings, 5000u) << "dead postings are compacted away";
  EXPECT_EQ(Owners("my printer is jammed"), std::vector<std::string>{"U0CAROL"});
  EXPECT_EQ(Owners("guest wifi password")[0], "U0ALICE");
}

TEST_F(WorkspaceIndexTest, FindsARelativeOfAWordAtLowerWeight) {
  // "automobile" is a synonym of "car" in the lexicon: Alice's parking topic is found.
  auto candidates = index_.Candidates("T0001", "where do I park my automobile", 5, 0.1f);
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates[0].owner, kAlice);
  EXPECT_EQ(candidates[0].topic_id, 2);
}

}  // namespace
}  // namespace faqbot::assistant
