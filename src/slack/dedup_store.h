// DedupStore: remembers which Slack deliveries were already accepted, so a retried event
// (Slack re-sends an unacknowledged event up to 3 times over ~6 minutes with the same event_id,
// and Socket Mode may redeliver an envelope) is processed once.
//
// The interface is what the router needs; the database implements it for several processes
// (a unique key on the ID), InMemoryDedupStore serves a single process and tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "common/status.h"

namespace faqbot::slack {

class DedupStore {
 public:
  virtual ~DedupStore() = default;

  // Records `id` until `expires_at_unix` (wall-clock seconds) unless it is already recorded and
  // not yet expired. Returns true when this call recorded it (first delivery: process it), false
  // when it was seen before (a duplicate: drop it). An expired record counts as not seen.
  // Errors: whatever the backing store reports (e.g. Unavailable); the caller decides.
  // Thread-safe; atomic per ID (of concurrent calls with one ID, exactly one gets true).
  virtual Result<bool> MarkIfNew(std::string_view id, int64_t expires_at_unix) = 0;
};

struct InMemoryDedupStoreOptions {
  // Most IDs kept. When full, the record closest to expiry is forgotten first (a retry of that
  // event would then be processed again: at-least-once, never lost).
  size_t max_entries = 100'000;
};

// A mutex and a map, with expiry read from the injected Clock. Expired records are purged as new
// ones arrive. Thread-safe. Not copyable.
class InMemoryDedupStore final : public DedupStore {
 public:
  // `clock` must outlive the store.
  explicit InMemoryDedupStore(const Clock& clock, InMemoryDedupStoreOptions options = {});
  InMemoryDedupStore(const InMemoryDedupStore&) = delete;
  InMemoryDedupStore& operator=(const InMemoryDedupStore&) = delete;

  Result<bool> MarkIfNew(std::string_view id, int64_t expires_at_unix) override;

  // Records held now, including expired ones not yet purged.
  size_t size() const;

 private:
  // Requires mu_. Forgets the records closest to expiry while pred(their expiry) holds.
  template <typename Pred>
  void EraseWhileLocked(Pred pred);

  const Clock& clock_;
  InMemoryDedupStoreOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int64_t> expiry_by_id_;
  std::set<std::pair<int64_t, std::string>> by_expiry_;  // same records, ordered by expiry
};

}  // namespace faqbot::slack
