#include "server/queued_messenger.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "assistant/recording_messenger.h"
#include "common/clock.h"
#include "common/faqbot_metrics.h"
#include "server/reply_journal.h"
#include "store/store.h"
#include "test_store.h"

namespace faqbot::server {
namespace {

using assistant::Destination;
using assistant::RecordingMessenger;
using assistant::Reply;

Destination In(const std::string& channel) {
  Destination d;
  d.kind = Destination::Kind::kChannel;
  d.channel = channel;
  return d;
}

Reply Text(const std::string& text) {
  Reply r;
  r.paragraphs.push_back(assistant::Line(text));
  return r;
}

// Every delivery so far as "channel:text".
std::vector<std::string> Delivered(const RecordingMessenger& inner) {
  std::vector<std::string> out;
  for (const auto& sent : inner.sent()) {
    out.push_back(sent.to.channel + ":" + sent.reply.paragraphs.at(0).spans.at(0).value);
  }
  return out;
}

QueuedMessenger::ConversationKey ByChannel() {
  return [](const Destination& d) { return d.channel; };
}

TEST(QueuedMessengerTest, AcceptsAtOnceAndDeliversOnTheExecutor) {
  RecordingMessenger inner;
  ManualExecutor executor;
  QueuedMessenger queued(inner, ByChannel(), executor);
  ASSERT_TRUE(queued.Send(In("C1"), Text("hello")).ok());
  EXPECT_TRUE(Delivered(inner).empty());
  EXPECT_EQ(queued.queued(), 1u);
  executor.RunAll();
  EXPECT_EQ(Delivered(inner), std::vector<std::string>{"C1:hello"});
  EXPECT_EQ(queued.queued(), 0u);
}

TEST(QueuedMessengerTest, HomesAndFormsAreQueuedToo) {
  RecordingMessenger inner;
  ManualExecutor executor;
  QueuedMessenger queued(inner, ByChannel(), executor);
  assistant::HomeView view;
  view.sections.push_back(Text("home"));
  ASSERT_TRUE(queued.ShowHome({"T1", "U1"}, view).ok());
  assistant::TopicForm form;
  form.topic_id = 7;
  ASSERT_TRUE(queued.OpenForm({"T1", "U1"}, "trigger-1", form).ok());
  EXPECT_TRUE(inner.homes().empty());
  EXPECT_TRUE(inner.forms().empty());
  EXPECT_EQ(queued.queued(), 2u);
  executor.RunAll();
  ASSERT_EQ(inner.homes().size(), 1u);
  EXPECT_EQ(inner.homes()[0].user, (store::UserRef{"T1", "U1"}));
  EXPECT_EQ(inner.homes()[0].text, "home\n\n");
  ASSERT_EQ(inner.forms().size(), 1u);
  EXPECT_EQ(inner.forms()[0].trigger_id, "trigger-1");
  EXPECT_EQ(inner.forms()[0].form.topic_id, 7);
  EXPECT_EQ(queued.queued(), 0u);
}

TEST(QueuedMessengerTest, OneConversationKeepsItsOrder) {
  RecordingMessenger inner;
  ManualExecutor executor;
  QueuedMessenger queued(inner, ByChannel(), executor);
  for (const char* t : {"a1", "a2", "a3"}) ASSERT_TRUE(queued.Send(In("A"), Text(t)).ok());
  ASSERT_TRUE(queued.Send(In("B"), Text("b1")).ok());
  ASSERT_TRUE(queued.Send(In("A"), Text("a4")).ok());
  // One task per conversation, however many replies it holds.
  EXPECT_EQ(executor.pending(), 2u);
  executor.RunOne();  // A's task delivers all of A's replies
  EXPECT_EQ(Delivered(inner), (std::vector<std::string>{"A:a1", "A:a2", "A:a3", "A:a4"}));
  // A reply accepted after A's task finished starts a new one, behind B's.
  ASSERT_TRUE(queued.Send(In("A"), Text("a5")).ok());
  executor.RunAll();
  EXPECT_EQ(Delivered(inner),
            (std::vector<std::string>{"A:a1", "A:a2", "A:a3", "A:a4", "B:b1", "A:a5"}));
}

TEST(QueuedMessengerTest, ASlowConversationDoesNotHoldUpTheOthers) {
  RecordingMessenger inner;
  ThreadPool senders(2, "send");
  QueuedMessenger queued(inner, ByChannel(), senders);
  inner.Hold("SLOW");  // e.g. a channel waiting for its pacing slot
  ASSERT_TRUE(queued.Send(In("SLOW"), Text("1")).ok());
  ASSERT_TRUE(queued.Send(In("SLOW"), Text("2")).ok());
  ASSERT_TRUE(queued.Send(In("FAST"), Text("x")).ok());
  ASSERT_TRUE(inner.WaitForSent(1));
  EXPECT_EQ(Delivered(inner), std::vector<std::string>{"FAST:x"});
  inner.Release();
  ASSERT_TRUE(inner.WaitForSent(3));
  EXPECT_EQ(Delivered(inner), (std::vector<std::string>{"FAST:x", "SLOW:1", "SLOW:2"}));
}

TEST(QueuedMessengerTest, AFullQueueRefusesInsteadOfGrowing) {
  RecordingMessenger inner;
  ManualExecutor executor;
  QueuedMessenger queued(inner, ByChannel(), executor, QueuedMessengerOptions{2});
  ASSERT_TRUE(queued.Send(In("A"), Text("1")).ok());
  ASSERT_TRUE(queued.Send(In("B"), Text("2")).ok());
  const Status full = queued.Send(In("C"), Text("3"));
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted) << full;
  executor.RunAll();
  EXPECT_TRUE(queued.Send(In("C"), Text("4")).ok());
  executor.RunAll();
  EXPECT_EQ(Delivered(inner), (std::vector<std::string>{"A:1", "B:2", "C:4"}));
}

TEST(QueuedMessengerTest, AFailedDeliveryDoesNotStopTheConversation) {
  RecordingMessenger inner;
  ManualExecutor executor;
  QueuedMessenger queued(inner, ByChannel(), executor);
  inner.FailNext(1);
  ASSERT_TRUE(queued.Send(In("A"), Text("lost")).ok());
  ASSERT_TRUE(queued.Send(In("A"), Text("next")).ok());
  executor.RunAll();
  EXPECT_EQ(Delivered(inner), (std::vector<std::string>{"A:lost", "A:next"}));
  EXPECT_EQ(queued.queued(), 0u);
}

TEST(QueuedMessengerTest, AStoppedExecutorMeansDeliveryOnTheCallersThread) {
  RecordingMessenger inner;
  ManualExecutor executor;
  executor.Shutdown();
  QueuedMessenger queued(inner, ByChannel(), executor);
  ASSERT_TRUE(queued.Send(In("A"), Text("late")).ok());
  EXPECT_EQ(Delivered(inner), std::vector<std::string>{"A:late"});
  EXPECT_EQ(queued.queued(), 0u);
}

TEST(QueuedMessengerTest, ShuttingTheSendersDownDeliversEverythingAccepted) {
  RecordingMessenger inner;
  auto senders = std::make_unique<ThreadPool>(1, "send");
  QueuedMessenger queued(inner, ByChannel(), *senders);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(queued.Send(In("C" + std::to_string(i % 5)), Text(std::to_string(i))).ok());
  }
  senders->Shutdown();
  EXPECT_EQ(Delivered(inner).size(), 50u);
  EXPECT_EQ(queued.queued(), 0u);
}

