#include "assistant/dialogue_state.h"

#include <array>
#include <nlohmann/json.hpp>

namespace faqbot::assistant {
namespace {
// Stored in the database: append new names, never reorder.
constexpr std::array<const char*, 15> kStepNames = {"idle",
                                                    "await_question",
                                                    "await_answer",
                                                    "await_phrasing",
                                                    "await_new_answer",
                                                    "confirm_delete",
                                                    "confirm_delete_all",
                                                    "confirm_publish",
                                                    "await_new_question",
                                                    "confirm_similar",
                                                    "await_new_name",
                                                    "confirm_answer",
                                                    "offer_more",
                                                    "confirm_new_topic",
                                                    "showing_topic"};
}  // namespace

std::string DialogueState::Serialize() const {
  nlohmann::json j;
  j["step"] = kStepNames[static_cast<size_t>(step)];
  if (!question.empty()) j["question"] = question;
  if (topic_id != 0) j["topic_id"] = topic_id;
  if (handoff_id != 0) j["handoff_id"] = handoff_id;
  if (!message_ts.empty()) {
    j["message_channel"] = message_channel;
    j["message_ts"] = message_ts;
    if (message_is_list) j["message_is_list"] = true;
  }
  if (!undo.empty()) {
    j["undo"] = undo;
    j["undo_at"] = undo_at;
  }
  // Replace invalid UTF-8 rather than throw: the state must always be writable.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<DialogueState> DialogueState::Parse(const std::string& text) {
  DialogueState state;
  if (text.empty()) return state;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    const std::string step = j.at("step").get<std::string>();
    bool known = false;
    for (size_t i = 0; i < kStepNames.size(); ++i) {
      if (step == kStepNames[i]) {
        state.step = static_cast<Step>(i);
        known = true;
      }
    }
    if (!known) return DataLossError("unknown dialogue step '" + step + "'");
    state.question = j.value("question", "");
    state.topic_id = j.value("topic_id", int64_t{0});
    state.handoff_id = j.value("handoff_id", int64_t{0});
    state.message_channel = j.value("message_channel", "");
    state.message_ts = j.value("message_ts", "");
    state.message_is_list = j.value("message_is_list", false);
    state.undo = j.value("undo", "");
    state.undo_at = j.value("undo_at", int64_t{0});
  } catch (const std::exception& e) {
    return DataLossError(std::string("unreadable dialogue state: ") + e.what());
  }
  return state;
}

}  // namespace faqbot::assistant
