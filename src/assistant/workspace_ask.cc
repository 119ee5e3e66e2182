#include "assistant/workspace_ask.h"

#include <algorithm>
#include <string>

#include "assistant/training_queue.h"
#include "nlu/training_data.h"

namespace faqbot::assistant {
namespace {

// The joint model's intent of candidate `c`'s topic `topic_id`, and back.
std::string JointIntent(size_t c, int64_t topic_id) {
  return std::to_string(c) + "_" + std::to_string(topic_id);
}

bool ParseJointIntent(const std::string& name, size_t& c, int64_t& topic_id) {
  const size_t bar = name.find('_');
  if (bar == std::string::npos) return false;
  try {
    c = std::stoul(name.substr(0, bar));
    topic_id = std::stoll(name.substr(bar + 1));
  } catch (...) {
    return false;
  }
  return true;
}

}  // namespace

std::vector<CandidateBot> GatherCandidates(const WorkspaceIndex& index, const std::string& team_id,
                                           std::string_view question, const ModelLookup& model_of,
                                           const WorkspaceAskOptions& options) {
  std::vector<CandidateBot> out;
  for (auto& c : index.Candidates(team_id, question, options.candidates,
                                  options.min_index_score)) {
    std::shared_ptr<const nlu::Model> model = model_of(c.owner);
    if (!model) continue;
    CandidateBot bot;
    bot.owner = std::move(c.owner);
    bot.index_score = c.score;
    bot.prediction = model->Predict(question, options.topics_per_candidate);
    std::vector<int64_t> ids;
    for (const auto& r : bot.prediction.ranking) {
      if (auto id = TopicIdOfIntent(r.name)) ids.push_back(*id);
    }
    bot.nearest = index.Topics(bot.owner, ids);
    out.push_back(std::move(bot));
  }
  return out;
}

nlu::MatcherOptions JointMatcherOptions() {
  nlu::MatcherOptions o;
  o.calibration_floor_size_gain = 0.0f;
  o.calibration_head_floor_large_gain = 0.0f;
  o.calibration_head_floor_few_gain = 0.0f;
  o.calibration_cv_holdout = 0.0f;
  return o;
}

WorkspaceDecision DecideAcrossBots(std::string_view question,
                                   const std::vector<CandidateBot>& candidates,
                                   const std::shared_ptr<const nlu::Lexicon>& lexicon,
                                   const WorkspaceAskOptions& options) {
  WorkspaceDecision decision;
  // One ranking over every candidate's nearest topics.
  nlu::TrainingData joint;
  for (size_t c = 0; c < candidates.size(); ++c) {
    for (const auto& t : candidates[c].nearest) {
      nlu::Intent intent;
      intent.name = JointIntent(c, t.topic_id);
      intent.examples.push_back(t.content.question);
      intent.examples.insert(intent.examples.end(), t.content.phrasings.begin(),
                             t.content.phrasings.end());
      joint.intents.push_back(std::move(intent));
    }
  }
  std::vector<nlu::RankedIntent> joint_ranking;
  if (!joint.intents.empty()) {
    auto model = nlu::Model::Train(joint, lexicon, options.joint_matcher);
    if (model.ok()) {
      const nlu::Prediction p = (*model)->Predict(question, joint.intents.size());
      joint_ranking = p.ranking;
      size_t c = 0;
      int64_t topic_id = 0;
      // Another owner's topic as close as the best is a near-equal, never a silent choice.
      bool rival = false;
      for (size_t i = 1; i < p.ranking.size(); ++i) {
        size_t other = 0;
        int64_t other_topic = 0;
        if (p.ranking[0].confidence - p.ranking[i].confidence > options.tie_margin) break;
        if (ParseJointIntent(p.ranking[i].name, other, other_topic) &&
            ParseJointIntent(p.ranking[0].name, c, topic_id) && other < candidates.size() &&
            c < candidates.size() && !(candidates[other].owner == candidates[c].owner)) {
          rival = true;
        }
      }
      // And the owner's own bot, asked directly, would give that answer too.
      const auto own_answer = [&](size_t i, int64_t id) {
        const nlu::Prediction& own = candidates[i].prediction;
        return !own.declined() && TopicIdOfIntent(own.intent) == id;
      };
      if (!rival && !p.declined() && p.confidence >= options.min_confidence &&
          ParseJointIntent(p.intent, c, topic_id) && c < candidates.size() &&
          own_answer(c, topic_id)) {
        decision.kind = WorkspaceDecision::Kind::kAnswer;
        decision.picks.push_back({candidates[c].owner, topic_id, p.confidence});
        return decision;
      }
    }
  }

  // The joint model is torn between the top topics of several owners, each of whose own bots is
  // sure of it: near-equals, shown side by side.
  for (const auto& r : joint_ranking) {
    if (decision.picks.size() >= options.max_shown) break;
    if (joint_ranking[0].confidence - r.confidence > options.tie_margin) break;
    size_t c = 0;
    int64_t topic_id = 0;
    if (!ParseJointIntent(r.name, c, topic_id) || c >= candidates.size()) continue;
    const nlu::Prediction& own = candidates[c].prediction;
    if (own.declined() || own.confidence < options.min_choice_confidence ||
        TopicIdOfIntent(own.intent) != topic_id) {
      continue;
    }
    bool seen = false;
    for (const auto& p : decision.picks) seen = seen || p.owner == candidates[c].owner;
    if (!seen) decision.picks.push_back({candidates[c].owner, topic_id, own.confidence});
  }
  if (decision.picks.size() >= 2) {
    decision.kind = WorkspaceDecision::Kind::kChoose;
    return decision;
  }
  decision.picks.clear();

  // Nobody is sure: the owners of the nearest topics, in the joint ranking's order.
  std::vector<bool> taken(candidates.size(), false);
  const auto suggest = [&](size_t c, int64_t topic_id, float confidence) {
    if (c >= candidates.size() || taken[c] || decision.picks.size() >= options.max_shown) return;
    if (candidates[c].index_score < options.min_suggest_score) return;
    taken[c] = true;
    decision.picks.push_back({candidates[c].owner, topic_id, confidence});
  };
  for (const auto& r : joint_ranking) {
    size_t c = 0;
    int64_t topic_id = 0;
    if (ParseJointIntent(r.name, c, topic_id)) suggest(c, topic_id, r.confidence);
  }
  for (size_t c = 0; c < candidates.size(); ++c) suggest(c, 0, 0.0f);
  decision.kind = decision.picks.empty() ? WorkspaceDecision::Kind::kNothing
                                         : WorkspaceDecision::Kind::kSuggest;
  return decision;
}

}  // namespace faqbot::assistant
