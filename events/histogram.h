// Histogram: counts of observations in fixed buckets, for the Prometheus
// text of /metrics (decision D-15).
//
// Thread safety: Observe and Snapshot are safe for concurrent use without
// external synchronization; Observe takes no lock (relaxed atomics), so a
// snapshot taken while others observe may be off by the observations in
// flight, never torn within one counter.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace iam::events {

// What a histogram held at one moment. `cumulative[i]` counts the
// observations ≤ upper_bounds[i]; `count` all of them (the +Inf bucket).
struct HistogramSnapshot {
  std::vector<double> upper_bounds;
  std::vector<uint64_t> cumulative;
  uint64_t count = 0;
  double sum = 0;
};

class Histogram {
 public:
  // `upper_bounds` ascending; an observation falls into the first bucket
  // whose bound it does not exceed, else only into the total.
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double value);
  HistogramSnapshot Snapshot() const;

  // Bounds for latencies in seconds: 100 µs to 10 s.
  static std::vector<double> LatencySeconds();

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // one per bound, then one for +Inf
  std::atomic<uint64_t> sum_micro_{0};                // sum × 1e6, so it can be atomic
};

}  // namespace iam::events
