#include "nlu/model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "nlu/analyzer.h"
#include "nlu/checksum.h"
#include "nlu/test_support.h"

namespace faqbot::nlu {
namespace {

using testing::BuiltLexicon;
using testing::Faq;

TrainingData OfficeFaq() {
  return Faq({{"wifi", "what is the wifi password"},
              {"parking", "where can visitors park their car"},
              {"expenses", "how do I submit my travel expenses"},
              {"holidays", "how many vacation days do I get per year"},
              {"printer", "the printer on floor 3 is jammed"}});
}

std::shared_ptr<const Model> Train(const TrainingData& d, const MatcherOptions& o = {}) {
  auto m = Model::Train(d, BuiltLexicon(), o);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : nullptr;
}

TEST(ModelTest, AnswersParaphrases) {
  auto m = Train(OfficeFaq());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Predict("whats the password for the wireless").intent, "wifi");
  EXPECT_EQ(m->Predict("Where do guests park?").intent, "parking");
  EXPECT_EQ(m->Predict("how many holidays do we have each year").intent, "holidays");
  EXPECT_EQ(m->Predict("how can i claim travel costs").ranking.at(0).name, "expenses");
}

TEST(ModelTest, DeclinesWhatItWasNeverTaught) {
  auto m = Train(OfficeFaq());
  for (const char* q : {"who won the football match yesterday", "tell me a joke",
                        "what is the capital of france"}) {
    const Prediction p = m->Predict(q);
    EXPECT_TRUE(p.declined()) << q << " → " << p.intent << " " << p.confidence;
    EXPECT_EQ(p.intent, kFallbackIntent);
  }
}

TEST(ModelTest, EmptyAndWordlessQueriesAreDeclinedWithZeroScores) {
  auto m = Train(OfficeFaq());
  for (const char* q : {"", "   ", "?!?", ":tada:", "<@U123>"}) {
    const Prediction p = m->Predict(q);
    EXPECT_TRUE(p.declined()) << q;
    EXPECT_TRUE(p.ranking.empty()) << q;
  }
}

TEST(ModelTest, ConfidencesAreOrderedProbabilities) {
  auto m = Train(OfficeFaq());
  const Prediction p = m->Predict("wifi password please", 3);
  ASSERT_FALSE(p.ranking.empty());
  EXPECT_LE(p.ranking.size(), 3u);
  for (size_t i = 0; i < p.ranking.size(); ++i) {
    EXPECT_GE(p.ranking[i].confidence, 0.0f);
    EXPECT_LE(p.ranking[i].confidence, 1.0f);
    if (i > 0) {
      EXPECT_LE(p.ranking[i].confidence, p.ranking[i - 1].confidence);
    }
  }
  EXPECT_GT(p.confidence, 0.8f);
}

TEST(ModelTest, TrainingIsDeterministicAndSerializationRoundTrips) {
  auto a = Train(OfficeFaq());
  auto b = Train(OfficeFaq());
  EXPECT_EQ(a->Serialize(), b->Serialize());
  auto loaded = Model::Load(a->Serialize(), BuiltLexicon());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->Serialize(), a->Serialize());
  for (const char* q : {"wifi?", "park", "expenses for my trip", "printer broken", "nothing"}) {
    const Prediction x = a->Predict(q), y = (*loaded)->Predict(q);
    EXPECT_EQ(x.intent, y.intent);
    EXPECT_FLOAT_EQ(x.confidence, y.confidence);
  }
}

// Topics with several phrasings each (an imported Rasa file, or a bot that has learned).
TrainingData CardFaq() {
  TrainingData d;
  d.intents.push_back({"declined",
                       {"my card was declined at the shop", "why was my payment declined",
                        "the terminal declined my card", "card payment declined again"},
                       ""});
  d.intents.push_back({"lost",
                       {"I lost my card", "my card was stolen yesterday",
                        "someone stole my wallet with the card", "how do I report a lost card"},
                       ""});
  d.intents.push_back({"pin",
                       {"I forgot my pin", "how do I reset the pin of my card",
                        "my pin is blocked after three tries", "change my pin number"},
                       ""});
  d.intents.push_back({"expired",
                       {"my card has expired", "the card expiry date has passed",
                        "when does my card expire", "renew an expired card"},
                       ""});
  return d;
}

TEST(ModelTest, ClassifierHeadServesTopicsWithSeveralPhrasings) {
  MatcherOptions head_only;
  head_only.head_mix = 1.0f;  // a topic's score is the head's probability alone
  auto m = Train(CardFaq(), head_only);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->has_head());
  for (const auto& [query, topic] :
       {std::pair{"declined payment at the terminal", "declined"},
        std::pair{"wallet stolen, report it", "lost"}, std::pair{"pin blocked, reset it", "pin"}}) {
    const Prediction p = m->Predict(query);
    ASSERT_FALSE(p.ranking.empty()) << query;
    EXPECT_EQ(p.ranking[0].name, topic) << query;
  }
  // One phrasing per topic: nearest neighbours alone, no head.
  EXPECT_FALSE(Train(OfficeFaq())->has_head());
  MatcherOptions off;
  off.head_min_examples = 0;
  EXPECT_FALSE(Train(CardFaq(), off)->has_head());
  // Three topics, however many phrasings: too few for the head (matcher_options.h).
  TrainingData three = CardFaq();
  three.intents.pop_back();
  EXPECT_FALSE(Train(three)->has_head());
}

