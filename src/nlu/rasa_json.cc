#include "nlu/rasa_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace faqbot::nlu {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The continuation bytes a UTF-8 sequence led by `lead` needs, and the range its first
// continuation byte must fall in (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF). 0 continuations: `lead` cannot start a sequence.
struct Utf8Lead {
  int continuations = 0;
  unsigned char low = 0x80, high = 0xBF;
};

Utf8Lead LeadOf(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {1};
  if (lead == 0xE0) return {2, 0xA0, 0xBF};
  if (lead == 0xED) return {2, 0x80, 0x9F};
  if (lead >= 0xE1 && lead <= 0xEF) return {2};
  if (lead == 0xF0) return {3, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {3};
  if (lead == 0xF4) return {3, 0x80, 0x8F};
  return {};
}

void AppendEscapedAscii(unsigned char c, std::string& out) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
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
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(escaped, sizeof escaped);
    }
  }
}

void AppendConfidence(float confidence, std::string& out) {
  const double value = confidence;  // nlohmann stores numbers as double
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  // nlohmann's own shortest round-trip formatting (Grisu2, "%g"-like layout), so the digits
  // match dump() in every case, including those where Grisu2 is not the shortest.
  char buffer[64];
  char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<size_t>(end - buffer));
}

void AppendIntent(std::string_view name, float confidence, std::string& out) {
  out += "{\"confidence\":";
  AppendConfidence(confidence, out);
  out += ",\"name\":";
  AppendJsonString(name, out);
  out += '}';
}

}  // namespace

void AppendJsonString(std::string_view s, std::string& out) {
  out += '"';
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    size_t plain = i;
    while (plain < n) {
      const auto c = static_cast<unsigned char>(s[plain]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++plain;
    }
    out.append(s.data() + i, plain - i);
    i = plain;
    if (i == n) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      AppendEscapedAscii(c, out);
      ++i;
      continue;
    }
    // Like nlohmann's `replace` handler: a byte that cannot start a sequence becomes U+FFFD; a
    // sequence broken by a bad byte becomes one U+FFFD and the bad byte is read again as the
    // start of the next; a sequence cut off by the end of the string becomes one U+FFFD.
    const Utf8Lead lead = LeadOf(c);
    if (lead.continuations == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    size_t k = 1;
    for (; k <= static_cast<size_t>(lead.continuations); ++k) {
      if (i + k >= n) break;
      const auto next = static_cast<unsigned char>(s[i + k]);
      const unsigned char low = k == 1 ? lead.low : 0x80, high = k == 1 ? lead.high : 0xBF;
      if (next < low || next > high) break;
    }
    if (k > static_cast<size_t>(lead.continuations)) {
      out.append(s.data() + i, k);
      i += k;
    } else {
      out += kReplacement;
      i = i + k >= n ? n : i + k;
    }
  }
  out += '"';
}

void AppendRasaJson(std::string_view text, const Prediction& prediction, size_t ranking,
                    std::string& out) {
  out += "{\"entities\":[],\"intent\":";
  AppendIntent(prediction.intent, prediction.confidence, out);
  out += ",\"intent_ranking\":[";
  size_t listed = 0;
  if (prediction.declined()) {
    AppendIntent(prediction.intent, prediction.confidence, out);
    ++listed;
  }
  for (const RankedIntent& r : prediction.ranking) {
    if (listed >= ranking) break;
    if (listed > 0) out += ',';
    AppendIntent(r.name, r.confidence, out);
    ++listed;
  }
  out += "],\"text\":";
  AppendJsonString(text, out);
  out += '}';
}

std::string RasaJson(std::string_view text, const Prediction& prediction, size_t ranking) {
  std::string out;
  AppendRasaJson(text, prediction, ranking, out);
  return out;
}

}  // namespace faqbot::nlu
