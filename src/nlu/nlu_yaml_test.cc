#include "nlu/nlu_yaml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faqbot::nlu {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kValid = R"(version: "3.1"
nlu:
- intent: wifi_password
  examples: |
    - what is the wifi password?
    - how do I get on the [guest](network) wifi
- regex: account_number
  examples: |
    - \d{10}
- intent: "parking"
  examples:
  - text: where can I park
  - where do visitors park
responses:
  utter_wifi_password:
  - text: "It's on the fridge: \"hunter2\""
)";

TEST(NluYamlTest, ReadsIntentsExamplesAndResponses) {
  auto data = ParseNluYaml(kValid, "topics.yml");
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_EQ(data->intents.size(), 2u);
  EXPECT_EQ(data->intents[0].name, "wifi_password");
  EXPECT_THAT(data->intents[0].examples,
              ElementsAre("what is the wifi password?", "how do I get on the guest wifi"));
  EXPECT_EQ(data->intents[0].response, "It's on the fridge: \"hunter2\"");
  EXPECT_THAT(data->intents[1].examples, ElementsAre("where can I park", "where do visitors park"));
}

TEST(NluYamlTest, WriteThenReadIsIdentity) {
  TrainingData d;
  d.intents.push_back({"a: tricky \"name\"", {"question #1 - with: colons", "ünïcödé 😀"}, ""});
  d.intents.push_back({"b", {"x"}, "multi\nline \"answer\" with \\ and '"});
  auto back = ParseNluYaml(WriteNluYaml(d));
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << WriteNluYaml(d);
  ASSERT_EQ(back->intents.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->intents[i].name, d.intents[i].name);
    EXPECT_EQ(back->intents[i].examples, d.intents[i].examples);
    EXPECT_EQ(back->intents[i].response, d.intents[i].response);
  }
}

TEST(NluYamlTest, BracketsInTextAreNotNesting) {
  // What the nesting check must not refuse: its own export of a topic full of brackets, and a
  // hand-written file that has them in block, plain and quoted text.
  const std::string brackets = std::string(100, '[') + std::string(100, '{');
  TrainingData d;
  d.intents.push_back(
      {brackets, {brackets, "x " + brackets, "[link](" + brackets + ")"}, brackets});
  auto back = ParseNluYaml(WriteNluYaml(d));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->intents[0].examples, d.intents[0].examples);
  EXPECT_EQ(back->intents[0].response, brackets);
  const std::string written = "nlu:\n- intent: a\n  examples: |\n    - " + brackets + "\n    - [" +
                              brackets + "](x)\n- intent: b # " + brackets +
                              "\n  examples:\n  - text: c " + brackets + "\n      d" + brackets +
                              "\n  - text: '" + brackets + "'\n";
  auto read = ParseNluYaml(written);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->intents.size(), 2u);
  EXPECT_EQ(read->intents[1].examples[0], "c " + brackets + " d" + brackets);
}

TEST(NluYamlTest, RawControlCharactersAreReadAsSpaces) {
  // Not allowed in YAML, and yaml-cpp takes some for more than a character (after a NUL, "#" no
  // longer starts a comment); the writer escapes them, so only hand-written files have them.
  static constexpr char kText[] =
      "nlu:\n- intent: a\x01"
      "b\n  examples: |\n    - hi\x00 there #x\n";
  const std::string text(kText, sizeof kText - 1);
  auto data = ParseNluYaml(text);
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_EQ(data->intents.size(), 1u);
  EXPECT_EQ(data->intents[0].name, "a b");
  EXPECT_THAT(data->intents[0].examples, ElementsAre("hi there #x"));
}

TEST(NluYamlTest, NonPrintableCharactersSurviveTheRoundTrip) {
  // Found by the fuzzer: control characters inside examples broke the written YAML.
  TrainingData d;
  d.intents.push_back(
      {std::string("a\x01b\xEF\xBB\xBF", 6), {std::string("x\0y\x7fz", 5)}, "q\x02"});
  const std::string yaml = WriteNluYaml(d);
  auto back = ParseNluYaml(yaml);
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << yaml;
  EXPECT_EQ(back->intents[0].name, d.intents[0].name);
  EXPECT_EQ(back->intents[0].examples, d.intents[0].examples);  // quoted, read as written
  EXPECT_EQ(back->intents[0].response, "q\x02");
}

TEST(NluYamlTest, LineSeparatorsAreNotWrittenRaw) {
  // YAML 1.1 readers (PyYAML) take NEL, U+2028 and U+2029 for line breaks: the written file must
  // not contain them, so it reads back the same everywhere.
  TrainingData d;
  d.intents.push_back({"sep", {"one\u2028two\u2029three\u0085four"}, "a\u2028b"});
  const std::string yaml = WriteNluYaml(d);
  for (const char* raw : {"\u2028", "\u2029", "\u0085"}) {
    EXPECT_EQ(yaml.find(raw), std::string::npos) << yaml;
  }
  auto back = ParseNluYaml(yaml);
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << yaml;
  EXPECT_EQ(back->intents[0].examples, d.intents[0].examples);
  EXPECT_EQ(back->intents[0].response, "a\u2028b");  // escaped in a quoted string
}

