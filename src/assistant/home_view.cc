#include "assistant/home_view.h"

#include <sstream>

#include "assistant/assistant_internal.h"
#include "common/string_util.h"
#include "store/limits.h"

namespace faqbot::assistant {

std::string TopicFormMetadata(const TopicForm& form) {
  return form.topic_id > 0 ? std::to_string(form.topic_id) : "";
}

Result<TopicForm> ParseTopicForm(const FormSubmission& submission) {
  TopicForm form;
  if (!submission.metadata.empty()) {
    const std::optional<int64_t> id = ParseId(submission.metadata);
    if (!id) return InvalidArgumentError("the form names no topic: " + submission.metadata);
    form.topic_id = *id;
  }
  const auto field = [&](const char* name) {
    auto it = submission.fields.find(name);
    return it == submission.fields.end() ? std::string() : it->second;
  };
  form.question = Trim(field(kFieldQuestion));
  form.answer = Trim(field(kFieldAnswer));
  std::istringstream lines(field(kFieldPhrasings));
  for (std::string line; std::getline(lines, line);) {
    line = Trim(line);
    if (!line.empty()) form.phrasings.push_back(std::move(line));
  }
  return form;
}

std::map<std::string, std::string> ValidateTopicForm(const TopicForm& form) {
  std::map<std::string, std::string> errors;
  if (form.question.empty()) {
    errors[kFieldQuestion] = "Write the question people ask.";
  } else if (form.question.size() > store::kMaxQuestionBytes) {
    errors[kFieldQuestion] =
        "A question takes at most " + std::to_string(store::kMaxQuestionBytes) + " bytes.";
  }
  if (form.answer.empty()) {
    errors[kFieldAnswer] = "Write the answer your bot gives.";
  } else if (form.answer.size() > store::kMaxAnswerBytes) {
    errors[kFieldAnswer] =
        "An answer takes at most " + std::to_string(store::kMaxAnswerBytes) + " bytes.";
  }
  if (form.phrasings.size() > store::kMaxPhrasings) {
    errors[kFieldPhrasings] =
        "A topic takes at most " + std::to_string(store::kMaxPhrasings) + " other phrasings.";
  }
  for (const auto& p : form.phrasings) {
    if (p.size() > store::kMaxQuestionBytes) {
      errors[kFieldPhrasings] = "A phrasing takes at most " +
                                std::to_string(store::kMaxQuestionBytes) +
                                " bytes, like a question.";
    }
  }
  return errors;
}

}  // namespace faqbot::assistant
