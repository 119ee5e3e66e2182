// Assistant: the concierge dialogue in the owner's DM — understanding what the owner means and
// routing it, greeting, help and settings. Topics are taught in concierge_topics.cc, published
// and confirmed in concierge_publish.cc. Texts follow the old system's (seed-behaviour §1.7)
// where it had them.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "assistant/assistant.h"
#include "assistant/assistant_internal.h"
#include "common/logging.h"
#include "common/string_util.h"
#include "nlu/analyzer.h"

namespace faqbot::assistant {

// "cancel" typed while a flow waits for text: a cancel word alone, give or take the words people
// put around it ("no wait, cancel", "cancel that please", "forget it"), also in a few other
// languages; an answer that merely mentions cancelling is still taken as an answer.
bool IsCancelWord(const std::string& text) {
  static const std::set<std::string> kWords = {
      "cancel",   "stop",    "never mind", "nevermind", "abort",   "quit",
      "exit",     "forget",  "scratch",    "abbrechen", "abbruch", "stopp",
      "cancelar", "cancela", "annuler",    "annule",    "annulla", "annullare",
      "anuluj",   "отмена",  "キャンセル", "取消",      "やめる"};
  // Said before or after the word without changing what it means.
  static const std::set<std::string> kAround = {
      "no",   "wait", "oh",   "oops", "actually", "ok",    "okay", "please", "sorry", "hmm",
      "that", "it",   "this", "now",  "all",      "bitte", "por",  "favor",  "mind"};
  const std::vector<std::string> words = LowerWords(text);
  if (words.empty() || words.size() > 5) return false;
  if (kWords.contains(words.front() + (words.size() > 1 ? " " + words[1] : ""))) return true;
  // The cancel word, with only words from kAround beside it.
  size_t cancel = words.size();
  for (size_t i = 0; i < words.size(); ++i) {
    if (kWords.contains(words[i]) ||
        (i + 1 < words.size() && kWords.contains(words[i] + " " + words[i + 1]))) {
      cancel = i;
      break;
    }
  }
  if (cancel == words.size()) return false;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i == cancel || (i == cancel + 1 && kWords.contains(words[cancel] + " " + words[i]))) {
      continue;
    }
    if (!kAround.contains(words[i])) return false;
  }
  return true;
}

// A short message about learning that says which way, and is not a question about it ("what
// happens when learning is off?" gets the settings, which explain).
std::optional<bool> LearningCommand(const std::string& text) {
  static const std::set<std::string> kQuestion = {"what",  "how",  "why", "when", "where", "who",
                                                  "which", "does", "is",  "are",  "will",  "would"};
  static const std::set<std::string> kOff = {"off",  "stop", "disable", "pause", "don't",
                                             "dont", "no",   "never",   "not",   "without"};
  static const std::set<std::string> kOn = {"on", "start", "enable", "resume", "again"};
  const std::vector<std::string> words = LowerWords(text);
  if (words.empty() || words.size() > 8 || kQuestion.count(words.front()) > 0) {
    return std::nullopt;
  }
  // "learning", or "learn(s) from": not "learn how to turn on the projector".
  bool learning = false, off = false, on = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    learning = learning || w == "learning" ||
               ((w == "learn" || w == "learns") && i + 1 < words.size() && words[i + 1] == "from");
    off = off || kOff.count(w) > 0;
    on = on || kOn.count(w) > 0;
  }
  if (!learning || off == on) return std::nullopt;  // not about it, or not which way
  return on;
}

bool ReadsLikeLearningCommand(const std::string& text) {
  if (!LearningCommand(text)) return false;
  constexpr size_t kFewWords = 3;  // "turn off learning", "enable learning", "learning on again"
  const std::vector<std::string> words = LowerWords(text);
  if (words.size() <= kFewWords) return true;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "my" && words[i + 1] == "answers") return true;  // "… from my answers …"
  }
  return false;
}

