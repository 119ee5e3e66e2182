#include "slack/event_parser.h"

#include <utility>

#include "common/json_limits.h"

namespace faqbot::slack {
namespace {

using nlohmann::json;

// Reads fields of one JSON object; the first problem is kept and later reads return "".
// Absent and null fields are empty; a field of another type than expected is an error.
// A reader made by Object() reports to its parent, so keep parents in named variables.
class FieldReader {
 public:
  FieldReader(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

  std::string Required(const char* key) {
    std::string s = Optional(key);
    if (s.empty()) Fail(std::string("missing string field \"") + key + "\"");
    return s;
  }

  std::string Optional(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      Fail(std::string("field \"") + key + "\" is not a string");
      return {};
    }
    return v->get<std::string>();
  }

  bool OptionalBool(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) {
      Fail(std::string("field \"") + key + "\" is not a boolean");
      return false;
    }
    return v->get<bool>();
  }

  // A nested object for its own reader; an empty object when absent or null.
  FieldReader Object(const char* key, bool required = false) {
    static const json kEmpty = json::object();
    const json* v = Find(key);
    if (v == nullptr) {
      if (required) Fail(std::string("missing object field \"") + key + "\"");
      return FieldReader(kEmpty, where_ + "." + key, this);
    }
    if (!v->is_object()) {
      Fail(std::string("field \"") + key + "\" is not an object");
      return FieldReader(kEmpty, where_ + "." + key, this);
    }
    return FieldReader(*v, where_ + "." + key, this);
  }

  const json& object() const { return object_; }
  // The first error of this reader and every reader made from it.
  Status status() const { return root().status_; }
  void Fail(const std::string& why) {
    FieldReader& r = root();
    if (r.status_.ok()) r.status_ = InvalidArgumentError(where_ + ": " + why);
  }

 private:
  FieldReader(const json& object, std::string where, FieldReader* parent)
      : object_(object), where_(std::move(where)), parent_(parent) {}

