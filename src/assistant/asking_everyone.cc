// Assistant: a question for every published bot of the workspace (workspace_ask.h decides).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <string_view>

#include "assistant/assistant.h"
#include "assistant/assistant_internal.h"
#include "common/logging.h"
#include "common/utf8.h"
#include "store/limits.h"

namespace faqbot::assistant {
namespace {

// Slack keeps a button's value to 2,000 characters: the question rides in it, cut there.
constexpr size_t kMaxQuestionInButton = 1900;
// What starts the mark of a message of *Ask @X* buttons.
constexpr std::string_view kAskMarkPrefix = "ask:";
// A message's *Ask @X* buttons stay one-shot this long: the message stays where it was posted.
constexpr std::chrono::hours kAskMarkKept{24 * 365};

// "ask:<asker team>:<asker user>:<16 hex digits>": names one message of *Ask @X* buttons and who
// asked, for Store::MarkEventIfNew — so one press of any of them asks, across processes.
std::string NewAskMark(const store::UserRef& asker) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char nonce[17];
  std::snprintf(nonce, sizeof nonce, "%016llx", static_cast<unsigned long long>(rng()));
  return std::string(kAskMarkPrefix) + asker.team_id + ":" + asker.user_id + ":" + nonce;
}

// "<mark> <owner id> <question>": what an *Ask @X* button carries.
std::string AskOwnerValue(const std::string& mark, const store::UserRef& owner,
                          const std::string& question) {
  return mark + " " + owner.user_id + " " + std::string(Utf8Prefix(question, kMaxQuestionInButton));
}

struct AskOwnerRef {
  std::string mark;  // empty for a button of an earlier release, which named no mark nor asker
  store::UserRef asker;
  std::string owner_id;
  std::string question;
};

// The button's value read back — or "<owner id> <question>", the value of an earlier release;
// nullopt for anything else.
std::optional<AskOwnerRef> ParseAskOwnerValue(const std::string& value) {
  if (!value.starts_with(kAskMarkPrefix)) {
    const size_t space = value.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 >= value.size()) {
      return std::nullopt;
    }
    return AskOwnerRef{"", {}, value.substr(0, space), value.substr(space + 1)};
  }
  const size_t first = value.find(' ');
  const size_t second = first == std::string::npos ? first : value.find(' ', first + 1);
  if (second == std::string::npos || second == first + 1 || second + 1 >= value.size()) {
    return std::nullopt;
  }
  AskOwnerRef ref;
  ref.mark = value.substr(0, first);
  ref.owner_id = value.substr(first + 1, second - first - 1);
  ref.question = value.substr(second + 1);
  const size_t team = kAskMarkPrefix.size();
  const size_t user = ref.mark.find(':', team);
  const size_t nonce = user == std::string::npos ? user : ref.mark.find(':', user + 1);
  if (nonce == std::string::npos || user == team || nonce == user + 1 ||
      nonce + 1 >= ref.mark.size()) {
    return std::nullopt;
  }
  ref.asker = {ref.mark.substr(team, user - team), ref.mark.substr(user + 1, nonce - user - 1)};
  return ref;
}

// "From <@owner>'s FAQ: answer".
Paragraph FromFaq(const store::UserRef& owner, const std::string& answer) {
  return Line({Words("From "), Mention(owner.user_id), Words("'s FAQ: "), UserText(answer)});
}

}  // namespace

WorkspaceDecision Assistant::DecideForWorkspace(const std::string& team_id,
                                                const std::string& question,
                                                const WorkspaceAskOptions& options) {
  const auto candidates = GatherCandidates(
      *workspace_, team_id, question,
      [this](const store::UserRef& owner) -> std::shared_ptr<const nlu::Model> {
        auto model = registry_.Get(owner);
        return model.ok() ? *model : nullptr;
      },
      options);
  return DecideAcrossBots(question, candidates, registry_.lexicon(), options);
}