namespace {

using Step = DialogueState::Step;

// "another phrasing", "add another way to ask it": the offer after a topic was added, typed.
bool AsksForPhrasing(const std::string& text) {
  const std::vector<std::string> words = LowerWords(text);
  if (words.empty() || words.size() > 8) return false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "phrasing" || w == "phrasings" || w == "rephrasing" || w == "paraphrase") return true;
    if ((w == "way" || w == "ways") && i > 0 &&
        (words[i - 1] == "another" || words[i - 1] == "other")) {
      return true;
    }
  }
  return false;
}

// What a short message typed under a topic's card asks to change: "change the answer", "new
// question", "rename it", "add a phrasing", "delete it"; kNone for anything else.
enum class CardChange { kNone, kAnswer, kQuestion, kName, kPhrasing, kDelete };
CardChange CardAction(const std::string& text) {
  const std::vector<std::string> words = LowerWords(text);
  if (words.empty() || words.size() > 6) return CardChange::kNone;
  const auto has = [&](std::initializer_list<const char*> any) {
    return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
      return std::any_of(any.begin(), any.end(), [&](const char* a) { return w == a; });
    });
  };
  const bool change = has(
      {"change", "edit", "update", "new", "fix", "set", "modify", "reword", "correct", "replace"});
  const bool removal = has({"delete", "remove", "drop", "erase"});
  if (AsksForPhrasing(text)) return removal ? CardChange::kNone : CardChange::kPhrasing;
  // "delete a topic", "change an answer": any topic, not this one.
  if (has({"a", "an", "another", "other", "all", "topics", "answers", "questions"})) {
    return CardChange::kNone;
  }
  if (has({"rename"}) || (change && has({"name"}))) return CardChange::kName;
  if (change && has({"answer", "reply", "response"})) return CardChange::kAnswer;
  if (change && has({"question"})) return CardChange::kQuestion;
  if (removal) return CardChange::kDelete;
  return CardChange::kNone;
}

// "edit the wifi topic", "delete my parking question": the words that name the topic, without
// the command and the filler around it.
std::vector<std::string> NamingWords(const std::string& text) {
  static const std::set<std::string> kFiller = {
      "edit",      "change", "update",   "modify", "fix",     "delete",    "remove", "drop",
      "erase",     "the",    "a",        "an",     "my",      "our",       "this",   "that",
      "topic",     "topics", "question", "answer", "answers", "phrasing",  "faq",    "entry",
      "one",       "about",  "on",       "for",    "of",      "please",    "pls",    "can",
      "could",     "you",    "i",        "i'd",    "i'm",     "want",      "to",     "like",
      "would",     "let's",  "lets",     "me",     "is",      "it",        "it's",   "add",
      "another",   "other",  "way",      "ways",   "ask",     "phrasings", "new",    "rephrasing",
      "paraphrase"};
  std::vector<std::string> naming;
  for (auto& w : LowerWords(text)) {
    if (kFiller.count(w) == 0) naming.push_back(std::move(w));
  }
  return naming;
}

}  // namespace

std::optional<int64_t> Assistant::NamedTopic(const store::UserRef& owner, const std::string& text) {
  const std::vector<std::string> naming = NamingWords(text);
  if (naming.empty()) return std::nullopt;
  auto topics = store_.ListTopics(owner);
  if (!topics.ok()) return std::nullopt;
  // A word names a question's word when it is that word, or one of the two begins the other and
  // the shorter has four letters or more ("parking" names "park").
  const auto names = [](const std::string& a, const std::string& b) {
    const std::string& shorter = a.size() < b.size() ? a : b;
    const std::string& longer = a.size() < b.size() ? b : a;
    return a == b || (shorter.size() >= 4 && longer.compare(0, shorter.size(), shorter) == 0);
  };
  std::optional<int64_t> found;
  for (const auto& t : *topics) {
    const std::vector<std::string> question = LowerWords(t.content.question + " " + t.content.name);
    const bool all = std::all_of(naming.begin(), naming.end(), [&](const std::string& w) {
      return std::any_of(question.begin(), question.end(),
                         [&](const std::string& q) { return names(w, q); });
    });
    if (!all) continue;
    if (found) return std::nullopt;  // two topics fit: the owner picks from the list
    found = t.id;
  }
  return found;
}

