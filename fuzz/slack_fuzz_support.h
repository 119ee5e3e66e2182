// Shared by the Slack parser fuzz targets.
#pragma once

#include "common/status.h"

namespace faqbot::fuzz {

// The only errors a parser may report for bad input (event_parser.h): malformed input, or a
// body over the size limit. Anything else means a parser bug.
inline bool IsParseError(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument ||
         status.code() == StatusCode::kResourceExhausted;
}

}  // namespace faqbot::fuzz
