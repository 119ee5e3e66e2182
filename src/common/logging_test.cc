#include "common/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace faqbot {
namespace {

LogContext Context(std::string event_id, std::string team_id, std::string user_id) {
  LogContext c;
  c.event_id = std::move(event_id);
  c.team_id = std::move(team_id);
  c.user_id = std::move(user_id);
  return c;
}

class LoggingTest : public ::testing::Test {
 protected:
  void Init(LogFormat format) {
    InitLogging(format, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  ~LoggingTest() override { InitLogging(LogFormat::kText, "warn"); }

  std::ostringstream out_;
};

TEST_F(LoggingTest, JsonLinesCarryTheEventContext) {
  Init(LogFormat::kJson);
  LogInfo("before");
  {
    ScopedLogContext context(Context("Ev01", "T1", "U\"2"));
    LogInfo("handling {}", "it");
  }
  LogInfo("after");
  std::istringstream lines(out_.str());
  std::string line;
  std::vector<nlohmann::json> parsed;
  while (std::getline(lines, line)) parsed.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_FALSE(parsed[0].contains("event_id"));
  EXPECT_EQ(parsed[1]["msg"], "handling it");
  EXPECT_EQ(parsed[1]["event_id"], "Ev01");
  EXPECT_EQ(parsed[1]["team"], "T1");
  EXPECT_EQ(parsed[1]["user"], "U\"2");
  EXPECT_FALSE(parsed[2].contains("team"));
}

TEST_F(LoggingTest, TextLinesAppendTheContext) {
  Init(LogFormat::kText);
  ScopedLogContext outer(Context("Ev01", "T1", ""));
  {
    ScopedLogContext inner(Context("Ev02", "T1", "U2"));
    LogWarn("inner");
  }
  LogWarn("outer");
  const std::string text = out_.str();
  EXPECT_NE(text.find("warning inner [event=Ev02 team=T1 user=U2]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("warning outer [event=Ev01 team=T1]\n"), std::string::npos) << text;
  EXPECT_EQ(CurrentLogContext()->event_id, "Ev01");
}

TEST_F(LoggingTest, ATextRecordIsOneLineWhateverItQuotes) {
  Init(LogFormat::kText);
  // libpq's errors run over several lines; a person's text may hold any control character.
  LogWarn(
      "database unavailable: server closed the connection unexpectedly\n\tThis probably "
      "means the server terminated abnormally\n");
  LogWarn("asked: \"line one\r\nline two\x01\"");
  std::istringstream lines(out_.str());
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_NE(line.find("database unavailable: server closed the connection unexpectedly This "
                      "probably means the server terminated abnormally"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.back(), 'y') << line;  // the trailing line break is gone too
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_NE(line.find("asked: \"line one line two \""), std::string::npos) << line;
  EXPECT_FALSE(std::getline(lines, line)) << line;
}

TEST_F(LoggingTest, SlackTokensAreRedactedInEveryFormat) {
  Init(LogFormat::kJson);
  LogError("auth failed for xoxb-1234-5678-abcdEFGH and xapp-1-A0-99");
  Init(LogFormat::kText);
  LogError("token=xoxp-42-zz.");
  const std::string text = out_.str();
  EXPECT_EQ(text.find("1234-5678"), std::string::npos) << text;
  EXPECT_EQ(text.find("A0-99"), std::string::npos) << text;
  EXPECT_EQ(text.find("42-zz"), std::string::npos) << text;
  EXPECT_NE(text.find("xoxb-[redacted] and xapp-[redacted]"), std::string::npos) << text;
  EXPECT_NE(text.find("token=xoxp-[redacted]."), std::string::npos) << text;
}

TEST_F(LoggingTest, LinesStayUtf8WhateverTheyQuote) {
  // A parser's error quoting the raw bytes of a request, say: JSON lines must still parse.
  Init(LogFormat::kJson);
  {
    ScopedLogContext context(Context("Ev\xC3", "T1", "U2"));
    LogWarn("malformed JSON; last read: '\"ask \xff'");
  }
  Init(LogFormat::kText);
  LogWarn("text \xfe too");
  std::istringstream lines(out_.str());
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  const nlohmann::json parsed = nlohmann::json::parse(line);  // throws on invalid UTF-8
  EXPECT_EQ(parsed["msg"], "malformed JSON; last read: '\"ask \xEF\xBF\xBD'");
  EXPECT_EQ(parsed["event_id"], "Ev\xEF\xBF\xBD");
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_NE(line.find("text \xEF\xBF\xBD too"), std::string::npos) << line;
}

TEST(RedactSlackTokensTest, LeavesOtherTextAlone) {
  EXPECT_EQ(RedactSlackTokens("no tokens here, xox- nor boxb-1"),
            "no tokens here, xox- nor boxb-1");
  EXPECT_EQ(RedactSlackTokens("xoxe-"), "xoxe-[redacted]");
  EXPECT_EQ(RedactSlackTokens("a xoxs-1 b xoxa-2"), "a xoxs-[redacted] b xoxa-[redacted]");
}

}  // namespace
}  // namespace faqbot
