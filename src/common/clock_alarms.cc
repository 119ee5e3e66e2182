#include "common/clock_alarms.h"

#include <vector>

namespace faqbot {

ClockAlarms::ClockAlarms(Clock& clock)
    : clock_(clock), thread_([this](std::stop_token stop) { Run(std::move(stop)); }) {}

ClockAlarms::~ClockAlarms() { Shutdown(); }

ClockAlarms::Id ClockAlarms::At(Clock::TimePoint deadline, std::function<void()> fire) {
  std::lock_guard lock(mu_);
  const Id id = next_id_++;
  if (shut_down_) return id;
  const bool earliest = alarms_.empty() || std::pair(deadline, id) < alarms_.begin()->first;
  alarms_.emplace(std::pair(deadline, id), std::move(fire));
  deadline_of_.emplace(id, deadline);
  if (earliest) {
    wake_.request_stop();
    idle_.notify_all();
  }
  return id;
}

bool ClockAlarms::Cancel(Id id) {
  std::lock_guard lock(mu_);
  auto it = deadline_of_.find(id);
  if (it == deadline_of_.end()) return false;
  const auto key = std::pair(it->second, id);
  // The helper sleeps until the earliest deadline: wake it to sleep until the next one instead.
  if (alarms_.begin()->first == key) wake_.request_stop();
  alarms_.erase(key);
  deadline_of_.erase(it);
  return true;
}

void ClockAlarms::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    alarms_.clear();
    deadline_of_.clear();
    wake_.request_stop();
  }
  thread_.request_stop();
  thread_.join();
}

size_t ClockAlarms::pending() const {
  std::lock_guard lock(mu_);
  return alarms_.size();
}

void ClockAlarms::Run(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    if (alarms_.empty()) {
      // Not a clock sleep: a FakeClock shows a sleeper only while an alarm is pending.
      idle_.wait(lock, stop, [&] { return !alarms_.empty(); });
      continue;
    }
    const Clock::TimePoint now = clock_.Now();
    std::vector<std::function<void()>> due;
    while (!alarms_.empty() && alarms_.begin()->first.first <= now) {
      auto node = alarms_.extract(alarms_.begin());
      deadline_of_.erase(node.key().second);
      due.push_back(std::move(node.mapped()));
    }
    if (!due.empty()) {
      // Callbacks run unlocked, so they may set or cancel alarms.
      lock.unlock();
      for (auto& fire : due) fire();
      lock.lock();
      continue;
    }
    const Clock::TimePoint next = alarms_.begin()->first.first;
    wake_ = std::stop_source();
    std::stop_token wake = wake_.get_token();
    // The thread's own stop request must end the sleep too.
    std::stop_callback forward(stop, [source = wake_]() mutable { source.request_stop(); });
    lock.unlock();
    clock_.SleepUntil(next, wake);
    lock.lock();
  }
}

}  // namespace faqbot
