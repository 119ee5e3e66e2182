#include "nlu/matcher_options.h"

#include <charconv>
#include <cstdio>
#include <utility>

namespace faqbot::nlu {
namespace {

// The one list of fields, used by Set, ToString and the model file.
template <typename F>
void ForEachField(MatcherOptions& o, F&& f) {
  f("split_ideographs", o.split_ideographs);
  f("stop_weight", o.stop_weight);
  f("max_idf", o.max_idf);
  f("min_idf", o.min_idf);
  f("local_idf_mix", o.local_idf_mix);
  f("synonym_sim", o.synonym_sim);
  f("derivation_sim", o.derivation_sim);
  f("hypernym_sim", o.hypernym_sim);
  f("hyponym_sim", o.hyponym_sim);
  f("similar_sim", o.similar_sim);
  f("other_sim", o.other_sim);
  f("sense_decay", o.sense_decay);
  f("typo_sim", o.typo_sim);
  f("typo_min_dice", o.typo_min_dice);
  f("vector_sim", o.vector_sim);
  f("vector_floor", o.vector_floor);
  f("recall_weight", o.recall_weight);
  f("sentence_mix", o.sentence_mix);
  f("conf_scale", o.conf_scale);
  f("conf_center", o.conf_center);
  f("margin_gain", o.margin_gain);
  f("size_gain", o.size_gain);
  f("size_reference", o.size_reference);
  f("calibration_probes", o.calibration_probes);
  f("calibration_budget", o.calibration_budget);
  f("calibration_offset", o.calibration_offset);
  f("calibration_floor", o.calibration_floor);
  f("calibration_head_offset", o.calibration_head_offset);
  f("calibration_head_floor", o.calibration_head_floor);
  f("calibration_floor_size_gain", o.calibration_floor_size_gain);
  f("calibration_head_floor_large_gain", o.calibration_head_floor_large_gain);
  f("calibration_head_floor_few_gain", o.calibration_head_floor_few_gain);
  f("calibration_head_floor_few_reference", o.calibration_head_floor_few_reference);
  f("calibration_max", o.calibration_max);
  f("calibration_cv_holdout", o.calibration_cv_holdout);
  f("calibration_cv_min_phrasings", o.calibration_cv_min_phrasings);
  f("calibration_cv_min_mistakes", o.calibration_cv_min_mistakes);
  f("calibration_cv_quantile", o.calibration_cv_quantile);
  f("calibration_cv_offset", o.calibration_cv_offset);
  f("head_min_examples", o.head_min_examples);
  f("head_min_topics", o.head_min_topics);
  f("head_mix", o.head_mix);
  f("head_epochs", o.head_epochs);
  f("head_max_steps", o.head_max_steps);
  f("head_rate", o.head_rate);
  f("head_l2", o.head_l2);
  f("head_idf", o.head_idf);
  f("threshold", o.threshold);
}

}  // namespace

Status MatcherOptions::Set(std::string_view assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) return InvalidArgumentError("expected name=value");
  const std::string_view name = assignment.substr(0, eq);
  const std::string value(assignment.substr(eq + 1));
  float parsed = 0;
  char* end = nullptr;
  parsed = std::strtof(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size()) {
    return InvalidArgumentError("not a number: " + value);
  }
  bool found = false;
  ForEachField(*this, [&](std::string_view field, float& slot) {
    if (field == name) {
      slot = parsed;
      found = true;
    }
  });
  if (!found) return InvalidArgumentError("unknown matcher option: " + std::string(name));
  return Status::Ok();
}

std::string MatcherOptions::ToString() const {
  std::string out;
  MatcherOptions copy = *this;
  ForEachField(copy, [&](std::string_view field, float& value) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(value));
    if (!out.empty()) out += ",";
    out.append(field).append("=").append(buf);
  });
  return out;
}

}  // namespace faqbot::nlu