void Assistant::AskEveryone(Turn& turn, const std::string& raw_question) {
  const std::string question(Utf8Prefix(raw_question, store::kMaxQuestionBytes));
  turn.surface = "everyone";
  turn.ask_outcome = "declined";  // unless answered or suggested below
  if (workspace_ == nullptr) {
    return Say(turn, Say1("Who should I ask? Write `ask @person your question`."));
  }
  const WorkspaceDecision decision =
      DecideForWorkspace(turn.who.team_id, question, options_.workspace);

  // The answers, as published (an answer that went away since the index saw it is dropped).
  struct Shown {
    WorkspacePick pick;
    store::PublishedTopic topic;
    Result<store::AskedQuestion> asked = UnavailableError("not recorded");
  };
  std::vector<Shown> shown;
  if (decision.kind == WorkspaceDecision::Kind::kAnswer ||
      decision.kind == WorkspaceDecision::Kind::kChoose) {
    for (const auto& pick : decision.picks) {
      std::optional<store::PublishedTopic> topic = LiveTopic(pick.owner, pick.topic_id);
      if (!topic) continue;
      store::NewQuestion record{turn.who,
                                pick.owner,
                                question,
                                store::QuestionOutcome::kAnswered,
                                topic->topic_id,
                                pick.confidence,
                                turn.reply_to.channel,
                                turn.reply_to.thread_ts};
      auto asked = store_.RecordQuestion(record);
      if (!asked.ok()) {
        LogWarn("assistant: cannot record a question: {}", asked.status().ToString());
      }
      shown.push_back({pick, std::move(*topic), std::move(asked)});
    }
  }

  Reply r;
  if (shown.size() == 1) {
    turn.ask_outcome = "answered";
    r.paragraphs.push_back(FromFaq(shown[0].pick.owner, shown[0].topic.content.answer));
    r.context.push_back(MatchedLine(shown[0].topic, shown[0].pick.confidence));
    if (shown[0].asked.ok()) r.buttons = FeedbackButtons(std::to_string(shown[0].asked->id));
    return Say(turn, r);
  }
  if (shown.size() > 1) {
    turn.ask_outcome = "chosen";
    r.paragraphs.push_back(
        Line("More than one person has taught me this — here is what each of them says:"));
    for (const auto& s : shown) {
      ListItem item;
      item.text = FromFaq(s.pick.owner, s.topic.content.answer);
      if (s.asked.ok()) item.buttons = FeedbackButtons(std::to_string(s.asked->id));
      r.items.push_back(std::move(item));
    }
    return Say(turn, r);
  }
  if (decision.kind == WorkspaceDecision::Kind::kSuggest && !decision.picks.empty()) {
    turn.ask_outcome = "suggested";
    Paragraph p = Line("Nobody has taught me this yet. ");
    p.spans.push_back(Words(decision.picks.size() == 1 ? "This person knows about something "
                                                         "close: "
                                                       : "These people know about something "
                                                         "close: "));
    for (size_t i = 0; i < decision.picks.size(); ++i) {
      if (i > 0) p.spans.push_back(Words(i + 1 == decision.picks.size() ? " and " : ", "));
      p.spans.push_back(Mention(decision.picks[i].owner.user_id));
    }
    p.spans.push_back(Words(". Shall I ask one of them?"));
    r.paragraphs.push_back(std::move(p));
    // One mark for all the buttons: pressing one spends the others too.
    const std::string mark = NewAskMark(turn.who);
    for (const auto& pick : decision.picks) {
      const std::string name = NameOf(pick.owner);
      r.buttons.push_back(Btn("Ask " + (name.empty() ? std::string("them") : "@" + name),
                              kActionAskOwner, AskOwnerValue(mark, pick.owner, question)));
    }
    return Say(turn, r);
  }
  Say(turn, Say1("Nobody has taught me anything close to that yet. If you know who would know, "
                 "write `ask @person your question` and I'll ask them."));
}

