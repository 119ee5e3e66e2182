#include "slack/dedup_store.h"

namespace faqbot::slack {

InMemoryDedupStore::InMemoryDedupStore(const Clock& clock, InMemoryDedupStoreOptions options)
    : clock_(clock), options_(options) {
  if (options_.max_entries == 0) options_.max_entries = 1;
}

Result<bool> InMemoryDedupStore::MarkIfNew(std::string_view id, int64_t expires_at_unix) {
  const int64_t now = clock_.UnixSeconds();
  std::lock_guard lock(mu_);
  EraseWhileLocked([&](int64_t expiry) { return expiry <= now; });
  std::string key(id);
  if (expiry_by_id_.count(key) != 0) return false;  // every expired record is gone by now
  if (expires_at_unix <= now) return true;          // already expired: nothing to remember
  EraseWhileLocked([&](int64_t) { return by_expiry_.size() >= options_.max_entries; });
  by_expiry_.emplace(expires_at_unix, key);
  expiry_by_id_.emplace(std::move(key), expires_at_unix);
  return true;
}

size_t InMemoryDedupStore::size() const {
  std::lock_guard lock(mu_);
  return expiry_by_id_.size();
}

template <typename Pred>
void InMemoryDedupStore::EraseWhileLocked(Pred pred) {
  while (!by_expiry_.empty() && pred(by_expiry_.begin()->first)) {
    expiry_by_id_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

}  // namespace faqbot::slack
