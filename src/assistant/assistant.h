// Assistant: the product. Owners teach topics and publish in a DM with the concierge; anyone asks
// an owner's bot with `ask <@owner> question` (DM, channel mention or /ask), or every published
// bot of the workspace with `ask question`, `@faqbot question` or `/ask question`; when the bot is
// not sure, the question is handed to the owner, whose answer goes back to the asker.
//
// Depends only on interfaces: the Store, a Messenger for everything it says, the ModelRegistry
// of live models, the TrainingQueue for publishing, the concierge NLU and a Clock. Never on Slack
// or HTTP.
//
// Every handler is safe to call from many threads: one person's messages are handled one at a
// time (in this process; across processes the conversation version catches a race), different
// people's in parallel. Handlers never throw; a failure (database down, chat service down) is
// logged and, where possible, told to the person; nothing half-done is left behind.
//
// What may block: a turn holds one of 64 person locks (shared by everyone whose id hashes to
// it) for its Store reads and writes, the model's prediction, the training of a change learned
// from a hand-off (TrainingQueue::Amend: a few milliseconds for 150 topics, see
// docs/assistant.md), and handing its replies to the Messenger. It never waits for the chat service
// under that lock: the Messenger must answer at once (messenger.h), and names come from the Store's
// people, else from the Messenger's DisplayName, which answers from what it knows and finds a
// missing one for next time — so a first greeting may go without the name. A handler returns when
// the Store has answered and the replies are queued, not when they are delivered.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "assistant/concierge_nlu.h"
#include "assistant/dialogue_state.h"
#include "assistant/inbound.h"
#include "assistant/messenger.h"
#include "assistant/model_registry.h"
#include "assistant/topics.h"
#include "assistant/training_queue.h"
#include "assistant/workspace_ask.h"
#include "assistant/workspace_index.h"
#include "common/clock.h"
#include "common/repeated_warning.h"
#include "store/store.h"

namespace faqbot::assistant {

struct HandoffRef;  // what a hand-off button points at (assistant_internal.h)

struct AssistantOptions {
  // Candidate topics offered to an owner for a handed-off question ("It's topic X").
  int handoff_candidates = 3;
  // Most unanswered questions listed at once.
  int unanswered_limit = 50;
  // At most one hand-off DM per owner this often, across every process on the database
  // (Store::ClaimHandoffDm); questions in between wait in the owner's unanswered list and the
  // next DM says how many. Keeps a popular owner's DM (paced by Slack
  // to about one message per second) from holding up everyone else's answers.
  std::chrono::milliseconds handoff_dm_interval{10'000};
  // A new topic's question that the live bot already answers this surely with another topic is
  // pointed out ("looks like your topic X"), with the offer to add it as a phrasing instead.
  float similar_topic_confidence = 0.7f;
  // A declined question shows its asker the live topics the bot ranked at least this sure (at
  // most handoff_candidates) to pick from, while the owner is asked. Valid, 10 topics × 1
  // phrasing: the right topic is among them for 31–35 % of declined questions (docs/assistant.md).
  float suggestion_min_confidence = 0.1f;
  // Asking the whole workspace (workspace_ask.h).
  WorkspaceAskOptions workspace;
  // In a watched channel (`/faqbot watch`) nobody asked the bot: it answers only from this
  // joint-model confidence (`workspace` with min_confidence raised to it), only one owner's
  // answer, and never offers choices or suggestions.
  float watched_min_confidence = 0.95f;
  // Makes a one-time sign-in URL of the web console for an owner (`faqbot serve` passes
  // server::ConsoleAuth's); unset where no console is served (the terminal shell), and then
  // "open the web console" says how to get one.
  std::function<Result<std::string>(const store::UserRef& owner)> console_link;
  // The chat service lets people reply in a message's thread (Slack): the hand-off DM then says
  // that a reply in its thread answers the question (such a reply does, either way).
  bool threads = false;
};

class Assistant {
 public:
  // Every reference must outlive the Assistant. Without a `workspace` index, questions without
  // an owner are not searched ("Who should I ask?").
  Assistant(store::Store& store, Messenger& messenger, ModelRegistry& registry,
            TrainingQueue& training, const ConciergeNlu& concierge, Clock& clock,
            AssistantOptions options = {}, const WorkspaceIndex* workspace = nullptr);
  Assistant(const Assistant&) = delete;
  Assistant& operator=(const Assistant&) = delete;

