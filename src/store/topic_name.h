// Topic names: the intent name a topic shows to clients (Rasa NLU export, /model/parse, the
// console). Names are unique among one owner's topics; an imported intent keeps its own, and a
// topic taught without one gets one made from its question ("What is the wifi password?" →
// "wifi_password"). Pure functions; thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/status.h"

namespace faqbot::store {

// Longest topic name, in bytes.
inline constexpr size_t kMaxTopicNameBytes = 100;

// InvalidArgument unless `name` is 1–kMaxTopicNameBytes bytes of valid UTF-8 without control
// characters (line breaks, tabs) and without blanks at either end.
Status ValidateTopicName(std::string_view name);

// A name made from `question`: its words of letters and digits, lower-cased, joined by "_",
// question words ("what", "is", "the", …) left out, at most five words and 40 bytes; "topic"
// when nothing is left. Latin letters lose their accents ("¿Dónde está?" → "donde_esta");
// other scripts are kept as written ("漢字"). Always valid.
std::string TopicNameFromQuestion(std::string_view question);

// `base` when no name in `taken` has it, else `base_2`, `base_3`, … (cut so the result stays
// within kMaxTopicNameBytes). `base` must be valid.
std::string UniqueTopicName(const std::string& base, const std::set<std::string>& taken);

}  // namespace faqbot::store
