#include "nlu/yaml_nesting.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <random>
#include <string>

#include "nlu/yaml_nesting_testing.h"

namespace faqbot::nlu {
namespace {

std::string Repeated(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

bool Within(std::string_view text, int limit) { return YamlFlowNestingWithin(text, limit).within; }

TEST(YamlNestingTest, CountsFlowCollectionsAndSaysWhereTheyWentTooDeep) {
  EXPECT_TRUE(Within("nlu: " + Repeated("[", 64) + Repeated("]", 64) + "\n", 64));
  const YamlFlowNesting deep = YamlFlowNestingWithin("nlu: " + Repeated("[", 65), 64);
  EXPECT_FALSE(deep.within);
  EXPECT_EQ(deep.line, 1u);
  EXPECT_FALSE(Within("a: 1\nb:\n  " + Repeated("{k: ", 100'000), 64));
  EXPECT_EQ(YamlFlowNestingWithin("a: 1\nb: [\n" + Repeated("[\n", 10), 5).line, 7u);
  EXPECT_FALSE(Within("- - " + Repeated("[ 'x', ", 3) + "\n", 2));
  EXPECT_FALSE(Within("? [[[a]]]\n: b\n", 2));
  EXPECT_FALSE(Within("\"key\": [[[1]]]\n", 2));
  EXPECT_FALSE(Within("a: !!seq &x [[[1]]]\n", 2));
}

// Three "[" after each of these: where a collection starts for yaml-cpp, which reads on into it
// (most were found by comparing with the parser's memory, and by the fuzzer).
TEST(YamlNestingTest, CountsWhereTheParsersScannerReadsOn) {
  static constexpr std::string_view kBefore[] = {
      "--- ", "# c\n---\na: ", "%YAML 1.2\n%TAG ! tag:x,2000:\n---\na: ",
      "\xEF\xBB\xBF",  // after a byte order mark
      // A scalar where the mapping wants its next key does not go on into a line indented less
      // than the key.
      "- a: 1\n  b:\n  -c\n ",
      // A comment line ends a plain scalar; so may a line starting as structure or with a key.
      "z\n#\n", "- : \rr\n  a: ", "&u a\n? ", "\"\".\n",
      // A lone "\r" is a character, not a line break ("\r\n" is one).
      "\r: ", ": \r\"\n? ", "a:\r\n  ",
      // A block scalar at the top is indented by at least one, and its first line sets how far:
      // a line indented less ends it.
      "&l |\n- ", "a: |\n    b\n ",
      // A flow indicator right after a tag.
      "!,",
      // After a quoted scalar or a collection, wherever it stands.
      " 'a\"'", "- \"a\" ", "\"\"\"\"", ": []", "[\"\"\"\"\":\"",
      // After a plain scalar's text in a collection, ":" and a quote are more text.
      "[a\":\"b "};
  for (const std::string_view before : kBefore) {
    const std::string text = std::string(before) + Repeated("[", 3);
    const auto open_before = std::count(before.begin(), before.end(), '[') -
                             std::count(before.begin(), before.end(), ']');
    EXPECT_FALSE(Within(text, 2 + static_cast<int>(open_before))) << text;
  }
  // A tag ends at a control character.
  EXPECT_TRUE(Within("!a!b\x19-" + Repeated("[", 3), 2));
  // yaml-cpp reads on into this one (a quarter of a gigabyte for a million "[").
  EXPECT_FALSE(Within("a: \"x\"\n  " + Repeated("[", 100), 64));
}

TEST(YamlNestingTest, BracketsInTextAreNotCounted) {
  const std::string brackets = Repeated("[", 100) + Repeated("{", 100);
  // Block scalars, plain scalars (and their continuation lines), quoted scalars, comments.
  EXPECT_TRUE(Within("nlu:\n- intent: a\n  examples: |\n    - " + brackets + "\n\n    - " +
                         brackets + "\n- intent: b\n  examples: >-\n    " + brackets + "\n",
                     1));
  EXPECT_TRUE(Within("a: x " + brackets + "\nb: y # " + brackets + "\n# " + brackets + "\n", 1));
  EXPECT_TRUE(Within("a: x\n  y " + brackets + "\n  z " + brackets + "\nb: 1\n", 1));
  EXPECT_TRUE(Within("a:\n  x\n y" + brackets + "\n", 1));
  EXPECT_TRUE(Within("- x\n  y" + brackets + "\n- - y\n    \"" + brackets + "\n", 1));
  EXPECT_TRUE(Within("a: 'it''s " + brackets + "'\nb: \"say \\\"" + brackets + "\"\n", 1));
  EXPECT_TRUE(Within("a: 'multi\n  " + brackets + "\n  line'\n", 1));
  EXPECT_TRUE(Within("a: [it's, 'quoted " + brackets + "', x'y]\n", 1));
  EXPECT_TRUE(Within("a: [x] # " + brackets + "\n", 1));
  EXPECT_TRUE(Within("a: {k: \"" + brackets + "\", 'l': '" + brackets + "'}\n", 1));
  EXPECT_TRUE(Within("a: [b,\n  c]\nd: x\n  y" + brackets + "\n", 1));
  EXPECT_TRUE(Within("--- |\n " + brackets + "\n " + brackets + "\n...\n", 0));
  EXPECT_TRUE(Within("%YAML 1.2\n---\na: b" + brackets + "\n", 0));
  EXPECT_TRUE(Within("", 0));
  EXPECT_TRUE(Within("a: x:" + brackets + "\n", 0));
}

TEST(YamlNestingTest, EveryDocumentIsReadAndTheFirstOneIsTold) {
  // The reader loads the first document only, and it ends at "---", "...", a "%" in the first
  // column or a line less indented than its root (found by the fuzzer: yaml-cpp took each of
  // these with a "[" in the next). Its scanner may still read into the next (past "&a"), so a
  // collection nested too deep there is refused too, said to be past the first document.
  const std::string deep = Repeated("[", 3);
  for (const std::string& text :
       {"a: 1\n---\nb: " + deep, "a: 1\n...\nb: " + deep, "a:\n- b\n% c#d: e\n " + deep,
        "  a: 1\nb: " + deep, "    - a: \"1\"\n&a " + deep}) {
    const YamlFlowNesting nesting = YamlFlowNestingWithin(text, 2);
    EXPECT_FALSE(nesting.within) << text;
    EXPECT_FALSE(nesting.in_first_document) << text;
  }
  const YamlFlowNesting first = YamlFlowNestingWithin("a: 1\nb: " + deep + "\n---\nc: 1\n", 2);
  EXPECT_FALSE(first.within);
  EXPECT_TRUE(first.in_first_document);
  EXPECT_TRUE(Within("a: 1\n---\nb: [[1]]\n...\n---\n  c: [[2]]\nd: [[3]]\n", 2));
}

TEST(YamlNestingTest, AMillionBracketsTakeOnePass) {
  const std::string text = "nlu: " + std::string(1 << 20, '[');
  EXPECT_FALSE(Within(text, 64));
  const std::string entries = "nlu:\n" + Repeated("- ", 1 << 19) + "x\n";
  EXPECT_TRUE(Within(entries, 64));
}

using testing::FlowDepth;

// Random documents built from the pieces where brackets are easiest to miscount: brackets in
// plain, quoted and block scalars, comments, continuation lines, flow collections over lines.
class DocumentMaker {
 public:
  explicit DocumentMaker(uint32_t seed) : rng_(seed) {}

  std::string Document() {
    std::string out;
    Block(out, 0, 0);
    return out;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string Text() {
    static const char* const kPieces[] = {"a", "b c", "[", "]", "{", "}",   "'",    "\"", "#", " #",
                                          ":", "-",   ",", "|", ">", "x:y", "it's", "[[", "\\"};
    std::string out = "w";
    for (int i = Pick(6); i > 0; --i) out += kPieces[Pick(std::size(kPieces))];
    return out;
  }
  // Text that may start with anything: a block scalar's line, a continuation line.
  std::string AnyText() { return Pick(2) == 0 ? Text() : Text().substr(1) + Text(); }
  // A plain scalar's continuation line: the scan reads one that starts like structure ("[",
  // "-", "?", …) as structure, as the parser's scanner may, so those are not made here.
  std::string ContinuationText() {
    std::string t = AnyText();
    return t.empty() || std::string_view("[{-?:&!*%@`#").find(t[0]) == std::string_view::npos
               ? t
               : "w" + t;
  }
  std::string Quoted() {
    std::string t = AnyText();
    if (Pick(2) == 0) {
      std::string out = "'";
      for (char c : t) out += c == '\'' ? std::string("''") : std::string(1, c);
      return out + (Pick(4) == 0 ? "\n  more [ " : "") + "'";
    }
    std::string out = "\"";
    for (char c : t) out += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    return out + "\"";
  }
  std::string FlowNode(int depth) {
    switch (Pick(depth > 4 ? 2 : 5)) {
      case 0:
        return "w" + std::to_string(Pick(100));
      case 1:
        return Quoted();
      case 2:
      case 3: {
        std::string out = "[";
        for (int i = Pick(3); i >= 0; --i) {
          out += FlowNode(depth + 1) + (i > 0 ? (Pick(3) == 0 ? ",\n   " : ", ") : "");
        }
        return out + "]";
      }
      default: {
        std::string out = "{";
        for (int i = Pick(3); i >= 0; --i) {
          out += "k" + std::to_string(i) + ": " + FlowNode(depth + 1) + (i > 0 ? ", " : "");
        }
        return out + "}";
      }
    }
  }
  // A value after "key:" or "- " at indentation `indent`.
  void Value(std::string& out, int indent, int depth) {
    const std::string pad(static_cast<size_t>(indent) + 2, ' ');
    switch (Pick(depth > 3 ? 5 : 7)) {
      case 0:
        out += " " + Text() + "\n";
        if (Pick(3) == 0) out += pad + ContinuationText() + "\n";  // a continuation line
        return;
      case 1:
        out += " " + Quoted() + "\n";
        return;
      case 2:
        out += std::string(" ") + (Pick(2) ? "|" : ">-") + (Pick(3) == 0 ? " # c [" : "") + "\n";
        for (int i = Pick(3); i >= 0; --i) out += pad + AnyText() + "\n";
        if (Pick(3) == 0) out += "\n" + pad + "  " + AnyText() + "\n";
        return;
      case 3:
      case 4:
        out += " " + FlowNode(0) + (Pick(4) == 0 ? " # [" : "") + "\n";
        return;
      default:
        out += "\n";
        Block(out, indent + 2, depth + 1);
        return;
    }
  }
  void Block(std::string& out, int indent, int depth) {
    const std::string pad(static_cast<size_t>(indent), ' ');
    const bool sequence = Pick(2) == 0;
    for (int i = Pick(3); i >= 0; --i) {
      if (Pick(5) == 0) out += pad + "# " + Text() + "\n";
      if (sequence) {
        out += pad + "-";
      } else {
        out += pad + (Pick(6) == 0 ? Quoted() : "key" + std::to_string(i)) + ":";
      }
      Value(out, indent, depth);
    }
  }

  std::mt19937 rng_;
};

TEST(YamlNestingTest, CountsWhatTheParserNests) {
  int loaded = 0;
  for (uint32_t seed = 0; seed < 3000; ++seed) {
    const std::string doc = DocumentMaker(seed).Document();
    YAML::Node root;
    try {
      root = YAML::Load(doc);
    } catch (const YAML::Exception&) {
      continue;  // the parser refuses it: whatever the scan says, the reader says no
    }
    ++loaded;
    const int depth = FlowDepth(root);
    const YamlFlowNesting nesting = YamlFlowNestingWithin(doc, depth);
    EXPECT_TRUE(nesting.within || !nesting.in_first_document)
        << "seed " << seed << ", depth " << depth << ":\n"
        << doc;
    if (depth > 0) {
      EXPECT_FALSE(Within(doc, depth - 1)) << "seed " << seed << ", depth " << depth << ":\n"
                                           << doc;
    }
  }
  EXPECT_GT(loaded, 1000);  // most documents are valid YAML, or the check would say little
}

}  // namespace
}  // namespace faqbot::nlu
