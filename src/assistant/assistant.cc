// Assistant: entry points, per-person serialisation, state persistence and shared helpers.
#include "assistant/assistant.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>

#include "assistant/ask_parser.h"
#include "assistant/assistant_internal.h"
#include "common/faqbot_metrics.h"
#include "common/logging.h"
#include "common/string_util.h"
#include "store/limits.h"

namespace faqbot::assistant {

std::optional<int64_t> ParseId(const std::string& value) {
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
  if (ec != std::errc() || ptr != value.data() + value.size() || id <= 0) return std::nullopt;
  return id;
}

std::string CommaName(const std::string& name) { return name.empty() ? "" : ", " + name; }

std::string QuestionKey(const std::string& text) {
  std::string key = Trim(text);
  while (!key.empty() && (key.back() == '?' || key.back() == '!' || key.back() == '.')) {
    key.pop_back();
  }
  return Trim(AsciiLower(key));
}

std::vector<std::string> LowerWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'' ||
        static_cast<unsigned char>(c) >= 0x80) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

Reply Say1(std::string words) {
  Reply r;
  r.paragraphs.push_back(Line(std::move(words)));
  return r;
}

Assistant::Assistant(store::Store& store, Messenger& messenger, ModelRegistry& registry,
                     TrainingQueue& training, const ConciergeNlu& concierge, Clock& clock,
                     AssistantOptions options, const WorkspaceIndex* workspace)
    : store_(store),
      messenger_(messenger),
      registry_(registry),
      training_(training),
      concierge_(concierge),
      clock_(clock),
      options_(options),
      workspace_(workspace),
      topics_(store, registry, training) {}

std::mutex& Assistant::LockFor(const store::UserRef& user) {
  const size_t h =
      std::hash<std::string>()(user.team_id) * 31 + std::hash<std::string>()(user.user_id);
  return person_locks_[h % person_locks_.size()];
}

namespace {

// The publish DM suggests adding phrasings from this many topics on, when most have none.
constexpr size_t kPhrasingTipTopics = 3;

std::string_view SurfaceLabel(UserMessage::Surface surface) {
  switch (surface) {
    case UserMessage::Surface::kDirect:
      return "dm";
    case UserMessage::Surface::kMention:
      return "mention";
    case UserMessage::Surface::kCommand:
      return "slash";
    case UserMessage::Surface::kChannel:
      return "channel";
  }
  return "dm";
}

Destination ReplyDestination(const UserMessage& m) {
  Destination d;
  switch (m.surface) {
    case UserMessage::Surface::kDirect:
      d.kind = Destination::Kind::kChannel;
      d.channel = m.channel;
      d.user = m.from;
      if (d.channel.empty()) d.kind = Destination::Kind::kDirect;
      break;
    case UserMessage::Surface::kMention:
    case UserMessage::Surface::kChannel:  // a top-level message: its own thread
      d.kind = Destination::Kind::kChannel;
      d.channel = m.channel;
      d.thread_ts = m.thread_ts.empty() ? m.ts : m.thread_ts;
      d.user = m.from;
      break;
    case UserMessage::Surface::kCommand:
      d.kind = Destination::Kind::kResponse;
      d.response_url = m.response_url;
      d.channel = m.channel;
      d.user = m.from;
      break;
  }
  return d;
}

}  // namespace

