// In-process measurements for the benchmark programs: run an operation on N
// threads under a count and a time bound, and print what was measured as one
// JSON line (the form tools/bench/run.sh collects). Header-only; not
// thread-safe itself (RunThreads joins its threads before returning).
#pragma once

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace iam::bench {

struct ThreadSample {
  uint64_t operations = 0;  // calls that returned true
  uint64_t failures = 0;
  double seconds = 0;
  std::vector<double> latencies_us;

  double PerSecond() const { return seconds > 0 ? static_cast<double>(operations) / seconds : 0; }
  double PercentileMs(double p) const {
    if (latencies_us.empty()) return 0;
    std::vector<double> sorted = latencies_us;
    const size_t rank = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size() - 1)));
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(rank), sorted.end());
    return sorted[rank] / 1000.0;
  }
};

// Runs `op(thread, i)` on `threads` threads, each at most `per_thread` times
// and all for at most `limit`; `op` returns whether it succeeded.
template <typename Op>
ThreadSample RunThreads(int threads, uint64_t per_thread, std::chrono::milliseconds limit, Op op) {
  using Clock = std::chrono::steady_clock;
  ThreadSample total;
  std::mutex mu;
  const auto start = Clock::now();
  const auto deadline = start + limit;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      ThreadSample local;
      for (uint64_t i = 0; i < per_thread && Clock::now() < deadline; ++i) {
        const auto before = Clock::now();
        const bool ok = op(t, i);
        local.latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - before).count());
        ok ? ++local.operations : ++local.failures;
      }
      std::lock_guard lock(mu);
      total.operations += local.operations;
      total.failures += local.failures;
      total.latencies_us.insert(total.latencies_us.end(), local.latencies_us.begin(), local.latencies_us.end());
    });
  }
  for (auto& worker : workers) worker.join();
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return total;
}

// Keeps `in_flight` asynchronous operations going for at most `limit`, the
// way a server's connections do: `start(done)` begins one and arranges for
// `done(succeeded)` to be called once when it ends (on any thread); each
// successful end starts the next, a failed one ends its slot. No thread
// waits per operation, so what is measured is the operation, not the
// scheduler waking one thread per result.
template <typename Start>
ThreadSample RunInFlight(int in_flight, std::chrono::milliseconds limit, Start start) {
  using Clock = std::chrono::steady_clock;
  struct Shared {
    std::mutex mu;
    std::condition_variable ended;
    ThreadSample total;
    int running = 0;
    Clock::time_point deadline;
    std::function<void()> launch;
  };
  auto shared = std::make_shared<Shared>();
  const auto began = Clock::now();
  shared->deadline = began + limit;
  shared->launch = [shared, &start] {
    const auto before = Clock::now();
    start([shared, before](bool ok) {
      const auto now = Clock::now();
      bool again = false;
      {
        std::lock_guard lock(shared->mu);
        shared->total.latencies_us.push_back(std::chrono::duration<double, std::micro>(now - before).count());
        ok ? ++shared->total.operations : ++shared->total.failures;
        again = ok && now < shared->deadline;
        if (!again) --shared->running;
      }
      if (again) {
        shared->launch();
      } else {
        shared->ended.notify_all();
      }
    });
  };
  {
    std::lock_guard lock(shared->mu);
    shared->running = in_flight;
  }
  for (int i = 0; i < in_flight; ++i) shared->launch();
  std::unique_lock lock(shared->mu);
  shared->ended.wait(lock, [&] { return shared->running == 0; });
  shared->total.seconds = std::chrono::duration<double>(Clock::now() - began).count();
  shared->launch = nullptr;  // breaks the cycle through the captured pointer
  return std::move(shared->total);
}

// One JSON line: `label`, the thread count, the rate of `unit`s (an
// operation may stand for several, e.g. a batch of puts) and the latencies
// of one operation, then `extra`'s fields.
inline void PrintSample(const std::string& label, int threads, const ThreadSample& sample, uint64_t units_per_op = 1,
                        const std::string& unit = "ops", const boost::json::object& extra = {}) {
  boost::json::object line{{"label", label},
                           {"threads", threads},
                           {"operations", sample.operations},
                           {"failures", sample.failures},
                           {"seconds", sample.seconds},
                           {"unit", unit},
                           {"per_second", sample.PerSecond() * static_cast<double>(units_per_op)},
                           {"p50_ms", sample.PercentileMs(0.50)},
                           {"p99_ms", sample.PercentileMs(0.99)}};
  for (const auto& field : extra) line[field.key()] = field.value();
  std::printf("%s\n", boost::json::serialize(line).c_str());
  std::fflush(stdout);
}

}  // namespace iam::bench
