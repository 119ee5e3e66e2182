#include "nlu/nlu_yaml.h"

#include <utf8proc.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <unordered_map>

#include "common/file_util.h"
#include "common/string_util.h"
#include "nlu/text_normalizer.h"
#include "nlu/yaml_nesting.h"

namespace faqbot::nlu {
namespace {

constexpr std::string_view kResponsePrefix = "utter_";
// The example metadata that keeps a text exactly as written (no entity annotations).
constexpr std::string_view kLiteralKey = "faqbot_literal";

Status ErrorAt(std::string_view source, int line, const std::string& message) {
  return InvalidArgumentError(std::string(source) + ":" + std::to_string(line) + ": " + message);
}

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

// "[Berlin](city) weather" → "Berlin weather"; also "[Berlin]{"entity": "city"}" and, for
// several labels, "[Berlin][{"entity": "city"}, {"entity": "capital"}]".
std::string StripEntityAnnotations(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '[') {
      const size_t close = s.find(']', i + 1);
      if (close != std::string_view::npos && close + 1 < s.size()) {
        const std::string_view label = s.substr(close + 1);
        const std::string_view end_mark = label.starts_with('(')    ? ")"
                                          : label.starts_with('{')  ? "}"
                                          : label.starts_with("[{") ? "}]"
                                                                    : "";
        const size_t end = end_mark.empty() ? std::string_view::npos : label.find(end_mark, 1);
        if (end != std::string_view::npos) {
          out.append(s.substr(i + 1, close - i - 1));
          i = close + 1 + end + end_mark.size();
          continue;
        }
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

std::string BlockLine(std::string_view s);

// Whether an example of the list form is marked to be read as it is written (WriteNluYaml marks
// the texts the `|` block and entity annotations would change).
bool IsLiteral(const YAML::Node& item) {
  if (!item.IsMap()) return false;
  const YAML::Node metadata = item["metadata"];
  if (!metadata || !metadata.IsMap()) return false;
  const YAML::Node literal = metadata[std::string(kLiteralKey)];
  return literal && literal.IsScalar() && literal.as<std::string>() == "true";
}

// The examples of one intent, from a `|` block of "- text" lines or a list of {text: ...}.
Status ReadExamples(const YAML::Node& node, std::string_view source, const std::string& intent,
                    std::vector<std::string>& out) {
  if (node.IsScalar()) {
    std::istringstream lines(node.as<std::string>());
    std::string line;
    int offset = 0;
    while (std::getline(lines, line)) {
      ++offset;
      std::string t = Trim(line);
      if (t.empty()) continue;
      if (t.rfind("- ", 0) != 0 && t != "-") {
        return ErrorAt(source, LineOf(node) + offset,
                       "example of intent " + intent + " must start with \"- \"");
      }
      std::string text = BlockLine(StripEntityAnnotations(t.substr(1)));
      if (!text.empty()) out.push_back(std::move(text));
    }
    return Status::Ok();
  }
  if (node.IsSequence()) {
    for (const auto& item : node) {
      YAML::Node text = item.IsMap() ? item["text"] : item;
      if (!text || !text.IsScalar()) {
        return ErrorAt(source, LineOf(item), "example of intent " + intent + " has no text");
      }
      if (IsLiteral(item)) {
        std::string t = text.as<std::string>();
        if (t.empty()) {
          return ErrorAt(source, LineOf(item), "example of intent " + intent + " is empty");
        }
        out.push_back(std::move(t));
        continue;
      }
      std::string t = BlockLine(StripEntityAnnotations(text.as<std::string>()));
      if (!t.empty()) out.push_back(std::move(t));
    }
    return Status::Ok();
  }
  return ErrorAt(source, LineOf(node), "examples of intent " + intent + " must be a list");
}

// YAML 1.2 printable characters: what may appear unescaped in a document — less NEL, LINE
// SEPARATOR and PARAGRAPH SEPARATOR, which YAML 1.1 readers (PyYAML, so many Rasa tools) take
// for line breaks.
bool IsYamlPrintable(int32_t cp) {
  if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) return false;
  return cp == 0x09 || (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Calls f(code point, its bytes) for each code point of valid UTF-8 `s`.
template <typename F>
void ForEachCodePoint(std::string_view s, F&& f) {
  for (size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                              static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {  // not UTF-8: treat the byte as a control character
      cp = 0;
      n = 1;
    }
    f(cp, s.substr(i, static_cast<size_t>(n)));
    i += static_cast<size_t>(n);
  }
}

// YAML double-quoted scalar: always valid, keeps every character.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  ForEachCodePoint(s, [&](int32_t cp, std::string_view bytes) {
    switch (cp) {
      case '"':
        out += "\\\"";
        return;
      case '\\':
        out += "\\\\";
        return;
      case '\n':
        out += "\\n";
        return;
      case '\r':
        out += "\\r";
        return;
      case '\t':
        out += "\\t";
        return;
      default:
        break;
    }
    if (IsYamlPrintable(cp)) {
      out.append(bytes);
    } else {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "\\U%08x", static_cast<unsigned>(cp));
      out += buf;
    }
  });
  return out + "\"";
}

// An example line inside a `|` block is literal text after "- "; what would not read back the
// same (line breaks, non-printable characters, leading/trailing blanks) becomes single spaces.
std::string BlockLine(std::string_view s) {
  std::string out;
  bool space = false;
  ForEachCodePoint(s, [&](int32_t cp, std::string_view bytes) {
    if (cp == ' ' || cp == '\t' || !IsYamlPrintable(cp)) {
      space = !out.empty();
      return;
    }
    if (space) out.push_back(' ');
    space = false;
    out.append(bytes);
  });
  return out;
}

// The first text of each `utter_<intent>` in the `responses:` of `root`, by intent name.
std::map<std::string, std::string> ResponsesOf(const YAML::Node& root) {
  std::map<std::string, std::string> out;
  const YAML::Node responses = root["responses"];
  if (!responses || !responses.IsMap()) return out;
  for (const auto& kv : responses) {
    const std::string key = kv.first.as<std::string>();
    if (key.rfind(kResponsePrefix, 0) != 0) continue;
    if (!kv.second.IsSequence() || kv.second.size() == 0) continue;
    const YAML::Node first = kv.second[0];
    if (first.IsMap() && first["text"] && first["text"].IsScalar()) {
      out[key.substr(kResponsePrefix.size())] = first["text"].as<std::string>();
    }
  }
  return out;
}

// `text` loaded as a YAML mapping, after the checks every Rasa file gets.
Result<YAML::Node> LoadMapping(std::string_view text, std::string_view source) {
  if (text.size() > kMaxNluYamlBytes) {
    return ResourceExhaustedError(std::string(source) + ": larger than " +
                                  std::to_string(kMaxNluYamlBytes) + " bytes");
  }
  if (const size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n');
    return ErrorAt(source, static_cast<int>(line), "not valid UTF-8");
  }
  // Control characters are read as spaces (the writer never writes them raw): yaml-cpp takes
  // some of them for more than a character (after a NUL, a "#" no longer starts a comment).
  std::string spaced;
  if (std::any_of(text.begin(), text.end(), IsYamlControlByte)) {
    spaced.assign(text);
    std::replace_if(spaced.begin(), spaced.end(), IsYamlControlByte, ' ');
    text = spaced;
  }
  // yaml-cpp reads a flow collection ([…], {…}) to its end before its depth guard looks: a file
  // of a million "[" took a quarter of a gigabyte to refuse. Counted first, in one pass.
  if (const YamlFlowNesting nesting = YamlFlowNestingWithin(text); !nesting.within) {
    return ErrorAt(
        source, static_cast<int>(nesting.line),
        "not valid YAML: nested more than " + std::to_string(kMaxYamlFlowNesting) + " levels deep");
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    // Nested block collections ("- - - - …"): the parser's own message is a bare "bad file".
    return ErrorAt(
        source, e.mark.line + 1,
        "not valid YAML: nested more than " + std::to_string(e.depth()) + " levels deep");
  } catch (const YAML::Exception& e) {
    return ErrorAt(source, e.mark.line + 1, "not valid YAML: " + e.msg);
  }
  if (!root || root.IsNull()) return ErrorAt(source, 1, "empty document");
  if (!root.IsMap()) return ErrorAt(source, LineOf(root), "expected a mapping");
  return root;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseRasaResponses(std::string_view text,
                                                              std::string_view source) {
  FAQBOT_ASSIGN_OR_RETURN(YAML::Node root, LoadMapping(text, source));
  try {
    return ResponsesOf(root);
  } catch (const YAML::Exception& e) {
    return ErrorAt(source, e.mark.line + 1, e.msg);
  }
}

bool IsYamlControlByte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return (b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f;
}

Result<TrainingData> ParseNluYaml(std::string_view text, std::string_view source) {
  FAQBOT_ASSIGN_OR_RETURN(YAML::Node root, LoadMapping(text, source));
  TrainingData data;
  try {
    const YAML::Node nlu = root["nlu"];
    // An empty list (what the writer writes for no intents) is no intents at all.
    if (nlu && (nlu.IsNull() || (nlu.IsSequence() && nlu.size() == 0))) return data;
    if (!nlu || !nlu.IsSequence()) return ErrorAt(source, LineOf(root), "no nlu: list");
    std::unordered_map<std::string, int> first_line;
    for (const auto& item : nlu) {
      if (!item.IsMap()) return ErrorAt(source, LineOf(item), "nlu item must be a mapping");
      const YAML::Node name = item["intent"];
      if (!name) continue;  // synonym:, regex:, lookup: — not used for matching
      if (!name.IsScalar() || Trim(name.as<std::string>()).empty()) {
        return ErrorAt(source, LineOf(item), "intent needs a name");
      }
      Intent intent;
      intent.name = name.as<std::string>();
      // Not trimmed: " wifi " is not another spelling of "wifi" (whose topic it would replace).
      if (TrimText(intent.name) != intent.name) {
        return ErrorAt(source, LineOf(item),
                       "intent name \"" + intent.name + "\" starts or ends with a blank");
      }
      const int line = LineOf(item);
      if (auto [it, added] = first_line.emplace(intent.name, line); !added) {
        return ErrorAt(source, line,
                       "duplicate intent " + intent.name + " (first at line " +
                           std::to_string(it->second) + ")");
      }
      const YAML::Node examples = item["examples"];
      if (examples) {
        FAQBOT_RETURN_IF_ERROR(ReadExamples(examples, source, intent.name, intent.examples));
      }
      if (intent.examples.empty()) {
        return ErrorAt(source, line, "intent " + intent.name + " has no examples");
      }
      data.intents.push_back(std::move(intent));
    }
    if (data.intents.empty()) return ErrorAt(source, LineOf(nlu), "no intents");
    const std::map<std::string, std::string> responses = ResponsesOf(root);
    for (auto& intent : data.intents) {
      if (auto it = responses.find(intent.name); it != responses.end()) {
        intent.response = it->second;
      }
    }
  } catch (const YAML::Exception& e) {
    return ErrorAt(source, e.mark.line + 1, e.msg);
  }
  return data;
}

Result<TrainingData> ReadNluYamlFile(const std::string& path) {
  FAQBOT_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxNluYamlBytes));
  return ParseNluYaml(text, path);
}