TEST(ModelTest, ATaughtPhrasingAnswersItsTopicWhateverTheHeadPrefers) {
  // The bag-of-words head sees "delete a topic" as {delete, topic}, words the larger topic owns;
  // the owner taught that very question for the smaller one.
  TrainingData d;
  d.intents.push_back(
      {"delete_one", {"delete a topic", "remove one topic", "forget one entry"}, ""});
  d.intents.push_back({"delete_all",
                       {"delete all topics", "delete every topic", "remove all my topics",
                        "wipe all topics", "delete all of my topics", "clear every topic"},
                       ""});
  MatcherOptions with_head;
  with_head.head_min_topics = 2;  // as models written before that option had
  MatcherOptions head_heavy = with_head;
  head_heavy.head_mix = 0.9f;
  for (const MatcherOptions& o : {with_head, head_heavy}) {
    auto m = Train(d, o);
    ASSERT_TRUE(m->has_head());
    for (const Intent& intent : d.intents) {
      for (const std::string& example : intent.examples) {
        EXPECT_EQ(m->Predict(example).intent, intent.name) << example;
      }
    }
  }
}

TEST(ModelTest, HeadIsRebuiltOnLoadAndAnswersTheSame) {
  auto a = Train(CardFaq());
  auto b = Train(CardFaq());
  EXPECT_EQ(a->Serialize(), b->Serialize());
  auto loaded = Model::Load(a->Serialize(), BuiltLexicon());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE((*loaded)->has_head());
  EXPECT_EQ((*loaded)->decline_center(), a->decline_center());
  for (const char* q : {"card declined", "stolen card", "new pin", "weather tomorrow"}) {
    const Prediction x = a->Predict(q), y = (*loaded)->Predict(q), z = b->Predict(q);
    ASSERT_EQ(x.ranking.size(), y.ranking.size()) << q;
    for (size_t k = 0; k < x.ranking.size(); ++k) {
      EXPECT_EQ(x.ranking[k].name, y.ranking[k].name) << q;
      EXPECT_EQ(x.ranking[k].confidence, y.ranking[k].confidence) << q;
      EXPECT_EQ(x.ranking[k].confidence, z.ranking[k].confidence) << q;
    }
  }
}

// A model file written before head_idf and head_min_topics existed names neither: it must load
// with the head it was written with (the matcher's weights, a head on three topics) and answer
// as that build did. Such a file is made here from one written now, by taking those options out
// of its options text and sealing it again.
std::string WithoutOptions(const std::string& file, const std::vector<std::string>& names) {
  constexpr size_t kHeader = 8 + 4 + 4 + 8 + 8 + 8;
  std::string payload = file.substr(kHeader);
  uint32_t length = 0;
  std::memcpy(&length, payload.data(), 4);
  std::string options = payload.substr(4, length);
  for (const std::string& name : names) {
    const size_t at = options.find(name + "=");
    EXPECT_NE(at, std::string::npos) << name;
    const size_t comma = options.find(',', at);
    options.erase(at, comma == std::string::npos ? std::string::npos : comma - at + 1);
  }
  if (!options.empty() && options.back() == ',') options.pop_back();
  const auto new_length = static_cast<uint32_t>(options.size());
  payload = std::string(reinterpret_cast<const char*>(&new_length), 4) + options +
            payload.substr(4 + length);
  std::string header = file.substr(0, kHeader - 16);
  const uint64_t size = payload.size();
  header.append(reinterpret_cast<const char*>(&size), 8);
  const uint64_t checksum = Checksum64(header + payload);
  header.append(reinterpret_cast<const char*>(&checksum), 8);
  return header + payload;
}

TEST(ModelTest, FilesWrittenBeforeTheBotIdfHeadKeepTheirHead) {
  TrainingData three = CardFaq();
  three.intents.pop_back();
  MatcherOptions former;
  former.head_idf = 0;
  former.head_min_topics = 2;
  auto before = Train(three, former);
  ASSERT_TRUE(before->has_head());
  const std::string file = WithoutOptions(before->Serialize(), {"head_idf", "head_min_topics"});
  ASSERT_EQ(file.find("head_idf"), std::string::npos);
  auto loaded = Model::Load(file, BuiltLexicon());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE((*loaded)->has_head());
  EXPECT_EQ((*loaded)->options().head_idf, 0.0f);
  for (const char* q : {"card declined", "stolen card", "new pin", "weather tomorrow"}) {
    const Prediction x = before->Predict(q), y = (*loaded)->Predict(q);
    ASSERT_EQ(x.ranking.size(), y.ranking.size()) << q;
    for (size_t k = 0; k < x.ranking.size(); ++k) {
      EXPECT_EQ(x.ranking[k].name, y.ranking[k].name) << q;
      EXPECT_EQ(x.ranking[k].confidence, y.ranking[k].confidence) << q;
    }
  }
  // Written now, the same bot has no head (three topics) and its file says so.
  auto now = Model::Load(Train(three)->Serialize(), BuiltLexicon());
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_FALSE((*now)->has_head());
}

