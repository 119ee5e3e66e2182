// RecordingMessenger: a Messenger for tests that records every reply instead of delivering it,
// and can be told to hold one channel's deliveries, fail the next ones, or keep every name
// lookup waiting, so tests decide exactly when the chat service is slow or down.
// Thread-safe. Test-only (library faqbot_assistant_test_support).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "assistant/messenger.h"

namespace faqbot::assistant {

class RecordingMessenger final : public Messenger {
 public:
  struct Sent {
    Destination to;
    Reply reply;
    std::string text;  // PlainText(reply)
    std::string ts;    // a message posted to a DM or channel: its made-up ts ("1700000000.000001")
  };

  // Records the reply (after waiting while `to.channel` is held), then fails with Unavailable
  // if FailNext asked for it.
  Status Send(const Destination& to, const Reply& reply) override;
  // The name SetName gave `user`, "" otherwise; waits while names are held.
  std::string DisplayName(const store::UserRef& user) override;
  // Record the Home or the form (then fail like Send when FailNext asked for it).
  Status ShowHome(const store::UserRef& user, const HomeView& view) override;
  Status OpenForm(const store::UserRef& user, const std::string& trigger_id,
                  const TopicForm& form) override;

  void SetName(const store::UserRef& user, std::string name);
  // Deliveries to `channel` wait until Release().
  void Hold(const std::string& channel);
  void Release();
  // From now on a delivered message with a Reply::track is reported to `handler` (after Send
  // recorded it, outside the lock) with its channel — `to.channel`, or "D" + the user's ID for a
  // DM — and its ts, as Slack's messenger does.
  void OnPosted(PostedHandler handler);
  // The next `n` deliveries are recorded and then fail.
  void FailNext(int n, Status with = UnavailableError("the chat service is down"));
  // DisplayName waits until ReleaseNames(), like a users.info call that takes its time.
  void HoldNames();
  void ReleaseNames();
  // DisplayName calls waiting right now, and made in all.
  int names_waiting() const;
  int name_lookups() const;

  struct Home {
    store::UserRef user;
    HomeView view;
    std::string text;  // the sections' PlainText, one after the other
  };
  struct Form {
    std::string trigger_id;
    TopicForm form;
  };
  std::vector<Home> homes() const;
  std::vector<Form> forms() const;

  // Everything recorded so far, oldest first (a copy).
  std::vector<Sent> sent() const;
  // Waits for at least `n` deliveries, at most `timeout` (so a bug fails a test instead of hanging
  // it); true when they came.
  bool WaitForSent(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Sent> sent_;
  std::vector<Home> homes_;
  std::vector<Form> forms_;
  // Counts down failures_ (with mu_ held).
  Status Outcome();
  std::map<store::UserRef, std::string> names_;
  std::string held_;
  int failures_ = 0;
  Status failure_;
  int posted_ = 0;  // messages given a ts
  PostedHandler on_posted_;
  bool names_held_ = false;
  int names_waiting_ = 0;
  int name_lookups_ = 0;
};

}  // namespace faqbot::assistant
