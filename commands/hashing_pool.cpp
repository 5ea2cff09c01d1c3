#include "commands/hashing_pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <exception>
#include <utility>

namespace iam::commands {

HashingPool::HashingPool(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  threads = std::max<size_t>(1, threads);
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

HashingPool::~HashingPool() { Stop(); }

bool HashingPool::Post(std::function<void()> job) {
  assert(job);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(job));
  }
  work_available_.notify_one();
  return true;
}

void HashingPool::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_available_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

size_t HashingPool::DefaultThreads() { return std::max<size_t>(1, std::thread::hardware_concurrency() / 2); }

void HashingPool::WorkerLoop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_available_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Draining before exiting keeps Stop's promise that queued jobs run, so
      // every caller waiting on one gets its answer.
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::error("hashing pool: a job threw: {}", e.what());
    } catch (...) {
      spdlog::error("hashing pool: a job threw a non-standard exception");
    }
  }
}

}  // namespace iam::commands
