// RateLimiter: a token bucket per key (an API token's id) on the injected Clock. Each key starts
// with `burst` requests and earns `per_second` more each second, up to `burst`. A request when
// the bucket is empty is refused with the time until one request is earned (an HTTP 429's
// Retry-After). Buckets that have refilled completely are forgotten, so memory follows the keys
// active in the last burst / per_second seconds. Thread-safe (one short lock per call).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/clock.h"

namespace faqbot::server {

struct RateLimiterOptions {
  // Requests earned per second per key (> 0).
  double per_second = 20;
  // Most requests a key may make at once after being idle (>= 1).
  double burst = 40;
};

class RateLimiter {
 public:
  // `clock` must outlive the limiter.
  RateLimiter(const Clock& clock, RateLimiterOptions options = {});
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one request from `key`'s bucket: nullopt when allowed, else how long until the next
  // request would be (the caller answers 429 with Retry-After rounded up to whole seconds).
  std::optional<Clock::Duration> Acquire(int64_t key);

  // Keys with a bucket right now (for tests of the forgetting).
  size_t tracked_keys() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::TimePoint updated;
  };

  const Clock& clock_;
  RateLimiterOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<int64_t, Bucket> buckets_;
  Clock::TimePoint last_sweep_;
};

}  // namespace faqbot::server