TEST(QueuedMessengerTest, WaitIdleThenAbandonBoundsTheShutdown) {
  RecordingMessenger inner;
  ManualExecutor executor;
  QueuedMessenger queued(inner, ByChannel(), executor);
  ASSERT_TRUE(queued.Send(In("A"), Text("1")).ok());
  ASSERT_TRUE(queued.Send(In("B"), Text("2")).ok());
  EXPECT_FALSE(queued.WaitIdle(std::chrono::milliseconds(0)));  // nothing has run
  executor.RunOne();                                            // A's reply goes out
  queued.Abandon();
  EXPECT_EQ(queued.Send(In("C"), Text("3")).code(), StatusCode::kUnavailable);
  executor.RunAll();  // B's is dropped, not sent
  EXPECT_TRUE(queued.WaitIdle(std::chrono::milliseconds(0)));
  EXPECT_EQ(Delivered(inner), std::vector<std::string>{"A:1"});
  EXPECT_EQ(queued.queued(), 0u);
}

TEST(QueuedMessengerTest, WaitIdleReturnsOnceEverythingIsSent) {
  RecordingMessenger inner;
  ThreadPool senders(2, "send");
  QueuedMessenger queued(inner, ByChannel(), senders);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(queued.Send(In("C" + std::to_string(i % 3)), Text(std::to_string(i))).ok());
  }
  EXPECT_TRUE(queued.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(Delivered(inner).size(), 20u);
}

