#include "common/repeated_warning.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <string>
#include <vector>

#include "common/logging.h"

namespace faqbot {
namespace {

class RepeatedWarningTest : public ::testing::Test {
 protected:
  RepeatedWarningTest() {
    InitLogging(LogFormat::kText, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  ~RepeatedWarningTest() override { InitLogging(LogFormat::kText, "warn"); }

  // The lines logged since the last call.
  std::vector<std::string> Lines() {
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    out_.str("");
    return lines;
  }

  std::ostringstream out_;
  FakeClock clock_;
};

TEST_F(RepeatedWarningTest, TellsTheFirstThenOncePerIntervalWithHowManyWereHeldBack) {
  RepeatedWarning warning(clock_, std::chrono::seconds(60));
  warning.Warn("inbox: cannot claim an event: database down");
  for (int i = 0; i < 9; ++i) {
    clock_.Advance(std::chrono::seconds(1));
    warning.Warn("inbox: cannot claim an event: database down");
  }
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("cannot claim an event: database down"), std::string::npos);
  EXPECT_EQ(lines[0].find("more time"), std::string::npos);
  clock_.Advance(std::chrono::seconds(60));
  warning.Warn("inbox: cannot claim an event: still down");
  lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("still down (and 9 more times in the last 60 s)"), std::string::npos)
      << lines[0];
}

TEST_F(RepeatedWarningTest, ClearingSaysSoOnceAndTheNextWarningIsToldAtOnce) {
  RepeatedWarning warning(clock_);
  warning.Clear("inbox: claiming events again");  // nothing was wrong: nothing to say
  EXPECT_TRUE(Lines().empty());
  warning.Warn("down");
  warning.Warn("down");
  warning.Clear("inbox: claiming events again");
  warning.Clear("inbox: claiming events again");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("claiming events again"), std::string::npos);
  warning.Warn("down again");  // a new outage, told at once
  ASSERT_EQ(Lines().size(), 1u);
}

}  // namespace
}  // namespace faqbot
