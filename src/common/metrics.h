// Metrics: counters, gauges and histograms with fixed label sets, and their Prometheus text
// exposition (format 0.0.4), for `GET /metrics`.
//
// A Registry owns metric families by name. A family has a fixed list of label names; With()
// returns the child for one tuple of label values, created on first use and kept for the life of
// the registry (label values must come from small, fixed sets: an outcome, a route pattern, a
// Slack method, never user text or ids, which would grow the registry without bound and put
// people's data on an unauthenticated page). Gauges may also be read through a callback at
// exposition time (a queue depth, the bytes of the loaded models).
//
// The instrumented code uses the process-wide registry, Registry::Global(), so components record
// without being handed a registry; tests make their own Registry to check values and formats.
//
// Thread-safety: everything is thread-safe. Inc/Set/Observe on a child are lock-free atomics;
// With() takes the family's mutex for a map lookup (cache the returned reference on hot paths);
// Expose() takes each family's mutex in turn and runs gauge callbacks without any registry lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faqbot::metrics {

// The Content-Type of Registry::Expose's output.
inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// A value that only goes up (restarts at 0 with the process).
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets (upper bounds, ascending; +Inf is implicit), with their
// sum and count.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket `i` (i == bounds().size(): above the last bound).
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Bucket bounds in seconds for request-like latencies, 1 ms to 10 s.
std::vector<double> LatencyBuckets();
// Bucket bounds in seconds for slower work (training and publishing), 10 ms to 5 min.
std::vector<double> SlowBuckets();

// The children of one metric name, one per tuple of label values.
template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::function<std::unique_ptr<T>()> make)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        make_(std::move(make)) {}
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The child for `values`, one per label name in order (a missing value is empty, extra ones
  // are ignored). The reference stays valid for the life of the registry.
  T& With(std::initializer_list<std::string_view> values = {}) {
    std::vector<std::string> key(label_names_.size());
    size_t i = 0;
    for (std::string_view v : values) {
      if (i == key.size()) break;
      key[i++] = std::string(v);
    }
    std::lock_guard lock(mu_);
    auto& child = children_[std::move(key)];
    if (!child) child = make_();
    return *child;
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls `f(label values, child)` for every child, in label order, under the family's lock.
  template <typename F>
  void ForEach(F&& f) const {
    std::lock_guard lock(mu_);
    for (const auto& [key, child] : children_) f(key, *child);
  }

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<T>()> make_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

// Unregisters a gauge callback when destroyed (or on Reset). Not copyable; movable.
class CallbackHandle {
 public:
  CallbackHandle() = default;
  explicit CallbackHandle(std::function<void()> release) : release_(std::move(release)) {}
  CallbackHandle(CallbackHandle&& other) noexcept : release_(std::move(other.release_)) {
    other.release_ = nullptr;
  }
  CallbackHandle& operator=(CallbackHandle&& other) noexcept;
  CallbackHandle(const CallbackHandle&) = delete;
  CallbackHandle& operator=(const CallbackHandle&) = delete;
  ~CallbackHandle() { Reset(); }
  void Reset();

 private:
  std::function<void()> release_;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry that faqbot's components record into and /metrics exposes.
  static Registry& Global();

  // The family named `name`, created on first call; later calls with the same name return the
  // same family (their help and labels are ignored). `name` must match [a-zA-Z_:][a-zA-Z0-9_:]*
  // and be unique across kinds; counters end in "_total" by convention. A name reused for
  // another kind is a programming error: it aborts.
  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> bounds,
                                  std::vector<std::string> label_names = {});

  // A gauge without labels whose value is `read()` at exposition time (nullopt: no sample this
  // time, e.g. the database did not answer). `read` runs on the scraping thread without registry
  // locks held and must be thread-safe. Replaces an earlier callback of the same name; the
  // returned handle removes it (destroy it before what `read` reads). The family's HELP and TYPE
  // stay exposed after removal.
  [[nodiscard]] CallbackHandle AddGaugeCallback(const std::string& name, const std::string& help,
                                                std::function<std::optional<double>()> read);

  // Every family in the Prometheus text format, sorted by name, with HELP and TYPE lines.
  std::string Expose() const;

 private:
  struct Callback {
    std::string help;
    uint64_t id = 0;
    std::mutex mu;  // held while `read` runs, so that removal waits for a read in progress
    std::function<std::optional<double>()> read;  // empty once removed
  };
  struct Entry {
    std::unique_ptr<Family<Counter>> counter;
    std::unique_ptr<Family<Gauge>> gauge;
    std::unique_ptr<Family<Histogram>> histogram;
    std::shared_ptr<Callback> callback;
  };
  Entry& EntryFor(const std::string& name, int kind);

  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  uint64_t next_callback_id_ = 1;
};

// Formats a sample value as Prometheus does ("+Inf", "NaN", integers without a fraction).
std::string FormatValue(double v);

}  // namespace faqbot::metrics
