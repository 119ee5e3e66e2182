#include "assistant/workspace_index.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "common/logging.h"
#include "nlu/analyzer.h"

namespace faqbot::assistant {
namespace {

// A lexicon relative of a question's word counts this much of the word itself.
constexpr float kRelativeFactor = 0.5f;
// Relatives taken per word: synonyms and derivations of its two most frequent senses.
constexpr size_t kMaxRelatives = 8;
constexpr int kMaxRelativeSenseRank = 1;
// Words of a question considered (a question is short; this bounds a pasted essay).
constexpr size_t kMaxQuestionTerms = 64;
// Terms per topic kept (its question and phrasings together).
constexpr size_t kMaxTopicTerms = 512;
// A word held by this many topics (or 1 % of them, if more) is looked up without its relatives.
constexpr float kCommonWordTopics = 64.0f;

// The distinct content stems of `texts`.
std::vector<std::string> ContentStems(const std::vector<const std::string*>& texts,
                                      const nlu::Lexicon& lexicon, size_t limit) {
  std::vector<std::string> stems;
  std::unordered_set<std::string> seen;
  for (const std::string* text : texts) {
    for (const nlu::Term& t : nlu::Analyze(*text, lexicon)) {
      if (t.stop || t.stem.empty() || stems.size() >= limit) continue;
      if (seen.insert(t.stem).second) stems.push_back(t.stem);
    }
  }
  return stems;
}

}  // namespace

struct WorkspaceIndex::Team {
  struct OwnerRec {
    std::string user_id;
    int64_t version = 0;
    std::vector<uint32_t> topics;  // slots in `topics`
  };
  struct TopicRec {
    uint32_t owner = 0;
    int64_t topic_id = 0;
    store::TopicContent content;  // question and phrasings
    std::vector<uint32_t> terms;
    bool alive = true;
  };

  static constexpr uint32_t kDead = 0xFFFFFFFFu;

  mutable std::shared_mutex mu;
  std::unordered_map<std::string, uint32_t> owner_slots;
  std::vector<OwnerRec> owners;
  std::vector<TopicRec> topics;
  // Per topic slot, its owner's slot, or kDead: what a query reads for every posting, kept
  // apart from the records so that the scan stays in cache.
  std::vector<uint32_t> topic_owner;
  std::unordered_map<std::string, uint32_t> term_ids;
  std::vector<std::vector<uint32_t>> postings;  // term → topic slots, dead ones until compaction
  std::vector<uint32_t> df;                     // term → live topics holding it
  size_t live_topics = 0;
  size_t dead_topics = 0;
  size_t live_owners = 0;

  uint32_t TermId(const std::string& stem) {
    auto [it, added] = term_ids.emplace(stem, static_cast<uint32_t>(postings.size()));
    if (added) {
      postings.emplace_back();
      df.push_back(0);
    }
    return it->second;
  }

  void DropTopics(OwnerRec& owner) {
    for (uint32_t slot : owner.topics) {
      TopicRec& t = topics[slot];
      if (!t.alive) continue;
      t.alive = false;
      topic_owner[slot] = kDead;
      for (uint32_t term : t.terms) --df[term];
      --live_topics;
      ++dead_topics;
    }
    owner.topics.clear();
  }

