// Scheduler: the server's own work that the clock makes due (seed-003 TO-2):
// ending the sessions the clock has ended, rotating the token signing key,
// and later jobs (invitation and access expiry) that plug in as one
// SchedulerJob each.
//
// One thread runs every job in turn, a "round": at start, whenever Wake is
// called (the test clock moved), every wake_interval of real time, and on
// Tick (what `iamctl scheduler tick` asks through POST
// /admin/v1/scheduler/tick), which reports what ran once its events are
// durable. Jobs read the rules' clock (a test clock under test), so after an
// advance the due work runs at the next round.
//
// Thread safety: Wake, Tick and Stop may be called from any thread; jobs run
// only on the scheduler's thread, one at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/clock.h"
#include "events/status.h"

namespace iam::api {

// One kind of due work.
struct SchedulerJob {
  std::string name;  // e.g. "session-expiry"; names it in logs and tick reports
  // Does what is due at `now_ms` and returns how many events it appended,
  // once they are durable. Its commands decide in the writer, so each event
  // is appended only if its condition still holds then (CC-14). An error
  // leaves the rest of the round to the other jobs; the next round retries.
  std::function<Result<int64_t>(int64_t now_ms)> run;
};

struct SchedulerJobReport {
  std::string name;
  int64_t events = 0;  // appended and durable
  Status status;       // the job's error, if it failed
};

struct SchedulerRoundReport {
  int64_t now_ms = 0;  // the clock the round decided by
  std::vector<SchedulerJobReport> jobs;
};

class Scheduler {
 public:
  struct Options {
    // A bounded wake-up: rounds run at least this often (real time).
    std::chrono::milliseconds wake_interval{5000};
    // Rounds run only while this returns true (on a cluster, the node that
    // writes: the others would only have their commands refused); null =
    // always. A round skipped reports no job.
    std::function<bool()> active;
  };

  // `clock` is the rules' clock.
  Scheduler(std::shared_ptr<const Clock> clock, std::vector<SchedulerJob> jobs, Options options);
  ~Scheduler();  // Stop()

  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts the thread; its first round runs at once. Once only.
  void Start();

  // Asks for a round now (after the clock moved).
  void Wake();

  // Runs one round after any round in progress (jobs never overlap) and
  // calls `done` with its report once the round's events are durable, on
  // the scheduler's thread. `done` is called exactly once; with kUnavailable
  // at once when the scheduler is not running (not started yet, or stopped).
  void Tick(std::function<void(Result<SchedulerRoundReport>)> done);

  // Finishes the round in progress, answers queued ticks with kUnavailable
  // and joins the thread. Idempotent.
  void Stop();

 private:
  void Run();
  SchedulerRoundReport RunRound();

  const std::shared_ptr<const Clock> clock_;
  const std::vector<SchedulerJob> jobs_;
  const Options options_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool running_ = false;        // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  bool round_requested_ = true;  // guarded by mu_: the first round runs at once
  std::vector<std::function<void(Result<SchedulerRoundReport>)>> ticks_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace iam::api
