// A list of byte strings in one column: each item as `<decimal length>:<bytes>,` (netstrings).
// Binary-safe, so phrasings and published topic snapshots keep their exact bytes on both engines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace faqbot::store {

std::string EncodeStringList(const std::vector<std::string>& items);
// DataLoss when `encoded` is not a well-formed list.
Result<std::vector<std::string>> DecodeStringList(std::string_view encoded);

}  // namespace faqbot::store
