// What the Home tab and the topic form show, independent of Slack: a Messenger renders a
// HomeView as the person's App Home (Block Kit, within Slack's 100 blocks) and a TopicForm as a
// modal whose inputs come back as a FormSubmission. The assistant never writes Slack syntax.
//
// A form's inputs are named by the kField* constants (Slack: block_id and action_id); a
// submission maps each name to what the person typed. ValidateTopicForm is pure and fast, so the
// server can also run it inside Slack's 3-second ack to show errors in the modal itself.
// Value types and pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "assistant/reply.h"
#include "common/status.h"
#include "store/store_types.h"

namespace faqbot::assistant {

// Buttons of the Home tab (Button::action).
inline constexpr const char* kActionHomeAddTopic = "home_add_topic";    // opens an empty form
inline constexpr const char* kActionHomeEditTopic = "home_edit_topic";  // value: topic id
inline constexpr const char* kActionHomePublish = "home_publish";
inline constexpr const char* kActionHomePage = "home_page";  // value: 0-based page of topics
// In the DM after a topic added from the Home looks like a live one: value "<new id>:<live id>"
// (merge: the new topic's question and phrasings become the live topic's phrasings) or
// "<new id>" (keep).
inline constexpr const char* kActionHomeMergeTopic = "home_merge_topic";
inline constexpr const char* kActionHomeKeepTopic = "home_keep_topic";
// Handled by the web console (a one-time link in the DM); the Home only shows the button.
inline constexpr const char* kActionOpenConsole = "open_console";

// The topic form: its id (Slack: callback_id) and its inputs.
inline constexpr const char* kTopicFormId = "topic_form";
inline constexpr const char* kFieldQuestion = "question";
inline constexpr const char* kFieldPhrasings = "phrasings";  // one a line
inline constexpr const char* kFieldAnswer = "answer";
// The longest text one input takes (Slack's plain_text_input max_length), in UTF-16 code units
// (Utf16Length).
inline constexpr size_t kMaxFormInputChars = 3000;

// A person's Home: sections shown one under the other, separated. Each section is a Reply:
// paragraphs, then its items (one line with its buttons each), then its buttons, then its small
// print.
struct HomeView {
  std::vector<Reply> sections;
};

// The form adding (topic_id 0) or editing a topic.
struct TopicForm {
  int64_t topic_id = 0;
  std::string question;
  std::vector<std::string> phrasings;
  std::string answer;
  // What an edit form could not show, because it is longer than an input takes, and keeps as it
  // is: the question or the answer when its input is left empty; the stored phrasings from
  // index `phrasings_shown` on (those after the phrasings shown), whatever is typed.
  bool question_kept = false;
  bool answer_kept = false;
  std::optional<size_t> phrasings_shown = std::nullopt;
  size_t phrasings_kept = 0;  // how many were not shown (for the input's hint)
};

// The form editing `topic`: each text that fits in its input, whole phrasings only; what does
// not fit is kept (above), never cut.
TopicForm EditForm(const store::Topic& topic);

// `form` (a submitted edit) with what its form kept put back from `stored`, the topic as it is
// now: the question and answer when left empty, the phrasings that were not shown.
TopicForm WithKeptTexts(TopicForm form, const store::TopicContent& stored);

// A submitted form, as the assistant sees it.
struct FormSubmission {
  store::UserRef from;
  std::string form_id;                        // kTopicFormId
  std::string metadata;                       // what the form carried (TopicFormMetadata)
  std::map<std::string, std::string> fields;  // kField* → the text typed ("" when left empty)
};

// What a TopicForm carries through the chat service to identify its topic and what it kept:
// "" (new), "12", "12 keep-question keep-answer phrasings-shown=56".
std::string TopicFormMetadata(const TopicForm& form);

// The form a submission describes: trimmed question and answer, phrasings one a line, trimmed,
// blank lines dropped. InvalidArgument when the metadata is not a topic id.
Result<TopicForm> ParseTopicForm(const FormSubmission& submission);

// Field → what is wrong with it, fit to show under the input; empty when the form can be saved.
// Checks what needs no database: a question, an answer, the lengths of store/limits.h and of an
// input, at most kMaxPhrasings phrasings.
std::map<std::string, std::string> ValidateTopicForm(const TopicForm& form);

}  // namespace faqbot::assistant
