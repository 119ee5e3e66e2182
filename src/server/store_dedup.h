// StoreDedup: Slack event dedup backed by the Store, so retries are processed once across every
// faqbot process on one database. Thread-safe.
#pragma once

#include "common/clock.h"
#include "slack/dedup_store.h"
#include "store/store.h"

namespace faqbot::server {

class StoreDedup final : public slack::DedupStore {
 public:
  // Both must outlive this.
  StoreDedup(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}
  Result<bool> MarkIfNew(std::string_view id, int64_t expires_at_unix) override;

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace faqbot::server
