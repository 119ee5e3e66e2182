#include "store/string_list_codec.h"

#include <charconv>

namespace faqbot::store {

std::string EncodeStringList(const std::vector<std::string>& items) {
  size_t size = 0;
  for (const auto& item : items) size += item.size() + 12;
  std::string out;
  out.reserve(size);
  for (const auto& item : items) {
    out += std::to_string(item.size());
    out += ':';
    out += item;
    out += ',';
  }
  return out;
}

Result<std::vector<std::string>> DecodeStringList(std::string_view encoded) {
  std::vector<std::string> items;
  size_t pos = 0;
  while (pos < encoded.size()) {
    const size_t colon = encoded.find(':', pos);
    if (colon == std::string_view::npos || colon == pos || colon - pos > 12) {
      return DataLossError("malformed string list: no length at byte " + std::to_string(pos));
    }
    size_t length = 0;
    auto [ptr, ec] = std::from_chars(encoded.data() + pos, encoded.data() + colon, length);
    if (ec != std::errc() || ptr != encoded.data() + colon) {
      return DataLossError("malformed string list: bad length at byte " + std::to_string(pos));
    }
    if (length >= encoded.size() - colon - 1 || encoded[colon + 1 + length] != ',') {
      return DataLossError("malformed string list: item at byte " + std::to_string(pos) +
                           " overruns the data");
    }
    items.emplace_back(encoded.substr(colon + 1, length));
    pos = colon + 2 + length;
  }
  return items;
}

}  // namespace faqbot::store
