#include "nlu/lexicon.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "nlu/lexicon_builder.h"
#include "nlu/stemmer.h"
#include "nlu/test_support.h"

namespace faqbot::nlu {
namespace {

// A five-synset WordNet in the real file format.
class TinyWordNet : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("faqbot-wn-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    Write("data.noun",
          "  1 licence header line\n"
          "00000001 06 n 02 car 0 automobile 0 001 @ 00000002 n 0000 | a motor vehicle\n"
          "00000002 06 n 01 vehicle 0 000 | a conveyance that transports people\n"
          "00000003 04 n 01 arrival 0 001 + 00000004 v 0101 | the act of arriving somewhere\n");
    Write("data.verb", "00000004 38 v 01 arrive 0 001 + 00000003 n 0101 | reach a destination\n");
    Write("data.adj", "");
    Write("data.adv", "");
    Write("index.noun",
          "  1 licence header line\n"
          "arrival n 1 1 + 1 1 00000003  \n"
          "automobile n 1 1 @ 1 1 00000001  \n"
          "car n 1 1 @ 1 1 00000001  \n"
          "vehicle n 1 0 1 1 00000002  \n");
    Write("index.verb", "arrive v 1 1 + 1 1 00000004  \n");
    Write("index.adj", "");
    Write("index.adv", "");
    Write("verb.exc", "went go\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  std::filesystem::path dir_;
};

TEST_F(TinyWordNet, CompilesRelationsIdfAndIrregularForms) {
  auto image = BuildLexiconImage(dir_.string());
  ASSERT_TRUE(image.ok()) << image.status();
  auto lex = Lexicon::FromBytes(*image);
  ASSERT_TRUE(lex.ok()) << lex.status();
  const Lexicon& l = **lex;

  auto car = l.Find("car");
  ASSERT_TRUE(car.has_value());
  bool synonym = false, hypernym = false;
  for (uint32_t packed : l.RawRelated(*car)) {
    const RelatedTerm r = Lexicon::Decode(packed);
    if (l.Term(r.term) == "automobil" && r.relation == Relation::kSynonym) synonym = true;
    if (l.Term(r.term) == "vehicl" && r.relation == Relation::kHypernym) hypernym = true;
    EXPECT_EQ(r.sense_rank, 0);
  }
  EXPECT_TRUE(synonym);
  EXPECT_TRUE(hypernym);

  // "vehicle" occurs in two synsets (its own and car's gloss), "conveyance" in one.
  Stemmer stemmer;
  const auto vehicle = l.Find(stemmer.Stem("vehicle"));
  const auto conveyance = l.Find(stemmer.Stem("conveyance"));
  ASSERT_TRUE(vehicle.has_value() && conveyance.has_value());
  EXPECT_LT(l.Idf(*vehicle), l.Idf(*conveyance));
  const auto went = l.Find("went");
  ASSERT_TRUE(went.has_value());
  EXPECT_EQ(l.Term(l.Canonical(*went)), "go");
  EXPECT_FALSE(l.Find("zebra").has_value());
  EXPECT_EQ(l.vector_dims(), 0);  // too small a corpus for vectors
}

// Every (term, related) pair of RawRelated appears once, with the same relation and rank, in
// RawRelatedFrom of the related term, and nothing else does.
void ExpectReverseIndexIsExact(const Lexicon& l) {
  size_t forward = 0, reverse = 0;
  for (uint32_t id = 0; id < l.size(); ++id) {
    reverse += l.RawRelatedFrom(id).size();
    for (uint32_t packed : l.RawRelated(id)) {
      ++forward;
      const RelatedTerm r = Lexicon::Decode(packed);
      const uint32_t back = lexicon_format::PackRelated(id, r.relation, r.sense_rank);
      const auto from = l.RawRelatedFrom(r.term);
      ASSERT_EQ(std::count(from.begin(), from.end(), back),
                std::count(l.RawRelated(id).begin(), l.RawRelated(id).end(), packed))
          << l.Term(id) << " → " << l.Term(r.term);
    }
  }
  EXPECT_EQ(forward, reverse);
}

TEST_F(TinyWordNet, RelationsCanBeFollowedBackwards) {
  auto image = BuildLexiconImage(dir_.string());
  ASSERT_TRUE(image.ok()) << image.status();
  auto lex = Lexicon::FromBytes(*image);
  ASSERT_TRUE(lex.ok()) << lex.status();
  ExpectReverseIndexIsExact(**lex);
  const auto car = (*lex)->Find("car");
  const auto vehicle = (*lex)->Find("vehicl");
  ASSERT_TRUE(car && vehicle);
  bool car_is_a_vehicle = false;
  for (uint32_t packed : (*lex)->RawRelatedFrom(*vehicle)) {
    const RelatedTerm r = Lexicon::Decode(packed);
    if (r.term == *car && r.relation == Relation::kHypernym) car_is_a_vehicle = true;
  }
  EXPECT_TRUE(car_is_a_vehicle);
}

TEST(BuiltLexiconTest, RelationsCanBeFollowedBackwards) {
  ExpectReverseIndexIsExact(*testing::BuiltLexicon());
}

TEST_F(TinyWordNet, BuildIsDeterministic) {
  auto a = BuildLexiconImage(dir_.string());
  auto b = BuildLexiconImage(dir_.string());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST_F(TinyWordNet, RejectsCorruptionTruncationAndForeignFiles) {
  auto image = BuildLexiconImage(dir_.string());
  ASSERT_TRUE(image.ok());
  for (size_t pos : {size_t{70}, image->size() / 2, image->size() - 1}) {
    std::string bad = *image;
    bad[pos] ^= 0x20;
    auto r = Lexicon::FromBytes(bad);
    ASSERT_FALSE(r.ok()) << "flip at " << pos;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  for (size_t len : {size_t{0}, size_t{10}, size_t{64}, image->size() - 1}) {
    auto r = Lexicon::FromBytes(image->substr(0, len));
    ASSERT_FALSE(r.ok()) << "truncated to " << len;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  std::string foreign = *image;
  foreign[0] = 'X';
  EXPECT_EQ(Lexicon::FromBytes(foreign).status().code(), StatusCode::kDataLoss);
}

TEST_F(TinyWordNet, MissingWordNetIsNotFound) {
  auto r = BuildLexiconImage((dir_ / "nope").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(LexiconTest, LoadReportsMissingFile) {
  auto r = Lexicon::Load("/nonexistent/lexicon.fwn");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(BuiltLexiconTest, KnowsEnglishWithSenseRankedRelationsAndVectors) {
  auto lex = testing::BuiltLexicon();
  EXPECT_GT(lex->size(), 50'000u);
  auto thank = lex->Find("thank");
  auto appreci = lex->Find("appreci");
  ASSERT_TRUE(thank && appreci);
  ASSERT_GT(lex->vector_dims(), 0);
  const int8_t* a = lex->Vector(*thank);
  const int8_t* b = lex->Vector(*appreci);
  ASSERT_TRUE(a && b);
  int dot = 0;
  for (int d = 0; d < lex->vector_dims(); ++d) dot += a[d] * b[d];
  EXPECT_GT(dot / (127.0 * 127.0), 0.3);  // both are defined through gratitude
  // A common word is less informative than a rare one.
  const auto person = lex->Find("person");
  const auto stethoscope = lex->Find(Stemmer().Stem("stethoscope"));
  ASSERT_TRUE(person.has_value() && stethoscope.has_value());
  EXPECT_LT(lex->Idf(*person), lex->Idf(*stethoscope));
}

}  // namespace
}  // namespace faqbot::nlu
