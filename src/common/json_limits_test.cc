#include "common/json_limits.h"

#include <gtest/gtest.h>

#include <string>

namespace faqbot {
namespace {

std::string Nested(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

TEST(JsonLimitsTest, CountsArraysAndObjectsToTheLimit) {
  EXPECT_TRUE(JsonNestingWithin("{}", 1));
  EXPECT_TRUE(JsonNestingWithin(R"({"a":[{"b":1}],"c":{}})", 3));
  EXPECT_FALSE(JsonNestingWithin(R"({"a":[{"b":1}],"c":{}})", 2));
  EXPECT_TRUE(JsonNestingWithin(Nested(kMaxJsonNesting)));
  EXPECT_FALSE(JsonNestingWithin(Nested(kMaxJsonNesting + 1)));
  EXPECT_TRUE(JsonNestingWithin("42", 0));
  EXPECT_FALSE(JsonNestingWithin("[]", 0));
}

TEST(JsonLimitsTest, BracketsInsideStringsDoNotCount) {
  EXPECT_TRUE(JsonNestingWithin(R"({"text":"[[[[{{{{"})", 1));
  // An escaped quote does not end the string; an escaped backslash does not escape the quote.
  EXPECT_TRUE(JsonNestingWithin(R"({"t":"\"[[[["})", 1));
  EXPECT_FALSE(JsonNestingWithin(R"({"t":"\\"[[[[)", 1));
}

TEST(JsonLimitsTest, CheckJsonNestingNamesWhatNestsTooDeep) {
  EXPECT_TRUE(CheckJsonNesting("{\"a\":[1]}", "the body").ok());
  const Status deep = CheckJsonNesting(std::string(kMaxJsonNesting + 1, '['), "the body");
  EXPECT_EQ(deep.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(deep.message(), "the body nests more than 64 levels deep");
}

TEST(JsonLimitsTest, AMillionOpeningBracketsAreRefused) {
  EXPECT_FALSE(JsonNestingWithin(std::string(1'000'000, '[')));
  // Closers alone, or text that is not JSON at all, are for the parser to refuse.
  EXPECT_TRUE(JsonNestingWithin(std::string(1'000, ']')));
  EXPECT_TRUE(JsonNestingWithin("not json"));
}

}  // namespace
}  // namespace faqbot
