// HashingPool: a small fixed set of worker threads for CPU-heavy password work
// (argon2id hashing and verification, tens of milliseconds each), so that it
// never runs on the HTTP I/O threads or the command processor's thread
// (decision D-19). Jobs wait in a bounded FIFO queue; when it is full the
// caller is refused at once and answers 503, rather than letting password
// requests pile up behind each other without limit.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace iam::commands {

class HashingPool {
 public:
  // Starts `threads` workers (at least one). At most `max_queued` jobs may wait
  // for a worker at a time; jobs being run do not count.
  explicit HashingPool(size_t threads, size_t max_queued);
  // Stops the pool (see Stop).
  ~HashingPool();

  HashingPool(const HashingPool&) = delete;
  HashingPool& operator=(const HashingPool&) = delete;

  // Queues `job` (non-empty) to run once on a worker thread. Returns false,
  // and never runs the job, when `max_queued` jobs are already waiting or the
  // pool is stopping. A job that throws is logged and dropped; the worker
  // carries on.
  bool Post(std::function<void()> job);

  // Refuses new jobs, runs every job already queued, and returns once all
  // workers have exited. Idempotent; a concurrent second call also waits for
  // the workers. Must not be called from a job (it would wait for itself).
  void Stop();

  // Half the hardware threads, at least one: hashing is CPU-bound, and the
  // other half is left to the I/O threads and the command processor.
  static size_t DefaultThreads();

 private:
  void WorkerLoop();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable work_available_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_

  std::mutex stop_mu_;  // serializes Stop's joins; taken before mu_, never while holding it
  std::vector<std::thread> workers_;  // guarded by stop_mu_ once constructed
};

}  // namespace iam::commands