TEST(ModelTest, ChineseAndJapaneseQuestionsMatchByTheirCharacters) {
  // Written without spaces: a run of characters used to be one word, so a paraphrase matched
  // only by the trigrams of misspellings, or not at all.
  const TrainingData office = Faq({{"wifi", "无线网络的密码是什么"},
                                   {"parking", "访客可以在哪里停车"},
                                   {"lunch", "公司的午餐几点开始"},
                                   {"holiday", "有薪假期有多少天"}});
  auto bot = Train(office);
  EXPECT_EQ(bot->Predict("午餐什么时候开始").intent, "lunch");
  EXPECT_EQ(bot->Predict("无线网络密码是多少").intent, "wifi");
  EXPECT_EQ(bot->Predict("今天天气怎么样").intent, kFallbackIntent);
  auto japanese = Train(Faq({{"wifi", "ゲスト用のWi-Fiのパスワードは何ですか"},
                             {"lunch", "社員食堂は何時に開きますか"},
                             {"parking", "来客用の駐車場はどこですか"},
                             {"holiday", "有給休暇は何日ありますか"}}));
  EXPECT_EQ(japanese->Predict("食堂は何時から開いていますか").intent, "lunch");
  EXPECT_EQ(japanese->Predict("明日の天気はどうですか").intent, kFallbackIntent);

  // A model file from before keeps a run of characters one word, and answers as it did.
  MatcherOptions former;
  former.split_ideographs = 0;
  auto before = Train(office, former);
  EXPECT_EQ(before->Predict("午餐什么时候开始").intent, kFallbackIntent);
  auto loaded =
      Model::Load(WithoutOptions(before->Serialize(), {"split_ideographs"}), BuiltLexicon());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->options().split_ideographs, 0.0f);
  for (const char* q : {"午餐什么时候开始", "无线网络密码是多少", "访客在哪停车", "wifi"}) {
    const Prediction x = before->Predict(q), y = (*loaded)->Predict(q);
    EXPECT_EQ(x.intent, y.intent) << q;
    EXPECT_EQ(x.confidence, y.confidence) << q;
  }
}

TEST(ModelTest, DeclineCentreIsLearnedFromHowCloseTheTopicsAre) {
  // Topics that share their words: a query for one of them looks much like the others, so the
  // bot must be surer before it answers than a bot whose topics have nothing in common.
  auto crowded = Train(Faq({{"declined", "my card payment was declined"},
                            {"lost", "my card was lost"},
                            {"pin", "my card pin is blocked"},
                            {"expired", "my card has expired"},
                            {"delivery", "my card has not arrived"}}));
  auto distinct = Train(OfficeFaq());
  EXPECT_GT(crowded->decline_center(), distinct->decline_center() + 0.05f);
  MatcherOptions fixed;
  fixed.calibration_probes = 0;  // the fixed rule: conf_center, plus the size term above 10
  EXPECT_FLOAT_EQ(Train(OfficeFaq(), fixed)->decline_center(), fixed.conf_center);
}

TEST(ModelTest, BotsOfFewTopicsHaveALowerFloor) {
  // Five distinct topics: their near-miss values are low, so a ten-topic bot's floor would
  // decide the centre; a five-topic bot's floor is lower by calibration_floor_size_gain ×
  // ln(10 / 5), and the centre it learns from its probes shows.
  MatcherOptions flat;
  flat.calibration_floor_size_gain = 0;
  const MatcherOptions defaults;
  const float expected = defaults.calibration_floor - defaults.calibration_floor_size_gain *
                                                          std::log(defaults.size_reference / 5);
  EXPECT_FLOAT_EQ(Train(OfficeFaq(), flat)->decline_center(), flat.calibration_floor);
  const float centre = Train(OfficeFaq())->decline_center();
  EXPECT_LT(centre, flat.calibration_floor - 0.05f);
  EXPECT_GE(centre, expected);
  // Fewer than five topics count as five: no lower floor than that.
  TrainingData two = OfficeFaq();
  two.intents.resize(2);
  EXPECT_GE(Train(two)->decline_center(), expected - 1e-6f);
}

