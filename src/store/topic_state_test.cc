#include "store/topic_state.h"

#include <gtest/gtest.h>

namespace faqbot::store {
namespace {

Topic MakeTopic(int64_t id, std::string q, std::string a) {
  Topic t;
  t.id = id;
  t.content = {std::move(q), {}, std::move(a)};
  return t;
}

TEST(TopicStateTest, LiveMeansExactlyThisTextIsPublished) {
  Publication live;
  live.topics = {{1, {"vpn?", {}, "use the client"}},
                 {2, {"wifi?", {}, "ask reception"}},
                 {3, {"parking?", {}, "level -2"}}};
  std::vector<Topic> now = {MakeTopic(1, "vpn?", "use the client"),
                            MakeTopic(2, "wifi?", "ask reception desk"),  // edited
                            MakeTopic(4, "lunch?", "at noon")};           // new; 3 deleted
  TopicOverview o = Overview(now, live);
  ASSERT_EQ(o.topics.size(), 3u);
  EXPECT_EQ(o.topics[0].second, TopicState::kLive);
  EXPECT_EQ(o.topics[1].second, TopicState::kUnpublished);
  EXPECT_EQ(o.topics[2].second, TopicState::kUnpublished);
  ASSERT_EQ(o.removed_on_publish.size(), 1u);
  EXPECT_EQ(o.removed_on_publish[0].topic_id, 3);
  EXPECT_TRUE(o.publish_changes_something);
}

TEST(TopicStateTest, NothingPublishedMeansNothingLive) {
  TopicOverview o = Overview({MakeTopic(1, "q", "a")}, std::nullopt);
  EXPECT_EQ(o.topics[0].second, TopicState::kUnpublished);
  EXPECT_TRUE(o.removed_on_publish.empty());
  Publication same;
  same.topics = {{1, {"q", {}, "a"}}};
  EXPECT_FALSE(Overview({MakeTopic(1, "q", "a")}, same).publish_changes_something);
}

TEST(TopicStateTest, DraftsWithoutAnAnswerStayOutOfAPublish) {
  Publication live;
  live.topics = {{1, {"q", {}, "a"}}, {2, {"was answered", {}, "yes"}}};
  TopicOverview o =
      Overview({MakeTopic(1, "q", "a"), MakeTopic(2, "was answered", ""), MakeTopic(3, "new", "")},
               live);
  EXPECT_EQ(o.topics[0].second, TopicState::kLive);
  EXPECT_EQ(o.topics[1].second, TopicState::kNeedsAnswer);
  EXPECT_EQ(o.topics[2].second, TopicState::kNeedsAnswer);
  EXPECT_EQ(o.needs_answer, 2u);
  // The live topic that lost its answer leaves the bot on the next publish.
  ASSERT_EQ(o.removed_on_publish.size(), 1u);
  EXPECT_EQ(o.removed_on_publish[0].topic_id, 2);
  EXPECT_TRUE(o.publish_changes_something);
  EXPECT_FALSE(o.publish_takes_bot_down);  // topic 1 still answers
  // No topic with an answer left while the bot answers some: a publish takes it down.
  const TopicOverview down = Overview({MakeTopic(2, "was answered", "")}, live);
  EXPECT_TRUE(down.publish_takes_bot_down);
  EXPECT_EQ(down.removed_on_publish.size(), 2u);
  EXPECT_FALSE(Overview({}, std::nullopt).publish_takes_bot_down);  // nothing live to take down
  // A new draft alone changes nothing a publish would show.
  live.topics.pop_back();
  EXPECT_FALSE(
      Overview({MakeTopic(1, "q", "a"), MakeTopic(3, "new", "")}, live).publish_changes_something);
}

}  // namespace
}  // namespace faqbot::store
