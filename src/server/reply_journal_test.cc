#include "server/reply_journal.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/clock.h"
#include "test_store.h"

namespace faqbot::server {
namespace {

using assistant::Button;
using assistant::Destination;
using assistant::Reply;
using assistant::Span;

// A reply with every kind of field set, none at its default.
Reply EveryField() {
  Reply r;
  r.paragraphs.push_back(
      assistant::Line({assistant::Words("Asked by "), assistant::Mention("U0BOB"),
                       assistant::UserText("<!channel> *not bold* \"q\"\n")}));
  r.paragraphs.push_back(assistant::Line("second :wave:"));
  Button confirm{"Delete", "delete_topic", "42", Button::Style::kDanger,
                 Button::Confirm{"Delete it?", "It goes for good.", "Delete", "Keep"}};
  r.items.push_back({assistant::Line("an item ✓"), {confirm}});
  r.items.push_back({assistant::Line(""), {}});
  r.buttons.push_back({"It's *Lunch*", "handoff_topic", "7:3", Button::Style::kPrimary});
  r.buttons.push_back({"Answer it", "handoff_answer", "", Button::Style::kDefault});
  r.context.push_back(assistant::Line("topic: lunch"));
  r.track = "handoff:7";
  return r;
}

bool SameReply(const Reply& a, const Reply& b) {
  auto same_paragraph = [](const assistant::Paragraph& x, const assistant::Paragraph& y) {
    if (x.spans.size() != y.spans.size()) return false;
    for (size_t i = 0; i < x.spans.size(); ++i) {
      if (x.spans[i].kind != y.spans[i].kind || x.spans[i].value != y.spans[i].value) return false;
    }
    return true;
  };
  auto same_paragraphs = [&](const std::vector<assistant::Paragraph>& x,
                             const std::vector<assistant::Paragraph>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!same_paragraph(x[i], y[i])) return false;
    }
    return true;
  };
  auto same_buttons = [](const std::vector<Button>& x, const std::vector<Button>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].label != y[i].label || x[i].action != y[i].action || x[i].value != y[i].value ||
          x[i].style != y[i].style || x[i].confirm.has_value() != y[i].confirm.has_value()) {
        return false;
      }
      if (x[i].confirm &&
          (x[i].confirm->title != y[i].confirm->title || x[i].confirm->text != y[i].confirm->text ||
           x[i].confirm->yes != y[i].confirm->yes || x[i].confirm->no != y[i].confirm->no)) {
        return false;
      }
    }
    return true;
  };
  if (!same_paragraphs(a.paragraphs, b.paragraphs) || !same_buttons(a.buttons, b.buttons) ||
      !same_paragraphs(a.context, b.context) || a.items.size() != b.items.size() ||
      a.track != b.track) {
    return false;
  }
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (!same_paragraph(a.items[i].text, b.items[i].text) ||
        !same_buttons(a.items[i].buttons, b.items[i].buttons)) {
      return false;
    }
  }
  return true;
}

TEST(OutgoingReplyCodecTest, EveryDestinationAndEveryFieldOfAReplyRoundTrip) {
  const Reply reply = EveryField();
  for (auto kind :
       {Destination::Kind::kDirect, Destination::Kind::kChannel, Destination::Kind::kEphemeral,
        Destination::Kind::kResponse, Destination::Kind::kUpdate}) {
    Destination to;
    to.kind = kind;
    to.user = {"T0001", "U0ALICE"};
    to.channel = "C0HELP";
    to.thread_ts = "1700000000.000100";
    to.ts = "1700000000.000200";
    to.response_url = "https://hooks.slack.com/commands/T0001/1/abc";
    to.in_channel = kind == Destination::Kind::kResponse;
    Destination to2;
    Reply reply2;
    ASSERT_TRUE(DecodeOutgoingReply(EncodeOutgoingReply(to, reply), to2, reply2).ok());
    EXPECT_EQ(to2.kind, to.kind);
    EXPECT_EQ(to2.user, to.user);
    EXPECT_EQ(to2.channel, to.channel);
    EXPECT_EQ(to2.thread_ts, to.thread_ts);
    EXPECT_EQ(to2.ts, to.ts);
    EXPECT_EQ(to2.response_url, to.response_url);
    EXPECT_EQ(to2.in_channel, to.in_channel);
    EXPECT_TRUE(SameReply(reply, reply2));
  }
  // The comparison itself tells a difference.
  Reply changed = reply;
  changed.items[0].buttons[0].confirm->no = "Cancel";
  EXPECT_FALSE(SameReply(reply, changed));
  changed = reply;
  changed.track = "handoff:8";
  EXPECT_FALSE(SameReply(reply, changed));
}