TEST(ModelTest, BigBotsWithTheHeadHaveALowerHeadFloor) {
  // Forty topics that share no word, two phrasings each (the head is on): their near-miss
  // values are low, so a ten-topic bot's head floor would decide the centre; a forty-topic bot's
  // is lower by calibration_head_floor_large_gain × ln(40 / 10).
  const std::vector<std::string> things = {
      "piano",   "volcano", "passport", "umbrella",  "tomato",   "giraffe", "satellite",
      "bicycle", "harbor",  "lantern",  "cathedral", "blanket",  "walnut",  "violin",
      "glacier", "printer", "carpet",   "dentist",   "orchid",   "trumpet", "kayak",
      "lobster", "chimney", "sandal",   "meteor",    "pyramid",  "ladder",  "parrot",
      "cactus",  "helmet",  "saddle",   "tractor",   "vinegar",  "lagoon",  "beehive",
      "compass", "pillow",  "marathon", "cucumber",  "telescope"};
  TrainingData data;
  for (const auto& thing : things) {
    data.intents.push_back({thing, {"tell me about the " + thing, thing + " facts"}, ""});
  }
  MatcherOptions flat;
  flat.calibration_head_floor_large_gain = 0;
  flat.calibration_head_floor_few_gain = 0;
  MatcherOptions defaults;
  defaults.calibration_head_floor_few_gain = 0;  // its own test, below
  ASSERT_GT(defaults.calibration_head_floor_large_gain, 0.0f);
  auto with_flat = Train(data, flat);
  ASSERT_TRUE(with_flat->has_head());
  EXPECT_FLOAT_EQ(with_flat->decline_center(), flat.calibration_head_floor);
  const float lowest = defaults.calibration_head_floor -
                       defaults.calibration_head_floor_large_gain * std::log(40.0f / 10.0f);
  const float centre = Train(data, defaults)->decline_center();
  EXPECT_LT(centre, flat.calibration_head_floor);
  EXPECT_GE(centre, lowest - 1e-6f);
  // Ten topics or fewer: no change.
  data.intents.resize(10);
  EXPECT_FLOAT_EQ(Train(data, defaults)->decline_center(), Train(data, flat)->decline_center());
}

TEST(ModelTest, TopicsWithFewPhrasingsHaveALowerHeadFloor) {
  // Ten topics that share no word: their near-miss values are low, so the head floor decides
  // the centre. With two phrasings per topic it is lower by calibration_head_floor_few_gain ×
  // ln(6 / 2); with six or more, not at all.
  const std::vector<std::string> things = {"piano",  "volcano", "passport",  "umbrella",
                                           "tomato", "giraffe", "satellite", "bicycle",
                                           "harbor", "lantern"};
  const std::vector<std::string> ways = {"tell me about the ", "facts on the ", "what is a ",
                                         "explain the ",       "describe the ", "info about the "};
  auto bot = [&](size_t phrasings) {
    TrainingData data;
    for (const auto& thing : things) {
      Intent intent{thing, {}, ""};
      for (size_t i = 0; i < phrasings; ++i) intent.examples.push_back(ways[i] + thing);
      data.intents.push_back(std::move(intent));
    }
    return data;
  };
  MatcherOptions flat;
  flat.calibration_head_floor_few_gain = 0;
  const MatcherOptions defaults;
  ASSERT_GT(defaults.calibration_head_floor_few_gain, 0.0f);
  auto two_flat = Train(bot(2), flat);
  ASSERT_TRUE(two_flat->has_head());
  EXPECT_FLOAT_EQ(two_flat->decline_center(), flat.calibration_head_floor);
  EXPECT_NEAR(Train(bot(2))->decline_center(),
              defaults.calibration_head_floor -
                  defaults.calibration_head_floor_few_gain *
                      std::log(defaults.calibration_head_floor_few_reference / 2.0f),
              1e-5f);
  EXPECT_FLOAT_EQ(Train(bot(6))->decline_center(), Train(bot(6), flat)->decline_center());
}

// Ten topics of thirty phrasings each, made of words every topic uses: only some phrasings
// carry their topic's own word, so the bot confuses many of its held-out phrasings.
TrainingData ConfusableTopics() {
  const std::vector<std::string> keys = {"invoice", "refund",  "password", "parcel", "meeting",
                                         "laptop",  "holiday", "salary",   "badge",  "printer"};
  const std::vector<std::string> shared = {"help",  "need", "today", "please",  "problem",
                                           "issue", "work", "again", "urgent",  "question",
                                           "team",  "new",  "still", "morning", "quick"};
  uint64_t state = 7;
  auto next = [&](size_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>((state >> 33) % n);
  };
  TrainingData data;
  for (const auto& key : keys) {
    Intent intent{key, {}, ""};
    for (int i = 0; i < 30; ++i) {
      std::string text = shared[next(shared.size())] + " " + shared[next(shared.size())] + " " +
                         shared[next(shared.size())];
      if (next(3) == 0) text += " " + key;
      intent.examples.push_back(text);
    }
    data.intents.push_back(std::move(intent));
  }
  return data;
}

