// ConnectionPool<C>: database connections opened lazily up to a bound and handed to one thread
// at a time. A caller waits when all are in use (for at most the wait it gives). A connection
// returned as broken is dropped and a new one is opened on a later Acquire, which is how a backend
// recovers after the database comes back. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace faqbot::store {

template <typename C>
class ConnectionPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<C>>()>;

  ConnectionPool(int max_size, Factory factory)
      : max_size_(max_size < 1 ? 1 : max_size), factory_(std::move(factory)) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle connection, or a new one from the factory (whose error is returned as is).
  // Unavailable when every connection stayed in use for `max_wait`.
  Result<std::unique_ptr<C>> Acquire(
      std::optional<std::chrono::milliseconds> max_wait = std::nullopt) {
    std::unique_lock lock(mu_);
    const auto free = [&] { return !idle_.empty() || open_ < max_size_; };
    if (!max_wait) {
      cv_.wait(lock, free);
    } else if (!cv_.wait_for(lock, *max_wait, free)) {
      return UnavailableError("database busy: all " + std::to_string(max_size_) +
                              " connections stayed in use for " +
                              std::to_string(max_wait->count()) + " ms");
    }
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;
    lock.unlock();  // never hold the lock while connecting
    auto conn = factory_();
    if (!conn.ok()) Release(nullptr);
    return conn;
  }

  // Gives a connection back; nullptr (or `broken`) closes its slot instead.
  void Release(std::unique_ptr<C> conn, bool broken = false) {
    std::unique_ptr<C> to_close;
    {
      std::lock_guard lock(mu_);
      if (conn && !broken) {
        idle_.push_back(std::move(conn));
      } else {
        to_close = std::move(conn);
        --open_;
      }
    }
    cv_.notify_one();
  }

  // Closes every idle connection (after the database restarted, for instance).
  void DropIdle() {
    std::vector<std::unique_ptr<C>> closing;
    {
      std::lock_guard lock(mu_);
      closing.swap(idle_);
      open_ -= static_cast<int>(closing.size());
    }
    cv_.notify_all();
  }

 private:
  const int max_size_;
  Factory factory_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<C>> idle_;
  int open_ = 0;
};

}  // namespace faqbot::store
