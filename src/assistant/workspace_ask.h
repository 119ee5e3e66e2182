// Asking the whole workspace: given a question and the few owners whose topics are nearest
// (WorkspaceIndex), decide between one answer, a choice between near-equals, suggesting owners to
// ask, and nothing — never guessing between owners.
//
// Each owner's bot is calibrated for questions meant for it; a question asked of everyone is
// out of scope for all bots but one, so their confidences are not comparable (measured: taking
// the most confident bot answers wrongly three times as often as asking the right owner). The
// decision is therefore made by one model trained, per question, on the candidates' nearest
// topics together (their bots' top guesses): the owners' topics compete in one calibrated
// ranking, as if one bot had them all. Its answer counts when it is at least `min_confidence`
// sure. When it is not, near-equal confident answers of several owners' own bots are shown side
// by side; else the owners with the nearest topics are suggested.
//
// The same code runs in `faqbot serve` and in bench/workspace_ask_bench.cc, which chose the
// options on the validation splits (docs/assistant.md, "Asking everyone"). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "assistant/workspace_index.h"
#include "nlu/lexicon.h"
#include "nlu/matcher_options.h"
#include "nlu/model.h"
#include "store/store_types.h"

namespace faqbot::assistant {

// The engine's settings for the joint model: its topics were picked for being near the question,
// so the engine's lower floors for bots of few topics (an unrelated question has fewer chances
// to land near one of them), of many (far-apart topics) and of few phrasings per topic (a head
// less sure of the right topic) do not hold for it; all three are off. Nor does it learn its
// centre from held-out mistakes: it is trained for each question, on a handful of topics.
nlu::MatcherOptions JointMatcherOptions();

struct WorkspaceAskOptions {
  // Owners whose bots score a question (the index's best).
  size_t candidates = 5;
  // Least share of a question's words an owner's topics must cover to be a candidate.
  float min_index_score = 0.2f;
  // Topics of each candidate (its bot's best guesses) that enter the joint model.
  size_t topics_per_candidate = 3;
  // The joint model's answer counts from this confidence (stricter than a direct ask: the
  // question was not meant for any one bot).
  float min_confidence = 0.85f;
  // When the joint model is not sure: owners' own bots that answer at least this surely, and
  // within tie_margin of the best of them, are shown side by side — if there are several.
  float min_choice_confidence = 0.9f;
  float tie_margin = 0.1f;
  // At most this many answers, or owners suggested.
  size_t max_shown = 3;
  // An owner is suggested ("Ask @X") when their topics cover at least this share of the words.
  float min_suggest_score = 0.34f;
  // The joint model's settings (JointMatcherOptions()).
  nlu::MatcherOptions joint_matcher = JointMatcherOptions();
};

// One candidate owner, as the caller gathered it.
struct CandidateBot {
  store::UserRef owner;
  float index_score = 0.0f;              // WorkspaceIndex's score
  nlu::Prediction prediction;            // the owner's bot on the question (ranking of topic intents)
  std::vector<store::PublishedTopic> nearest;  // its best-guess topics, with their texts
};

struct WorkspacePick {
  store::UserRef owner;
  int64_t topic_id = 0;
  float confidence = 0.0f;
};

struct WorkspaceDecision {
  enum class Kind {
    kAnswer,   // one confident answer: `picks[0]`
    kChoose,   // near-equal confident answers from several owners: `picks` (2..max_shown)
    kSuggest,  // nobody confident; `picks` are the owners whose topics are nearest
    kNothing,  // nothing near
  };
  Kind kind = Kind::kNothing;
  std::vector<WorkspacePick> picks;
};

// The owner's live model; nullptr when none can be had (nothing published, load failure).
using ModelLookup =
    std::function<std::shared_ptr<const nlu::Model>(const store::UserRef& owner)>;

// The candidates for `question` in workspace `team_id`: the index's nearest owners, each with its
// bot's prediction and its best-guess topics' texts. Owners without a model are left out.
std::vector<CandidateBot> GatherCandidates(const WorkspaceIndex& index, const std::string& team_id,
                                           std::string_view question, const ModelLookup& model_of,
                                           const WorkspaceAskOptions& options = {});

// Decides from the candidates (their bots' intents are topic intents, training_queue.h).
WorkspaceDecision DecideAcrossBots(std::string_view question,
                                   const std::vector<CandidateBot>& candidates,
                                   const std::shared_ptr<const nlu::Lexicon>& lexicon,
                                   const WorkspaceAskOptions& options = {});

}  // namespace faqbot::assistant
