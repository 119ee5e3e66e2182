#include "common/executor.h"

#include <exception>

#include "common/logging.h"

namespace faqbot {
namespace {

void RunGuarded(const Executor::Task& task, const std::string& where) {
  try {
    task();
  } catch (const std::exception& e) {
    LogError("{}: task threw: {}", where, e.what());
  } catch (...) {
    LogError("{}: task threw a non-standard exception", where);
  }
}

}  // namespace

ThreadPool::ThreadPool(size_t threads, std::string name) : name_(std::move(name)) {
  if (threads == 0) threads = 1;
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() { Shutdown(); }

bool ThreadPool::Post(Task task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void ThreadPool::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable() && w.get_id() != std::this_thread::get_id()) w.join();
  }
}

size_t ThreadPool::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + running_;
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    RunGuarded(task, name_);
    std::lock_guard lock(mu_);
    --running_;
  }
}

bool ManualExecutor::Post(Task task) {
  std::lock_guard lock(mu_);
  if (stopped_) return false;
  queue_.push_back(std::move(task));
  return true;
}

bool ManualExecutor::RunOne() {
  Task task;
  {
    std::lock_guard lock(mu_);
    if (queue_.empty()) return false;
    task = std::move(queue_.front());
    queue_.pop_front();
  }
  RunGuarded(task, "manual");
  return true;
}

size_t ManualExecutor::RunAll() {
  size_t n = 0;
  while (RunOne()) ++n;
  return n;
}

size_t ManualExecutor::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void ManualExecutor::Shutdown() {
  std::lock_guard lock(mu_);
  stopped_ = true;
}

bool InlineExecutor::Post(Task task) {
  RunGuarded(task, "inline");
  return true;
}

}  // namespace faqbot