std::vector<Button> MenuButtons() {
  return {Btn("Add a topic", "add_topic", "", Button::Style::kPrimary),
          Btn("Show my topics", "list_topics"), Btn("Publish", "publish"),
          Btn("Unanswered questions", "unanswered"), Btn("Settings", "settings"),
          Btn("Help", "help")};
}

void Assistant::Converse(Turn& turn, const std::string& raw_text) {
  const std::string text = TrimText(raw_text);
  if (AwaitsText(turn.state.step)) {
    if (IsCancelWord(text)) {
      turn.Set({});
      return Say(turn, Say1("Ok, cancelled. Nothing was changed."));
    }
    return ContinueFlow(turn, text);
  }
  if (auto learn = LearningCommand(text)) {
    if (turn.state.step != Step::kIdle) turn.Set({});
    return SetLearning(turn, *learn);
  }
  const bool phrasing = AsksForPhrasing(text);
  // The topic the words name, read once for both cases below.
  const std::optional<int64_t> named = turn.state.step == Step::kShowingTopic || phrasing
                                           ? NamedTopic(turn.who, text)
                                           : std::nullopt;
  if (turn.state.step == Step::kShowingTopic && !named) {
    // Typed under a topic's card: "change the answer", "rename it", "delete it" mean that one.
    const std::string shown = std::to_string(turn.state.topic_id);
    switch (CardAction(text)) {
      case CardChange::kAnswer:
        return StartEditAnswer(turn, shown);
      case CardChange::kQuestion:
        return StartEditQuestion(turn, shown);
      case CardChange::kName:
        return StartEditName(turn, shown);
      case CardChange::kPhrasing:
        return StartPhrasing(turn, shown);
      case CardChange::kDelete:
        return StartDelete(turn, shown);
      case CardChange::kNone:
        break;
    }
  }
  if (phrasing) {
    // "add a phrasing to the wifi topic": the topic it names; right after adding one, "another
    // way to ask it" is that one's; else the list to pick from (never a new topic, which the
    // words "add" and "topic" would otherwise start).
    if (!named && turn.state.step == Step::kOfferMore) {
      return StartPhrasing(turn, std::to_string(turn.state.topic_id));
    }
    if (turn.state.step != Step::kIdle) turn.Set({});
    if (named) return StartPhrasing(turn, std::to_string(*named));
    Say(turn, Say1("Which topic? Press *Edit* next to it, then *Add phrasing*:"));
    return ListTopics(turn);
  }
  const ConciergeNlu::Understanding u = concierge_.Understand(text);
  if ((u.intent == ConciergeIntent::kUnknown || u.intent == ConciergeIntent::kOutOfScope) &&
      (OfferAsAnswer(turn, text) || OfferAsTopic(turn, text))) {
    return;
  }
  std::string value;
  if (u.intent == ConciergeIntent::kEditTopic || u.intent == ConciergeIntent::kDeleteTopic) {
    // "edit the wifi topic": the one topic those words name, else the list to pick from.
    if (auto id = NamedTopic(turn.who, text)) value = std::to_string(*id);
  }
  Dispatch(turn, u.intent, value);
}

