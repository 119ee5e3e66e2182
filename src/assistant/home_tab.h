// HomeTab: the owner's Home — a thin surface over Topics (the topic rules) and the Store, like
// the DM concierge. It shows the owner's topics (✅ live, 🅾 draft, ❗ needs an answer), the last
// days' figures (asked, answered, handed off, 👍, 👎), the unanswered queue with the hand-off
// buttons (Answer it, *It's …* the nearest live topics, Ignore; pressed, they go to the
// Assistant like the DM's), and the buttons Add topic, Publish
// and Open the web console; it opens the topic form for Add and Edit and saves what is
// submitted through Topics.
//
// Refreshing: Refresh queues a rebuild of the owner's Home on the Executor and returns at once,
// so it may be called under a person's lock (it is the Topics change observer). Refreshes of
// one owner coalesce: while one is queued and not started, more requests join it, so a burst of
// changes publishes the Home once (Slack rate-limits views.publish). A refresh shows the page of
// topics the owner last looked at.
//
// Thread-safe. Store, Topics, Messenger, Executor and Clock must outlive the object; the
// destructor waits for a refresh in progress, and refreshes queued but not started then do
// nothing.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "assistant/home_view.h"
#include "assistant/inbound.h"
#include "assistant/messenger.h"
#include "assistant/topics.h"
#include "common/clock.h"
#include "common/executor.h"
#include "store/store.h"

namespace faqbot::assistant {

struct HomeTabOptions {
  // Topics on one page of the Home (each takes one block; Slack shows 100 per Home).
  int topics_per_page = 20;
  // Unanswered questions shown (each takes two blocks); the DM lists them all.
  int unanswered_shown = 10;
  // The figures cover this many days up to now.
  int activity_days = 7;
  // An answer is shown shortened to this many bytes in the list of topics.
  size_t answer_preview_bytes = 150;
  // A topic added from the form whose question the live bot already answers with another topic
  // at least this sure is pointed out in the DM ("looks like your topic X"), with *Add as a
  // phrasing of X* and *Keep as a new topic* (the DM concierge's similar_topic_confidence).
  float similar_topic_confidence = 0.7f;
  // The owner's live topics nearest a question, for the *It's …* buttons of the unanswered
  // questions (the Assistant's NearestLiveTopics); without it they offer Answer it and Ignore.
  std::function<NearestTopics(const store::UserRef& owner)> nearest_topics;
};

class HomeTab {
 public:
  HomeTab(store::Store& store, Topics& topics, Messenger& messenger, Executor& executor,
          Clock& clock, HomeTabOptions options = {});
  ~HomeTab();
  HomeTab(const HomeTab&) = delete;
  HomeTab& operator=(const HomeTab&) = delete;

  // The owner's Home with page `page` (0-based; past the end: the last) of their topics.
  // Errors: the Store's.
  Result<HomeView> Build(const store::UserRef& owner, int page);

  // Queues a refresh of the owner's Home (see above). Never blocks, never fails: a refresh that
  // cannot be built or shown is logged.
  void Refresh(const store::UserRef& owner);

  // True for the Home's own buttons (kActionHome*), which Press handles; the others (hand-off
  // buttons, open_console) belong to the Assistant.
  static bool Handles(const std::string& action);
  // A press of one of the Home's buttons: opens the empty or the topic's form (with the press's
  // trigger_id), publishes, or shows another page. Errors: NotFound (the topic is not the
  // person's: told in the DM, and the Home is refreshed), InvalidArgument (a malformed value or an
  // unknown action), the Store's and the Messenger's; a failed publish is also told in the person's
  // DM.
  Status Press(const ButtonPress& press);

  // A submitted topic form: validated (ValidateTopicForm; an invalid one changes nothing — the
  // form showed the errors), then added or edited through Topics, which refreshes the Home. A
  // new topic the live bot already answers with another (Topics::Match) is saved and pointed
  // out in the DM, with *Add as a phrasing of X* (kActionHomeMergeTopic: its question and
  // phrasings become X's — live at once with learning on — and it is deleted) and *Keep as a new
  // topic*: one answer only, whichever button and however often pressed, in any process (a
  // mark in the Store); a later press says so in a note of its own and changes nothing.
  // A change the Store refuses (NotFound: another owner's topic or a deleted one; limits) is
  // told in the person's DM and returned.
  Status Submit(const FormSubmission& submission);

 private:
  // Rebuilds and shows the Home of `owner` (a queued refresh).
  void Show(const store::UserRef& owner);
  void TellInDm(const store::UserRef& who, const std::string& words);
  // Replaces the DM message whose button `press` pressed with `reply` (in the DM when it cannot).
  void ReplacePressed(const ButtonPress& press, const Reply& reply);
  Status MergeTopic(const ButtonPress& press, int64_t added, int64_t into);
  // The similar-topic prompt of topic `added` was answered (merge or keep): true for the first
  // press only; a later one is told so in the DM.
  Result<bool> FirstAnswerTo(const ButtonPress& press, int64_t added);

  store::Store& store_;
  Topics& topics_;
  Messenger& messenger_;
  Executor& executor_;
  Clock& clock_;
  HomeTabOptions options_;

  // Shared with queued refreshes, so one that runs after the object is gone does nothing.
  struct State {
    std::mutex mu;
    std::condition_variable idle;
    std::set<store::UserRef> queued;      // owners with a refresh queued and not started
    std::map<store::UserRef, int> pages;  // the page each owner looked at last
    int running = 0;
    bool stopped = false;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace faqbot::assistant
