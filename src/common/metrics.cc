#include "common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace faqbot::metrics {
namespace {

enum Kind { kCounter, kGauge, kHistogram, kCallback };

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void AppendEscaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void AppendHeader(std::string& out, const std::string& name, const std::string& help,
                  std::string_view type) {
  out += "# HELP " + name + " ";
  AppendEscaped(out, help, false);
  out += "\n# TYPE " + name + " ";
  out += type;
  out += '\n';
}

// `{a="x",b="y"}` (with `extra` appended as a last, already formatted pair), or nothing.
std::string Labels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                   const std::string& extra = "") {
  if (names.empty() && extra.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i] + "=\"";
    AppendEscaped(out, values[i], true);
    out += '"';
  }
  if (!extra.empty()) {
    if (!names.empty()) out += ',';
    out += extra;
  }
  return out + "}";
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "metrics: %s\n", why.c_str());
  std::abort();
}

}  // namespace

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double v) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> SlowBuckets() {
  return {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
}

CallbackHandle& CallbackHandle::operator=(CallbackHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    release_ = std::move(other.release_);
    other.release_ = nullptr;
  }
  return *this;
}

void CallbackHandle::Reset() {
  if (release_) release_();
  release_ = nullptr;
}

Registry& Registry::Global() {
  // Never destroyed: threads that outlive main's locals may still record.
  static Registry* const registry = new Registry();
  return *registry;
}

Registry::Entry& Registry::EntryFor(const std::string& name, int kind) {
  if (!ValidName(name)) Die("invalid metric name \"" + name + "\"");
  Entry& e = entries_[name];
  const bool taken = (kind != kCounter && e.counter) || (kind != kGauge && e.gauge) ||
                     (kind != kHistogram && e.histogram) || (kind != kCallback && e.callback);
  if (taken) Die("metric \"" + name + "\" registered as two kinds");
  return e;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry& e = EntryFor(name, kCounter);
  if (!e.counter) {
    const bool plain = label_names.empty();
    e.counter = std::make_unique<Family<Counter>>(name, help, std::move(label_names),
                                                  [] { return std::make_unique<Counter>(); });
    if (plain) e.counter->With();  // exposed as 0 from the start
  }
  return *e.counter;
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry& e = EntryFor(name, kGauge);
  if (!e.gauge) {
    const bool plain = label_names.empty();
    e.gauge = std::make_unique<Family<Gauge>>(name, help, std::move(label_names),
                                              [] { return std::make_unique<Gauge>(); });
    if (plain) e.gauge->With();
  }
  return *e.gauge;
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<double> bounds,
                                          std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry& e = EntryFor(name, kHistogram);
  if (!e.histogram) {
    const bool plain = label_names.empty();
    e.histogram = std::make_unique<Family<Histogram>>(
        name, help, std::move(label_names),
        [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
    if (plain) e.histogram->With();
  }
  return *e.histogram;
}

CallbackHandle Registry::AddGaugeCallback(const std::string& name, const std::string& help,
                                          std::function<std::optional<double>()> read) {
  std::lock_guard lock(mu_);
  Entry& e = EntryFor(name, kCallback);
  const uint64_t id = next_callback_id_++;
  e.callback = std::make_shared<Callback>();
  e.callback->help = help;
  e.callback->id = id;
  e.callback->read = std::move(read);
  return CallbackHandle([this, name, id] {
    std::lock_guard lock(mu_);
    auto it = entries_.find(name);
    if (it == entries_.end() || !it->second.callback || it->second.callback->id != id) return;
    // Waits for an Expose running it: after this, `read` is never called again.
    std::lock_guard reading(it->second.callback->mu);
    it->second.callback->read = nullptr;
  });
}

std::string Registry::Expose() const {
  // Families are never removed, so the pointers stay valid once the registry lock is released;
  // callbacks are copied so they run without it.
  struct Item {
    const Family<Counter>* counter = nullptr;
    const Family<Gauge>* gauge = nullptr;
    const Family<Histogram>* histogram = nullptr;
    std::shared_ptr<Callback> callback;
  };
  std::vector<std::pair<std::string, Item>> items;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, e] : entries_) {
      items.push_back({name, Item{e.counter.get(), e.gauge.get(), e.histogram.get(), e.callback}});
    }
  }
  std::string out;
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambdas below.
  for (const auto& entry : items) {
    const std::string& name = entry.first;
    const Item& item = entry.second;
    if (item.counter) {
      AppendHeader(out, name, item.counter->help(), "counter");
      item.counter->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
        out += name + Labels(item.counter->label_names(), values) + " " +
               std::to_string(c.value()) + "\n";
      });
    } else if (item.gauge) {
      AppendHeader(out, name, item.gauge->help(), "gauge");
      item.gauge->ForEach([&](const std::vector<std::string>& values, const Gauge& g) {
        out +=
            name + Labels(item.gauge->label_names(), values) + " " + FormatValue(g.value()) + "\n";
      });
    } else if (item.histogram) {
      AppendHeader(out, name, item.histogram->help(), "histogram");
      const auto& names = item.histogram->label_names();
      item.histogram->ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= h.bounds().size(); ++i) {
          cumulative += h.bucket(i);
          const std::string le =
              i < h.bounds().size() ? FormatValue(h.bounds()[i]) : std::string("+Inf");
          out += name + "_bucket" + Labels(names, values, "le=\"" + le + "\"") + " " +
                 std::to_string(cumulative) + "\n";
        }
        // The count is the +Inf bucket, as read above, so the two always agree.
        out += name + "_sum" + Labels(names, values) + " " + FormatValue(h.sum()) + "\n";
        out += name + "_count" + Labels(names, values) + " " + std::to_string(cumulative) + "\n";
      });
    } else if (item.callback) {
      AppendHeader(out, name, item.callback->help, "gauge");
      std::optional<double> value;
      std::lock_guard reading(item.callback->mu);
      if (item.callback->read) {
        try {
          value = item.callback->read();
        } catch (...) {
          value.reset();  // no sample rather than no page
        }
      }
      if (value) out += name + " " + FormatValue(*value) + "\n";
    }
  }
  return out;
}

}  // namespace faqbot::metrics