  const json* Find(const char* key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  FieldReader& root() { return parent_ == nullptr ? *this : parent_->root(); }
  const FieldReader& root() const { return parent_ == nullptr ? *this : parent_->root(); }

  const json& object_;
  std::string where_;
  FieldReader* parent_ = nullptr;
  Status status_;
};

Status RequireObject(const json& j, std::string_view what) {
  if (!j.is_object()) return InvalidArgumentError(std::string(what) + " is not a JSON object");
  return Status::Ok();
}

Result<ParsedRequest> Finish(const FieldReader& reader, ParsedRequest parsed) {
  Status s = reader.status();
  if (!s.ok()) return s;
  return parsed;
}

// The fields messages and mentions share.
template <typename T>
T ReadAuthored(FieldReader& event, const std::string& team_id) {
  T m;
  m.team_id = team_id;
  m.channel = event.Required("channel");
  m.user = event.Optional("user");
  m.bot_id = event.Optional("bot_id");
  m.text = event.Optional("text");
  m.ts = event.Required("ts");
  m.thread_ts = event.Optional("thread_ts");
  return m;
}

// The installation an event came through: authorizations[0] (Slack sends one).
struct Authorization {
  std::string enterprise_id;
  std::string bot_user_id;
  bool is_enterprise_install = false;
};

Authorization ReadAuthorization(FieldReader& body) {
  Authorization a;
  a.enterprise_id = body.Optional("enterprise_id");
  auto list = body.object().find("authorizations");
  if (list == body.object().end() || !list->is_array() || list->empty() ||
      !list->front().is_object()) {
    return a;
  }
  FieldReader first(list->front(), "authorizations[0]");
  if (a.enterprise_id.empty()) a.enterprise_id = first.Optional("enterprise_id");
  a.bot_user_id = first.Optional("user_id");
  a.is_enterprise_install = first.OptionalBool("is_enterprise_install");
  if (!first.status().ok()) body.Fail(first.status().message());
  return a;
}

Result<ParsedRequest> ParseEventCallback(FieldReader& body) {
  const std::string team_id = body.Required("team_id");
  const std::string event_id = body.Required("event_id");
  FieldReader event = body.Object("event", /*required=*/true);
  const std::string type = event.Required("type");
  const Authorization authorization = ReadAuthorization(body);
  if (!body.status().ok()) return body.status();

  InboundEvent inbound;
  inbound.event_id = event_id;
  inbound.enterprise_id = authorization.enterprise_id;
  inbound.bot_user_id = authorization.bot_user_id;
  if (type == "app_uninstalled") {
    inbound.payload =
        AppUninstalled{team_id, authorization.enterprise_id, authorization.is_enterprise_install};
  } else if (type == "tokens_revoked") {
    TokensRevoked revoked{
        team_id, authorization.enterprise_id, authorization.is_enterprise_install, {}};
    FieldReader tokens = event.Object("tokens");
    if (auto bot = tokens.object().find("bot"); bot != tokens.object().end() && bot->is_array()) {
      for (const json& id : *bot) {
        if (id.is_string()) revoked.bot_user_ids.push_back(id.get<std::string>());
      }
    }
    if (revoked.bot_user_ids.empty()) return Finish(body, Ignored{"user tokens revoked"});
    inbound.payload = std::move(revoked);
  } else if (type == "message") {
    MessageEvent m = ReadAuthored<MessageEvent>(event, team_id);
    m.channel_type = event.Optional("channel_type");
    m.subtype = event.Optional("subtype");
    inbound.payload = std::move(m);
  } else if (type == "app_mention") {
    inbound.payload = ReadAuthored<AppMentionEvent>(event, team_id);
  } else if (type == "app_home_opened") {
    AppHomeOpenedEvent h;
    h.team_id = team_id;
    h.user = event.Required("user");
    h.channel = event.Optional("channel");
    h.tab = event.Optional("tab");
    inbound.payload = std::move(h);
  } else {
    return Finish(body, Ignored{"event type " + type});
  }
  return Finish(body, std::move(inbound));
}

// The workspace of an interaction: team.id, or for org-wide installs (team null) the user's team.
std::string InteractionTeam(FieldReader& payload, FieldReader& user) {
  std::string team = payload.Object("team").Optional("id");
  if (team.empty()) team = user.Optional("team_id");
  if (team.empty()) payload.Fail("missing team.id and user.team_id");
  return team;
}

// The organisation of an interaction: enterprise.id, else team.enterprise_id; empty outside
// Enterprise Grid.
std::string InteractionEnterprise(FieldReader& payload) {
  std::string enterprise = payload.Object("enterprise").Optional("id");
  if (enterprise.empty()) enterprise = payload.Object("team").Optional("enterprise_id");
  return enterprise;
}

Result<ParsedRequest> ParseBlockActions(FieldReader& payload) {
  FieldReader user = payload.Object("user", /*required=*/true);
  BlockAction a;
  a.user = user.Required("id");
  a.team_id = InteractionTeam(payload, user);
  const std::string enterprise = InteractionEnterprise(payload);
  a.response_url = payload.Optional("response_url");
  a.trigger_id = payload.Optional("trigger_id");
  FieldReader container = payload.Object("container");
  a.container_type = container.Optional("type");
  a.is_ephemeral = container.OptionalBool("is_ephemeral");
  a.view_id = container.Optional("view_id");
  a.message_ts = container.Optional("message_ts");
  FieldReader message = payload.Object("message");
  if (a.message_ts.empty()) a.message_ts = message.Optional("ts");
  // Slack names the thread in the container, and in the message itself (where a thread's parent
  // carries its own ts): replies to the press belong in it.
  a.thread_ts = container.Optional("thread_ts");
  if (a.thread_ts.empty()) a.thread_ts = message.Optional("thread_ts");
  a.channel = payload.Object("channel").Optional("id");
  if (a.channel.empty()) a.channel = container.Optional("channel_id");
  if (a.view_id.empty()) a.view_id = payload.Object("view").Optional("id");

  auto actions = payload.object().find("actions");
  if (actions == payload.object().end() || !actions->is_array() || actions->empty()) {
    payload.Fail("block_actions without an \"actions\" array");
    return payload.status();
  }
  if (!actions->front().is_object()) {
    payload.Fail("actions[0] is not an object");
    return payload.status();
  }
  FieldReader action(actions->front(), "actions[0]");
  a.action_id = action.Required("action_id");
  a.block_id = action.Optional("block_id");
  a.action_type = action.Optional("type");
  a.value = action.Optional("value");
  if (a.value.empty()) a.value = action.Object("selected_option").Optional("value");
  if (!action.status().ok()) return action.status();
  InboundEvent inbound;
  inbound.payload = std::move(a);
  inbound.enterprise_id = enterprise;
  return Finish(payload, std::move(inbound));
}

// One input's value from view.state.values[block][action], as text.
std::string InputValue(const json& input) {
  static constexpr const char* kScalars[] = {
      "value",         "selected_user", "selected_conversation", "selected_channel",
      "selected_date", "selected_time"};
  for (const char* key : kScalars) {
    auto it = input.find(key);
    if (it != input.end() && it->is_string()) return it->get<std::string>();
  }
  if (auto it = input.find("selected_date_time"); it != input.end() && it->is_number_integer()) {
    return std::to_string(it->get<int64_t>());
  }
  if (auto it = input.find("selected_option"); it != input.end() && it->is_object()) {
    auto v = it->find("value");
    if (v != it->end() && v->is_string()) return v->get<std::string>();
  }
  static constexpr const char* kLists[] = {"selected_options", "selected_users",
                                           "selected_conversations", "selected_channels"};
  for (const char* key : kLists) {
    auto it = input.find(key);
    if (it == input.end() || !it->is_array()) continue;
    std::string joined;
    for (const json& item : *it) {
      const json* v = &item;
      if (item.is_object()) {
        auto inner = item.find("value");
        if (inner == item.end()) continue;
        v = &*inner;
      }
      if (!v->is_string()) continue;
      if (!joined.empty()) joined += ',';
      joined += v->get<std::string>();
    }
    return joined;
  }
  return {};
}

Result<ParsedRequest> ParseViewSubmission(FieldReader& payload) {
  FieldReader user = payload.Object("user", /*required=*/true);
  ViewSubmission v;
  v.user = user.Required("id");
  v.team_id = InteractionTeam(payload, user);
  const std::string enterprise = InteractionEnterprise(payload);
  v.trigger_id = payload.Optional("trigger_id");
  FieldReader view = payload.Object("view", /*required=*/true);
  v.view_id = view.Required("id");
  v.callback_id = view.Optional("callback_id");
  v.private_metadata = view.Optional("private_metadata");
  FieldReader state = view.Object("state");
  FieldReader values = state.Object("values");
  for (const auto& [block_id, block] : values.object().items()) {
    if (!block.is_object()) {
      payload.Fail("view.state.values." + block_id + " is not an object");
      break;
    }
    for (const auto& [action_id, input] : block.items()) {
      v.values[block_id + "." + action_id] = input.is_object() ? InputValue(input) : "";
    }
  }
  InboundEvent inbound;
  inbound.payload = std::move(v);
  inbound.enterprise_id = enterprise;
  return Finish(payload, std::move(inbound));
}

// Both forms of a slash command read their fields through this.
template <typename Get>
Result<ParsedRequest> BuildSlashCommand(Get get) {
  if (get("ssl_check") == "1") return ParsedRequest(SslCheck{});
  SlashCommand c;
  c.team_id = get("team_id");
  c.user_id = get("user_id");
  c.command = get("command");
  c.channel_id = get("channel_id");
  c.text = get("text");
  c.response_url = get("response_url");
  c.trigger_id = get("trigger_id");
  for (const auto& [name, value] :
       {std::pair{"team_id", &c.team_id}, std::pair{"user_id", &c.user_id},
        std::pair{"command", &c.command}}) {
    if (value->empty()) {
      return InvalidArgumentError(std::string("slash command: missing field \"") + name + "\"");
    }
  }
  InboundEvent inbound;
  inbound.payload = std::move(c);
  inbound.enterprise_id = get("enterprise_id");
  return ParsedRequest(std::move(inbound));
}

Status CheckSize(std::string_view body, size_t max_bytes) {
  if (body.size() > max_bytes) {
    return ResourceExhaustedError("request body of " + std::to_string(body.size()) +
                                  " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  return Status::Ok();
}

// Library exceptions stop here: a bug in a reader above becomes a Status, not a crash.
template <typename F>
Result<ParsedRequest> Guarded(std::string_view what, F f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string(what) + ": " + e.what());
  }
}

}  // namespace

Result<ParsedRequest> ParseEventsApi(const json& body) {
  return Guarded("events api", [&]() -> Result<ParsedRequest> {
    FAQBOT_RETURN_IF_ERROR(RequireObject(body, "events api body"));
    FieldReader reader(body, "events api body");
    const std::string type = reader.Required("type");
    if (!reader.status().ok()) return reader.status();
    if (type == "url_verification") {
      UrlVerification v{reader.Required("challenge")};
      return Finish(reader, std::move(v));
    }
    if (type == "event_callback") return ParseEventCallback(reader);
    return ParsedRequest(Ignored{"events api type " + type});
  });
}

Result<ParsedRequest> ParseInteraction(const json& payload) {
  return Guarded("interaction", [&]() -> Result<ParsedRequest> {
    FAQBOT_RETURN_IF_ERROR(RequireObject(payload, "interaction payload"));
    FieldReader reader(payload, "interaction payload");
    const std::string type = reader.Required("type");
    if (!reader.status().ok()) return reader.status();
    if (type == "block_actions") return ParseBlockActions(reader);
    if (type == "view_submission") return ParseViewSubmission(reader);
    return ParsedRequest(Ignored{"interaction type " + type});
  });
}

Result<ParsedRequest> ParseSlashCommand(const FormFields& fields) {
  return BuildSlashCommand([&](const char* key) -> std::string {
    auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
  });
}

Result<ParsedRequest> ParseSlashCommandJson(const json& payload) {
  return Guarded("slash command", [&]() -> Result<ParsedRequest> {
    FAQBOT_RETURN_IF_ERROR(RequireObject(payload, "slash command payload"));
    FieldReader reader(payload, "slash command payload");
    auto parsed = BuildSlashCommand([&](const char* key) { return reader.Optional(key); });
    if (!reader.status().ok()) return reader.status();
    return parsed;
  });
}

Result<nlohmann::json> ParseJsonObject(std::string_view text) {
  FAQBOT_RETURN_IF_ERROR(CheckJsonNesting(text, "the JSON body"));
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object()) return InvalidArgumentError("JSON body is not an object");
  return j;
}

Result<ParsedRequest> ParseEventsBody(std::string_view body, size_t max_bytes) {
  FAQBOT_RETURN_IF_ERROR(CheckSize(body, max_bytes));
  FAQBOT_ASSIGN_OR_RETURN(json j, ParseJsonObject(body));
  return ParseEventsApi(j);
}

Result<ParsedRequest> ParseInteractionBody(std::string_view body, size_t max_bytes) {
  FAQBOT_RETURN_IF_ERROR(CheckSize(body, max_bytes));
  FAQBOT_ASSIGN_OR_RETURN(FormFields fields, ParseForm(body));
  auto payload = fields.find("payload");
  if (payload == fields.end()) {
    return InvalidArgumentError("interaction body has no \"payload\" form field");
  }
  FAQBOT_ASSIGN_OR_RETURN(json j, ParseJsonObject(payload->second));
  return ParseInteraction(j);
}

Result<ParsedRequest> ParseSlashCommandBody(std::string_view body, size_t max_bytes) {
  FAQBOT_RETURN_IF_ERROR(CheckSize(body, max_bytes));
  FAQBOT_ASSIGN_OR_RETURN(FormFields fields, ParseForm(body));
  return ParseSlashCommand(fields);
}

}  // namespace faqbot::slack