TEST(ModelTest, BotsWithManyPhrasingsLearnTheirCentreFromTheirMistakes) {
  const TrainingData data = ConfusableTopics();
  MatcherOptions probes_only;
  probes_only.calibration_cv_holdout = 0;
  const float probes = Train(data, probes_only)->decline_center();
  auto bot = Train(data);
  ASSERT_TRUE(bot->has_head());
  EXPECT_NE(bot->decline_center(), probes);
  // The centre is a quantile of the held-out mistakes' values plus the offset, so it moves with
  // both (while between the floor and the cap).
  MatcherOptions lowest, highest, later;
  lowest.calibration_cv_quantile = 0;
  highest.calibration_cv_quantile = 1;
  later.calibration_cv_offset = MatcherOptions().calibration_cv_offset + 0.05f;
  const float low = Train(data, lowest)->decline_center();
  const float high = Train(data, highest)->decline_center();
  EXPECT_LT(low, bot->decline_center());
  EXPECT_GT(high, bot->decline_center());
  ASSERT_LT(bot->decline_center() + 0.05f, MatcherOptions().calibration_max);
  EXPECT_NEAR(Train(data, later)->decline_center(), bot->decline_center() + 0.05f, 1e-5f);
  // Too few mistakes to learn from, or too few phrasings per topic: the probes decide.
  MatcherOptions demanding;
  demanding.calibration_cv_min_mistakes = 1000;
  EXPECT_FLOAT_EQ(Train(data, demanding)->decline_center(), probes);
  MatcherOptions many;
  many.calibration_cv_min_phrasings = 31;
  EXPECT_FLOAT_EQ(Train(data, many)->decline_center(), probes);
  // Deterministic, and a file written before the rule loads without it.
  EXPECT_EQ(Train(data)->Serialize(), bot->Serialize());
  const std::string file = WithoutOptions(bot->Serialize(), {"calibration_cv_holdout"});
  auto loaded = Model::Load(file, BuiltLexicon());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->options().calibration_cv_holdout, 0.0f);
  EXPECT_EQ((*loaded)->decline_center(), bot->decline_center());
}

TEST(ModelTest, HeldOutMistakesCopeWithDuplicateAndWordlessPhrasings) {
  // Two topics taught the very same phrasings (every held-out one is a sure mistake), one whose
  // phrasings have no words at all (no examples left), and three ordinary ones: training still
  // succeeds, the centre stays within its cap, and the ordinary topics answer.
  TrainingData data;
  const std::vector<std::string> same = {"reset my password", "forgot my password",
                                         "password reset please", "cannot log in",
                                         "locked out of my account"};
  for (const char* name : {"password", "login"}) {
    Intent intent{name, {}, ""};
    for (int i = 0; i < 10; ++i) intent.examples.push_back(same[i % same.size()]);
    data.intents.push_back(std::move(intent));
  }
  data.intents.push_back({"emoji", std::vector<std::string>(10, ":tada: ???"), ""});
  for (const char* name : {"parking", "lunch", "printer"}) {
    Intent intent{name, {}, ""};
    for (int i = 0; i < 10; ++i) {
      intent.examples.push_back(std::string(name) + " question number " + std::to_string(i));
    }
    data.intents.push_back(std::move(intent));
  }
  MatcherOptions eager;
  eager.calibration_cv_min_mistakes = 1;
  for (const MatcherOptions& options : {MatcherOptions(), eager}) {
    auto bot = Train(data, options);
    ASSERT_TRUE(bot);
    EXPECT_LE(bot->decline_center(), options.calibration_max);
    EXPECT_EQ(bot->Predict("parking question number 3").intent, "parking");
  }
}

std::shared_ptr<const Model> Extend(const Model& previous, const TrainingData& previous_data,
                                    const TrainingData& data, const MatcherOptions& o = {}) {
  auto m = Model::Extend(previous, previous_data, data, o);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : nullptr;
}

// `data` with `text` appended to the examples of intent `i`.
TrainingData WithExample(TrainingData data, size_t i, const std::string& text) {
  data.intents[i].examples.push_back(text);
  return data;
}

TEST(ModelTest, ExtendingASmallBotBuildsWhatTrainingBuilds) {
  // Words new to the bot in an early topic, words of a later topic, a wordless example in the
  // previous data and a repeat of an existing phrasing: the same file, byte for byte, as
  // training from scratch (the vocabulary is numbered in the same order).
  TrainingData before = OfficeFaq();
  before.intents[1].examples.push_back("???");
  before.intents[2].examples.push_back("expense reports are due when");
  auto previous = Train(before);
  ASSERT_TRUE(previous);
  for (const TrainingData& after :
       {WithExample(before, 0, "wireless network login for guests"),
        WithExample(before, 0, "is there a printer near the parking"),
        WithExample(before, 1, "???"), WithExample(before, 4, "the printer on floor 3 is jammed"),
        WithExample(WithExample(before, 3, "days off"), 0, "wlan key")}) {
    auto extended = Extend(*previous, before, after);
    ASSERT_TRUE(extended);
    EXPECT_EQ(extended->Serialize(), Train(after)->Serialize());
    EXPECT_EQ(extended->decline_center_examples(), Train(after)->decline_center_examples());
  }
  // Extending an extended model works the same.
  const TrainingData once = WithExample(before, 0, "wireless network login for guests");
  const TrainingData twice = WithExample(once, 2, "where do receipts go");
  auto extended = Extend(*Extend(*previous, before, once), once, twice);
  ASSERT_TRUE(extended);
  EXPECT_EQ(extended->Serialize(), Train(twice)->Serialize());
}

