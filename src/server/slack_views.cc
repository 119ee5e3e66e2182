#include "server/slack_views.h"

#include <iterator>

#include "common/utf8.h"
#include "server/slack_messenger.h"
#include "slack/block_kit.h"

namespace faqbot::server {
namespace {

using nlohmann::json;

// The blocks of one section of the Home.
std::vector<json> SectionBlocks(const assistant::Reply& section) {
  std::vector<json> blocks;
  std::string text;
  for (const auto& p : section.paragraphs) text += (text.empty() ? "" : "\n") + Mrkdwn(p);
  if (!text.empty()) blocks.push_back(slack::SectionBlock(text));
  for (const auto& item : section.items) {
    for (auto& block : slack::ListItemBlocks({Mrkdwn(item.text), SlackButtons(item.buttons)})) {
      blocks.push_back(std::move(block));
    }
  }
  if (!section.buttons.empty())
    blocks.push_back(slack::ActionsBlock(SlackButtons(section.buttons)));
  if (!section.context.empty()) {
    std::vector<std::string> lines;
    for (const auto& p : section.context) lines.push_back(Mrkdwn(p));
    blocks.push_back(slack::ContextBlock(lines));
  }
  return blocks;
}

json TextInput(const char* field, const char* label, const std::string& value, bool multiline,
               bool optional, const std::string& hint) {
  json element = {{"type", "plain_text_input"},
                  {"action_id", field},
                  {"multiline", multiline},
                  {"max_length", assistant::kMaxFormInputChars}};
  // A text longer than the input takes is left out rather than cut (assistant::EditForm keeps
  // such texts out of the form and says so).
  if (!value.empty() && Utf16Length(value) <= assistant::kMaxFormInputChars) {
    element["initial_value"] = value;
  }
  json block = {{"type", "input"},
                {"block_id", field},
                {"label", slack::PlainText(label)},
                {"optional", optional},
                {"element", std::move(element)}};
  if (!hint.empty()) block["hint"] = slack::PlainText(hint);
  return block;
}

}  // namespace

Result<json> RenderHome(const assistant::HomeView& view) {
  std::vector<json> blocks;
  for (const auto& section : view.sections) {
    if (!blocks.empty()) blocks.push_back(slack::DividerBlock());
    auto more = SectionBlocks(section);
    blocks.insert(blocks.end(), std::make_move_iterator(more.begin()),
                  std::make_move_iterator(more.end()));
  }
  if (blocks.size() > slack::kMaxBlocksPerView) {
    const size_t left_out = blocks.size() - (slack::kMaxBlocksPerView - 1);
    blocks.resize(slack::kMaxBlocksPerView - 1);
    blocks.push_back(
        slack::ContextBlock({"_" + std::to_string(left_out) + " more blocks are not shown here_"}));
  }
  json out = {{"type", "home"}, {"blocks", blocks}};
  FAQBOT_RETURN_IF_ERROR(slack::ValidateBlocks(out["blocks"], slack::kMaxBlocksPerView));
  return out;
}

json RenderTopicForm(const assistant::TopicForm& form) {
  std::string phrasings;
  for (const auto& p : form.phrasings) phrasings += (phrasings.empty() ? "" : "\n") + p;
  constexpr const char* kTooLong = "Too long to show here: leave this empty to keep the ";
  const std::string question_hint = form.question_kept
                                        ? kTooLong + std::string("question as it is.")
                                        : "What people ask, in their words.";
  std::string phrasings_hint = "Other ways people ask it, one a line.";
  if (form.phrasings_kept > 0) {
    phrasings_hint += " " + std::to_string(form.phrasings_kept) +
                      (form.phrasings_kept == 1 ? " more is" : " more are") +
                      " not shown here and stay as they are.";
  }
  const std::string answer_hint =
      form.answer_kept ? kTooLong + std::string("answer as it is.") : std::string();
  return {{"type", "modal"},
          {"callback_id", assistant::kTopicFormId},
          {"private_metadata", assistant::TopicFormMetadata(form)},
          {"title", slack::PlainText(form.topic_id > 0 ? "Edit the topic" : "Add a topic")},
          {"submit", slack::PlainText("Save")},
          {"close", slack::PlainText("Cancel")},
          {"blocks",
           {TextInput(assistant::kFieldQuestion, "Question", form.question, false,
                      form.question_kept, question_hint),
            TextInput(assistant::kFieldPhrasings, "Other phrasings", phrasings, true, true,
                      phrasings_hint),
            TextInput(assistant::kFieldAnswer, "Answer", form.answer, true, form.answer_kept,
                      answer_hint)}}};
}

assistant::FormSubmission FormOfViewSubmission(const slack::ViewSubmission& submission) {
  assistant::FormSubmission form;
  form.from = {submission.team_id, submission.user};
  form.form_id = submission.callback_id;
  form.metadata = submission.private_metadata;
  for (const auto& [key, value] : submission.values) {
    form.fields[key.substr(0, key.find('.'))] = value;
  }
  return form;
}

std::optional<json> TopicFormErrorsAck(const slack::ViewSubmission& submission) {
  if (submission.callback_id != assistant::kTopicFormId) return std::nullopt;
  auto form = assistant::ParseTopicForm(FormOfViewSubmission(submission));
  if (!form.ok()) return std::nullopt;  // not ours to fix: the handler logs it
  const auto errors = assistant::ValidateTopicForm(*form);
  if (errors.empty()) return std::nullopt;
  return json{{"response_action", "errors"}, {"errors", errors}};
}

}  // namespace faqbot::server
