// Headers: HTTP request headers as the inbound Slack layer sees them. Header names are
// case-insensitive (RFC 9110, and Slack's signing doc says not to assume a letter case), so the
// map compares names ASCII-case-insensitively: headers.find("x-slack-signature") finds
// "X-Slack-Signature". One value per name; the HTTP server joins or picks repeated headers.
// Value type; thread-compatible.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <string_view>

namespace faqbot::slack {

// Orders strings by their ASCII-lower-cased bytes. Transparent, so lookups take string_view.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](char x, char y) { return Lower(x) < Lower(y); });
  }
  static char Lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
};

using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

// The value of header `name`, or an empty view when absent. The view lives as long as `headers`.
inline std::string_view HeaderValue(const Headers& headers, std::string_view name) {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace faqbot::slack