void Assistant::Dispatch(Turn& turn, ConciergeIntent intent, const std::string& value) {
  if (intent == ConciergeIntent::kAffirm || intent == ConciergeIntent::kDeny) {
    return Confirm(turn, intent == ConciergeIntent::kAffirm, value);
  }
  // Anything else leaves a pending question unanswered and moves on.
  const bool was_pending = turn.state.step != Step::kIdle;
  if (was_pending) turn.Set({});
  switch (intent) {
    case ConciergeIntent::kGreet:
      return Greet(turn);
    case ConciergeIntent::kHelp:
      return Help(turn);
    case ConciergeIntent::kAddTopic:
      return StartAddTopic(turn);
    case ConciergeIntent::kListTopics:
      return ListTopics(turn);
    case ConciergeIntent::kEditTopic:
      return ShowTopic(turn, value);
    case ConciergeIntent::kDeleteTopic:
      return StartDelete(turn, value);
    case ConciergeIntent::kDeleteAllTopics:
      return AskDeleteAll(turn);
    case ConciergeIntent::kPublish:
      return AskPublish(turn);
    case ConciergeIntent::kUnanswered:
      return ListUnanswered(turn);
    case ConciergeIntent::kSettings:
      return ShowSettings(turn);
    case ConciergeIntent::kOpenConsole:
      return OpenConsole(turn);
    case ConciergeIntent::kAsk:
      return Say(turn, Say1("To ask someone's bot, write `ask @person your question` — here, in "
                            "a channel with `@faqbot ask @person …`, or with `/ask @person …`."));
    case ConciergeIntent::kCancel:
      // A confirmation or an offer was waiting (*This looks like your topic …*): it is over.
      return Say(turn, Say1(was_pending ? "Ok, cancelled. Nothing was changed."
                                        : "Ok, nothing to cancel."));
    case ConciergeIntent::kUndo:
      return UndoLast(turn);
    case ConciergeIntent::kThanks:
      return Say(turn, Say1("You're welcome :smile_cat:"));
    case ConciergeIntent::kGoodbye:
      return Say(turn, Say1("Bye :wave:"));
    case ConciergeIntent::kOutOfScope: {
      Reply r = Say1("Sorry, I can't handle that request :scream_cat:");
      r.buttons = MenuButtons();
      return Say(turn, r);
    }
    case ConciergeIntent::kAffirm:
    case ConciergeIntent::kDeny:
      return;  // handled above
    case ConciergeIntent::kUnknown: {
      Reply r = Say1("I'm sorry, I didn't quite understand that. Could you rephrase? Or pick one:");
      r.buttons = MenuButtons();
      return Say(turn, r);
    }
  }
}

void Assistant::ContinueFlow(Turn& turn, const std::string& text) {
  if (text.empty()) return Say(turn, Say1("I need some text here — or type *cancel*."));
  const Step step = turn.state.step;
  const bool answer = step == Step::kAwaitAnswer || step == Step::kAwaitNewAnswer;
  const char* what = answer ? "answer" : step == Step::kAwaitPhrasing ? "phrasing" : "question";
  const bool handoff = step == Step::kAwaitAnswer && turn.state.handoff_id != 0;
  if (step != Step::kAwaitNewName &&
      (concierge_.IsCommandPhrase(text) || ReadsLikeLearningCommand(text))) {
    // Most likely a change of mind: not saved, and above all not sent to someone who asked.
    Reply r;
    r.paragraphs.push_back(
        Line({Words("“"), UserText(text),
              Words(std::string("” reads like a command, so I haven't ") +
                    (handoff ? "sent it. " : "used it. ") + "I'm still waiting for the " + what +
                    " — type it, or *cancel* to do something else.")}));
    return Say(turn, r);
  }
  if (!answer && step != Step::kAwaitNewName &&
      nlu::Analyze(text, *registry_.lexicon(), 1).empty()) {
    return Say(turn, Say1(std::string("I need some words in the ") + what +
                          ": emoji or punctuation alone can't be matched to what people ask. "
                          "Type it again, or *cancel*."));
  }
  switch (turn.state.step) {
    case Step::kAwaitQuestion:
      return TakeNewQuestion(turn, text);
    case Step::kAwaitAnswer:
      if (turn.state.handoff_id != 0) return AnswerHandoff(turn, text);
      return AddTopicFromAnswer(turn, text);
    case Step::kAwaitPhrasing:
      return AddPhrasingFromText(turn, text);
    case Step::kAwaitNewAnswer:
    case Step::kAwaitNewQuestion:
    case Step::kAwaitNewName:
      return EditFromText(turn, text);
    default:
      return;
  }
}