std::string WriteNluYaml(const TrainingData& data) {
  std::string out = "version: \"3.1\"\nnlu:";
  out += data.intents.empty() ? " []\n" : "\n";
  // A text the `|` block keeps as it is, and that holds no entity annotation.
  const auto plain = [](const std::string& e) {
    return BlockLine(e) == e && StripEntityAnnotations(e) == e;
  };
  for (const Intent& intent : data.intents) {
    out += "- intent: " + Quote(intent.name) + "\n  examples:";
    if (std::all_of(intent.examples.begin(), intent.examples.end(), plain)) {
      out += " |\n";
      for (const std::string& e : intent.examples) {
        if (!e.empty()) out += "    - " + e + "\n";
      }
      continue;
    }
    // The list form: quoted texts keep every character, and those marked literal are read back
    // exactly (a link "[handbook](https://…)", a line break, a LINE SEPARATOR).
    out += "\n";
    for (const std::string& e : intent.examples) {
      if (e.empty()) continue;
      out += "    - text: " + Quote(e) + "\n";
      if (!plain(e)) out += "      metadata:\n        " + std::string(kLiteralKey) + ": true\n";
    }
  }
  bool any = false;
  for (const Intent& intent : data.intents) {
    if (intent.response.empty()) continue;
    if (!any) out += "responses:\n";
    any = true;
    out += "  " + Quote(std::string(kResponsePrefix) + intent.name) + ":\n";
    out += "  - text: " + Quote(intent.response) + "\n";
  }
  return out;
}

}  // namespace faqbot::nlu
