// ProjectionRunner: keeps every registered projection up to date with the log.
//
// - At Start, each projection is restored from its persisted rows and applies
//   only the events after its checkpoint (no replay when checkpoints are
//   current). A projection without a checkpoint (newly registered) catches up
//   from position 1 in the background; Ready() is false until it has.
// - Background catch-ups and rebuilds share one reader of the log: each page
//   is read and decoded once, on its own thread ahead of use, and applied to
//   every instance that needs it, those instances split across the cores.
// - As a CommitListener it applies each committed batch to every caught-up
//   projection before the appending callers are completed: read models are
//   current when a mutation's response is sent (read-your-writes).
// - Rebuild(name) replays the log into a new generation in the background
//   while the current one keeps serving, then swaps them atomically.
// - Positions voided by an EventVoided (events/log_events.h) are skipped by
//   every projection; when one is recorded, every failed projection is
//   rebuilt, so a read model stopped by an impossible event recovers by itself.
// Rows and checkpoint of one step are written in one StateBatch, so a crash
// never applies an event twice or skips one.
//
// Thread safety: safe for concurrent use without external synchronization
// after Register calls (which must precede Start).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "events/event_store.h"
#include "events/state_store.h"
#include "projections/projection.h"

namespace iam::projections {

using ProjectionFactory = std::function<std::shared_ptr<Projection>()>;

struct ProjectionStatus {
  std::string name;
  std::string state;            // "live", "catching-up", "rebuilding", "failed"
  uint64_t generation = 0;
  uint64_t position = 0;        // last event applied to the serving generation
  uint64_t head = 0;            // the log's head when the status was taken
  uint64_t rebuild_position = 0;  // progress of a running rebuild (0 when none)
  std::string error;            // why it failed, when state == "failed"
};

class ProjectionRunner final : public events::CommitListener {
 public:
  // `events` and `state` must outlive the runner. The runner registers itself
  // as a commit listener of `events`.
  ProjectionRunner(events::EventStore& events, events::StateStore& state);
  ~ProjectionRunner() override;

  ProjectionRunner(const ProjectionRunner&) = delete;
  ProjectionRunner& operator=(const ProjectionRunner&) = delete;

  // Adds a projection; call before Start. Names are [a-z0-9-]+ and unique.
  // `row_format` numbers the shape of its persisted rows: rows a build of
  // another format wrote are dropped at Start and rebuilt from the log.
  void Register(std::string name, ProjectionFactory factory, int row_format = 1);

  // Removes the rows and checkpoints of projections that are not registered
  // (a read model split or retired), which would otherwise stay forever.
  // Only for the process that registers every projection (the server):
  // call after the Register calls, before Start. kIOError from the store.
  Status DropUnregistered();

  // Restores and catches up every projection (see above); one that cannot
  // be restored or cannot apply an event is marked failed (see Statuses)
  // rather than failing the start. Errors: kCorruption or kIOError from
  // reading checkpoints or cleaning up.
  Status Start();

  // The serving instance of `name`: nullptr for an unknown name and for one
  // that is not serving (failed, or still catching up), so that a failed read
  // model never answers (D-22). Lock-free. On a thread where a
  // ScopedReadModelView is installed (projections/read_model_view.h), the
  // view's instance of `name` when it has one: the state at a past position.
  std::shared_ptr<Projection> Live(std::string_view name) const;
  // Ok when `name` serves a caught-up generation; kUnavailable naming the
  // read model otherwise (failed, catching up, unknown). Lock-free.
  Status Serving(std::string_view name) const;
  template <typename T>
  std::shared_ptr<T> LiveAs(std::string_view name) const {
    return std::dynamic_pointer_cast<T>(Live(name));
  }

  // Starts a background rebuild of `name` from position 1. kNotFound for an
  // unknown name; kFailedPrecondition while one is already running.
  Status Rebuild(std::string_view name);

  std::vector<ProjectionStatus> Statuses() const;

  // True when every projection serves a generation that has caught up with the log.
  bool Ready() const;
  // Waits until Ready() and no rebuild is running, or the timeout passes.
  bool WaitUntilSettled(std::chrono::milliseconds timeout) const;
  // Waits until `name` serves a caught-up generation. False on timeout, for a
  // failed projection (see Statuses()) and for an unknown name.
  bool WaitUntilLive(std::string_view name, std::chrono::milliseconds timeout) const;

  // Events applied by Start's synchronous catch-up (shows that a restart with
  // current checkpoints replays nothing).
  uint64_t events_applied_at_start() const;

  // Stops and joins background catch-ups and rebuilds, then writes the
  // checkpoints that lag behind (so a restart replays nothing). Idempotent.
  void Stop();

  void OnCommitted(std::span<const events::Event> events) override;

 private:
  struct Slot;
  Slot* Find(std::string_view name) const;
  Result<uint64_t> Advance(const Slot& slot, Projection& target, uint64_t generation, uint64_t position,
                           bool write_checkpoint, uint64_t rebuild_generation, std::span<const events::Event> page,
                           uint64_t* persisted_position, std::vector<events::StateBatch>* unwritten);
  Status ApplyPage(Slot& slot, bool shadow, std::span<const events::Event> page);
  Status CatchUp(Slot& slot, bool shadow);
  Status GoLive(Slot& slot, bool shadow);
  struct Follower;
  std::vector<Follower> TakeFollowers();
  void ApplyToFollowers(std::vector<Follower>& followers, const Result<std::vector<events::Event>>& page);
  void RunSharedCatchUp();
  void WakeSharedCatchUp();
  void MarkFailed(Slot& slot, const Status& status);
  void AddCheckpoint(const Slot& slot, events::StateBatch& batch);
  Status WriteCheckpoint(Slot& slot);
  uint64_t LogEnd() const;

  events::EventStore& events_;
  events::StateStore& state_;
  std::vector<std::unique_ptr<Slot>> slots_;
  // Voided positions; replaced, never changed in place (readers on any thread).
  std::atomic<std::shared_ptr<const std::set<uint64_t>>> voided_;
  // The last position OnCommitted was given, stored before it takes any slot
  // lock: a commit whose listeners are running is readable but not yet the
  // store's Head(), and an instance going live must not pass it by.
  std::atomic<uint64_t> committed_seen_{0};
  uint64_t applied_at_start_ = 0;
  bool stopped_ = false;
  // The shared background reader (RunSharedCatchUp), started by Start.
  struct SharedCatchUp;
  std::unique_ptr<SharedCatchUp> shared_;
};

// Key of a projection's checkpoint record in the StateStore.
std::string CheckpointKey(std::string_view projection_name);

}  // namespace iam::projections
