#include "nlu/explain.h"

#include <gtest/gtest.h>

#include "nlu/test_support.h"

namespace faqbot::nlu {
namespace {

using testing::BuiltLexicon;

const WordMatch* MatchOf(const Explanation& e, std::string_view query_word) {
  for (const auto& m : e.matches) {
    if (m.query_word == query_word) return &m;
  }
  return nullptr;
}

TEST(ExplainTest, SameWordAndSameStemAcrossExamples) {
  const Explanation e = Explain("Where are the printers?",
                                {"how do I print", "where is the printer"}, *BuiltLexicon());
  const WordMatch* printers = MatchOf(e, "printers");
  ASSERT_NE(printers, nullptr);
  EXPECT_EQ(printers->link, WordLink::kSameStem);
  EXPECT_EQ(printers->example_word, "printer");
  EXPECT_EQ(printers->example, 1u);
  // Stop words ("where", "are", "the") carry no weight and are not listed at all.
  for (const auto& m : e.matches) EXPECT_NE(m.query_word, "the");
  EXPECT_TRUE(e.unmatched.empty());
  EXPECT_NEAR(e.covered, 1.0f, 1e-5f);
}

TEST(ExplainTest, ExactWordBeatsStemAndWordNetRelationsAreNamed) {
  const Explanation exact = Explain("printer jammed", {"printers", "printer"}, *BuiltLexicon());
  ASSERT_NE(MatchOf(exact, "printer"), nullptr);
  EXPECT_EQ(MatchOf(exact, "printer")->link, WordLink::kSameWord);
  EXPECT_EQ(MatchOf(exact, "printer")->example, 1u);
  EXPECT_EQ(exact.unmatched, std::vector<std::string>{"jammed"});

  const Explanation synonym = Explain("buy a car", {"purchase an automobile"}, *BuiltLexicon());
  ASSERT_NE(MatchOf(synonym, "car"), nullptr);
  EXPECT_EQ(MatchOf(synonym, "car")->link, WordLink::kSynonym);
  EXPECT_EQ(MatchOf(synonym, "car")->example_word, "automobile");
  ASSERT_NE(MatchOf(synonym, "buy"), nullptr);
  EXPECT_EQ(WordLinkName(MatchOf(synonym, "buy")->link), "synonym");
}

TEST(ExplainTest, HypernymDirectionIsSeenFromTheQuestion) {
  // An oak is a tree: the topic's word is more general than the question's.
  const Explanation up = Explain("oak", {"tree"}, *BuiltLexicon());
  ASSERT_EQ(up.matches.size(), 1u);
  EXPECT_EQ(up.matches[0].link, WordLink::kHypernym);
  const Explanation down = Explain("tree", {"oak"}, *BuiltLexicon());
  ASSERT_EQ(down.matches.size(), 1u);
  EXPECT_EQ(down.matches[0].link, WordLink::kHyponym);
}

TEST(ExplainTest, WeightsAreSharesOfTheQuestion) {
  const Explanation none = Explain("reset my kerberos password", {"unrelated"}, *BuiltLexicon());
  EXPECT_TRUE(none.matches.empty());
  EXPECT_EQ(none.covered, 0.0f);
  EXPECT_EQ(none.unmatched.size(), 3u);  // "my" is a stop word

  const Explanation all = Explain("password", {"my password"}, *BuiltLexicon());
  ASSERT_EQ(all.matches.size(), 1u);
  EXPECT_FLOAT_EQ(all.matches[0].weight, 1.0f);

  const Explanation part = Explain("reset kerberos password", {"password reset"}, *BuiltLexicon());
  ASSERT_EQ(part.matches.size(), 2u);
  float sum = 0.0f;
  for (const auto& m : part.matches) {
    EXPECT_GT(m.weight, 0.0f);
    EXPECT_LT(m.weight, 1.0f);
    sum += m.weight;
  }
  EXPECT_NEAR(part.covered, sum, 1e-5f);
  EXPECT_LT(part.covered, 1.0f);
  EXPECT_EQ(part.unmatched, std::vector<std::string>{"kerberos"});
  EXPECT_TRUE(Explain("", {"x"}, *BuiltLexicon()).matches.empty());
}

}  // namespace
}  // namespace faqbot::nlu