TEST(NluYamlTest, TextsTheBlockWouldChangeAreWrittenAsLiteralsAndReadBackExactly) {
  // A link in Markdown looks like an entity annotation; a line break, a tab, a LINE SEPARATOR
  // and blanks at the ends do not survive a `|` block: such texts are written in the list form,
  // quoted and marked literal. The other texts of the intent stay as they are.
  TrainingData d;
  d.intents.push_back(
      {"handbook",
       {"where is the [handbook](https://wiki.example.com)?", "see [docs](x)", "plain words",
        "two\nlines", "tab\there", "line\u2028separator", " padded ", "a [b]{\"entity\": \"c\"} d"},
       "It is on the wiki."});
  d.intents.push_back({"plain", {"only plain words", "no brackets here"}, ""});
  const std::string yaml = WriteNluYaml(d);
  EXPECT_NE(yaml.find("faqbot_literal: true"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("- intent: \"plain\"\n  examples: |\n    - only plain words\n"),
            std::string::npos)
      << yaml;
  auto back = ParseNluYaml(yaml);
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << yaml;
  ASSERT_EQ(back->intents.size(), 2u);
  EXPECT_EQ(back->intents[0].examples, d.intents[0].examples);
  EXPECT_EQ(back->intents[1].examples, d.intents[1].examples);
  EXPECT_EQ(WriteNluYaml(*back), yaml);
}

TEST(NluYamlTest, RasaEntityAnnotationsAreStillReducedToTheirText) {
  const char* yaml =
      "nlu:\n"
      "- intent: weather\n"
      "  examples: |\n"
      "    - weather in [Berlin](city)\n"
      "- intent: travel\n"
      "  examples:\n"
      "  - text: 'fly to [Paris]{\"entity\": \"city\"}'\n"
      "    metadata:\n"
      "      sentiment: neutral\n"
      "  - text: train to [Rome](city)\n"
      "    metadata:\n"
      "      faqbot_literal: false\n"
      "  - text: 'fly to [NYC][{\"entity\": \"city\"}, {\"entity\": \"loc\"}] today'\n";
  auto data = ParseNluYaml(yaml);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->intents[0].examples, std::vector<std::string>{"weather in Berlin"});
  EXPECT_EQ(data->intents[1].examples,
            (std::vector<std::string>{"fly to Paris", "train to Rome", "fly to NYC today"}));
}

TEST(NluYamlTest, NoIntentsIsWrittenAsAnEmptyListAndReadBack) {
  const std::string yaml = WriteNluYaml({});
  EXPECT_EQ(yaml, "version: \"3.1\"\nnlu: []\n");
  auto back = ParseNluYaml(yaml);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->intents.empty());
  auto null_list = ParseNluYaml("version: \"3.1\"\nnlu:\n");
  ASSERT_TRUE(null_list.ok()) << null_list.status();
  EXPECT_TRUE(null_list->intents.empty());
}

// A flow sequence a hundred thousand levels deep, and block sequences nested as deep.
const std::string kDeepYaml = "nlu:\n- intent: a\n  examples: " + std::string(100'000, '[');
std::string Repeated(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}
const std::string kDeepBlockYaml = "nlu:\n" + Repeated("- ", 100'000) + "x\n";

struct BadCase {
  const char* name;
  const char* yaml;
  const char* message;  // expected inside the error, which starts with "f.yml:LINE:"
};

class NluYamlErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(NluYamlErrorTest, ClearErrorWithFileAndLine) {
  auto r = ParseNluYaml(GetParam().yaml, "f.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("f.yml:"));
  EXPECT_THAT(r.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NluYamlErrorTest,
    ::testing::Values(
        BadCase{"Empty", "", "empty document"},
        BadCase{"NotAMapping", "just a string", "expected a mapping"},
        BadCase{"NoNluList", "version: '3.1'\n", "no nlu: list"},
        BadCase{"DuplicateIntent",
                "nlu:\n- intent: a\n  examples: |\n    - x\n- intent: a\n  examples: |\n    - y\n",
                "5: duplicate intent a (first at line 2)"},
        BadCase{"NoExamples", "nlu:\n- intent: a\n", "intent a has no examples"},
        BadCase{"ExampleWithoutDash", "nlu:\n- intent: a\n  examples: |\n    no dash\n",
                "must start with"},
        BadCase{"InvalidYaml", "nlu:\n- intent: [unclosed\n", "not valid YAML"},
        BadCase{"NestedTooDeep", kDeepYaml.c_str(),
                "3: not valid YAML: nested more than 64 levels deep"},
        BadCase{"BlocksNestedTooDeep", kDeepBlockYaml.c_str(), "levels deep"},
        BadCase{"InvalidUtf8", "nlu:\n- intent: a\n  examples: |\n    - caf\xC3\n",
                "4: not valid UTF-8"},
        BadCase{"EmptyIntentName", "nlu:\n- intent: ''\n  examples: |\n    - x\n",
                "intent needs a name"},
        BadCase{"NoIntents", "nlu:\n- synonym: savings\n  examples: |\n    - pink pig\n",
                "no intents"},
        BadCase{"PaddedIntentName", "nlu:\n- intent: ' wifi '\n  examples: |\n    - x\n",
                "2: intent name \" wifi \" starts or ends with a blank"},
        BadCase{"NoBreakSpaceAtTheEnd", "nlu:\n- intent: \"wifi\\u00a0\"\n  examples: |\n    - x\n",
                "starts or ends with a blank"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(NluYamlTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "nlu: " + std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(ParseNluYaml(deep).ok());
}

TEST(NluYamlTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadNluYamlFile("/nonexistent.yml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace faqbot::nlu
