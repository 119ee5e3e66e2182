// Assistant: help channels — `/faqbot watch` turns on answers to the questions of a channel
// (asking_everyone.cc answers them), `/faqbot unwatch` turns them off, `/faqbot status` lists
// them.
#include <array>
#include <cctype>

#include "assistant/assistant.h"
#include "assistant/assistant_internal.h"
#include "common/logging.h"
#include "common/string_util.h"
#include "common/utf8.h"

namespace faqbot::assistant {
namespace {

// Words that open a question when it has no "?" ("how do I reset my password").
constexpr std::array<std::string_view, 20> kOpeners = {
    "how",   "what", "where", "when",   "who",  "why",   "which",  "is",      "are", "can",
    "could", "does", "do",    "should", "will", "would", "anyone", "anybody", "has", "have"};

Span ChannelLink(const std::string& channel) { return Words("<#" + channel + ">"); }

constexpr const char* kUsage =
    "`/faqbot watch` — answer questions in this channel (in their thread, only when I'm sure)\n"
    "`/faqbot unwatch` — stop answering here\n"
    "`/faqbot status` — the channels where I answer";

}  // namespace

bool LooksLikeQuestion(std::string_view text) {
  const std::string trimmed = Trim(text);
  const std::vector<std::string> words = LowerWords(trimmed);
  size_t characters = 0;  // of words, counting a multi-byte character once
  bool non_ascii = false;
  for (const std::string& w : words) {
    for (const char c : w) characters += IsUtf8Continuation(c) ? 0 : 1;
    non_ascii = non_ascii || static_cast<unsigned char>(w[0]) >= 0x80;
  }
  // Scripts written without spaces make few words of many characters.
  const bool long_unspaced = non_ascii && characters >= 6;
  if (words.size() < 3 && !long_unspaced) return false;
  const std::string_view t = trimmed;
  if (t.ends_with("?") || t.ends_with("\uFF1F") || t.ends_with("\u061F")) return true;
  if (t.starts_with("\u00BF")) return true;  // ¿
  for (std::string_view opener : kOpeners) {
    if (words[0] == opener) return true;
  }
  return false;
}

void Assistant::ChannelUnreachable(const std::string& team_id, const std::string& channel,
                                   const std::string& why) {
  auto watched = store_.GetWatchedChannel(team_id, channel);
  if (!watched.ok() || !watched->has_value()) return;
  // Whoever unwatches it first tells the person (another process may see the same refusal).
  auto removed = store_.UnwatchChannel(team_id, channel);
  if (!removed.ok()) {
    LogWarn("assistant: cannot stop watching unreachable channel {}: {}", channel,
            removed.status().ToString());
    return;
  }
  if (!*removed) return;
  LogInfo("assistant: stopped watching channel {} of {}: the app cannot post there ({})", channel,
          team_id, why);
  Reply r;
  if (why == "is_archived") {
    r.paragraphs.push_back(Line({Words("I stopped answering questions in "), ChannelLink(channel),
                                 Words(": it is archived.")}));
  } else {
    r.paragraphs.push_back(Line({Words("I can't post in "), ChannelLink(channel),
                                 Words(" — I'm not a member of it, so I stopped answering "
                                       "questions there.")}));
    r.paragraphs.push_back(
        Line("Add me to the channel (`/invite` and my name, in the "
             "channel), then `/faqbot watch` again."));
  }
  const store::UserRef watcher{team_id, (*watched)->watched_by};
  if (Status sent = messenger_.Send(Destination::Direct(watcher), r); !sent.ok()) {
    LogWarn("assistant: cannot tell {} that channel {} is unreachable: {}", watcher.user_id,
            channel, sent.ToString());
  }
}

void Assistant::ChannelCommand(Turn& turn, const UserMessage& m) {
  const std::string verb = Trim(m.text);
  // Conversations whose id starts with D are direct messages: nothing to watch there.
  const bool in_channel = !m.channel.empty() && m.channel[0] != 'D';
  Destination channel;
  channel.kind = Destination::Kind::kChannel;
  channel.channel = m.channel;
  channel.user = turn.who;

  if (verb == "watch" || verb == "unwatch") {
    if (!in_channel) {
      return Say(turn, Say1("Use `/faqbot " + verb + "` in a channel I'm in."));
    }
    const bool watch = verb == "watch";
    auto changed = watch ? store_.WatchChannel(turn.who, m.channel)
                         : store_.UnwatchChannel(turn.who.team_id, m.channel);
    if (!changed.ok()) {
      LogWarn("assistant: cannot {} channel {}: {}", verb, m.channel, changed.status().ToString());
      return Say(turn, Say1("I couldn't do that, sorry — try again later."));
    }
    if (!*changed) {
      return Say(turn, Say1(watch ? "I'm already answering questions in this channel. "
                                    "`/faqbot unwatch` stops it."
                                  : "I'm not answering questions in this channel. "
                                    "`/faqbot watch` starts it."));
    }
    Reply announce;
    announce.paragraphs.push_back(
        watch ? Line({Mention(turn.who.user_id),
                      Words(" asked me to answer questions in this channel. When I'm sure one "
                            "of my owners has taught me the answer, I'll reply in the "
                            "question's thread; 👎 on my answer hides it. `/faqbot unwatch` "
                            "stops me.")})
              : Line({Mention(turn.who.user_id),
                      Words(" asked me to stop answering questions in this channel. "
                            "`/faqbot watch` starts me again.")}));
    turn.others.emplace_back(channel, std::move(announce));
    return;
  }
  if (verb == "status") {
    auto listed = store_.ListWatchedChannels(turn.who.team_id);
    if (!listed.ok()) {
      LogWarn("assistant: cannot list watched channels: {}", listed.status().ToString());
      return Say(turn, Say1("I can't reach my memory right now — try again in a minute."));
    }
    if (listed->empty()) {
      return Say(turn, Say1("I'm not answering questions in any channel. `/faqbot watch` in a "
                            "channel starts it there."));
    }
    Paragraph p = Line("I answer questions in ");
    for (size_t i = 0; i < listed->size(); ++i) {
      if (i > 0) p.spans.push_back(Words(i + 1 == listed->size() ? " and " : ", "));
      p.spans.push_back(ChannelLink((*listed)[i].channel));
    }
    p.spans.push_back(Words("."));
    Reply r;
    r.paragraphs.push_back(std::move(p));
    return Say(turn, r);
  }
  Reply help;
  help.paragraphs.push_back(Line(kUsage));
  Say(turn, help);
}

}  // namespace faqbot::assistant
