// Assistant: publishing (also of nothing: taking the bot down), deleting everything, and the
// yes/no of every confirmation. A confirmation's buttons carry what they confirm, so a stale
// one (an older question, a second press) changes nothing; a pressed one is replaced by what
// was done.
#include "assistant/assistant.h"
#include "assistant/assistant_internal.h"
#include "common/logging.h"
#include "store/topic_state.h"

namespace faqbot::assistant {
namespace {

using Step = DialogueState::Step;

// "all 3 topics", but "your one topic": what a publish or a delete of every topic covers.
std::string AllTopics(size_t n) { return n == 1 ? "your one topic" : "all " + Count(n, "topic"); }

Reply CannotNow(const std::string& what) {
  return Say1("Seems like I cannot " + what +
              " currently :scream_cat: Please try again in a "
              "minute.");
}

}  // namespace

std::string ConfirmationOf(const DialogueState& state) {
  switch (state.step) {
    case Step::kConfirmPublish:
      return "publish";
    case Step::kConfirmDelete:
      return "delete:" + std::to_string(state.topic_id);
    case Step::kConfirmDeleteAll:
      return "delete_all";
    // These confirm words the owner typed: an older offer's buttons (same topic, other words)
    // must not confirm the newer words.
    case Step::kConfirmSimilar:
      return "similar:" + std::to_string(state.topic_id) + ":" + Fingerprint(state.question);
    case Step::kConfirmAnswer:
      return "answer:" + std::to_string(state.handoff_id) + ":" + Fingerprint(state.question);
    case Step::kOfferMore:
      return "more";
    case Step::kConfirmNewTopic:
      return "new_topic:" + Fingerprint(state.question);
    default:
      return "";
  }
}

void Assistant::AskDeleteAll(Turn& turn) {
  auto count = store_.CountTopics(turn.who);
  if (count.ok() && *count == 0) {
    return Say(turn, Say1("You don't have any topics to delete."));
  }
  turn.Set({Step::kConfirmDeleteAll, "", 0, 0});
  Reply r = Say1(count.ok() ? "Are you sure you want to drop " +
                                  AllTopics(static_cast<size_t>(*count)) + "?"
                            : "Are you sure you want to drop all your topics?");
  r.buttons = {Btn("Yes, please.", "affirm", "delete_all", Button::Style::kDanger),
               Btn("Not yet.", "deny", "delete_all")};
  Say(turn, r);
}

void Assistant::AskPublish(Turn& turn) {
  auto topics = store_.ListTopics(turn.who);
  auto live = store_.GetLivePublication(turn.who, false);
  if (!topics.ok() || !live.ok()) return Say(turn, CannotNow("publish your topics"));
  const bool bot_up = live->has_value() && !(*live)->topics.empty();
  if (topics->empty() && !bot_up) {
    Reply r = Say1("You don't have any topics to publish yet. Add one first?");
    r.buttons = {Btn("Let's add new topic.", "add_topic", "", Button::Style::kPrimary)};
    return Say(turn, r);
  }
  const store::TopicOverview overview = store::Overview(*topics, *live);
  const size_t publishable = topics->size() - overview.needs_answer;
  if (!overview.publish_changes_something) {
    return Say(turn, Say1("Your bot already answers exactly these " +
                          Count(publishable, "topic") + " :white_check_mark:" +
                          LeftOut(overview.needs_answer)));
  }
  if (publishable == 0 && !bot_up) {
    Reply r = Say1("Your " + Count(topics->size(), "topic") +
                   " still need an answer, so there is nothing to publish yet. Edit a topic to "
                   "give it an answer.");
    r.buttons = {Btn("Show my topics", "list_topics", "", Button::Style::kPrimary)};
    return Say(turn, r);
  }
  turn.Set({Step::kConfirmPublish, "", 0, 0});
  Reply r;
  if (overview.publish_takes_bot_down) {
    // Publishing nothing is how an owner takes the bot down: say so plainly.
    r = Say1("You have no topics left. Publishing now takes your bot offline: it stops "
             "answering the " + Count((*live)->topics.size(), "topic") +
             " it knows, and askers hear that you haven't published any. Take it offline?");
    r.buttons = {Btn("Yes, take it offline.", "affirm", "publish", Button::Style::kDanger),
                 Btn("Not yet.", "deny", "publish")};
    return Say(turn, r);
  }
  r = Say1(overview.needs_answer == 0
               ? "Are you sure you want to publish " + AllTopics(topics->size()) + "?"
               : "Are you sure you want to publish " + Count(publishable, "topic") + "?" +
                     LeftOut(overview.needs_answer));
  r.buttons = {Btn("Yes, please.", "affirm", "publish", Button::Style::kPrimary),
               Btn("Not yet.", "deny", "publish")};
  Say(turn, r);
}

void Assistant::Confirm(Turn& turn, bool yes, const std::string& value) {
  const DialogueState pending = turn.state;
  const std::string waiting_for = ConfirmationOf(pending);
  if (waiting_for.empty() || (!value.empty() && value != waiting_for)) {
    if (!value.empty()) {
      // A button of a confirmation that was answered already (a double click, a second device)
      // or replaced by a newer one: its message keeps what the first press made of it.
      return Say(turn, Say1("You answered that one already — nothing changed."));
    }
    if (!yes) return Say(turn, Say1("That's fine, leaving as it is."));
    return Say(turn, Say1("Great, carry on! :heart_eyes_cat:"));
  }
  turn.Set({});
  if (pending.step == Step::kOfferMore) {
    // "Would you like to add anything else?" — "yes" typed is *Yes, one more*.
    if (yes) return StartAddTopic(turn);
    return Say(turn, Say1("That's fine, leaving as it is."));
  }
  if (pending.step == Step::kConfirmNewTopic) {
    if (!yes) {
      ReplacePressed(turn, Say1("Not added as a topic."));
      Reply r = Say1("Ok, I left it. What can I do for you?");
      r.buttons = MenuButtons();
      return Say(turn, r);
    }
    Reply adding;
    adding.paragraphs.push_back(Line({Words("Adding "), UserText(pending.question),
                                      AfterUserText(pending.question, " as a topic.")}));
    ReplacePressed(turn, adding);
    return TakeNewQuestion(turn, pending.question);
  }
  if (pending.step == Step::kConfirmAnswer) {
    if (!yes) {
      ReplacePressed(turn, Say1("Not an answer — nothing was sent."));
      Reply r = Say1("Ok, I kept it to myself. What can I do for you?");
      r.buttons = MenuButtons();
      return Say(turn, r);
    }
    ReplacePressed(turn, Say1("Sent as your answer."));
    turn.Set({Step::kAwaitAnswer, "", 0, pending.handoff_id});
    return AnswerHandoff(turn, pending.question);
  }
  if (pending.step == Step::kConfirmSimilar) {
    if (!yes) {
      ReplacePressed(turn, Say1("Kept as a new topic."));
      turn.Set({Step::kAwaitAnswer, pending.question, 0, 0});
      return Say(turn, Say1("Ok, a new topic. What answer should I provide?"));
    }
    auto learned = topics_.LearnPhrasing(turn.who, pending.topic_id, pending.question);
    if (!learned.ok()) {
      return Say(turn, Say1("I couldn't add it as a phrasing: " + learned.status().message()));
    }
    Reply done;
    done.paragraphs.push_back(
        Line({Words("Added "), UserText(pending.question), Words(" as a phrasing of "),
              UserText(learned->topic.content.question),
              AfterUserText(learned->topic.content.question, ".")}));
    ReplacePressed(turn, done);
    done.paragraphs.push_back(Line(learned->live ? "It's live: your bot answers it from now on."
                                                 : "It goes live when you publish."));
    done.buttons = {Btn("Another phrasing", kActionAddPhrasing,
                        std::to_string(learned->topic.id)),
                    Btn("Show my topics", "list_topics")};
    return Say(turn, done);
  }
  if (!yes) {
    ReplacePressed(turn, Say1("Not now — nothing was changed."));
    return Say(turn, Say1("That's fine, leaving as it is."));
  }
  const std::string name = NameOf(turn.who);
  switch (pending.step) {
    case Step::kConfirmDelete: {
      Status deleted = topics_.Delete(turn.who, pending.topic_id);
      if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) {
        return Say(turn, CannotNow("delete that topic"));
      }
      Reply done;
      done.paragraphs.push_back(Line({Words("🗑 Deleted "), UserText(pending.question)}));
      ReplacePressed(turn, done);
      Reply r = Say1("Deleted. If it was live, it keeps answering until you publish.");
      r.buttons = {Btn("Publish", "publish"), Btn("Show my topics", "list_topics")};
      return Say(turn, r);
    }
    case Step::kConfirmDeleteAll: {
      auto deleted = topics_.DeleteAll(turn.who);
      if (!deleted.ok()) return Say(turn, CannotNow("delete your topics"));
      ReplacePressed(turn, Say1("🗑 Deleted " + AllTopics(static_cast<size_t>(*deleted)) + "."));
      Reply r = Say1("Ok" + CommaName(name) + ", all topics are dropped :crying_cat_face: " +
                     "Your published bot keeps answering until you publish again — publishing "
                     "now would take it offline.");
      r.buttons = {Btn("Add a topic", "add_topic", "", Button::Style::kPrimary),
                   Btn("Publish (take it offline)", "publish")};
      return Say(turn, r);
    }
    case Step::kConfirmPublish: {
      // Recorded first, announced, then started: the "published" DM always comes second.
      auto enqueued = topics_.Publish(turn.who, /*schedule=*/false);
      if (!enqueued.ok()) return Say(turn, CannotNow("publish your topics"));
      ReplacePressed(turn, Say1("🚀 Publishing — confirmed by you."));
      Say(turn, Say1(enqueued->topics == 0
                         ? "Ok" + CommaName(name) +
                               ", your bot goes offline shortly: it stops "
                               "answering until you publish topics again. "
                               "I'll ping you back when done."
                         : "Ok" + CommaName(name) + ", all topics will be published shortly " +
                               ":heart_eyes_cat: I'll ping you back when done."));
      turn.start_training = true;
      return;
    }
    default:
      return Say(turn, Say1("Great, carry on! :heart_eyes_cat:"));
  }
}

}  // namespace faqbot::assistant
