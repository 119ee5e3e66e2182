// WorkspaceIndex: which owners of a workspace might know the answer to a question, found in
// microseconds among every live topic of the workspace (10,000 owners × 20 topics), so that only
// those few owners' models score it (workspace_ask.h decides from their answers).
//
// An inverted index per workspace from the terms of every live topic's question and phrasings
// (nlu::Analyze: stems, canonical forms, no function words) to the topics holding them. A
// question's terms, and their close lexicon relatives (synonyms and derivations of frequent
// senses, at half weight), score each topic by the share of the question's weight (inverse
// document frequency within the workspace) it covers; an owner scores as their best topic.
// It is a candidate generator: recall matters, the owners' models decide. It also keeps each
// topic's question and phrasings (not the answer) for that decision (workspace_ask.h).
//
// Kept in step with publications: Update replaces an owner's live topics (a newer version only),
// Remove drops them. Thread-safe: many Candidates calls run at once; updates take the workspace's
// lock briefly (analysis happens outside it).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "nlu/lexicon.h"
#include "store/store.h"
#include "store/store_types.h"

namespace faqbot::assistant {

struct OwnerCandidate {
  store::UserRef owner;
  // Share of the question's weight the owner's best topic covers, in (0, 1].
  float score = 0.0f;
  int64_t topic_id = 0;  // that topic
};

struct WorkspaceIndexStats {
  size_t owners = 0;
  size_t topics = 0;
  size_t terms = 0;
  size_t postings = 0;
};

class WorkspaceIndex {
 public:
  explicit WorkspaceIndex(std::shared_ptr<const nlu::Lexicon> lexicon);
  ~WorkspaceIndex();
  WorkspaceIndex(const WorkspaceIndex&) = delete;
  WorkspaceIndex& operator=(const WorkspaceIndex&) = delete;

  // Makes `topics` the owner's live topics at publication `version`. Ignored when the index
  // already holds a newer version of the owner. An empty set removes the owner.
  void Update(const store::UserRef& owner, int64_t version,
              const std::vector<store::PublishedTopic>& topics);
  void Remove(const store::UserRef& owner);

  // The owners of `team_id` whose topics best cover `question`, best first, at most `limit`,
  // each scoring at least `min_score`. Ties keep a stable order (owner id).
  std::vector<OwnerCandidate> Candidates(const std::string& team_id, std::string_view question,
                                         size_t limit, float min_score) const;

  // The owner's live topics among `topic_ids` (question and phrasings; no answer), in that
  // order; ids the index does not hold are skipped.
  std::vector<store::PublishedTopic> Topics(const store::UserRef& owner,
                                            const std::vector<int64_t>& topic_ids) const;

  // The version of the owner's topics the index holds; 0 when none.
  int64_t version(const store::UserRef& owner) const;
  WorkspaceIndexStats stats(const std::string& team_id) const;

 private:
  struct Team;
  Team* FindTeam(const std::string& team_id) const;
  Team& GetTeam(const std::string& team_id);

  std::shared_ptr<const nlu::Lexicon> lexicon_;
  mutable std::mutex teams_mu_;  // guards the map only; each Team has its own lock
  std::unordered_map<std::string, std::unique_ptr<Team>> teams_;
};

// Keeps `index` in step with `store`: subscribes to publications (each one read back and
// applied; a resynchronisation reloads everything), then loads every live publication. Both must
// outlive the subscription (the Store's lifetime). Errors: the Store's.
Status FollowPublications(store::Store& store, WorkspaceIndex& index);

}  // namespace faqbot::assistant
