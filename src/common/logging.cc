#include "common/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <memory>
#include <string>

#include "common/utf8.h"

namespace faqbot {
namespace {

thread_local const LogContext* current_context = nullptr;

void AppendJsonEscaped(std::string_view text, spdlog::memory_buf_t& dest) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    switch (c) {
      case '"':
        dest.append(std::string_view("\\\""));
        break;
      case '\\':
        dest.append(std::string_view("\\\\"));
        break;
      case '\n':
        dest.append(std::string_view("\\n"));
        break;
      case '\r':
        dest.append(std::string_view("\\r"));
        break;
      case '\t':
        dest.append(std::string_view("\\t"));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          const char esc[] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
          dest.append(esc, esc + sizeof(esc));
        } else {
          dest.push_back(c);
        }
    }
  }
}

std::string_view Payload(const spdlog::details::log_msg& msg) {
  return std::string_view(msg.payload.data(), msg.payload.size());
}

// `%j`: the message (tokens redacted) as the inside of a JSON string, so JSON log lines stay
// valid whatever the message holds (quotes, backslashes, control characters).
class JsonMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    AppendJsonEscaped(Utf8Valid(RedactSlackTokens(Payload(msg))), dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessage>();
  }
};

// `%J`: the thread's log context as further JSON fields (",\"event_id\":…"), or nothing.
class JsonContext final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const LogContext* c = current_context;
    if (c == nullptr) return;
    const std::pair<std::string_view, const std::string*> fields[] = {
        {"event_id", &c->event_id}, {"team", &c->team_id}, {"user", &c->user_id}};
    for (const auto& [name, value] : fields) {
      if (value->empty()) continue;
      dest.append(std::string_view(",\""));
      dest.append(name);
      dest.append(std::string_view("\":\""));
      AppendJsonEscaped(Utf8Valid(*value), dest);
      dest.push_back('"');
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonContext>();
  }
};

bool IsControlOrBlank(unsigned char c) { return c < 0x20 || c == 0x7f || c == ' '; }

// One record, one line: a run of control characters (a driver's multi-line error, text a
// person typed) with the blank around it becomes one space, so no line passes for two.
std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != 0x7f) {
      out += text[i++];
      continue;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    while (i < text.size() && IsControlOrBlank(static_cast<unsigned char>(text[i]))) ++i;
    if (!out.empty() && i < text.size()) out += ' ';
  }
  return out;
}

// `%K`: the message with tokens redacted, on one line, then the log context as
// " [event=… team=… user=…]".
class TextMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string text = OneLine(Utf8Valid(RedactSlackTokens(Payload(msg))));
    dest.append(std::string_view(text));
    const LogContext* c = current_context;
    if (c == nullptr) return;
    std::string suffix;
    if (!c->event_id.empty()) suffix += " event=" + c->event_id;
    if (!c->team_id.empty()) suffix += " team=" + c->team_id;
    if (!c->user_id.empty()) suffix += " user=" + c->user_id;
    if (suffix.empty()) return;
    suffix[0] = '[';
    dest.append(std::string_view(" " + suffix + "]"));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextMessage>();
  }
};

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

}  // namespace

ScopedLogContext::ScopedLogContext(LogContext context)
    : context_(std::move(context)), previous_(current_context) {
  current_context = &context_;
}

ScopedLogContext::~ScopedLogContext() { current_context = previous_; }

const LogContext* CurrentLogContext() { return current_context; }

std::string RedactSlackTokens(std::string_view text) {
  static constexpr std::string_view kPrefixes[] = {"xoxb-", "xoxp-", "xoxa-",
                                                   "xoxe-", "xoxs-", "xapp-"};
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i + 5 <= text.size(); ++i) {
    if (text[i] != 'x' || (i > 0 && IsTokenChar(text[i - 1]))) continue;
    const std::string_view head = text.substr(i, 5);
    bool token = false;
    for (std::string_view p : kPrefixes) token = token || head == p;
    if (!token) continue;
    size_t end = i + 5;
    while (end < text.size() && IsTokenChar(text[end])) ++end;
    out.append(text.substr(copied, i + 5 - copied));
    out += "[redacted]";
    copied = end;
    i = end - 1;
  }
  if (copied == 0) return std::string(text);
  out.append(text.substr(copied));
  return out;
}

void InitLogging(LogFormat format, std::string_view level) {
  InitLogging(format, level, std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

void InitLogging(LogFormat format, std::string_view level, spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>("faqbot", std::move(sink));
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::kJson) {
    formatter->add_flag<JsonMessage>('j').add_flag<JsonContext>('J').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%j"%J})");
  } else {
    formatter->add_flag<TextMessage>('K').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %K");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace faqbot
