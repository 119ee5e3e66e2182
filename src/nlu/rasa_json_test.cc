#include "nlu/rasa_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace faqbot::nlu {
namespace {

// How `faqbot nlu parse` built its answer before the direct writer: a JSON tree, dumped. The
// writer must give the same bytes.
std::string ViaJsonTree(const std::string& text, const Prediction& p, size_t ranking) {
  nlohmann::json out;
  out["text"] = text;
  out["intent"] = {{"name", p.intent}, {"confidence", p.confidence}};
  out["entities"] = nlohmann::json::array();
  nlohmann::json list = nlohmann::json::array();
  if (p.declined()) list.push_back({{"name", p.intent}, {"confidence", p.confidence}});
  for (const auto& r : p.ranking) {
    if (list.size() >= ranking) break;
    list.push_back({{"name", r.name}, {"confidence", r.confidence}});
  }
  out["intent_ranking"] = std::move(list);
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Prediction Answered(std::string intent, float confidence) {
  Prediction p;
  p.intent = intent;
  p.confidence = confidence;
  p.ranking = {{intent, confidence}, {"visitor_parking", 0.125f}, {"wifi", 1e-7f}};
  return p;
}

Prediction Declined() {
  Prediction p;
  p.intent = std::string(kFallbackIntent);
  p.confidence = 0.55f;
  p.ranking = {{"wifi", 0.3f}, {"printer", 0.2999f}};
  return p;
}

TEST(RasaJsonTest, ShapeOfAnAnswer) {
  Prediction p;
  p.intent = "wifi";
  p.confidence = 0.5f;
  p.ranking = {{"wifi", 0.5f}, {"vpn", 0.25f}};
  EXPECT_EQ(RasaJson("how do I get on the wifi", p, 10),
            R"({"entities":[],"intent":{"confidence":0.5,"name":"wifi"},"intent_ranking":[)"
            R"({"confidence":0.5,"name":"wifi"},{"confidence":0.25,"name":"vpn"}],)"
            R"("text":"how do I get on the wifi"})");
}

TEST(RasaJsonTest, TrickyTextsAreWrittenExactlyAsTheJsonTreeWas) {
  const std::vector<std::string> texts = {
      "",
      "plain question?",
      "she said \"hi\" and left",
      R"(C:\path\to\file \\ end\)",
      std::string("nul \0 inside", 12),
      "\b\f\n\r\t\x01\x1f\x7f",
      "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87",  // é € 😀 中文
      "\xff\xfe bad lead bytes",
      "\x80 lone continuation",
      "cut \xC3",                // ends inside a 2-byte sequence
      "cut \xF0\x9F\x98",        // ends inside a 4-byte sequence
      "broken \xC3( then text",  // bad continuation is read again
      "overlong \xC0\xAF \xE0\x80\xAF",
      "surrogate \xED\xA0\x80",
      "too high \xF4\x90\x80\x80 \xF5\x80",
      "\xE2\x82 twice \xE2\x82\xE2\x82\xAC",
      std::string(600, '"'),  // longer than nlohmann's internal buffer
      std::string(300, '\x01'),
  };
  for (const std::string& text : texts) {
    for (const Prediction& p : {Answered("wifi", 0.875f), Declined()}) {
      EXPECT_EQ(RasaJson(text, p, 10), ViaJsonTree(text, p, 10)) << text;
    }
  }
}

TEST(RasaJsonTest, IntentNamesAreEscapedToo) {
  const Prediction p = Answered("we\"ird\\name\n\xff", 0.75f);
  EXPECT_EQ(RasaJson("q", p, 10), ViaJsonTree("q", p, 10));
}

TEST(RasaJsonTest, RankingLimitsAsBefore) {
  for (size_t ranking : {0u, 1u, 2u, 3u, 10u}) {
    EXPECT_EQ(RasaJson("q", Answered("wifi", 0.9f), ranking),
              ViaJsonTree("q", Answered("wifi", 0.9f), ranking))
        << ranking;
    EXPECT_EQ(RasaJson("q", Declined(), ranking), ViaJsonTree("q", Declined(), ranking)) << ranking;
  }
  Prediction empty;
  empty.intent = std::string(kFallbackIntent);
  EXPECT_EQ(RasaJson("", empty, 10), ViaJsonTree("", empty, 10));
}

TEST(RasaJsonTest, ConfidencesAreWrittenExactlyAsTheJsonTreeWas) {
  std::vector<float> values = {0.0f,
                               -0.0f,
                               1.0f,
                               0.1f,
                               0.3f,
                               0.55f,
                               1e-5f,
                               1e-4f,
                               123456789.0f,
                               1e17f,
                               std::numeric_limits<float>::denorm_min(),
                               std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::quiet_NaN(),
                               std::numeric_limits<float>::infinity()};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (int i = 0; i < 20'000; ++i) values.push_back(unit(rng));
  for (int i = 0; i < 2'000; ++i) {  // any bit pattern
    const uint32_t bits = static_cast<uint32_t>(rng());
    float f;
    std::memcpy(&f, &bits, sizeof f);
    values.push_back(f);
  }
  for (float v : values) {
    const Prediction p = Answered("t", v);
    ASSERT_EQ(RasaJson("q", p, 10), ViaJsonTree("q", p, 10)) << v;
  }
}

// Random bytes, weighted towards the ones UTF-8 decoding and escaping care about.
TEST(RasaJsonTest, RandomBytesAreWrittenExactlyAsTheJsonTreeWas) {
  static constexpr unsigned char kInteresting[] = {
      0x00, 0x08, 0x0A, 0x1F, '"',  '\\', 'a',  0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
      0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF};
  std::mt19937 rng(11);
  for (int i = 0; i < 20'000; ++i) {
    std::string text(rng() % 12, '\0');
    for (char& c : text) {
      c = static_cast<char>(rng() % 3 == 0 ? rng() % 256
                                           : kInteresting[rng() % sizeof kInteresting]);
    }
    const Prediction p = Answered("t", 0.5f);
    ASSERT_EQ(RasaJson(text, p, 10), ViaJsonTree(text, p, 10)) << ::testing::PrintToString(text);
  }
}

TEST(RasaJsonTest, AppendsWithoutTouchingWhatIsThere) {
  std::string out = "prefix ";
  AppendJsonString("a\"b", out);
  EXPECT_EQ(out, "prefix \"a\\\"b\"");
}

}  // namespace
}  // namespace faqbot::nlu
