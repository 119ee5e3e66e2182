// English function words: they carry little meaning on their own, so the matcher gives them a
// small weight (not zero: "how" and "why" still tell questions apart). Thread-safe.
#pragma once

#include <string_view>

namespace faqbot::nlu {

// True for a lower-case function word ("the", "my", "is", "please").
bool IsStopWord(std::string_view word);

}  // namespace faqbot::nlu
