#include "api/scheduler/scheduler.h"

#include <spdlog/spdlog.h>

namespace iam::api {

Scheduler::Scheduler(std::shared_ptr<const Clock> clock, std::vector<SchedulerJob> jobs, Options options)
    : clock_(std::move(clock)), jobs_(std::move(jobs)), options_(options) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (running_ || stopping_) return;
  running_ = true;
  thread_ = std::thread([this] { Run(); });
}

void Scheduler::Wake() {
  {
    std::lock_guard lock(mu_);
    round_requested_ = true;
  }
  wake_.notify_all();
}

void Scheduler::Tick(std::function<void(Result<SchedulerRoundReport>)> done) {
  {
    std::lock_guard lock(mu_);
    if (running_ && !stopping_) {
      ticks_.push_back(std::move(done));
      wake_.notify_all();
      return;
    }
  }
  done(Status::Unavailable("the scheduler is not running"));
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<std::function<void(Result<SchedulerRoundReport>)>> unanswered;
  {
    std::lock_guard lock(mu_);
    running_ = false;
    unanswered.swap(ticks_);
  }
  for (auto& done : unanswered) done(Status::Unavailable("the scheduler stopped"));
}

void Scheduler::Run() {
  while (true) {
    std::vector<std::function<void(Result<SchedulerRoundReport>)>> ticks;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.wake_interval,
                     [this] { return stopping_ || round_requested_ || !ticks_.empty(); });
      if (stopping_) return;
      round_requested_ = false;
      ticks.swap(ticks_);
    }
    SchedulerRoundReport report = RunRound();
    for (auto& done : ticks) done(report);
  }
}

SchedulerRoundReport Scheduler::RunRound() {
  SchedulerRoundReport report;
  report.now_ms = clock_->NowMillis();
  if (options_.active && !options_.active()) return report;
  for (const SchedulerJob& job : jobs_) {
    SchedulerJobReport outcome{job.name, 0, Status::Ok()};
    Result<int64_t> appended = job.run(report.now_ms);
    if (appended.ok()) {
      outcome.events = *appended;
      if (*appended > 0) spdlog::info("scheduler: {} appended {} event(s)", job.name, *appended);
    } else {
      outcome.status = appended.status();
      spdlog::warn("scheduler: {} failed: {}; the next round retries", job.name, appended.status().ToString());
    }
    report.jobs.push_back(std::move(outcome));
  }
  return report;
}

}  // namespace iam::api
