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
#include <thread>
#include <utility>

namespace faqbot {

template <class T>
class TimedCall {
 public:
  // `call` must not throw.
  TimedCall(std::function<T()> call, std::chrono::milliseconds limit)
      : call_(std::move(call)), limit_(limit), worker_([this] { Loop(); }) {}
  TimedCall(const TimedCall&) = delete;
  TimedCall& operator=(const TimedCall&) = delete;
  ~TimedCall() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  std::chrono::milliseconds limit() const { return limit_; }

  // The answer of the run under way (it began before this call: fresh enough) or of a new one;
  // nullopt when it has not come within limit().
  std::optional<T> operator()() {
    std::unique_lock lock(mu_);
    if (!running_) requested_ = true;
    const uint64_t wanted = finished_ + 1;
    wake_.notify_all();
    if (!done_.wait_for(lock, limit_, [&] { return finished_ >= wanted; })) return std::nullopt;
    return last_;
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      wake_.wait(lock, [this] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
      running_ = true;
      lock.unlock();
      T answer = call_();
      lock.lock();
      running_ = false;
      last_ = std::move(answer);
      ++finished_;
      done_.notify_all();
    }
  }

  const std::function<T()> call_;
  const std::chrono::milliseconds limit_;
  std::mutex mu_;
  std::condition_variable wake_;  // the worker: a run is requested, or stop
  std::condition_variable done_;  // the callers: a run finished
  bool requested_ = false;
  bool running_ = false;
  bool stopping_ = false;
  uint64_t finished_ = 0;  // runs finished
  std::optional<T> last_;  // the last run's answer
  std::thread worker_;     // last: starts once the rest is set
};

}  // namespace faqbot