void Assistant::Greet(Turn& turn) {
  const std::string name = NameOf(turn.who);
  Reply r = Say1("Hey" + CommaName(name) + "! How can I help? :wave:");
  r.buttons = MenuButtons();
  Say(turn, r);
}

void Assistant::Help(Turn& turn) {
  Reply r;
  r.paragraphs.push_back(
      Line("I answer the questions people keep asking you, so you can focus on important stuff "
           ":muscle:"));
  r.paragraphs.push_back(Line(
      "Teach me a topic (a question and its answer), then publish: from then on anyone can write "
      "`ask @you their question` — here, in a channel with `@faqbot ask @you …`, or with "
      "`/ask @you …` — and get your answer in whatever words they use. When I'm not sure, I say "
      "so and ask you; your reply becomes a new topic, and I learn it at once."));
  r.paragraphs.push_back(
      Line("Say things like *add a topic*, *show my topics*, *publish*, *unanswered questions*, "
           "*settings*; *undo* takes back the last *It's …* you picked for a question; *cancel* "
           "leaves whatever we are doing."));
  r.buttons = MenuButtons();
  Say(turn, r);
}

void Assistant::OpenConsole(Turn& turn) {
  if (!options_.console_link) {
    return Say(turn, Say1("The web console is served by `faqbot serve`; on the server, "
                          "`faqbot console link --owner " + turn.who.user_id +
                          "` prints a sign-in link."));
  }
  auto link = options_.console_link(turn.who);
  if (!link.ok()) {
    LogWarn("assistant: no console link for {}/{}: {}", turn.who.team_id, turn.who.user_id,
            link.status().ToString());
    return Say(turn, Say1("Seems like I cannot make a sign-in link currently :scream_cat: "
                          "Please try again in a minute."));
  }
  // A sign-in link is a secret: it goes to the owner's DM, wherever the request came from.
  turn.reply_to = Destination::Direct(turn.who);
  Reply r = Say1("Here is your link to the web console: " + *link);
  r.context.push_back(Line("It signs you in once, within 15 minutes; don't share it."));
  Say(turn, r);
}

void Assistant::ShowSettings(Turn& turn) {
  auto settings = topics_.Settings(turn.who);
  if (!settings.ok()) {
    return Say(turn, Say1("Seems like I cannot read your settings right now :scream_cat: Please "
                          "try again in a minute."));
  }
  Reply r;
  r.paragraphs.push_back(Line(std::string("*Learn from my answers:* ") +
                              (settings->learn ? "on" : "off")));
  r.paragraphs.push_back(Line(
      settings->learn
          ? "When you answer a question I handed to you, or say which topic it is, your bot "
            "learns it at once: that answer goes live without a publish (your other drafts "
            "stay drafts)."
          : "When you answer a question I handed to you, or say which topic it is, I keep it as "
            "a draft: it goes live with your next publish."));
  r.buttons = {settings->learn ? Btn("Turn learning off", kActionLearnOff)
                               : Btn("Turn learning on", kActionLearnOn, "", Button::Style::kPrimary)};
  Say(turn, r);
}

void Assistant::SetLearning(Turn& turn, bool learn) {
  Status set = topics_.SetLearning(turn.who, learn);
  if (!set.ok()) {
    return Say(turn, Say1("I couldn't change that setting just now :scream_cat: Please try again "
                          "in a minute."));
  }
  const std::string what =
      learn ? "Learning is on: your answers to handed-off questions go live at once."
            : "Learning is off: your answers to handed-off questions wait for your next publish.";
  ReplacePressed(turn, Say1("*Learn from my answers:* " + std::string(learn ? "on" : "off")));
  Say(turn, Say1(what));
}

}  // namespace faqbot::assistant