TEST(ModelTest, ExtendTrainsFromScratchWhatDoesNotOnlyAppendExamples) {
  const TrainingData before = OfficeFaq();
  auto previous = Train(before);
  TrainingData changed = before;
  changed.intents[0].examples[0] = "what is the guest wifi password";
  TrainingData reordered = before;
  std::swap(reordered.intents[0], reordered.intents[1]);
  TrainingData renamed = before;
  renamed.intents[2].name = "travel";
  TrainingData more = before;
  more.intents.push_back({"lunch", {"where is the canteen"}, ""});
  TrainingData fewer = before;
  fewer.intents.pop_back();
  for (const TrainingData& after : {changed, reordered, renamed, more, fewer}) {
    auto extended = Extend(*previous, before, after);
    ASSERT_TRUE(extended);
    EXPECT_EQ(extended->Serialize(), Train(after)->Serialize());
  }
  // Other options than the previous model's: trained with the options asked for.
  MatcherOptions other;
  other.conf_center += 0.1f;
  const TrainingData after = WithExample(before, 0, "wlan key");
  EXPECT_EQ(Extend(*previous, before, after, other)->Serialize(), Train(after, other)->Serialize());
  // `previous_data` that is not what `previous` was trained from (other topic names): the same.
  EXPECT_EQ(Extend(*previous, renamed, WithExample(renamed, 0, "wlan key"))->Serialize(),
            Train(WithExample(renamed, 0, "wlan key"))->Serialize());
  // Bad data is refused as Train refuses it.
  TrainingData bad = WithExample(before, 0, std::string("\xff\xfe"));
  auto refused = Model::Extend(*previous, before, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelTest, ExtendingABotThatLearnsFromItsMistakesKeepsItsCentreForAWhile) {
  const TrainingData before = ConfusableTopics();  // 10 topics × 30 phrasings
  auto previous = Train(before);
  ASSERT_TRUE(previous->has_head());
  ASSERT_EQ(previous->decline_center_examples(), 300u);
  // Learned phrasings, one at a time, as an owner's "It's X" presses add them.
  TrainingData data = before;
  std::shared_ptr<const Model> live = previous;
  const size_t kept = static_cast<size_t>(300 * Model::kCentreGrowth);  // 15
  for (size_t i = 0; i < kept; ++i) {
    TrainingData next = WithExample(
        data, i % 10, "team question " + std::to_string(i) + " " + data.intents[i % 10].name);
    live = Extend(*live, data, next);
    ASSERT_TRUE(live);
    data = std::move(next);
    EXPECT_EQ(live->decline_center(), previous->decline_center()) << i;
    EXPECT_EQ(live->decline_center_examples(), 300u);
    // Everything but the centre is what training builds: the same answers with that centre.
    const auto trained = Train(data);
    for (const char* q : {"urgent invoice problem", "team question 3 parcel", "quick help"}) {
      const Prediction a = live->Predict(q);
      const Prediction b = trained->Predict(q);
      ASSERT_FALSE(a.ranking.empty());
      EXPECT_EQ(a.ranking[0].name, b.ranking[0].name) << q;
    }
    // The file says which centre it keeps, and loads to the same model.
    const std::string file = live->Serialize();
    auto loaded = Model::Load(file, BuiltLexicon());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ((*loaded)->Serialize(), file);
    EXPECT_EQ((*loaded)->decline_center_examples(), 300u);
    EXPECT_EQ((*loaded)->Predict("urgent invoice problem").confidence,
              live->Predict("urgent invoice problem").confidence);
  }
  // One more and the bot has grown by more than kCentreGrowth: the centre is learned again, and
  // the model is the one training builds.
  const TrainingData grown = WithExample(data, 0, "badge printer salary");
  auto relearned = Extend(*live, data, grown);
  ASSERT_TRUE(relearned);
  EXPECT_EQ(relearned->decline_center_examples(), 316u);
  EXPECT_EQ(relearned->Serialize(), Train(grown)->Serialize());
  // A publish (Train) learns it anew at once.
  EXPECT_EQ(Train(data)->decline_center_examples(), 315u);
}

TEST(ModelTest, AFileKeepingAnEarlierCentreIsCheckedLikeAnyOther) {
  const TrainingData before = ConfusableTopics();
  const TrainingData after = WithExample(before, 0, "invoice again");
  const std::string file = Extend(*Train(before), before, after)->Serialize();
  uint32_t version = 0;
  std::memcpy(&version, file.data() + 8, 4);
  EXPECT_EQ(version, 3u);
  // A model whose centre is its own is written in format 2, which older builds read.
  const std::string own = Train(after)->Serialize();
  std::memcpy(&version, own.data() + 8, 4);
  EXPECT_EQ(version, 2u);
  for (size_t pos = 0; pos < file.size(); pos += 11) {
    std::string bad = file;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x5A);
    auto r = Model::Load(bad, BuiltLexicon());
    ASSERT_FALSE(r.ok()) << "flip at " << pos;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  // A well-formed file whose count is not fewer than the examples (so not kept from an earlier,
  // smaller bot) or zero is refused.
  for (const uint32_t count : {0u, 301u, 302u}) {
    std::string bad = file;
    std::memcpy(bad.data() + bad.size() - 4, &count, 4);
    // Recompute the checksum over the header (without it) and the payload.
    constexpr size_t kHeader = 8 + 4 + 4 + 8 + 8 + 8;
    const uint64_t sum = Checksum64(bad.substr(0, kHeader - 8) + bad.substr(kHeader));
    std::memcpy(bad.data() + kHeader - 8, &sum, 8);
    auto r = Model::Load(bad, BuiltLexicon());
    ASSERT_FALSE(r.ok()) << count;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << count;
  }
}

// A model file written by the first format (no learned centre): it must keep loading and
// answering exactly as it did, so that an owner's live bot survives the upgrade.
// testdata/office_faq_v1.model is OfficeFaq() trained by the format-1 engine; the expected
// confidences are what that engine answered.
TEST(ModelTest, FormatOneModelsLoadAndAnswerAsBefore) {
  const std::string path = std::string(FAQBOT_SOURCE_DIR) + "/src/nlu/testdata/office_faq_v1.model";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto m = Model::Load(bytes, BuiltLexicon());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE((*m)->has_head());
  EXPECT_FLOAT_EQ((*m)->decline_center(), 0.5f);
  struct Expected {
    const char* query;
    const char* intent;
    float confidence;
  };
  for (const Expected& e : {Expected{"whats the password for the wireless", "wifi", 0.9737342f},
                            Expected{"Where do guests park?", "parking", 0.98518908f},
                            Expected{"how can i claim travel costs", "expenses", 0.94832146f},
                            Expected{"printer broken", "printer", 0.64517295f}}) {
    const Prediction p = (*m)->Predict(e.query);
    EXPECT_EQ(p.intent, e.intent) << e.query;
    EXPECT_NEAR(p.confidence, e.confidence, 1e-5f) << e.query;
  }
  const Prediction declined = (*m)->Predict("who won the football match yesterday");
  EXPECT_TRUE(declined.declined());
  ASSERT_FALSE(declined.ranking.empty());
  EXPECT_NEAR(declined.ranking[0].confidence, 0.031157468f, 1e-5f);
  // Written again, it is a current-format file that still answers the same way.
  auto again = Model::Load((*m)->Serialize(), BuiltLexicon());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NEAR((*again)->Predict("printer broken").confidence, 0.64517295f, 1e-5f);
}

TEST(ModelTest, OptionsTravelWithTheModel) {
  MatcherOptions strict;
  strict.threshold = 0.999f;
  auto m = Train(OfficeFaq(), strict);
  auto loaded = Model::Load(m->Serialize(), BuiltLexicon());
  ASSERT_TRUE(loaded.ok());
  EXPECT_FLOAT_EQ((*loaded)->options().threshold, 0.999f);
  EXPECT_TRUE((*loaded)->Predict("where do guests leave cars").declined());
  EXPECT_FALSE(m->Predict("where can visitors park their car").declined());
}

TEST(ModelTest, RejectsBadTrainingData) {
  auto lex = BuiltLexicon();
  EXPECT_EQ(Model::Train({}, lex).status().code(), StatusCode::kInvalidArgument);
  TrainingData no_examples;
  no_examples.intents.push_back({"a", {}, ""});
  EXPECT_EQ(Model::Train(no_examples, lex).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Model::Train(Faq({{"a", "x"}, {"a", "y"}}), lex).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Model::Train(Faq({{"a", "caf\xC3"}}), lex).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Model::Train(Faq({{"a", std::string(kMaxExampleBytes + 1, 'a')}}), lex).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Model::Train(Faq({{"", "x"}}), lex).status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelTest, WordlessExamplesAreSkippedNotFatal) {
  TrainingData d = Faq({{"wifi", "what is the wifi password"}, {"emoji", ":tada: ?!"}});
  d.intents[0].examples.push_back("???");
  auto m = Train(d);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->topic_count(), 2u);
  EXPECT_EQ(m->Predict("wifi password").intent, "wifi");
  EXPECT_TRUE(m->Predict("?!").declined());
  auto loaded = Model::Load(m->Serialize(), BuiltLexicon());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->Predict("wifi password").intent, "wifi");
}