// A name lookup is a Slack call (users.info) that may wait out a rate limit: DisplayName
// answers at once and looks the name up on the executor for next time.
TEST(QueuedMessengerTest, DisplayNameNeverWaitsForTheLookup) {
  const store::UserRef alice{"T1", "U1"};
  const store::UserRef bob{"T1", "U2"};
  RecordingMessenger inner;
  inner.SetName(alice, "Alice");
  inner.SetName(bob, "Bob");
  ManualExecutor executor;
  QueuedMessenger queued(inner, ByChannel(), executor);
  EXPECT_EQ(queued.DisplayName(alice), "");
  EXPECT_EQ(queued.DisplayName(alice), "");  // asked twice, looked up once
  EXPECT_EQ(queued.DisplayName(bob), "");
  EXPECT_EQ(inner.name_lookups(), 0);
  EXPECT_EQ(executor.pending(), 1u);  // one lookup task for all of them
  executor.RunAll();
  EXPECT_EQ(inner.name_lookups(), 2);
  EXPECT_EQ(queued.DisplayName(alice), "Alice");
  EXPECT_EQ(queued.DisplayName(bob), "Bob");
  EXPECT_EQ(executor.pending(), 0u);
  // Unknown names are asked again later (the lookup may have failed).
  EXPECT_EQ(queued.DisplayName({"T1", "U3"}), "");
  executor.RunAll();
  EXPECT_EQ(queued.DisplayName({"T1", "U3"}), "");
  executor.RunAll();
  EXPECT_EQ(inner.name_lookups(), 4);
}

// While a lookup hangs on one sender thread, replies still go out on the others.
TEST(QueuedMessengerTest, AHangingLookupHoldsUpNoReply) {
  RecordingMessenger inner;
  inner.HoldNames();
  ThreadPool senders(2, "send");
  QueuedMessenger queued(inner, ByChannel(), senders);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(queued.DisplayName({"T1", "U" + std::to_string(i)}), "");
  }
  ASSERT_TRUE(queued.Send(In("C1"), Text("hello")).ok());
  ASSERT_TRUE(queued.Send(In("C2"), Text("world")).ok());
  EXPECT_TRUE(inner.WaitForSent(2));
  EXPECT_LE(inner.names_waiting(), 1);
  inner.ReleaseNames();
}

// ---- with a journal: replies kept until delivered ----

class JournaledQueuedMessengerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
  }

  ReplyJournalOptions Worker(std::string name) {
    return {std::move(name), std::chrono::seconds(30)};
  }
  QueuedMessengerOptions Options(std::chrono::milliseconds retry_for = std::chrono::hours(1)) {
    QueuedMessengerOptions o;
    o.clock = &clock_;
    o.retry_for = retry_for;
    o.retry_pause = std::chrono::seconds(1);
    o.max_retry_pause = std::chrono::seconds(4);
    return o;
  }
  int64_t Stored() { return *store_->CountOutgoingReplies(); }
  static double Replies(const char* result) {
    return metrics::Faqbot().replies.With({result}).value();
  }
  static double Retries() { return metrics::Faqbot().reply_retries.With().value(); }
  // Advances the clock past every pause of the sender thread until `inner` has `n` deliveries.
  // Each time the sender pauses before a retry, moves the clock past the pause (the longest one,
  // max_retry_pause) and waits for the sender to try again before moving it again: a woken
  // thread counts as a sleeper until it runs, and a clock moved on meanwhile (a loaded machine)
  // would run past the retry window and give the reply up.
  void AdvanceUntilSent(const RecordingMessenger& inner, size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (inner.sent().size() < n && std::chrono::steady_clock::now() < deadline) {
      if (clock_.sleepers() == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      const size_t tried = inner.sent().size();
      clock_.Advance(Options().max_retry_pause);
      while (clock_.sleepers() > 0 && inner.sent().size() == tried &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }

  FakeClock clock_;
  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  std::unique_ptr<store::Store> store_;
};

TEST_F(JournaledQueuedMessengerTest, AReplyIsKeptUntilItIsDelivered) {
  RecordingMessenger inner;
  ManualExecutor executor;
  ReplyJournal journal(*store_, Worker("host-1"));
  QueuedMessenger queued(inner, ByChannel(), executor, Options());
  queued.UseJournal(journal);
  ASSERT_TRUE(queued.Send(In("C1"), Text("hello")).ok());
  EXPECT_EQ(Stored(), 1);
  executor.RunAll();
  EXPECT_EQ(Delivered(inner), std::vector<std::string>{"C1:hello"});
  EXPECT_EQ(Stored(), 0);
  // Homes are not kept: the next visit draws them again.
  ASSERT_TRUE(queued.ShowHome({"T1", "U1"}, assistant::HomeView{}).ok());
  EXPECT_EQ(Stored(), 0);
  executor.RunAll();
}

TEST_F(JournaledQueuedMessengerTest, AReplySlackCannotTakeYetIsTriedUntilItCanInOrder) {
  RecordingMessenger inner;
  inner.FailNext(3);  // Unavailable three times: Slack is down for a while
  ThreadPool senders(1, "send");
  ReplyJournal journal(*store_, Worker("host-1"));
  QueuedMessenger queued(inner, ByChannel(), senders, Options());
  queued.UseJournal(journal);
  const double delivered = Replies("delivered");
  const double retries = Retries();
  ASSERT_TRUE(queued.Send(In("A"), Text("first")).ok());
  ASSERT_TRUE(queued.Send(In("A"), Text("second")).ok());
  AdvanceUntilSent(inner, 5);
  ASSERT_TRUE(queued.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(Delivered(inner),
            (std::vector<std::string>{"A:first", "A:first", "A:first", "A:first", "A:second"}));
  EXPECT_EQ(Stored(), 0);
  EXPECT_EQ(Replies("delivered") - delivered, 2);
  EXPECT_EQ(Retries() - retries, 3);
}

TEST_F(JournaledQueuedMessengerTest, ARateLimitedReplyWaitsAsLongAsSlackAsked) {
  RecordingMessenger inner;
  // The client gave up at once: Slack asked for two minutes, more than it waits itself.
  inner.FailNext(1, ResourceExhaustedError(
                        "chat.postMessage: slack_error=ratelimited (HTTP 429, Retry-After 120 s)"));
  ThreadPool senders(1, "send");
  ReplyJournal journal(*store_, Worker("host-1"));
  QueuedMessenger queued(inner, ByChannel(), senders, Options());
  queued.UseJournal(journal);
  const auto start = clock_.Now();
  ASSERT_TRUE(queued.Send(In("A"), Text("later")).ok());
  // A second at a time, while the sender sleeps, until it tries again.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::optional<FakeClock::TimePoint> retried_at;
  while (!retried_at && std::chrono::steady_clock::now() < deadline) {
    if (inner.sent().size() >= 2) {
      retried_at = clock_.Now();
    } else if (clock_.sleepers() > 0) {
      clock_.Advance(std::chrono::seconds(1));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ASSERT_TRUE(retried_at.has_value());
  ASSERT_TRUE(queued.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(Delivered(inner), (std::vector<std::string>{"A:later", "A:later"}));
  // Retried once, after the two minutes (not after retry_pause, 1 s).
  EXPECT_GE(*retried_at - start, std::chrono::seconds(120));
  EXPECT_EQ(Stored(), 0);
}

TEST_F(JournaledQueuedMessengerTest, AReplyTooOldToRetryIsGivenUp) {
  RecordingMessenger inner;
  inner.FailNext(1);
  ManualExecutor executor;
  ReplyJournal journal(*store_, Worker("host-1"));
  QueuedMessenger queued(inner, ByChannel(), executor, Options(std::chrono::milliseconds(0)));
  queued.UseJournal(journal);
  ASSERT_TRUE(queued.Send(In("A"), Text("late")).ok());
  executor.RunAll();
  EXPECT_EQ(Delivered(inner), std::vector<std::string>{"A:late"});  // one attempt, failed
  EXPECT_EQ(Stored(), 0);
}

TEST_F(JournaledQueuedMessengerTest, RepliesUnsentAtShutdownAreSentByTheNextStart) {
  RecordingMessenger before;
  ManualExecutor executor;
  ReplyJournal first(*store_, Worker("host-1"));
  const double kept = Replies("kept");
  {
    QueuedMessenger queued(before, ByChannel(), executor, Options());
    queued.UseJournal(first);
    ASSERT_TRUE(queued.Send(In("A"), Text("1")).ok());
    ASSERT_TRUE(queued.Send(In("A"), Text("2")).ok());
    ASSERT_TRUE(queued.Send(In("B"), Text("3")).ok());
    queued.Abandon();
    executor.RunAll();  // given back, not sent
    // Accepted after the abandon: kept for later rather than lost.
    EXPECT_TRUE(queued.Send(In("B"), Text("4")).ok());
  }
  EXPECT_TRUE(Delivered(before).empty());
  EXPECT_EQ(Stored(), 4);
  EXPECT_EQ(Replies("kept") - kept, 3);  // the fourth was never queued

  RecordingMessenger after;
  ReplyJournal second(*store_, Worker("host-2"));
  QueuedMessenger queued(after, ByChannel(), executor, Options());
  queued.UseJournal(second);
  EXPECT_EQ(queued.Recover(), 4u);
  EXPECT_EQ(queued.Recover(), 0u);  // claimed once
  executor.RunAll();
  EXPECT_EQ(Delivered(after), (std::vector<std::string>{"A:1", "A:2", "B:3", "B:4"}));
  EXPECT_EQ(Stored(), 0);
}

TEST_F(JournaledQueuedMessengerTest, RecoverClaimsNoMoreThanTheQueueHasRoomFor) {
  ReplyJournal earlier(*store_, Worker("host-1"));
  std::vector<int64_t> ids;
  for (const char* text : {"1", "2", "3"}) {
    auto id = earlier.Record("A", In("A"), Text(text));
    ASSERT_TRUE(id.ok()) << id.status();
    ids.push_back(id->id);
  }
  ASSERT_TRUE(earlier.GiveBack(ids).ok());
  RecordingMessenger inner;
  ManualExecutor executor;
  ReplyJournal journal(*store_, Worker("host-2"));
  QueuedMessengerOptions options = Options();
  options.max_queued = 2;
  QueuedMessenger queued(inner, ByChannel(), executor, options);
  queued.UseJournal(journal);
  EXPECT_EQ(queued.Recover(), 2u);
  EXPECT_EQ(queued.Recover(), 0u);  // full
  executor.RunAll();
  EXPECT_EQ(queued.Recover(), 1u);
  executor.RunAll();
  EXPECT_EQ(Delivered(inner), (std::vector<std::string>{"A:1", "A:2", "A:3"}));
  EXPECT_EQ(Stored(), 0);
}

// Two processes answering in one conversation: while host-1 holds an older reply (Slack asked it
// to wait), host-2 leaves its newer one to host-1, which sends both in order.
TEST_F(JournaledQueuedMessengerTest, ANewerReplyWaitsForTheProcessHoldingAnOlderOne) {
  RecordingMessenger first_inner, second_inner;
  ManualExecutor first_executor, second_executor;
  ReplyJournal first_journal(*store_, Worker("host-1"));
  ReplyJournal second_journal(*store_, Worker("host-2"));
  QueuedMessenger first(first_inner, ByChannel(), first_executor, Options());
  QueuedMessenger second(second_inner, ByChannel(), second_executor, Options());
  first.UseJournal(first_journal);
  second.UseJournal(second_journal);
  ASSERT_TRUE(first.Send(In("A"), Text("1")).ok());  // not sent yet: waiting
  ASSERT_TRUE(second.Send(In("A"), Text("2")).ok());
  ASSERT_TRUE(second.Send(In("B"), Text("3")).ok());  // another conversation: sent by host-2
  second_executor.RunAll();
  EXPECT_EQ(Delivered(second_inner), std::vector<std::string>{"B:3"});
  EXPECT_EQ(second.Recover(), 0u);  // not host-2's to take
  first_executor.RunAll();
  EXPECT_EQ(first.Recover(), 1u);
  first_executor.RunAll();
  EXPECT_EQ(Delivered(first_inner), (std::vector<std::string>{"A:1", "A:2"}));
  EXPECT_EQ(Stored(), 0);
}

TEST_F(JournaledQueuedMessengerTest, AReplyWaitingToBeRetriedIsKeptWhenTheProcessStops) {
  RecordingMessenger inner;
  inner.FailNext(1000);
  ThreadPool senders(1, "send");
  ReplyJournal journal(*store_, Worker("host-1"));
  QueuedMessenger queued(inner, ByChannel(), senders, Options());
  queued.UseJournal(journal);
  ASSERT_TRUE(queued.Send(In("A"), Text("hello")).ok());
  for (int i = 0; i < 10'000 && clock_.sleepers() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(clock_.sleepers(), 1);  // pausing before the second try
  EXPECT_EQ(queued.queued(), 0u);
  EXPECT_EQ(queued.unsent(), 1u);
  queued.Abandon();
  ASSERT_TRUE(queued.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(queued.unsent(), 0u);
  EXPECT_EQ(inner.sent().size(), 1u);
  ReplyJournal other(*store_, Worker("host-2"));
  auto claimed = other.Claim(10);  // given back: another process may take it at once
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(claimed->size(), 1u);
}

// A refusal for good reaches OnRefused with the destination; failures that may pass do not.
class RefusingMessenger final : public assistant::Messenger {
 public:
  Status Send(const Destination& to, const Reply&) override {
    if (to.channel == "C0DOWN") return UnavailableError("HTTP 500 (after 4 attempts)");
    return FailedPreconditionError("chat.postMessage: slack_error=not_in_channel");
  }
  std::string DisplayName(const store::UserRef&) override { return ""; }
  Status ShowHome(const store::UserRef&, const assistant::HomeView&) override {
    return FailedPreconditionError("no Home");
  }
  Status OpenForm(const store::UserRef&, const std::string&, const assistant::TopicForm&) override {
    return FailedPreconditionError("no forms");
  }
};

TEST_F(JournaledQueuedMessengerTest, AReplyRefusedForGoodIsForgottenAndReported) {
  RefusingMessenger inner;
  ManualExecutor executor;
  ReplyJournal journal(*store_, Worker("host-1"));
  QueuedMessenger queued(inner, ByChannel(), executor, Options(std::chrono::milliseconds(0)));
  queued.UseJournal(journal);
  std::vector<std::string> refused;
  queued.OnRefused([&](const Destination& to, const Status& why) {
    refused.push_back(to.channel + ": " + why.ToString());
  });
  const double refused_before = Replies("refused");
  const double given_up_before = Replies("given_up");
  ASSERT_TRUE(queued.Send(In("C0SECRET"), Text("hello")).ok());
  ASSERT_TRUE(queued.Send(In("C0DOWN"), Text("hello")).ok());  // too old to retry, not refused
  ASSERT_TRUE(queued.ShowHome({"T1", "U1"}, assistant::HomeView{}).ok());  // not a reply
  executor.RunAll();
  EXPECT_EQ(refused, std::vector<std::string>{"C0SECRET: failed_precondition: chat.postMessage: "
                                              "slack_error=not_in_channel"});
  EXPECT_EQ(Stored(), 0);
  EXPECT_EQ(Replies("refused") - refused_before, 1);
  EXPECT_EQ(Replies("given_up") - given_up_before, 1);  // C0DOWN: too old for another try
}

TEST_F(JournaledQueuedMessengerTest, RecoverKeepsThisProcesssRepliesItsOwn) {
  RecordingMessenger inner;
  ManualExecutor executor;
  ReplyJournal journal(*store_, Worker("host-1"));
  QueuedMessenger queued(inner, ByChannel(), executor, Options());
  queued.UseJournal(journal);
  ASSERT_TRUE(queued.Send(In("A"), Text("slow")).ok());
  ReplyJournal other(*store_, Worker("host-2"));
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::seconds(20));
    EXPECT_EQ(queued.Recover(), 0u);  // renews the lease; nothing to claim
    EXPECT_TRUE(other.Claim(10)->empty());
  }
  executor.RunAll();
  EXPECT_EQ(Delivered(inner), std::vector<std::string>{"A:slow"});
  EXPECT_EQ(Stored(), 0);
}

}  // namespace
}  // namespace faqbot::server