  // A message to the assistant: an ask (any surface) or, in the DM, the concierge dialogue.
  void HandleMessage(const UserMessage& message);
  // A press of one of the assistant's buttons.
  void HandleButton(const ButtonPress& press);

  // The topic rules every surface shares (the Home tab, the web console and the API use this
  // one, so its change observer hears of every change).
  Topics& topics() { return topics_; }

  // The owner settles their waiting question `question_id` from another surface (the web
  // console) as the hand-off DM's buttons would: as *It's X* with their live topic `topic_id`, or
  // as *Answer it* with `answer`. The asker and everyone waiting on the same question get the
  // answer, the bot learns it (live at once with learning on), the hand-off DM says so, and the
  // owner's DM says what was done (with *Undo* for *It's X*). Errors: NotFound (no such question
  // of the owner's), FailedPrecondition (settled already), Unavailable (not settled: the Store
  // failed, or the topic or answer was refused — the owner's DM says why). Thread-safe.
  Status SettleAsTopic(const store::UserRef& owner, int64_t question_id, int64_t topic_id);
  Status SettleWithAnswer(const store::UserRef& owner, int64_t question_id,
                          const std::string& answer);
  // *Ignore*, as on the hand-off DM: the question leaves the owner's unanswered list, its asker
  // hears nothing more. The same errors.
  Status SettleAsIgnored(const store::UserRef& owner, int64_t question_id);

  // The owner's live topics nearest a question (at most handoff_candidates, best first), from
  // their live model and publication as they are now, read once: the function keeps them, so
  // it serves a whole list of questions and may outlive this call (not the Assistant). Empty
  // when the owner has nothing live or it cannot be read. Thread-safe.
  NearestTopics NearestLiveTopics(const store::UserRef& owner);

  // The messenger's PostedHandler: a hand-off DM went out, and where (its channel and ts) is
  // kept with its question, so that the DM can say how the question was settled when that
  // happens elsewhere (the unanswered list, the Home, the asker's pick); a question settled
  // before that has its DM updated at once. Other keys are ignored. Never fails: a Store or
  // Messenger error is logged (the DM then keeps its buttons, which still work).
  void MessagePosted(const std::string& key, const std::string& channel, const std::string& ts);

  // Owners whose hand-off DMs were held back by the pacing (AssistantOptions::
  // handoff_dm_interval) and who have had no DM since the interval ended get one now that says
  // how many questions wait for them (when any still does), so a question held back is never
  // left unmentioned because nobody asked after it. Called by a timer (faqbot serve: every few
  // seconds); the pacing lives in the database, so one process tells each owner once. Never
  // fails: a Store or Messenger error is logged and the owner is tried again next time.
  void RemindOfHeldBackHandoffs();

  // TrainingQueue callbacks: tell the owner how the publish went.
  void OnPublished(const store::Publication& publication);
  void OnPublishFailed(const store::PublishJob& job, const std::string& error);

  // The chat service refused for good a message to `channel` of workspace `team_id` because the
  // app cannot post there (`why`: Slack's not_in_channel, channel_not_found or is_archived —
  // typically `/faqbot watch` in a channel the app was never added to). A watch of the channel is
  // turned off and whoever turned it on is told how to fix it, in a DM, once; nothing happens
  // for a channel nobody watches (help_channels.cc).
  void ChannelUnreachable(const std::string& team_id, const std::string& channel,
                          const std::string& why);

 private:
  struct Turn;  // one person's message or button press being handled
  // Finish()es a turn when the handler returns, whichever way it returns.
  struct TurnFinisher {
    Assistant* assistant;
    Turn* turn;
    ~TurnFinisher() { assistant->Finish(*turn); }
  };

