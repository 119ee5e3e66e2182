#include "server/reply_journal.h"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/logging.h"

namespace faqbot::server {
namespace {

using assistant::Button;
using assistant::Destination;
using assistant::Paragraph;
using assistant::Reply;
using assistant::Span;
using nlohmann::json;

constexpr int kFormat = 1;

// Names of enum values in the document; the position is the enum's value.
constexpr std::array<std::string_view, 5> kDestinationKinds = {"direct", "channel", "ephemeral",
                                                               "response", "update"};
constexpr std::array<std::string_view, 3> kSpanKinds = {"text", "user_text", "mention"};
constexpr std::array<std::string_view, 3> kButtonStyles = {"default", "primary", "danger"};

template <typename Enum, size_t N>
std::string_view NameOf(Enum value, const std::array<std::string_view, N>& names) {
  const auto i = static_cast<size_t>(value);
  return i < N ? names[i] : std::string_view("?");
}

// Throws json::type_error for a name the document should not have (caught by the decoder).
template <typename Enum, size_t N>
Enum ValueOf(const json& name, const std::array<std::string_view, N>& names) {
  const std::string& s = name.get_ref<const std::string&>();
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<Enum>(i);
  }
  throw json::type_error::create(302, "unknown name '" + s + "'", &name);
}

json ParagraphToJson(const Paragraph& p) {
  json spans = json::array();
  for (const Span& s : p.spans) {
    spans.push_back({{"kind", NameOf(s.kind, kSpanKinds)}, {"value", s.value}});
  }
  return spans;
}

Paragraph ParagraphFromJson(const json& j) {
  Paragraph p;
  for (const json& s : j.get_ref<const json::array_t&>()) {
    p.spans.push_back(
        {ValueOf<Span::Kind>(s.at("kind"), kSpanKinds), s.at("value").get<std::string>()});
  }
  return p;
}

json ParagraphsToJson(const std::vector<Paragraph>& paragraphs) {
  json a = json::array();
  for (const Paragraph& p : paragraphs) a.push_back(ParagraphToJson(p));
  return a;
}

std::vector<Paragraph> ParagraphsFromJson(const json& j) {
  std::vector<Paragraph> paragraphs;
  for (const json& p : j.get_ref<const json::array_t&>())
    paragraphs.push_back(ParagraphFromJson(p));
  return paragraphs;
}

json ButtonsToJson(const std::vector<Button>& buttons) {
  json a = json::array();
  for (const Button& b : buttons) {
    json j = {{"label", b.label},
              {"action", b.action},
              {"value", b.value},
              {"style", NameOf(b.style, kButtonStyles)}};
    if (b.confirm) {
      j["confirm"] = {{"title", b.confirm->title},
                      {"text", b.confirm->text},
                      {"yes", b.confirm->yes},
                      {"no", b.confirm->no}};
    }
    a.push_back(std::move(j));
  }
  return a;
}

std::vector<Button> ButtonsFromJson(const json& j) {
  std::vector<Button> buttons;
  for (const json& b : j.get_ref<const json::array_t&>()) {
    Button button;
    button.label = b.at("label").get<std::string>();
    button.action = b.at("action").get<std::string>();
    button.value = b.at("value").get<std::string>();
    button.style = ValueOf<Button::Style>(b.at("style"), kButtonStyles);
    if (const auto c = b.find("confirm"); c != b.end()) {
      button.confirm =
          Button::Confirm{c->at("title").get<std::string>(), c->at("text").get<std::string>(),
                          c->at("yes").get<std::string>(), c->at("no").get<std::string>()};
    }
    buttons.push_back(std::move(button));
  }
  return buttons;
}

}  // namespace

