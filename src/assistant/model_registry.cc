#include "assistant/model_registry.h"

#include <algorithm>

namespace faqbot::assistant {

ModelRegistry::ModelRegistry(std::shared_ptr<const nlu::Lexicon> lexicon, Loader loader,
                             ModelRegistryOptions options)
    : lexicon_(std::move(lexicon)), loader_(std::move(loader)), options_(options) {}

Result<std::shared_ptr<const nlu::Model>> ModelRegistry::Get(const OwnerKey& owner) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (auto it = entries_.find(owner); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.model;
    }
    if (loading_.count(owner) == 0) break;
    loaded_.wait(lock);  // another thread is loading this owner: share its result
  }
  const uint64_t generation = generation_[owner];
  loading_[owner] = generation;
  lock.unlock();

  // The store read and the model parse happen without the lock.
  Result<std::shared_ptr<const nlu::Model>> result = FailedPreconditionError("not loaded");
  int64_t version = 0;
  auto live = loader_(owner);
  if (!live.ok()) {
    result = live.status();
  } else if (!live->has_value()) {
    result = FailedPreconditionError("nothing published yet");
  } else {
    version = (*live)->version;
    result = nlu::Model::Load((*live)->model, lexicon_);
  }

  lock.lock();
  loading_.erase(owner);
  if (result.ok()) {
    if (auto it = entries_.find(owner); it != entries_.end() && it->second.version >= version) {
      result = it->second.model;  // published while we were loading: the newer one wins
    } else if (generation_[owner] == generation && version >= newest_version_[owner]) {
      InsertLocked(owner, version, *result);
    }
  }
  loaded_.notify_all();
  return result;
}

void ModelRegistry::Publish(const OwnerKey& owner, int64_t version,
                            std::shared_ptr<const nlu::Model> model) {
  std::lock_guard lock(mu_);
  int64_t& newest = newest_version_[owner];
  if (version < newest) return;  // a later publication is live already
  newest = version;
  InsertLocked(owner, version, std::move(model));
}

void ModelRegistry::Invalidate(const OwnerKey& owner, int64_t version) {
  std::lock_guard lock(mu_);
  int64_t& newest = newest_version_[owner];
  newest = std::max(newest, version);
  auto it = entries_.find(owner);
  if (it != entries_.end() && it->second.version < version) EraseLocked(owner);
}

void ModelRegistry::Invalidate(const OwnerKey& owner) {
  std::lock_guard lock(mu_);
  ++generation_[owner];
  EraseLocked(owner);
}

void ModelRegistry::InvalidateAll() {
  std::lock_guard lock(mu_);
  for (const auto& [owner, generation] : loading_) ++generation_[owner];
  entries_.clear();
  lru_.clear();
  bytes_ = 0;
}

size_t ModelRegistry::cached_models() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

size_t ModelRegistry::cached_bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

std::optional<int64_t> ModelRegistry::cached_version(const OwnerKey& owner) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(owner);
  if (it == entries_.end()) return std::nullopt;
  return it->second.version;
}

std::shared_ptr<const nlu::Model> ModelRegistry::Cached(const OwnerKey& owner,
                                                        int64_t version) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(owner);
  if (it == entries_.end() || it->second.version != version) return nullptr;
  return it->second.model;
}

void ModelRegistry::InsertLocked(const OwnerKey& owner, int64_t version,
                                 std::shared_ptr<const nlu::Model> model) {
  EraseLocked(owner);
  const size_t bytes = model->ApproximateMemoryBytes();
  if (bytes > options_.max_bytes) return;  // served to this caller, never kept
  lru_.push_front(owner);
  entries_.emplace(owner, Entry{std::move(model), version, bytes, lru_.begin()});
  bytes_ += bytes;
  while (bytes_ > options_.max_bytes && lru_.size() > 1) EraseLocked(lru_.back());
}

void ModelRegistry::EraseLocked(const OwnerKey& owner) {
  auto it = entries_.find(owner);
  if (it == entries_.end()) return;
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

}  // namespace faqbot::assistant
