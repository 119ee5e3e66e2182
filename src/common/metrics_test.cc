#include "common/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace faqbot::metrics {
namespace {

TEST(MetricsTest, ExposesCountersWithHelpTypeAndEscapedLabels) {
  Registry r;
  auto& asks = r.AddCounter("faqbot_asks_total", "Asks, by outcome.\nSecond line \\ here",
                            {"outcome", "surface"});
  asks.With({"answered", "dm"}).Inc();
  asks.With({"answered", "dm"}).Inc(2);
  asks.With({"declined", "say \"hi\"\n"}).Inc();
  EXPECT_EQ(asks.With({"answered", "dm"}).value(), 3u);
  EXPECT_EQ(r.Expose(),
            "# HELP faqbot_asks_total Asks, by outcome.\\nSecond line \\\\ here\n"
            "# TYPE faqbot_asks_total counter\n"
            "faqbot_asks_total{outcome=\"answered\",surface=\"dm\"} 3\n"
            "faqbot_asks_total{outcome=\"declined\",surface=\"say \\\"hi\\\"\\n\"} 1\n");
}

TEST(MetricsTest, AnUnlabelledMetricIsZeroFromTheStart) {
  Registry r;
  r.AddCounter("faqbot_reconnects_total", "Reconnects.");
  r.AddGauge("faqbot_depth", "Depth.");
  EXPECT_EQ(r.Expose(),
            "# HELP faqbot_depth Depth.\n# TYPE faqbot_depth gauge\nfaqbot_depth 0\n"
            "# HELP faqbot_reconnects_total Reconnects.\n"
            "# TYPE faqbot_reconnects_total counter\nfaqbot_reconnects_total 0\n");
}

TEST(MetricsTest, RegisteringAgainReturnsTheSameFamily) {
  Registry r;
  auto& a = r.AddCounter("x_total", "X.", {"l"});
  auto& b = r.AddCounter("x_total", "ignored", {"other"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.With({"v"}), &b.With({"v"}));
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry r;
  auto& h = r.AddHistogram("faqbot_ask_seconds", "Ask latency.", {0.1, 1, 0.5}, {"surface"});
  h.With({"dm"}).Observe(0.0625);
  h.With({"dm"}).Observe(0.5);  // on a bound: counted in it (le is "less or equal")
  h.With({"dm"}).Observe(3);
  EXPECT_EQ(r.Expose(),
            "# HELP faqbot_ask_seconds Ask latency.\n"
            "# TYPE faqbot_ask_seconds histogram\n"
            "faqbot_ask_seconds_bucket{surface=\"dm\",le=\"0.1\"} 1\n"
            "faqbot_ask_seconds_bucket{surface=\"dm\",le=\"0.5\"} 2\n"
            "faqbot_ask_seconds_bucket{surface=\"dm\",le=\"1\"} 2\n"
            "faqbot_ask_seconds_bucket{surface=\"dm\",le=\"+Inf\"} 3\n"
            "faqbot_ask_seconds_sum{surface=\"dm\"} 3.5625\n"
            "faqbot_ask_seconds_count{surface=\"dm\"} 3\n");
}

TEST(MetricsTest, GaugeCallbacksAreReadAtExpositionUntilRemoved) {
  Registry r;
  double depth = 7;
  CallbackHandle handle =
      r.AddGaugeCallback("faqbot_queue_depth", "Depth.", [&]() -> std::optional<double> {
        if (depth < 0) return std::nullopt;
        return depth;
      });
  EXPECT_NE(r.Expose().find("\nfaqbot_queue_depth 7\n"), std::string::npos);
  depth = -1;  // unreadable: the family without a sample
  EXPECT_EQ(r.Expose(), "# HELP faqbot_queue_depth Depth.\n# TYPE faqbot_queue_depth gauge\n");
  depth = 2.5;
  handle.Reset();
  EXPECT_EQ(r.Expose().find("faqbot_queue_depth 2.5"), std::string::npos);
}

TEST(MetricsTest, AReplacedCallbackIsNotRemovedByTheOldHandle) {
  Registry r;
  CallbackHandle first = r.AddGaugeCallback("g", "G.", [] { return std::optional<double>(1); });
  CallbackHandle second = r.AddGaugeCallback("g", "G.", [] { return std::optional<double>(2); });
  first.Reset();
  EXPECT_NE(r.Expose().find("\ng 2\n"), std::string::npos);
}

TEST(MetricsTest, GaugesGoUpAndDown) {
  Registry r;
  auto& g = r.AddGauge("faqbot_models_bytes", "Bytes.");
  g.With().Add(1024);
  g.With().Add(-24);
  EXPECT_EQ(g.With().value(), 1000);
  EXPECT_NE(r.Expose().find("\nfaqbot_models_bytes 1000\n"), std::string::npos);
}

TEST(MetricsTest, CountsFromManyThreadsAddUp) {
  Registry r;
  auto& c = r.AddCounter("c_total", "C.", {"t"});
  auto& h = r.AddHistogram("h", "H.", LatencyBuckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        c.With({"x"}).Inc();
        h.With().Observe(0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.With({"x"}).value(), 4000u);
  EXPECT_EQ(h.With().count(), 4000u);
}

TEST(MetricsTest, FormatsValuesAsPrometheusDoes) {
  EXPECT_EQ(FormatValue(3), "3");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatValue(0.0 / 0.0), "NaN");
}

TEST(MetricsDeathTest, ANameReusedForAnotherKindAborts) {
  Registry r;
  r.AddCounter("dup_total", "C.");
  EXPECT_DEATH(r.AddGauge("dup_total", "G."), "two kinds");
  EXPECT_DEATH(r.AddCounter("bad name", "C."), "invalid metric name");
}

}  // namespace
}  // namespace faqbot::metrics
