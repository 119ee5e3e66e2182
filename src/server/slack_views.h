// Slack views of the assistant's Home and topic form: a HomeView becomes a Home tab
// ({"type":"home"}) of at most 100 blocks, a TopicForm a modal whose inputs carry the form's
// field names (block_id and action_id = kField*), and a submitted modal's values come back as
// the assistant's FormSubmission. Pure functions; thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "assistant/home_view.h"
#include "common/status.h"
#include "slack/slack_event.h"

namespace faqbot::server {

// {"type":"home","blocks":[…]}: each section's paragraphs, items (a section with its button, or
// a section and actions), buttons and small print, a divider between sections. Past
// kMaxBlocksPerView blocks, the last kept block says how many were left out (HomeTab pages its
// lists so that does not happen). Errors: InvalidArgument from ValidateBlocks (an identifier or
// value over its limit).
Result<nlohmann::json> RenderHome(const assistant::HomeView& view);

// The modal adding or editing a topic: callback_id kTopicFormId, private_metadata
// TopicFormMetadata(form), inputs question, phrasings (one a line, optional) and answer,
// pre-filled with the form's texts (each shortened to kMaxFormInputChars).
nlohmann::json RenderTopicForm(const assistant::TopicForm& form);

// The assistant's view of a submitted modal: values keyed by field name (the block_id of
// Slack's "block_id.action_id" key).
assistant::FormSubmission FormOfViewSubmission(const slack::ViewSubmission& submission);

// The ack of a submitted topic form that cannot be saved, showing each error under its input:
// {"response_action":"errors","errors":{field: message}}; nullopt when it can be saved or is
// no topic form. Pure and fast: runs inside Slack's 3-second ack.
std::optional<nlohmann::json> TopicFormErrorsAck(const slack::ViewSubmission& submission);

}  // namespace faqbot::server