  // Rebuilds the postings without dead topics once they outnumber the live ones.
  void MaybeCompact() {
    if (dead_topics < 1024 || dead_topics < live_topics) return;
    std::vector<TopicRec> kept;
    kept.reserve(live_topics);
    for (auto& owner : owners) {
      for (uint32_t& slot : owner.topics) {
        kept.push_back(std::move(topics[slot]));
        slot = static_cast<uint32_t>(kept.size() - 1);
      }
    }
    topics = std::move(kept);
    topic_owner.clear();
    for (const auto& t : topics) topic_owner.push_back(t.owner);
    for (auto& list : postings) list.clear();
    for (uint32_t slot = 0; slot < topics.size(); ++slot) {
      for (uint32_t term : topics[slot].terms) postings[term].push_back(slot);
    }
    dead_topics = 0;
  }
};

WorkspaceIndex::WorkspaceIndex(std::shared_ptr<const nlu::Lexicon> lexicon)
    : lexicon_(std::move(lexicon)) {}

WorkspaceIndex::~WorkspaceIndex() = default;

WorkspaceIndex::Team* WorkspaceIndex::FindTeam(const std::string& team_id) const {
  std::lock_guard lock(teams_mu_);
  auto it = teams_.find(team_id);
  return it == teams_.end() ? nullptr : it->second.get();
}

WorkspaceIndex::Team& WorkspaceIndex::GetTeam(const std::string& team_id) {
  std::lock_guard lock(teams_mu_);
  auto& team = teams_[team_id];
  if (!team) team = std::make_unique<Team>();
  return *team;
}

void WorkspaceIndex::Update(const store::UserRef& owner, int64_t version,
                            const std::vector<store::PublishedTopic>& topics) {
  // Analysis, the slow part, happens before taking the workspace's lock.
  std::vector<std::vector<std::string>> analyzed;
  analyzed.reserve(topics.size());
  for (const auto& topic : topics) {
    std::vector<const std::string*> texts{&topic.content.question};
    for (const auto& p : topic.content.phrasings) texts.push_back(&p);
    analyzed.push_back(ContentStems(texts, *lexicon_, kMaxTopicTerms));
  }

  Team& team = GetTeam(owner.team_id);
  std::unique_lock lock(team.mu);
  auto [it, added] =
      team.owner_slots.emplace(owner.user_id, static_cast<uint32_t>(team.owners.size()));
  if (added) team.owners.push_back({owner.user_id, 0, {}});
  const uint32_t owner_slot = it->second;
  Team::OwnerRec& rec = team.owners[owner_slot];
  if (rec.version > version) return;
  if (!rec.topics.empty()) --team.live_owners;
  team.DropTopics(rec);
  rec.version = version;
  for (size_t i = 0; i < topics.size(); ++i) {
    const auto& stems = analyzed[i];
    Team::TopicRec t;
    t.owner = owner_slot;
    t.topic_id = topics[i].topic_id;
    t.content.question = topics[i].content.question;
    t.content.phrasings = topics[i].content.phrasings;
    t.terms.reserve(stems.size());
    const auto slot = static_cast<uint32_t>(team.topics.size());
    for (const auto& stem : stems) {
      const uint32_t term = team.TermId(stem);
      t.terms.push_back(term);
      team.postings[term].push_back(slot);
      ++team.df[term];
    }
    team.topics.push_back(std::move(t));
    team.topic_owner.push_back(owner_slot);
    rec.topics.push_back(slot);
    ++team.live_topics;
  }
  if (!rec.topics.empty()) ++team.live_owners;
  team.MaybeCompact();
}

void WorkspaceIndex::Remove(const store::UserRef& owner) {
  Team* team = FindTeam(owner.team_id);
  if (!team) return;
  std::unique_lock lock(team->mu);
  auto it = team->owner_slots.find(owner.user_id);
  if (it == team->owner_slots.end()) return;
  Team::OwnerRec& rec = team->owners[it->second];
  if (!rec.topics.empty()) --team->live_owners;
  team->DropTopics(rec);
  team->MaybeCompact();
}

std::vector<OwnerCandidate> WorkspaceIndex::Candidates(const std::string& team_id,
                                                       std::string_view question, size_t limit,
                                                       float min_score) const {
  Team* team = FindTeam(team_id);
  if (!team || limit == 0) return {};

  // The question's words, each with the stems that stand for it: itself, then close relatives.
  struct Word {
    std::vector<std::pair<std::string, float>> forms;
  };
  std::vector<Word> words;
  {
    std::unordered_set<std::string> seen;
    for (const nlu::Term& t : nlu::Analyze(question, *lexicon_)) {
      if (t.stop || t.stem.empty() || !seen.insert(t.stem).second) continue;
      if (words.size() >= kMaxQuestionTerms) break;
      Word w;
      w.forms.emplace_back(t.stem, 1.0f);
      if (t.lexicon_id != nlu::kUnknownTerm) {
        for (uint32_t packed : lexicon_->RawRelated(t.lexicon_id)) {
          if (w.forms.size() > kMaxRelatives) break;
          const nlu::RelatedTerm r = nlu::Lexicon::Decode(packed);
          if (r.sense_rank > kMaxRelativeSenseRank) continue;
          if (r.relation != nlu::Relation::kSynonym && r.relation != nlu::Relation::kDerivation)
            continue;
          w.forms.emplace_back(std::string(lexicon_->Term(r.term)), kRelativeFactor);
        }
      }
      words.push_back(std::move(w));
    }
  }
  if (words.empty()) return {};

  std::shared_lock lock(team->mu);
  if (team->live_topics == 0) return {};
  const auto n = static_cast<float>(team->live_topics);
  const size_t topics = team->topic_owner.size();
  // Per topic: the score so far, and the last word that counted for it (one form per word).
  // Kept between calls (zeroed where touched), so a call costs what it touches.
  thread_local std::vector<float> score;
  thread_local std::vector<uint32_t> counted;
  thread_local uint32_t word_mark = 0;
  thread_local std::vector<uint32_t> touched;
  if (score.size() < topics) {
    score.resize(topics, 0.0f);
    counted.resize(topics, 0);
  }
  touched.clear();
  float total = 0.0f;
  for (const Word& word : words) {
    if (++word_mark == 0) {  // wrapped: forget every mark
      std::fill(counted.begin(), counted.end(), 0);
      word_mark = 1;
    }
    auto own = team->term_ids.find(word.forms[0].first);
    const uint32_t own_df = own == team->term_ids.end() ? 0 : team->df[own->second];
    // A word no topic has weighs as the rarest word would.
    const float idf = std::log(1.0f + n / static_cast<float>(std::max<uint32_t>(own_df, 1)));
    total += idf;
    // A word many topics use needs no relatives to be found.
    const bool common = own_df >= std::max<float>(kCommonWordTopics, n / 100.0f);
    for (size_t f = 0; f < word.forms.size() && (f == 0 || !common); ++f) {
      const auto& [stem, factor] = word.forms[f];  // the word itself first, then relatives
      auto term = f == 0 ? own : team->term_ids.find(stem);
      if (term == team->term_ids.end() || team->df[term->second] == 0) continue;
      const float gain = factor * idf;
      for (uint32_t slot : team->postings[term->second]) {
        if (counted[slot] == word_mark || team->topic_owner[slot] == Team::kDead) continue;
        counted[slot] = word_mark;
        if (score[slot] == 0.0f) touched.push_back(slot);
        score[slot] += gain;
      }
    }
  }
  // An owner scores as their best topic.
  thread_local std::vector<float> owner_score;
  thread_local std::vector<uint32_t> owner_topic;
  thread_local std::vector<uint32_t> owners;
  if (owner_score.size() < team->owners.size()) {
    owner_score.resize(team->owners.size(), 0.0f);
    owner_topic.resize(team->owners.size(), 0);
  }
  owners.clear();
  for (uint32_t slot : touched) {
    const float s = score[slot] / total;
    score[slot] = 0.0f;
    if (s < min_score) continue;
    const uint32_t o = team->topic_owner[slot];
    if (owner_score[o] == 0.0f) owners.push_back(o);
    if (s > owner_score[o]) {
      owner_score[o] = s;
      owner_topic[o] = slot;
    }
  }
  const auto better = [&](uint32_t a, uint32_t b) {
    if (owner_score[a] != owner_score[b]) return owner_score[a] > owner_score[b];
    return team->owners[a].user_id < team->owners[b].user_id;
  };
  const size_t keep = std::min(limit, owners.size());
  std::partial_sort(owners.begin(), owners.begin() + static_cast<std::ptrdiff_t>(keep),
                    owners.end(), better);
  std::vector<OwnerCandidate> out;
  out.reserve(keep);
  for (size_t i = 0; i < keep; ++i) {
    const uint32_t o = owners[i];
    out.push_back({{team_id, team->owners[o].user_id},
                   owner_score[o],
                   team->topics[owner_topic[o]].topic_id});
  }
  for (uint32_t o : owners) owner_score[o] = 0.0f;
  return out;
}

std::vector<store::PublishedTopic> WorkspaceIndex::Topics(
    const store::UserRef& owner, const std::vector<int64_t>& topic_ids) const {
  std::vector<store::PublishedTopic> out;
  Team* team = FindTeam(owner.team_id);
  if (!team) return out;
  std::shared_lock lock(team->mu);
  auto it = team->owner_slots.find(owner.user_id);
  if (it == team->owner_slots.end()) return out;
  const Team::OwnerRec& rec = team->owners[it->second];
  for (int64_t id : topic_ids) {
    for (uint32_t slot : rec.topics) {
      const Team::TopicRec& t = team->topics[slot];
      if (t.alive && t.topic_id == id) out.push_back({t.topic_id, t.content});
    }
  }
  return out;
}

int64_t WorkspaceIndex::version(const store::UserRef& owner) const {
  Team* team = FindTeam(owner.team_id);
  if (!team) return 0;
  std::shared_lock lock(team->mu);
  auto it = team->owner_slots.find(owner.user_id);
  return it == team->owner_slots.end() ? 0 : team->owners[it->second].version;
}

WorkspaceIndexStats WorkspaceIndex::stats(const std::string& team_id) const {
  Team* team = FindTeam(team_id);
  if (!team) return {};
  std::shared_lock lock(team->mu);
  WorkspaceIndexStats s;
  s.owners = team->live_owners;
  s.topics = team->live_topics;
  s.terms = team->term_ids.size();
  for (const auto& p : team->postings) s.postings += p.size();
  return s;
}

namespace {

Status LoadAll(store::Store& store, WorkspaceIndex& index) {
  FAQBOT_ASSIGN_OR_RETURN(auto live, store.ListLivePublications());
  for (const auto& p : live) index.Update(p.owner, p.version, p.topics);
  return Status::Ok();
}

}  // namespace

Status FollowPublications(store::Store& store, WorkspaceIndex& index) {
  FAQBOT_RETURN_IF_ERROR(
      store.SubscribePublications([&store, &index](const store::UserRef& owner, int64_t) {
        Status applied = Status::Ok();
        if (owner.user_id.empty()) {
          applied = LoadAll(store, index);
        } else if (auto live = store.GetLivePublication(owner, false); !live.ok()) {
          applied = live.status();
        } else if (!live->has_value()) {
          index.Remove(owner);
        } else {
          index.Update(owner, (*live)->version, (*live)->topics);
        }
        if (!applied.ok()) {
          LogWarn("workspace index: cannot follow a publication of {}/{}: {}", owner.team_id,
                  owner.user_id, applied.ToString());
        }
      }));
  return LoadAll(store, index);
}

}  // namespace faqbot::assistant
