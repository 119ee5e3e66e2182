// Executor: the one seam for running work elsewhere. Components that process in the background
// (Slack event handling, training jobs) take an Executor& so tests run that work step by step.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace faqbot {

class Executor {
 public:
  using Task = std::function<void()>;
  virtual ~Executor() = default;

  // Schedules `task` to run once. Returns false (and drops the task) when the executor has been
  // shut down. Thread-safe. Tasks must not throw; an escaping exception is caught and logged.
  virtual bool Post(Task task) = 0;
};

// A fixed pool of worker threads over one FIFO queue. Thread-safe. Not copyable.
class ThreadPool final : public Executor {
 public:
  // Starts `threads` workers (at least one). `name` appears in logs.
  explicit ThreadPool(size_t threads, std::string name = "pool");
  ~ThreadPool() override;  // Shutdown(), then joins.
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  bool Post(Task task) override;

  // Stops accepting tasks, runs every task already queued, and joins the workers. Idempotent.
  void Shutdown();
  // Tasks queued or running right now.
  size_t pending() const;

 private:
  void WorkerLoop();

  std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// Runs nothing until asked: tests call RunAll / RunOne to decide exactly when work happens.
// Thread-safe.
class ManualExecutor final : public Executor {
 public:
  bool Post(Task task) override;
  // Runs queued tasks (including ones they post) until the queue is empty; returns how many ran.
  size_t RunAll();
  // Runs the oldest queued task; false when the queue was empty.
  bool RunOne();
  size_t pending() const;
  // After this, Post returns false.
  void Shutdown();

 private:
  mutable std::mutex mu_;
  std::deque<Task> queue_;
  bool stopped_ = false;
};

// Runs each task immediately on the posting thread. For tools and simple tests.
class InlineExecutor final : public Executor {
 public:
  bool Post(Task task) override;
};

}  // namespace faqbot