TEST(ModelTest, WordlessExamplesLeaveTheDeclineCentreAlone) {
  // Calibration probes the bot's own examples; one without words is no example at all.
  TrainingData with_noise = OfficeFaq();
  with_noise.intents[0].examples.insert(with_noise.intents[0].examples.begin(), "???");
  with_noise.intents[2].examples.push_back(":tada:");
  EXPECT_FLOAT_EQ(Train(with_noise)->decline_center(), Train(OfficeFaq())->decline_center());
}

TEST(ModelTest, CorruptOrTruncatedFilesAreDataLoss) {
  const std::string bytes = Train(OfficeFaq())->Serialize();
  for (size_t pos = 0; pos < bytes.size(); pos += 7) {
    std::string bad = bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x5A);
    auto r = Model::Load(bad, BuiltLexicon());
    ASSERT_FALSE(r.ok()) << "flip at " << pos;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  for (size_t len = 0; len < bytes.size(); len += 5) {
    auto r = Model::Load(bytes.substr(0, len), BuiltLexicon());
    ASSERT_FALSE(r.ok()) << "truncated to " << len;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  EXPECT_FALSE(Model::Load(bytes + "x", BuiltLexicon()).ok());
}

// Only the channel under test: no word vectors, no sentence similarity, no misspellings.
MatcherOptions Only(std::initializer_list<const char*> settings) {
  MatcherOptions o;
  for (const char* s : {"vector_sim=0", "sentence_mix=0", "typo_sim=0"}) EXPECT_TRUE(o.Set(s).ok());
  for (const char* s : settings) EXPECT_TRUE(o.Set(s).ok()) << s;
  return o;
}

// Analysing the lexicon's own spelling of a stem gives back that stem, and it is no function
// word.
bool AnalysesToItself(const Lexicon& l, uint32_t id) {
  const auto terms = Analyze(l.Term(id), l);
  return terms.size() == 1 && terms[0].lexicon_id == id && !terms[0].stop;
}

TEST(ModelTest, RelationsMatchFromEitherSide) {
  // WordNet relations are not symmetric once each word keeps its closest ones: find stems
  // `from` → `to` where `to` does not list `from`.
  const Lexicon& l = *BuiltLexicon();
  uint32_t from = kUnknownTerm, to = kUnknownTerm;
  for (uint32_t id = 0; id < l.size() && to == kUnknownTerm; ++id) {
    if (!AnalysesToItself(l, id)) continue;
    for (uint32_t packed : l.RawRelated(id)) {
      const uint32_t other = Lexicon::Decode(packed).term;
      const auto back = l.RawRelated(other);
      if (other == id || !AnalysesToItself(l, other) ||
          std::any_of(back.begin(), back.end(),
                      [&](uint32_t p) { return Lexicon::Decode(p).term == id; })) {
        continue;
      }
      from = id, to = other;
      break;
    }
  }
  ASSERT_NE(to, kUnknownTerm);
  const std::string from_word(l.Term(from)), to_word(l.Term(to));
  for (const auto& [taught, asked] :
       {std::pair{from_word, to_word}, std::pair{to_word, from_word}}) {
    auto m = Train(Faq({{"taught", taught}, {"other", "printer jammed"}}), Only({}));
    const Prediction p = m->Predict(asked);
    ASSERT_FALSE(p.ranking.empty()) << "taught " << taught << ", asked " << asked;
    EXPECT_EQ(p.ranking[0].name, "taught");
  }
}

TEST(ModelTest, MisspellingsMatchWhereOneSideIsUnknown) {
  auto m = Train(Faq({{"wifi", "what is the wifi password"},
                      {"k8s", "how do I restart the kubernetes cluster"},
                      {"printer", "the printer on floor 3 is jammed"}}),
                 Only({"typo_sim=0.8"}));
  for (const auto& [query, topic] : {std::pair{"pasword", "wifi"}, std::pair{"kubernets", "k8s"},
                                     std::pair{"printr jamed", "printer"}}) {
    const Prediction p = m->Predict(query);
    ASSERT_FALSE(p.ranking.empty()) << query;
    EXPECT_EQ(p.ranking[0].name, topic) << query;
  }
  // Two words the lexicon knows are different words, however alike they look ("pointer" and
  // "printer" share 4 of their 7 trigrams).
  EXPECT_TRUE(m->Predict("pointer").ranking.empty());
}

TEST(ModelTest, SentenceSimilarityAloneRanksTheCloserTopic) {
  auto m = Train(Faq({{"car", "my automobile broke down on the motorway"},
                      {"food", "which restaurant serves vegetarian dinner"}}),
                 Only({"sentence_mix=1"}));
  const Prediction p = m->Predict("the truck engine failed on the highway");
  ASSERT_FALSE(p.ranking.empty());
  EXPECT_EQ(p.ranking[0].name, "car");
  auto loaded = Model::Load(m->Serialize(), BuiltLexicon());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->Predict("the truck engine failed on the highway").ranking[0].confidence,
            p.ranking[0].confidence);
}

