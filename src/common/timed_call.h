// TimedCall: a call that may wait long (a database that does not answer), made with a time limit
// for its caller. The call runs on a thread of its own, one run at a time; a caller waits for the
// run under way, or starts one, and gives up after the limit. The run is not cut short: it goes
// on, and the callers meanwhile wait for that same run instead of starting more, so a dead
// database costs one waiting call, not one per caller.
//
// For probes (readiness checks, metrics gauges) that must answer within a load balancer's or a
// scraper's timeout. Times real waits with std::chrono::steady_clock, as the socket deadlines it
// stands beside do. Thread-safe; the destructor waits for a run in progress.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "common/executor.h"

namespace faqbot {

template <class T>
class TimedCall {
 public:
  // `call` must not throw.
  TimedCall(std::function<T()> call, std::chrono::milliseconds limit)
      : call_(std::move(call)), limit_(limit) {}
  TimedCall(const TimedCall&) = delete;
  TimedCall& operator=(const TimedCall&) = delete;
  // The worker, declared last, is destroyed first: it finishes the run in progress.
  ~TimedCall() = default;

  std::chrono::milliseconds limit() const { return limit_; }

  // The answer of the run under way (it began before this call: fresh enough) or of a new one;
  // nullopt when it has not come within limit().
  std::optional<T> operator()() {
    std::unique_lock lock(mu_);
    const uint64_t wanted = finished_ + 1;
    if (!running_) {
      if (!worker_.Post([this] { Run(); })) return std::nullopt;
      running_ = true;
    }
    if (!done_.wait_for(lock, limit_, [&] { return finished_ >= wanted; })) return std::nullopt;
    return last_;
  }

 private:
  void Run() {
    T answer = call_();
    std::lock_guard lock(mu_);
    running_ = false;
    last_ = std::move(answer);
    ++finished_;
    done_.notify_all();
  }

  const std::function<T()> call_;
  const std::chrono::milliseconds limit_;
  std::mutex mu_;
  std::condition_variable done_;  // the callers: a run finished
  bool running_ = false;
  uint64_t finished_ = 0;  // runs finished
  std::optional<T> last_;  // the last run's answer
  ThreadPool worker_{1, "timed call"};  // last: destroyed first
};

}  // namespace faqbot
