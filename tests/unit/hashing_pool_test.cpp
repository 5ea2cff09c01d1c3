// HashingPool (decision D-19): bounded queue, draining stop, jobs that throw.
// Waits are bounded but generous; the assertions are about what ran, never
// about how fast.
#include "commands/hashing_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace iam::commands {
namespace {

constexpr auto kPatience = std::chrono::seconds(30);

// Each test declares what its jobs touch before the pool, so the pool (whose
// destructor joins the workers) goes first.

// Counts finished jobs and lets the test wait for a number of them.
class Tally {
 public:
  // Notifies under the lock so a waiter that wakes and destroys the Tally
  // cannot do so while this call still touches it.
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    changed_.notify_all();
  }
  // Whether `n` jobs finished within kPatience.
  bool WaitFor(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kPatience, [&] { return count_ >= n; });
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int count_ = 0;
};

// A job that reports it has started, then holds its worker until released.
struct Blocker {
  std::promise<void> started, release;
  std::shared_future<void> released = release.get_future().share();

  std::function<void()> Job() {
    return [this] {
      started.set_value();
      released.wait();
    };
  }
  bool WaitStarted() { return started.get_future().wait_for(kPatience) == std::future_status::ready; }
};

TEST(HashingPoolTest, RunsEveryJob) {
  Tally tally;
  std::atomic<int> sum{0};
  HashingPool pool(3, 100);
  for (int i = 1; i <= 50; ++i) {
    ASSERT_TRUE(pool.Post([&, i] {
      sum += i;
      tally.Add();
    }));
  }
  ASSERT_TRUE(tally.WaitFor(50));
  EXPECT_EQ(sum.load(), 50 * 51 / 2);
}

TEST(HashingPoolTest, JobsRunOffTheCallersThread) {
  std::promise<std::thread::id> ran_on;
  std::future<std::thread::id> ran_on_future = ran_on.get_future();
  HashingPool pool(1, 1);
  ASSERT_TRUE(pool.Post([&] { ran_on.set_value(std::this_thread::get_id()); }));
  ASSERT_EQ(ran_on_future.wait_for(kPatience), std::future_status::ready);
  EXPECT_NE(ran_on_future.get(), std::this_thread::get_id());
}

TEST(HashingPoolTest, PostIsRefusedWhenTheQueueIsFull) {
  Blocker blocker;
  Tally tally;
  bool refused_ran = false;
  HashingPool pool(1, 2);
  ASSERT_TRUE(pool.Post(blocker.Job()));
  ASSERT_TRUE(blocker.WaitStarted());  // the only worker is busy; the queue is empty

  EXPECT_TRUE(pool.Post([&] { tally.Add(); }));
  EXPECT_TRUE(pool.Post([&] { tally.Add(); }));
  EXPECT_FALSE(pool.Post([&] { refused_ran = true; }));
  EXPECT_FALSE(pool.Post([&] { refused_ran = true; }));

  blocker.release.set_value();
  ASSERT_TRUE(tally.WaitFor(2));
  // Room again once the queue drained.
  EXPECT_TRUE(pool.Post([&] { tally.Add(); }));
  ASSERT_TRUE(tally.WaitFor(3));
  pool.Stop();
  EXPECT_FALSE(refused_ran);
  EXPECT_EQ(tally.count(), 3);
}

TEST(HashingPoolTest, StopRunsQueuedJobsThenRefuses) {
  Blocker blocker;
  Tally tally;
  HashingPool pool(1, 100);
  ASSERT_TRUE(pool.Post(blocker.Job()));
  ASSERT_TRUE(blocker.WaitStarted());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.Post([&] { tally.Add(); }));

  // Stop blocks until the workers exit, so it runs beside the test while the
  // worker is still held and the five jobs are certainly queued.
  std::thread stopper([&] { pool.Stop(); });
  int accepted_meanwhile = 0;
  bool refused = false;
  for (int i = 0; i < 30000 && !refused; ++i) {
    if (pool.Post([&] { tally.Add(); })) {
      ++accepted_meanwhile;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } else {
      refused = true;
    }
  }
  EXPECT_TRUE(refused) << "Stop never began refusing jobs";
  EXPECT_EQ(tally.count(), 0);  // the worker is still held

  blocker.release.set_value();
  stopper.join();
  EXPECT_EQ(tally.count(), 5 + accepted_meanwhile);
  EXPECT_FALSE(pool.Post([&] { tally.Add(); }));
  pool.Stop();  // idempotent
  EXPECT_EQ(tally.count(), 5 + accepted_meanwhile);
}

TEST(HashingPoolTest, ThrowingJobDoesNotKillTheWorker) {
  Tally tally;
  HashingPool pool(1, 10);
  ASSERT_TRUE(pool.Post([] { throw std::runtime_error("job failed on purpose"); }));
  ASSERT_TRUE(pool.Post([] { throw 42; }));
  ASSERT_TRUE(pool.Post([&] { tally.Add(); }));
  ASSERT_TRUE(tally.WaitFor(1));
  // The single worker survived both and still takes work.
  ASSERT_TRUE(pool.Post([&] { tally.Add(); }));
  ASSERT_TRUE(tally.WaitFor(2));
}

TEST(HashingPoolTest, DestructorDrainsTheQueue) {
  Tally tally;
  {
    HashingPool pool(2, 100);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(pool.Post([&] { tally.Add(); }));
  }
  EXPECT_EQ(tally.count(), 20);
}

TEST(HashingPoolTest, ZeroThreadsStillRunsJobs) {
  Tally tally;
  HashingPool pool(0, 1);
  ASSERT_TRUE(pool.Post([&] { tally.Add(); }));
  ASSERT_TRUE(tally.WaitFor(1));
}

TEST(HashingPoolTest, DefaultThreadsIsAtLeastOne) {
  EXPECT_GE(HashingPool::DefaultThreads(), 1u);
  EXPECT_LE(HashingPool::DefaultThreads(), std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace iam::commands