void Assistant::HandleMessage(const UserMessage& m) {
  Turn turn;
  turn.who = m.from;
  turn.resumed = m.resumed;
  turn.reply_to = ReplyDestination(m);
  turn.surface = SurfaceLabel(m.surface);
  std::lock_guard person(LockFor(m.from));
  TurnFinisher finish{this, &turn};

  if (m.surface == UserMessage::Surface::kChannel) return AnswerInChannel(turn, m);
  if (m.surface == UserMessage::Surface::kCommand && m.command == kFaqbotCommand) {
    return ChannelCommand(turn, m);
  }
  const AskParse ask = m.surface == UserMessage::Surface::kCommand
                           ? ParseAskArguments(m.text)
                           : ParseAskMessage(m.text, m.bot_user_id);
  if (m.surface != UserMessage::Surface::kDirect) {
    // Channels and /ask only ask; teaching happens in the DM.
    switch (ask.kind) {
      case AskParse::Kind::kAsk:
        return Ask(turn, ask.owner_user_id, ask.question);
      case AskParse::Kind::kAskEveryone:
        return AskEveryone(turn, ask.question);
      case AskParse::Kind::kMissingQuestion:
        return Say(turn, Say1("What would you like to ask <@" + ask.owner_user_id +
                              ">? Write the question after the mention, like `ask <@" +
                              ask.owner_user_id + "> where is the wiki?`"));
      default:
        return Say(turn, Say1(m.surface == UserMessage::Surface::kCommand
                                  ? "What would you like to ask? Use `/ask your question` to "
                                    "ask everyone, or `/ask @person your question`."
                                  : "What would you like to ask? Write `" +
                                        (m.bot_user_id.empty() ? std::string("@faqbot")
                                                               : "<@" + m.bot_user_id + ">") +
                                        " your question` to ask everyone, or `ask @person your "
                                        "question`. To teach me your own answers, send me a "
                                        "direct message."));
    }
  }

  if (!LoadState(turn).ok()) {
    return Say(turn, Say1("Sorry, I can't reach my memory right now :scream_cat: Please try "
                          "again in a minute."));
  }

  // A reply in the thread of a hand-off DM is the answer to its question, whatever else the
  // dialogue was doing.
  if (ask.kind != AskParse::Kind::kAsk && !m.thread_ts.empty() && m.thread_ts != m.ts &&
      AnswerInHandoffThread(turn, m)) {
    return;
  }
  // A complete ask works anywhere; inside a flow that waits for text, anything else is that text.
  if (ask.kind == AskParse::Kind::kAsk) {
    Ask(turn, ask.owner_user_id, ask.question);
  } else if (!AwaitsText(turn.state.step) && ask.kind == AskParse::Kind::kMissingQuestion) {
    Say(turn, Say1("What would you like to ask <@" + ask.owner_user_id + ">? Write `ask <@" +
                   ask.owner_user_id + "> your question`."));
  } else if (!AwaitsText(turn.state.step) && ask.kind == AskParse::Kind::kAskEveryone) {
    AskEveryone(turn, ask.question);
  } else if (!AwaitsText(turn.state.step) && ask.kind == AskParse::Kind::kMissingMention) {
    Say(turn, Say1("What would you like to ask? Write `ask your question` to ask everyone, or "
                   "`ask @person your question`."));
  } else {
    Converse(turn, m.text);
  }
}

void Assistant::HandleButton(const ButtonPress& press) {
  Turn turn;
  turn.who = press.from;
  turn.resumed = press.resumed;
  if (!press.channel.empty()) {
    // Under a message in a thread, the conversation is that thread, not the channel.
    turn.reply_to.kind = Destination::Kind::kChannel;
    turn.reply_to.channel = press.channel;
    turn.reply_to.thread_ts = press.thread_ts;
  } else if (!press.response_url.empty()) {
    turn.reply_to.kind = Destination::Kind::kResponse;
    turn.reply_to.response_url = press.response_url;
  } else {
    turn.reply_to = Destination::Direct(press.from);
  }
  turn.reply_to.user = press.from;
  turn.pressed = PressedMessage(press);
  std::lock_guard person(LockFor(press.from));
  TurnFinisher finish{this, &turn};

  if (!LoadState(turn).ok()) {
    return Say(turn, Say1("Sorry, I can't reach my memory right now :scream_cat: Please try "
                          "again in a minute."));
  }

  const bool handoff = press.action == kActionHandoffAnswer ||
                       press.action == kActionHandoffTopic ||
                       press.action == kActionHandoffIgnore || press.action == kActionHandoffUndo;
  const std::optional<HandoffRef> ref =
      handoff ? ParseHandoffValue(press.value) : std::nullopt;
  if (press.action == kActionFeedbackUp || press.action == kActionFeedbackDown) {
    Feedback(turn, press.value, press.action == kActionFeedbackUp);
  } else if (handoff && !ref) {
    Say(turn, Say1("I can't find that question any more."));
  } else if (press.action == kActionHandoffAnswer) {
    RememberPressedHandoffDm(turn, *ref);
    HandoffAnswer(turn, *ref);
  } else if (press.action == kActionHandoffTopic) {
    RememberPressedHandoffDm(turn, *ref);
    HandoffTopic(turn, *ref);
  } else if (press.action == kActionHandoffIgnore) {
    RememberPressedHandoffDm(turn, *ref);
    HandoffIgnore(turn, *ref);
  } else if (press.action == kActionHandoffUndo) {
    HandoffUndo(turn, *ref);
  } else if (press.action == kActionSuggestionPick) {
    SuggestionPick(turn, press.value);
  } else if (press.action == kActionAddPhrasing) {
    StartPhrasing(turn, press.value);
  } else if (press.action == kActionRemovePhrasing) {
    RemovePhrasing(turn, press.value);
  } else if (press.action == kActionEditQuestion) {
    StartEditQuestion(turn, press.value);
  } else if (press.action == kActionEditAnswer) {
    StartEditAnswer(turn, press.value);
  } else if (press.action == kActionAskOwner) {
    AskOwnerPressed(turn, press.value);
  } else if (press.action == kActionEditName) {
    StartEditName(turn, press.value);
  } else if (press.action == kActionLearnOn || press.action == kActionLearnOff) {
    SetLearning(turn, press.action == kActionLearnOn);
  } else if (auto intent = IntentFromName(press.action)) {
    Dispatch(turn, *intent, press.value);
  } else {
    LogWarn("assistant: unknown button action '{}'", press.action);
    Say(turn, Say1("That button is no longer valid. Say *hi* to start again."));
  }
}

