// Rasa's /model/parse answer for one prediction, written as JSON text: what `faqbot nlu parse`
// prints per line and what an HTTP /model/parse endpoint serves.
//
//   {"entities":[],"intent":{"confidence":0.93,"name":"wifi"},
//    "intent_ranking":[{"confidence":0.93,"name":"wifi"},…],"text":"how do I get on the wifi"}
//
// The bytes are exactly those nlohmann::json::dump() gives for the same object (compact, keys in
// sorted order, ensure_ascii off, invalid UTF-8 replaced by U+FFFD the way its `replace` error
// handler does, confidences as the double nearest the float, non-finite ones as null), written
// directly instead of building a JSON tree: it is the hot path of `nlu parse`.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "nlu/model.h"

namespace faqbot::nlu {

// Appends the answer for `prediction` of the query `text` to `out`. `intent_ranking` lists the
// fallback intent first when the model declined, then `prediction.ranking`, up to `ranking`
// entries in all (the fallback entry is listed even when `ranking` is 0).
void AppendRasaJson(std::string_view text, const Prediction& prediction, size_t ranking,
                    std::string& out);

// The same, as a new string.
std::string RasaJson(std::string_view text, const Prediction& prediction, size_t ranking);

// Appends `s` as a JSON string literal (quotes included), escaped as described above.
void AppendJsonString(std::string_view s, std::string& out);

}  // namespace faqbot::nlu