  // The dialogue (concierge.cc).
  void Converse(Turn& turn, const std::string& text);
  // The one topic of `owner` whose question (or name) has every word `text` names beside the
  // command ("edit the wifi topic" → the wifi topic); nullopt for none, several, or no words.
  std::optional<int64_t> NamedTopic(const store::UserRef& owner, const std::string& text);
  void Dispatch(Turn& turn, ConciergeIntent intent, const std::string& value);
  void ContinueFlow(Turn& turn, const std::string& text);
  void Greet(Turn& turn);
  void Help(Turn& turn);
  void ShowSettings(Turn& turn);
  void SetLearning(Turn& turn, bool learn);
  // DMs a one-time sign-in link of the web console.
  void OpenConsole(Turn& turn);
  // Publishing and confirmations (concierge_publish.cc).
  void AskDeleteAll(Turn& turn);
  void AskPublish(Turn& turn);
  // A yes or no: typed (`value` empty) or pressed on the confirmation whose `value` it carries.
  void Confirm(Turn& turn, bool yes, const std::string& value);
  // Topics (concierge_topics.cc).
  void StartAddTopic(Turn& turn);
  void TakeNewQuestion(Turn& turn, const std::string& question);
  void ListTopics(Turn& turn);
  void ShowTopic(Turn& turn, const std::string& value);
  void StartEditQuestion(Turn& turn, const std::string& value);
  void StartEditName(Turn& turn, const std::string& value);
  void StartEditAnswer(Turn& turn, const std::string& value);
  void StartDelete(Turn& turn, const std::string& value);
  void StartPhrasing(Turn& turn, const std::string& value);
  void RemovePhrasing(Turn& turn, const std::string& value);
  void AddPhrasingFromText(Turn& turn, const std::string& text);
  void EditFromText(Turn& turn, const std::string& text);
  void AddTopicFromAnswer(Turn& turn, const std::string& answer);
  void ListUnanswered(Turn& turn);
  // The topic `value` names, when `turn`'s person owns it; tells them otherwise.
  std::optional<store::Topic> OwnedTopic(Turn& turn, const std::string& value);
  // The owner's unanswered questions as a list with buttons; nullopt when they cannot be read.
  std::optional<Reply> UnansweredList(const store::UserRef& owner);

