// ModelRegistry: the live FAQ model of every owner, shared by all askers.
//
// Get returns the owner's published model, loading it on first use through the injected
// Loader (the model bytes of the owner's live publication, from the Store) and keeping it in a
// memory-bounded LRU cache. Publish installs a freshly trained model atomically: questions in
// flight keep the std::shared_ptr they hold and finish on the old model; the next Get sees the
// new one. Every cached model carries its publication version, so news of a publication
// (Invalidate with a version: the Store's notification, which on PostgreSQL also comes back for
// this process's own publishes) drops only a model older than the one announced, and a model
// older than one already announced or installed is never cached.
//
// Thread-safe. The lock is never held while the Loader runs; concurrent Gets of one owner share
// a single load.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "nlu/lexicon.h"
#include "nlu/model.h"
#include "store/store_types.h"

namespace faqbot::assistant {

// Who owns a bot: a Slack user within a workspace.
using OwnerKey = store::UserRef;

struct ModelRegistryOptions {
  // Models beyond this many bytes (ApproximateMemoryBytes) are evicted, least recently used
  // first. A model larger than the whole budget is still served, just not kept.
  size_t max_bytes = size_t{512} << 20;
};

class ModelRegistry {
 public:
  // Returns the model file bytes and version of the owner's live publication; nullopt when the
  // owner has published nothing; an error when the store cannot be read.
  using Loader = std::function<Result<std::optional<store::LiveModel>>(const OwnerKey&)>;

  ModelRegistry(std::shared_ptr<const nlu::Lexicon> lexicon, Loader loader,
                ModelRegistryOptions options = {});
  ModelRegistry(const ModelRegistry&) = delete;
  ModelRegistry& operator=(const ModelRegistry&) = delete;

  // The owner's live model. Errors: FailedPrecondition (nothing published), the Loader's error,
  // DataLoss (the stored model is unreadable).
  Result<std::shared_ptr<const nlu::Model>> Get(const OwnerKey& owner);

  // Makes `model`, of publication `version`, the owner's live model (after a publish committed
  // it to the store). Ignored when a newer version is cached or has been announced.
  void Publish(const OwnerKey& owner, int64_t version, std::shared_ptr<const nlu::Model> model);

  // Publication `version` of the owner went live: drops the cached model when it is older, so
  // the next Get loads the new one. A version the cache already has (or newer) changes nothing.
  void Invalidate(const OwnerKey& owner, int64_t version);
  // Forgets the cached model, whatever its version; the next Get loads again.
  void Invalidate(const OwnerKey& owner);
  // Forgets every cached model (publications may have been missed); loads in flight are not kept.
  void InvalidateAll();

  // The lexicon every model is loaded with.
  const std::shared_ptr<const nlu::Lexicon>& lexicon() const { return lexicon_; }

  size_t cached_models() const;
  size_t cached_bytes() const;
  // The owner's cached model when it is of publication `version`, else nullptr; never loads.
  std::shared_ptr<const nlu::Model> Cached(const OwnerKey& owner, int64_t version) const;
  // The publication version of the owner's cached model; nullopt when none is cached.
  std::optional<int64_t> cached_version(const OwnerKey& owner) const;

 private:
  struct KeyHash {
    size_t operator()(const OwnerKey& k) const {
      return std::hash<std::string>()(k.team_id) * 31 + std::hash<std::string>()(k.user_id);
    }
  };
  struct Entry {
    std::shared_ptr<const nlu::Model> model;
    int64_t version = 0;  // of the publication
    size_t bytes = 0;
    std::list<OwnerKey>::iterator lru;  // position in lru_ (front = most recent)
  };

  // Requires mu_. Inserts or replaces, then evicts down to the budget.
  void InsertLocked(const OwnerKey& owner, int64_t version,
                    std::shared_ptr<const nlu::Model> model);
  void EraseLocked(const OwnerKey& owner);

  std::shared_ptr<const nlu::Lexicon> lexicon_;
  Loader loader_;
  ModelRegistryOptions options_;

  mutable std::mutex mu_;
  std::condition_variable loaded_;
  std::unordered_map<OwnerKey, Entry, KeyHash> entries_;
  std::list<OwnerKey> lru_;
  size_t bytes_ = 0;
  // Owners being loaded right now, with a generation that Publish/Invalidate bump so a slow load
  // never overwrites a newer model.
  std::unordered_map<OwnerKey, uint64_t, KeyHash> loading_;
  std::unordered_map<OwnerKey, uint64_t, KeyHash> generation_;
  // The newest publication version heard of per owner (published here or announced); a load
  // that returns an older one is served but not kept.
  std::unordered_map<OwnerKey, int64_t, KeyHash> newest_version_;
};

}  // namespace faqbot::assistant