void Assistant::Say(Turn& turn, Reply reply) { turn.replies.push_back(std::move(reply)); }

void Assistant::ReplacePressed(Turn& turn, Reply reply) {
  if (turn.pressed) turn.others.emplace_back(*turn.pressed, std::move(reply));
}

void Assistant::ReplacePressedOrSay(Turn& turn, Reply reply) {
  if (turn.pressed) return ReplacePressed(turn, std::move(reply));
  Say(turn, std::move(reply));
}

void Assistant::Finish(Turn& turn) {
  if (SaveState(turn)) RestoreAbandonedHandoff(turn);
  for (const auto& reply : turn.replies) {
    Status sent = messenger_.Send(turn.reply_to, reply);
    if (!sent.ok()) {
      LogWarn("assistant: cannot reply to {}/{}: {}", turn.who.team_id, turn.who.user_id,
              sent.ToString());
    }
  }
  turn.replies.clear();
  for (const auto& write : turn.after_replies) write();
  turn.after_replies.clear();
  for (const auto& [to, reply] : turn.others) {
    Status sent = messenger_.Send(to, reply);
    if (!sent.ok()) {
      LogWarn("assistant: cannot message {}/{}: {}", to.user.team_id, to.user.user_id,
              sent.ToString());
    }
  }
  turn.others.clear();
  if (turn.start_training) training_.Poke();
  turn.start_training = false;
  CountAsk(turn);
}

void Assistant::CountAsk(Turn& turn) {
  if (turn.ask_outcome.empty()) return;
  const metrics::FaqbotMetrics& m = metrics::Faqbot();
  m.asks.With({turn.ask_outcome, turn.surface}).Inc();
  // From the event's arrival (the Slack router set it): the queueing before this turn counts too.
  const LogContext* event = CurrentLogContext();
  if (event != nullptr && event->arrived) {
    m.ask_seconds.With({turn.surface})
        .Observe(std::chrono::duration<double>(clock_.Now() - *event->arrived).count());
  }
  turn.ask_outcome = {};
}

Status Assistant::LoadState(Turn& turn) {
  auto stored = store_.GetConversation(turn.who);
  if (!stored.ok()) {
    LogWarn("assistant: cannot read the conversation of {}/{}: {}", turn.who.team_id,
            turn.who.user_id, stored.status().ToString());
    return stored.status();
  }
  if (stored->has_value()) {
    turn.version = (*stored)->version;
    auto state = DialogueState::Parse((*stored)->state);
    if (state.ok()) turn.state = *state;  // an unreadable state starts over
  }
  turn.loaded = turn.state;
  return Status::Ok();
}