  // Asking, hand-off and learning (asking.cc).
  void Ask(Turn& turn, const std::string& owner_id, const std::string& question);
  void AskUnpublished(Turn& turn, const store::UserRef& owner, const std::string& question,
                      const Status& why);
  // A question for every published bot of the workspace (asking_everyone.cc).
  void AskEveryone(Turn& turn, const std::string& question);
  // The workspace decision (workspace_ask.h) on `question` under `options`; needs workspace_.
  WorkspaceDecision DecideForWorkspace(const std::string& team_id, const std::string& question,
                                       const WorkspaceAskOptions& options);
  // A message in a channel: answered in its thread when the channel is watched, the message
  // looks like a question, its thread has no recorded question yet and one owner's answer is
  // sure under options_.watched_min_confidence; otherwise nothing is said (asking_everyone.cc).
  void AnswerInChannel(Turn& turn, const UserMessage& message);
  // `/faqbot watch|unwatch|status|help` (help_channels.cc).
  void ChannelCommand(Turn& turn, const UserMessage& message);
  // "Ask @X" on a workspace-wide question nobody could answer: a direct ask of X.
  void AskOwnerPressed(Turn& turn, const std::string& value);
  // The owner's live topic `topic_id` (as published: the answer askers get); nullopt for none
  // (a declined prediction) or a topic no longer live.
  std::optional<store::PublishedTopic> LiveTopic(const store::UserRef& owner,
                                                 std::optional<int64_t> topic_id);
  // The owner's live topics among `intents` (model intent names), in their order, at most
  // handoff_candidates.
  std::vector<store::PublishedTopic> LiveTopicsOf(const store::UserRef& owner,
                                                  const std::vector<std::string>& intents);
  // The same among `live` (a live publication's topics, read once for many questions).
  std::vector<store::PublishedTopic> LiveTopicsOf(const std::vector<store::PublishedTopic>& live,
                                                  const std::vector<std::string>& intents) const;
  // The record of a direct ask, stored once the asker's reply is handed to the messenger (the
  // write is not on the reply's path); `key` is what the answer's feedback buttons carry.
  struct AskRecord {
    store::NewQuestion question;
    std::string key;
  };
  AskRecord MakeAskRecord(Turn& turn, const store::UserRef& owner, const std::string& question,
                          const nlu::Prediction& prediction,
                          const std::optional<store::PublishedTopic>& topic);
  Result<store::AskedQuestion> RecordAsk(const AskRecord& record);
  void SayAnswer(Turn& turn, const store::UserRef& owner, const store::PublishedTopic& topic,
                 float confidence, const AskRecord& record);
  void SayDeclined(Turn& turn, const store::UserRef& owner, const AskRecord& record,
                   const nlu::Prediction& prediction);
  // Of the hand-offs `claim` says were held back, how many different questions still wait for
  // the owner without a DM of their own or of one in the same words (`except`: the questions the
  // DM about to go is for); `claim.held_back` when the Store cannot say.
  int StillHeldBack(const store::UserRef& owner, const store::Store::HandoffClaim& claim,
                    const std::set<int64_t>& except);
  // Queues the owner's hand-off DM on `turn` (sent after the asker's reply).
  // `paced`: at most one hand-off DM per handoff_dm_interval (others wait in the unanswered list
  // and are mentioned by the next); unpaced (an asker's 👎) it goes at once and counts as one.
  // `left_out`: as HandoffMessage's.
  void HandOff(Turn& turn, const store::AskedQuestion& asked,
               const std::vector<std::string>& candidates, bool paced = true, int64_t left_out = 0);
  // Records a hand-off DM about to go to `owner` about the questions `named` (at most one per
  // `interval`): nullopt when it is held back; else how many other questions still wait without
  // one (StillHeldBack; 0 when the Store cannot say, and the DM goes).
  std::optional<int> ClaimHandoffDm(const store::UserRef& owner, std::chrono::milliseconds interval,
                                    const std::set<int64_t>& named);
  // "…and 2 more questions waiting for you" under a hand-off DM; nothing for none.
  static void MentionAlsoWaiting(Reply& r, int also_waiting);
  void Feedback(Turn& turn, const std::string& value, bool helpful);
  // What a 👍 / 👎 recorded on `asked` (as it was before the press) does: the owner is told, and
  // after a 👎 the question waits for them again (`watched`: the answer in a help channel, hidden).
  void AnswerHelped(Turn& turn, const store::AskedQuestion& asked);
  void AnswerMissed(Turn& turn, const store::AskedQuestion& asked, bool watched);
  void HandoffAnswer(Turn& turn, const HandoffRef& ref);
  void HandoffTopic(Turn& turn, const HandoffRef& ref);
  // The owner pressed *Answer it* for this question (or was asked whether a message was its
  // answer) and then settled it another way (*It's …*, *Ignore*): their next message is no
  // longer its answer, nor a "yes" a confirmation of one.
  void StopAwaitingAnswerTo(Turn& turn, int64_t question_id);
  void HandoffIgnore(Turn& turn, const HandoffRef& ref);
  // *Undo* after *It's X*: the question is no longer a phrasing of X (live at once when it went
  // live) and is handed to the owner again, without X among the offered topics; its asker, and
  // the others who were sent X's answer along with it, are told that it was not for them, and
  // their questions wait again. One-shot.
  void HandoffUndo(Turn& turn, const HandoffRef& ref);
  // Whether `asked`, settled as topic `topic_id` by an *It's X*, waits for its owner again (handed
  // back by its asker's 👎) while its words are still a phrasing of that topic: *Undo* still has
  // something to undo.
  bool HandedBackStillLearned(const store::AskedQuestion& asked, int64_t topic_id);
  // A typed "undo": the owner's latest *It's X* of the last hour (the newest question settled as a
  // topic, with those closed along with it), undone as its button would; an *Answer it* shows the
  // topic it made, to delete.
  void UndoLast(Turn& turn);
  // The asker picked a suggested topic (`value`: "<question key>:<topic id>"): they get its live
  // answer in place of the decline, and the question is settled as answered with that topic.
  void SuggestionPick(Turn& turn, const std::string& value);
  // The buttons of the live topics `prediction` ranked at least suggestion_min_confidence sure
  // (at most handoff_candidates), naming the question stored under `key`.
  std::vector<Button> SuggestionButtons(const store::UserRef& owner,
                                        const nlu::Prediction& prediction, const std::string& key);
  // The owner picked a suggestion under their own question: its words become a phrasing of the
  // topic, as an *It's X* does.
  void OwnerPicksOwnSuggestion(Turn& turn, const store::AskedQuestion& asked,
                               const store::PublishedTopic& topic);
  // The owner's *It's X* (from a hand-off, or a pick under their own question): `asked`'s words
  // become a phrasing of topic `topic_id` and it is counted; on failure the question is reopened,
  // the owner told why, and nullopt returned.
  std::optional<Learned> LearnItsTopic(Turn& turn, const store::AskedQuestion& asked,
                                       int64_t topic_id);
  // The topic the asker of question `id` picked from the suggestions, when they did.
  std::optional<int64_t> PickedTopic(int64_t id);
  // The owner's hand-off DM of a question settled before the DM's place was known: how it was
  // settled, as far as the question says (picked by its asker — with the press that teaches it
  // —, a topic, an answer, ignored).
  Reply SettledDm(const store::AskedQuestion& asked);
  // Replaces the owner's hand-off DM of `asked` with `done` (how the question was settled), when
  // one was posted and it is not the message this turn pressed, nor `except_ts` (the message
  // an earlier press is being finished on).
  void UpdateHandoffDm(Turn& turn, const store::AskedQuestion& asked, Reply done,
                       const std::string& except_ts = "");
  // The same for each question answered `along` with `answered`: `how` says how.
  void UpdateHandoffDmsAlong(Turn& turn, const std::vector<store::AskedQuestion>& along,
                             const Paragraph& how);
  // The intents the owner's live model ranks nearest `text`, best first, for a hand-off's
  // *It's …* buttons: its handoff_candidates best, or with `except` (a topic id) one more read
  // and that topic left out; none when no model is live.
  std::vector<std::string> NearestIntents(const store::UserRef& owner, const std::string& text,
                                          int64_t except = 0);
  // The hand-off message for `asked`: *Answer it*, *It's …* for the first live topics among
  // `candidates` (intent names, best first), *Ignore*. A question rated 👎 (its answer missed)
  // says so, and which topic answered it when it knows. `left_out`: a topic kept out of the
  // candidates (an undone *It's*), still left out when the message is shown again after an
  // abandoned *Answer it*.
  Reply HandoffMessage(const store::AskedQuestion& asked,
                       const std::vector<std::string>& candidates, int64_t left_out = 0);
  // The owner's answer to the hand-off the dialogue waits for: a new topic, delivered.
  void AnswerHandoff(Turn& turn, const std::string& answer);
  // `m`, written in the thread of one of the owner's hand-off DMs, answered its question as
  // *Answer it* and the answer would (a flow in progress goes on afterwards), or said the
  // question was settled already: true. False when the thread is not a hand-off DM's.
  bool AnswerInHandoffThread(Turn& turn, const UserMessage& m);
  // `answer` answers the open question `asked` now, as *Answer it* and the answer would, the
  // hand-off message at `message_channel`/`message_ts` (if any) being replaced by what was done;
  // a flow of the owner's in progress goes on afterwards.
  void AnswerNow(Turn& turn, const store::AskedQuestion& asked, const std::string& answer,
                 const std::string& message_channel, const std::string& message_ts);
  // Runs `settle` in a turn of `owner` (replies in their DM) for their open question
  // `question_id`, with SettleAsTopic's errors.
  Status SettleElsewhere(const store::UserRef& owner, int64_t question_id,
                         const std::function<void(Turn&, const store::AskedQuestion&)>& settle);
  // `text`, which the concierge did not understand, may be the owner's answer to the question
  // handed to them last (within kAnswerOfferWindow, still open): asks whether to send it
  // (kConfirmAnswer) and returns true; false when no such question waits or `text` is a
  // question itself.
  bool OfferAsAnswer(Turn& turn, const std::string& text);
  // Asks whether `text` is the owner's answer to `asked` (kConfirmAnswer; *Yes, send it* / *No*),
  // the question led by `lead` ("Is that", "“undo” reads like a command. Is it").
  Reply AskIfAnswer(Turn& turn, const store::AskedQuestion& asked, const std::string& text,
                    std::vector<Span> lead);
  // The owner's message `text`, which the concierge did not understand, sounds like a question
  // people ask them ("where do visitors park?"): asks whether to add it as a topic
  // (kConfirmNewTopic) and returns true; false for anything else.
  bool OfferAsTopic(Turn& turn, const std::string& text);
  // The question of topic `topic_id` of `owner` when it has no answer to send (a draft without
  // an answer, and no live version with one): *It's X* for it would send nothing.
  std::optional<std::string> WithoutAnswer(const store::UserRef& owner, int64_t topic_id);
  // The owner's live topic `text` names after "it's", "that's", "same as" ("it's the password
  // one"), or nullopt.
  std::optional<store::PublishedTopic> ItsNamedTopic(const store::UserRef& owner,
                                                     const std::string& text);
  // Delivers `answer` to every other asker still waiting on the question `answered` (the same
  // words, or, when the change is `live`, what the new model matches to `topic_id`) and closes
  // their questions (someone who asked the same words twice is sent it once). `resuming`: the
  // step that settled `answered` is handled again after its process stopped, so the questions
  // that process closed along with it are sent the answer again. Returns the questions closed
  // along with `answered`.
  std::vector<store::AskedQuestion> AnswerWaiting(Turn& turn, const store::AskedQuestion& answered,
                                                  int64_t topic_id, const std::string& answer,
                                                  bool live, bool resuming);
  // How many people asked `answered` and the questions answered `along` with it.
  static size_t PeopleAnswered(const store::AskedQuestion& answered,
                               const std::vector<store::AskedQuestion>& along);
  // Counts a question its owner settled (faqbot_handoffs_resolved_total{action}) and, when the
  // change went live at once, what was learned (faqbot_learned_total{kind}; empty: nothing).
  static void CountResolved(std::string_view action, std::string_view live_kind = {});
  // Puts a question closed by a step that then failed back in the owner's queue.
  void Reopen(const store::AskedQuestion& asked);
  void AlreadyHandled(Turn& turn, const HandoffRef& ref);
  // Replaces the pressed hand-off message with `done` (a pressed unanswered list is refreshed).
  void UpdatePressed(Turn& turn, const HandoffRef& ref, Reply done);
  // Queues, on `turn`, the owner's answer (of topic `topic_id`) for the asker of `asked`.
  void DeliverAnswer(Turn& turn, const store::AskedQuestion& asked, int64_t topic_id,
                     const std::string& answer);
  // Queues `reply` for the asker of `asked`, where they asked (the channel thread, or a DM).
  void TellAsker(Turn& turn, const store::AskedQuestion& asked, Reply reply);
  // What the asker of `asked` is told when the answer of `wrong_question` they were sent (or,
  // `asker_picked`, picked from the suggestions themselves) is undone: it was not for them, and
  // the owner has the question again.
  static Reply Correction(const store::AskedQuestion& asked, const std::string& wrong_question,
                          bool asker_picked = false);
  // The asked question `id`, when `turn`'s person owns it; tells them otherwise.
  std::optional<store::AskedQuestion> OwnedQuestion(Turn& turn, int64_t id);

