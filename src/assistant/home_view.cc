#include "assistant/home_view.h"

#include <algorithm>
#include <sstream>

#include "assistant/assistant_internal.h"
#include "common/string_util.h"
#include "common/utf8.h"
#include "store/limits.h"

namespace faqbot::assistant {

namespace {
constexpr std::string_view kKeepQuestion = "keep-question";
constexpr std::string_view kKeepAnswer = "keep-answer";
constexpr std::string_view kPhrasingsShown = "phrasings-shown=";
}  // namespace

TopicForm EditForm(const store::Topic& topic) {
  TopicForm form;
  form.topic_id = topic.id;
  form.question = topic.content.question;
  form.answer = topic.content.answer;
  if (Utf16Length(form.question) > kMaxFormInputChars) {
    form.question.clear();
    form.question_kept = true;
  }
  if (Utf16Length(form.answer) > kMaxFormInputChars) {
    form.answer.clear();
    form.answer_kept = true;
  }
  size_t length = 0;  // of the phrasings shown, one a line
  for (const auto& p : topic.content.phrasings) {
    const size_t more = Utf16Length(p) + (form.phrasings.empty() ? 0 : 1);
    if (length + more > kMaxFormInputChars) break;
    length += more;
    form.phrasings.push_back(p);
  }
  if (form.phrasings.size() < topic.content.phrasings.size()) {
    form.phrasings_shown = form.phrasings.size();
    form.phrasings_kept = topic.content.phrasings.size() - form.phrasings.size();
  }
  return form;
}

TopicForm WithKeptTexts(TopicForm form, const store::TopicContent& stored) {
  if (form.question_kept && form.question.empty()) form.question = stored.question;
  if (form.answer_kept && form.answer.empty()) form.answer = stored.answer;
  if (form.phrasings_shown) {
    for (size_t i = *form.phrasings_shown; i < stored.phrasings.size(); ++i) {
      const std::string& kept = stored.phrasings[i];
      if (std::find(form.phrasings.begin(), form.phrasings.end(), kept) == form.phrasings.end()) {
        form.phrasings.push_back(kept);
      }
    }
  }
  form.question_kept = form.answer_kept = false;
  form.phrasings_shown.reset();
  form.phrasings_kept = 0;
  return form;
}

std::string TopicFormMetadata(const TopicForm& form) {
  if (form.topic_id <= 0) return "";
  std::string out = std::to_string(form.topic_id);
  if (form.question_kept) out += " " + std::string(kKeepQuestion);
  if (form.answer_kept) out += " " + std::string(kKeepAnswer);
  if (form.phrasings_shown) {
    out += " " + std::string(kPhrasingsShown) + std::to_string(*form.phrasings_shown);
  }
  return out;
}

Result<TopicForm> ParseTopicForm(const FormSubmission& submission) {
  TopicForm form;
  if (!submission.metadata.empty()) {
    std::istringstream words(submission.metadata);
    std::string word;
    words >> word;
    const std::optional<int64_t> id = ParseId(word);
    if (!id) return InvalidArgumentError("the form names no topic: " + submission.metadata);
    form.topic_id = *id;
    while (words >> word) {
      if (word == kKeepQuestion) {
        form.question_kept = true;
      } else if (word == kKeepAnswer) {
        form.answer_kept = true;
      } else if (word.rfind(kPhrasingsShown, 0) == 0) {
        const std::string n = word.substr(kPhrasingsShown.size());
        const std::optional<int64_t> shown = n == "0" ? 0 : ParseId(n);
        if (!shown) return InvalidArgumentError("the form's metadata is unreadable: " + word);
        form.phrasings_shown = static_cast<size_t>(*shown);
      } else {
        return InvalidArgumentError("the form's metadata is unreadable: " + word);
      }
    }
  }
  const auto field = [&](const char* name) {
    auto it = submission.fields.find(name);
    return it == submission.fields.end() ? std::string() : it->second;
  };
  form.question = TrimText(field(kFieldQuestion));
  form.answer = TrimText(field(kFieldAnswer));
  std::istringstream lines(field(kFieldPhrasings));
  for (std::string line; std::getline(lines, line);) {
    line = TrimText(line);
    if (!line.empty()) form.phrasings.push_back(std::move(line));
  }
  return form;
}

std::map<std::string, std::string> ValidateTopicForm(const TopicForm& form) {
  std::map<std::string, std::string> errors;
  // As the DM refuses them: nothing in it can be matched to what people ask.
  const auto wordless = [](const std::string& text) {
    return nlu::Tokenize(nlu::NormalizeText(text)).empty();
  };
  constexpr const char* kNeedsWords =
      "Write some words: emoji or punctuation alone can't be matched to what people ask.";
  if (form.question.empty() && !form.question_kept) {
    errors[kFieldQuestion] = "Write the question people ask.";
  } else if (form.question.size() > store::kMaxQuestionBytes) {
    errors[kFieldQuestion] =
        "A question takes at most " + std::to_string(store::kMaxQuestionBytes) + " bytes.";
  } else if (!form.question.empty() && wordless(form.question)) {
    errors[kFieldQuestion] = kNeedsWords;
  }
  if (form.answer.empty() && !form.answer_kept) {
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
    } else if (wordless(p) && !errors.contains(kFieldPhrasings)) {
      errors[kFieldPhrasings] = "“" + p + "”: " + kNeedsWords;
    }
  }
  return errors;
}

}  // namespace faqbot::assistant