bool Assistant::SaveState(Turn& turn) {
  if (!turn.state_changed) return true;
  auto saved = store_.SaveConversation(turn.who, turn.state.Serialize(), turn.version);
  if (saved.status().code() == StatusCode::kAborted) {
    // Another turn of this person saved the conversation since this one read it. The inbox
    // hands one person's events out one at a time across processes, so this means a second
    // writer outside it; neither state can be merged into the other, so this turn's step is not
    // kept, and the person is told instead of answered as if it had been.
    LogError("assistant: the conversation of {}/{} changed under this turn; its step is lost: {}",
             turn.who.team_id, turn.who.user_id, saved.status().ToString());
    turn.replies.clear();
    turn.replies.push_back(Say1(
        "Sorry, our conversation changed somewhere else at the same time, so I lost track of "
        "that step :scream_cat: Please check where we are (say *show my topics*) and send it "
        "again."));
    turn.state_changed = false;
    return false;
  }
  if (!saved.ok()) {
    LogWarn("assistant: cannot save the conversation of {}/{}: {}", turn.who.team_id,
            turn.who.user_id, saved.status().ToString());
    return false;
  }
  turn.version = *saved;
  turn.state_changed = false;
  return true;
}

std::string Assistant::NameOf(const store::UserRef& user) {
  auto person = store_.GetPerson(user);
  if (person.ok() && person->has_value() && !(*person)->display_name.empty()) {
    return (*person)->display_name;
  }
  std::string name = messenger_.DisplayName(user);
  if (!name.empty()) (void)store_.UpsertPerson(user, name);
  return name;
}

void Assistant::OnPublished(const store::Publication& publication) {
  Reply r;
  const size_t n = publication.topics.size();
  const std::string name = NameOf(publication.owner);
  if (n == 0) {
    r.paragraphs.push_back(Line("Hey" + CommaName(name) +
                                " - your bot is offline now: it answers no topics, and askers "
                                "hear that you haven't published any. Add a topic and publish "
                                "to bring it back."));
  } else {
    // Drafts without an answer were left out of the publication; the owner hears how many.
    size_t left_out = 0;
    if (auto topics = store_.ListTopics(publication.owner); topics.ok()) {
      for (const auto& t : *topics) left_out += store::NeedsAnswer(t.content);
    }
    r.paragraphs.push_back(Line("Hey" + CommaName(name) +
                                " - topics are now published :rocket: Your bot now answers " +
                                Count(n, "topic") + " instead of you." + LeftOut(left_out)));
    r.paragraphs.push_back(Line({Words("Anyone can try it: "), Words("`ask "),
                                 Mention(publication.owner.user_id), Words(" your question`")}));
    // One way of asking per topic is where the bot is most cautious (docs/nlu.md: with three,
    // it answers about half again as many questions, and wrongly less often): say so while most
    // topics have only the one.
    size_t single = 0;
    for (const auto& t : publication.topics) single += t.content.phrasings.empty();
    if (n >= kPhrasingTipTopics && 2 * single >= n) {
      r.context.push_back(Line("Tip: " + std::to_string(single) + " of your " + Count(n, "topic") +
                               " have only one way of asking. With two more ways each, your bot "
                               "answers about half again as many questions: *Add phrasing* in "
                               "*show my topics*."));
      r.buttons.push_back(Btn("Show my topics", "list_topics"));
    }
  }
  Status sent = messenger_.Send(Destination::Direct(publication.owner), r);
  if (!sent.ok())
    LogWarn("assistant: cannot tell the owner about the publish: {}", sent.ToString());
  topics_.Published(publication.owner);
}

void Assistant::OnPublishFailed(const store::PublishJob& job, const std::string& error) {
  Reply r = Say1("I couldn't publish your topics :scream_cat: " + error +
                 ". Your bot keeps answering with what it knew before.");
  r.buttons.push_back({"Show my topics", "list_topics", "", Button::Style::kDefault});
  Status sent = messenger_.Send(Destination::Direct(job.owner), r);
  if (!sent.ok())
    LogWarn("assistant: cannot tell the owner about the failure: {}", sent.ToString());
}

}  // namespace faqbot::assistant
