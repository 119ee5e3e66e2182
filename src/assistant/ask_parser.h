// Parsing "ask <@U…> question": how askers reach an owner's bot.
//
// Accepted message forms (Slack sends mentions as <@U123> or, from older clients and
// integrations, <@U123|name>):
//   ask <@U123> how do I reset my password?        (DM to the app)
//   <@UBOT> ask <@U123> how do I reset...           (channel mention of the app)
//   Ask: <@U123|bob>, where is the wiki?            (case, punctuation and the legacy form)
// and the arguments of the slash command `/ask <@U123> question`. Without a mention, the question
// is for the whole workspace:
//   ask where is the wiki?                          (DM, or after a mention of the app)
//   <@UBOT> where is the wiki?                      (a channel mention of the app, no "ask")
//   /ask where is the wiki?
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace faqbot::assistant {

struct AskParse {
  enum class Kind {
    kNotAsk,           // the text is not an ask command at all
    kAsk,              // owner and question found
    kAskEveryone,      // a question without an owner: for every published bot of the workspace
    kMissingMention,   // "ask" and nothing else
    kMissingQuestion,  // "ask <@U…>" and nothing to ask
  };
  Kind kind = Kind::kNotAsk;
  std::string owner_user_id;  // "U123" (no @, no |name); empty for kAskEveryone
  std::string question;       // trimmed
};

// Parses a message. `bot_user_id` (the app's own user id) is skipped when the message starts
// with a mention of it; what follows that mention, when it is not an ask command, is a question
// for everyone (kAskEveryone), as is "ask <@bot> question" (the app is nobody's bot).
AskParse ParseAskMessage(std::string_view text, std::string_view bot_user_id = {});

// Parses the text of `/ask` (everything after the command): "<@U123> question".
AskParse ParseAskArguments(std::string_view text);

}  // namespace faqbot::assistant