  // Helpers.
  void Say(Turn& turn, Reply reply);
  // Replaces the message whose button `turn` pressed with `reply` (no-op for typed text).
  void ReplacePressed(Turn& turn, Reply reply);
  // The same, and where nothing was pressed (the shell) `reply` is said instead.
  void ReplacePressedOrSay(Turn& turn, Reply reply);
  // Stores the turn's new state, then sends its replies.
  void Finish(Turn& turn);
  // The owner was answering a hand-off (*Answer it*: its DM says so, without buttons) and this
  // turn left that step without settling it (cancel, another *Answer it*, another command): its
  // hand-off DM gets its buttons back.
  void RestoreAbandonedHandoff(Turn& turn);
  // A button of a hand-off DM pressed before Slack's answer told where that DM went (Slack shows
  // a message first): the press's message is recorded as the DM, so the late answer
  // (MessagePosted) does not replace what the press put there.
  void RememberPressedHandoffDm(const Turn& turn, const HandoffRef& ref);
  // Counts the turn's ask, if it was one (faqbot_asks_total, faqbot_ask_duration_seconds).
  void CountAsk(Turn& turn);
  // Reads `turn.who`'s dialogue into `turn` (its state and version; an unreadable state starts
  // over). Errors: the Store's, logged.
  Status LoadState(Turn& turn);
  // Stores the turn's state when it changed; false when it could not be kept (the turn's step is
  // lost: another writer, or the Store failed).
  bool SaveState(Turn& turn);
  // The person's display name: the Store's, else the Messenger's (then kept in the Store);
  // "" when neither knows it yet.
  std::string NameOf(const store::UserRef& user);
  std::mutex& LockFor(const store::UserRef& user);

  store::Store& store_;
  Messenger& messenger_;
  ModelRegistry& registry_;
  TrainingQueue& training_;
  const ConciergeNlu& concierge_;
  Clock& clock_;
  AssistantOptions options_;
  const WorkspaceIndex* workspace_;
  Topics topics_;
  std::array<std::mutex, 64> person_locks_;
  // RemindOfHeldBackHandoffs runs every few seconds: a database outage is a line a minute.
  RepeatedWarning held_back_warning_{clock_};
};

}  // namespace faqbot::assistant