void Assistant::AnswerInChannel(Turn& turn, const UserMessage& m) {
  // Silence is the default: nobody asked the bot, so any doubt means saying nothing.
  if (workspace_ == nullptr || m.ts.empty() || !LooksLikeQuestion(m.text)) return;
  // A mention of the bot is answered as a mention (app_mention), not twice.
  if (!m.bot_user_id.empty() && m.text.find("<@" + m.bot_user_id + ">") != std::string::npos) {
    return;
  }
  auto watched = store_.GetWatchedChannel(turn.who.team_id, m.channel);
  if (!watched.ok()) {
    LogWarn("assistant: cannot read watched channel {}: {}", m.channel,
            watched.status().ToString());
    return;
  }
  if (!watched->has_value()) return;
  // Slack redelivers and several processes may listen: the thread's recorded question says
  // it was answered.
  auto answered = store_.HasQuestionInThread(turn.who.team_id, m.channel, m.ts);
  if (!answered.ok() || *answered) return;

  const std::string question(Utf8Prefix(m.text, store::kMaxQuestionBytes));
  WorkspaceAskOptions strict = options_.workspace;
  strict.min_confidence = std::max(strict.min_confidence, options_.watched_min_confidence);
  const WorkspaceDecision decision = DecideForWorkspace(turn.who.team_id, question, strict);
  if (decision.kind != WorkspaceDecision::Kind::kAnswer || decision.picks.size() != 1) return;

  const WorkspacePick& pick = decision.picks[0];
  const std::optional<store::PublishedTopic> topic = LiveTopic(pick.owner, pick.topic_id);
  if (!topic) return;
  store::NewQuestion record{
      turn.who,        pick.owner,      question,  store::QuestionOutcome::kAnswered,
      topic->topic_id, pick.confidence, m.channel, m.ts};
  auto asked = store_.RecordQuestion(record);
  if (!asked.ok()) {
    // Unrecorded, the thread could be answered again: better not at all.
    LogWarn("assistant: cannot record a watched channel's question: {}", asked.status().ToString());
    return;
  }
  Reply r;
  r.paragraphs.push_back(FromFaq(pick.owner, topic->content.answer));
  r.context.push_back(MatchedLine(*topic, pick.confidence));
  r.buttons = FeedbackButtons(std::to_string(asked->id) + kWatchedSuffix);
  turn.ask_outcome = "answered";
  Say(turn, r);
}

void Assistant::AskOwnerPressed(Turn& turn, const std::string& value) {
  const std::optional<AskOwnerRef> ref = ParseAskOwnerValue(value);
  if (!ref) {
    return Say(turn, Say1("That button is no longer valid. Write `ask @person your question`."));
  }
  // A button of an earlier release names no mark: it still asks, as it did then (its message
  // loses its buttons).
  if (!ref->mark.empty()) {
    if (!(ref->asker == turn.who)) {
      // Asked in a channel, the buttons are everyone's to see: the refusal is the presser's.
      turn.reply_to.MakePrivateInSharedChannel();
      return Say(turn, Say1("Only the person who asked can choose whom to ask."));
    }
    // The mark is stored before anyone is asked, so a second press of any of the message's
    // buttons (a double click, another device, another process) asks nobody.
    auto first = store_.MarkEventIfNew(ref->mark, kAskMarkKept);
    if (!first.ok()) {
      LogWarn("assistant: cannot mark an Ask button pressed: {}", first.status().ToString());
      return Say(turn, Say1("I couldn't do that just now — please try again."));
    }
    if (!*first) {
      turn.reply_to.MakePrivateInSharedChannel();
      return Say(turn, Say1("You chose whom to ask already — I asked nobody again."));
    }
  }
  // The choice is made: the buttons go.
  Reply done;
  done.paragraphs.push_back(
      Line({Words("You asked "), Mention(ref->owner_id), Words(": "), UserText(ref->question)}));
  ReplacePressed(turn, done);
  Ask(turn, ref->owner_id, ref->question);
}

}  // namespace faqbot::assistant