TEST(OutgoingReplyCodecTest, AReplyStoredBeforeTrackingExistedIsReadWithoutIt) {
  std::string stored = EncodeOutgoingReply(Destination::Direct({"T1", "U1"}), EveryField());
  const std::string track = R"(,"track":"handoff:7")";
  const size_t at = stored.find(track);
  ASSERT_NE(at, std::string::npos) << stored;
  stored.erase(at, track.size());
  Destination to;
  Reply reply;
  ASSERT_TRUE(DecodeOutgoingReply(stored, to, reply).ok());
  EXPECT_EQ(reply.track, "");
  Reply expected = EveryField();
  expected.track.clear();
  EXPECT_TRUE(SameReply(reply, expected));
}

TEST(OutgoingReplyCodecTest, AnythingElseIsRefusedAndLeavesTheOutputsAlone) {
  const std::string good = EncodeOutgoingReply(Destination::Direct({"T1", "U1"}), EveryField());
  for (const std::string& bad :
       {std::string(), std::string("not json"), std::string("[1,2]"),
        good.substr(0, good.size() / 2), std::string(R"({"format":2,"to":{},"reply":{}})"),
        std::string(R"({"format":1,"to":{"kind":"carrier pigeon"},"reply":{}})")}) {
    Destination to;
    to.channel = "unchanged";
    Reply reply;
    EXPECT_EQ(DecodeOutgoingReply(bad, to, reply).code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(to.channel, "unchanged");
  }
  // A span of an unknown kind, in an otherwise good document.
  std::string unknown = good;
  unknown.replace(unknown.find("\"mention\""), 9, "\"shouting\"");
  Destination to;
  Reply reply;
  EXPECT_EQ(DecodeOutgoingReply(unknown, to, reply).code(), StatusCode::kInvalidArgument);
}

class ReplyJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::OpenStore(database_, clock_);
    ASSERT_NE(store_, nullptr);
  }

  ReplyJournal Journal(std::string worker) {
    return ReplyJournal(*store_, {std::move(worker), std::chrono::seconds(30)});
  }

  FakeClock clock_;
  store::testing::TestDatabase database_{store::testing::Engine::kSqlite};
  std::unique_ptr<store::Store> store_;
};

TEST_F(ReplyJournalTest, AReplyOfAProcessThatDiedIsClaimedWholeAfterTheLease) {
  ReplyJournal dead = Journal("host-1");
  ReplyJournal alive = Journal("host-2");
  Destination to;
  to.kind = Destination::Kind::kChannel;
  to.channel = "C0HELP";
  to.thread_ts = "1700000000.000100";
  auto id = dead.Record("C0HELP", to, EveryField());
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_TRUE(alive.Claim(10)->empty());  // host-1 holds it
  clock_.Advance(std::chrono::seconds(31));
  auto claimed = alive.Claim(10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->size(), 1u);
  const ReplyJournal::Entry& e = (*claimed)[0];
  EXPECT_EQ(e.id, id->id);
  EXPECT_EQ(e.conversation, "C0HELP");
  EXPECT_EQ(e.to.channel, "C0HELP");
  EXPECT_EQ(e.to.thread_ts, "1700000000.000100");
  EXPECT_TRUE(SameReply(e.reply, EveryField()));
  EXPECT_EQ(e.created_at, clock_.UnixMillis() - 31'000);
  ASSERT_TRUE(alive.Forget(e.id).ok());
  EXPECT_EQ(*store_->CountOutgoingReplies(), 0);
}

TEST_F(ReplyJournalTest, RenewedRepliesStayAndGivenBackOnesAreClaimedAtOnce) {
  ReplyJournal first = Journal("host-1");
  ReplyJournal second = Journal("host-2");
  auto a = first.Record("C1", Destination::Direct({"T1", "U1"}), EveryField());
  auto b = first.Record("C2", Destination::Direct({"T1", "U2"}), EveryField());
  ASSERT_TRUE(a.ok() && b.ok());
  clock_.Advance(std::chrono::seconds(25));
  ASSERT_TRUE(first.Renew().ok());
  clock_.Advance(std::chrono::seconds(25));
  EXPECT_TRUE(second.Claim(10)->empty());
  ASSERT_TRUE(first.GiveBack({b->id}).ok());
  auto claimed = second.Claim(10);
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1u);
  EXPECT_EQ((*claimed)[0].id, b->id);
}

TEST_F(ReplyJournalTest, AStoredReplyThatCannotBeReadIsForgotten) {
  ASSERT_TRUE(
      store_
          ->ReleaseOutgoingReplies(
              {store_->AddOutgoingReply("C1", "{\"format\":1}", "host-1", std::chrono::seconds(30))
                   ->id})
          .ok());
  ReplyJournal journal = Journal("host-2");
  auto good = journal.Record("C1", Destination::Direct({"T1", "U1"}), EveryField());
  ASSERT_TRUE(journal.GiveBack({good->id}).ok());
  auto claimed = journal.Claim(10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].id, good->id);
  EXPECT_EQ(*store_->CountOutgoingReplies(), 1);  // the unreadable one is gone
}

}  // namespace
}  // namespace faqbot::server