TEST(ModelTest, HugeQueryIsHandled) {
  auto m = Train(OfficeFaq());
  std::string big;
  while (big.size() < (1u << 20)) big += "wifi password ";
  EXPECT_EQ(m->Predict(big).intent, "wifi");
}

TEST(ModelTest, PredictIsThreadSafe) {
  auto m = Train(OfficeFaq());
  const std::vector<std::string> qs = {"wifi password", "guest parking",  "travel expenses",
                                       "vacation days", "printer jammed", "random stuff"};
  std::vector<std::string> expected;
  for (const auto& q : qs) expected.push_back(m->Predict(q).intent);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        const size_t k = static_cast<size_t>(i) % qs.size();
        if (m->Predict(qs[k]).intent != expected[k]) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(MatcherOptionsTest, SetAndPrint) {
  MatcherOptions o;
  ASSERT_TRUE(o.Set("threshold=0.7").ok());
  EXPECT_FLOAT_EQ(o.threshold, 0.7f);
  EXPECT_EQ(o.Set("nope=1").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(o.Set("threshold=abc").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(o.Set("threshold").code(), StatusCode::kInvalidArgument);
  MatcherOptions back;
  std::string all = o.ToString();
  size_t start = 0;
  while (start < all.size()) {
    size_t comma = all.find(',', start);
    if (comma == std::string::npos) comma = all.size();
    ASSERT_TRUE(back.Set(all.substr(start, comma - start)).ok());
    start = comma + 1;
  }
  EXPECT_EQ(back.ToString(), all);
}

}  // namespace
}  // namespace faqbot::nlu