std::string EncodeOutgoingReply(const Destination& to, const Reply& reply) {
  json items = json::array();
  for (const auto& item : reply.items) {
    items.push_back(
        {{"text", ParagraphToJson(item.text)}, {"buttons", ButtonsToJson(item.buttons)}});
  }
  const json doc = {{"format", kFormat},
                    {"to",
                     {{"kind", NameOf(to.kind, kDestinationKinds)},
                      {"team", to.user.team_id},
                      {"user", to.user.user_id},
                      {"channel", to.channel},
                      {"thread_ts", to.thread_ts},
                      {"ts", to.ts},
                      {"response_url", to.response_url},
                      {"in_channel", to.in_channel}}},
                    {"reply",
                     {{"paragraphs", ParagraphsToJson(reply.paragraphs)},
                      {"items", std::move(items)},
                      {"buttons", ButtonsToJson(reply.buttons)},
                      {"context", ParagraphsToJson(reply.context)},
                      {"track", reply.track}}}};
  // Text is stored as given: invalid UTF-8 (which people's text never has past the Slack
  // parser) would be replaced rather than refuse the reply.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

Status DecodeOutgoingReply(std::string_view encoded, Destination& to, Reply& reply) {
  const json doc = json::parse(encoded, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return InvalidArgumentError("stored reply is not a JSON object");
  try {
    if (doc.at("format").get<int>() != kFormat) {
      return InvalidArgumentError("stored reply has format " + doc.at("format").dump() + ", not " +
                                  std::to_string(kFormat));
    }
    const json& d = doc.at("to");
    Destination t;
    t.kind = ValueOf<Destination::Kind>(d.at("kind"), kDestinationKinds);
    t.user = {d.at("team").get<std::string>(), d.at("user").get<std::string>()};
    t.channel = d.at("channel").get<std::string>();
    t.thread_ts = d.at("thread_ts").get<std::string>();
    t.ts = d.at("ts").get<std::string>();
    t.response_url = d.at("response_url").get<std::string>();
    t.in_channel = d.at("in_channel").get<bool>();
    const json& r = doc.at("reply");
    Reply out;
    out.paragraphs = ParagraphsFromJson(r.at("paragraphs"));
    for (const json& item : r.at("items").get_ref<const json::array_t&>()) {
      out.items.push_back(
          {ParagraphFromJson(item.at("text")), ButtonsFromJson(item.at("buttons"))});
    }
    out.buttons = ButtonsFromJson(r.at("buttons"));
    out.context = ParagraphsFromJson(r.at("context"));
    // Optional: replies stored by earlier releases have none.
    out.track = r.value("track", std::string());
    to = std::move(t);
    reply = std::move(out);
    return Status::Ok();
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("stored reply is malformed: ") + e.what());
  }
}

ReplyJournal::ReplyJournal(store::Store& store, ReplyJournalOptions options)
    : store_(store), options_(std::move(options)) {}

Result<store::Store::AddedReply> ReplyJournal::Record(const std::string& conversation,
                                                      const Destination& to, const Reply& reply) {
  return store_.AddOutgoingReply(conversation, EncodeOutgoingReply(to, reply), options_.worker,
                                 options_.lease);
}

Status ReplyJournal::Forget(int64_t id) { return store_.DeleteOutgoingReply(id); }

Status ReplyJournal::GiveBack(const std::vector<int64_t>& ids) {
  return store_.ReleaseOutgoingReplies(ids);
}

Status ReplyJournal::Renew() {
  return store_.RenewOutgoingReplies(options_.worker, options_.lease).status();
}

Result<std::vector<ReplyJournal::Entry>> ReplyJournal::Claim(size_t limit) {
  FAQBOT_ASSIGN_OR_RETURN(auto rows, store_.ClaimOutgoingReplies(options_.worker, options_.lease,
                                                                 static_cast<int>(limit)));
  std::vector<Entry> entries;
  entries.reserve(rows.size());
  for (auto& row : rows) {
    Entry e;
    if (Status s = DecodeOutgoingReply(row.payload, e.to, e.reply); !s.ok()) {
      LogWarn("outbox: forgetting stored reply {} of {}: {}", row.id, row.conversation,
              s.ToString());
      (void)store_.DeleteOutgoingReply(row.id);
      continue;
    }
    e.id = row.id;
    e.conversation = std::move(row.conversation);
    e.created_at = row.created_at;
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace faqbot::server
