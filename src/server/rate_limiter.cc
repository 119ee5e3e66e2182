#include "server/rate_limiter.h"

#include <algorithm>
#include <iterator>

namespace faqbot::server {

RateLimiter::RateLimiter(const Clock& clock, RateLimiterOptions options)
    : clock_(clock), options_(options), last_sweep_(clock.Now()) {
  options_.per_second = std::max(options_.per_second, 1e-6);
  options_.burst = std::max(options_.burst, 1.0);
}

std::optional<Clock::Duration> RateLimiter::Acquire(int64_t key) {
  const Clock::TimePoint now = clock_.Now();
  const auto refill = [&](Bucket& b) {
    const double seconds = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(options_.burst, b.tokens + std::max(0.0, seconds) * options_.per_second);
    b.updated = now;
  };
  std::lock_guard lock(mu_);
  // Once per full-refill period, forget buckets that are full again: they behave like new ones.
  const auto full_after = std::chrono::duration<double>(options_.burst / options_.per_second);
  if (now - last_sweep_ >= full_after) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      refill(it->second);
      it = it->second.tokens >= options_.burst ? buckets_.erase(it) : std::next(it);
    }
    last_sweep_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{options_.burst, now});
  Bucket& bucket = it->second;
  if (!inserted) refill(bucket);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait = (1.0 - bucket.tokens) / options_.per_second;
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(wait));
}

size_t RateLimiter::tracked_keys() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace faqbot::server
