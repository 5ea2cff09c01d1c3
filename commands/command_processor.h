// CommandProcessor: the single writer that orders every mutation.
//
// Submitted commands are decided one at a time, in order, on one thread,
// against a WorkingState that already includes every command accepted before
// them. So a rule spanning several aggregates (unique names, "no subgroups")
// can never be passed by two racing requests. Accepted events go to the
// EventStore at once (without waiting for the sync), so many commands share
// one group commit; each callback runs only after its events are durable and
// the read models have applied them.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <functional>
#include <memory>

#include "commands/command.h"
#include "commands/working_state.h"
#include "events/event_store.h"

namespace iam::commands {

class CommandProcessor {
 public:
  using Callback = std::function<void(Result<CommandOutcome>)>;
  // Returns a fresh WorkingState equal to the durable read models, or why
  // there is none (a read model failed: kUnavailable / kCorruption).
  using StateSource = std::function<Result<WorkingState>()>;
  // Whether the read models the working state mirrors are serving; a failed
  // one refuses every command (D-22: fail closed, never decide on a state
  // that may be wrong).
  using DependencyCheck = std::function<Status()>;

  struct Options {
    // Commands waiting beyond this many are refused at once (kUnavailable).
    size_t max_queued = 65536;
  };

  // `events` must outlive the processor. `state_source` is called on the
  // processor's thread before the first command is decided (it may block until
  // the read models have caught up; commands queue meanwhile), and again, once
  // nothing is in flight, whenever an append failed (the working state may then
  // hold events that never became durable) or a dependency check failed.
  // `dependencies` is called before each command.
  CommandProcessor(events::EventStore& events, StateSource state_source, DependencyCheck dependencies,
                   Options options);
  CommandProcessor(events::EventStore& events, StateSource state_source);
  ~CommandProcessor();

  CommandProcessor(const CommandProcessor&) = delete;
  CommandProcessor& operator=(const CommandProcessor&) = delete;

  // Queues `command`. `done` is called exactly once, on another thread (or at
  // once, on this one, when the queue is full or the processor stopped): with
  // the outcome after the events are durable and visible to readers, or with
  // the refusal (nothing written). kUnavailable when stopped, when the queue
  // is full, when the event store cannot write (D-20), or when a read model
  // it depends on failed (D-22); kInternal when the command threw.
  void Submit(std::unique_ptr<Command> command, CommandContext context, Callback done);

  // Blocking form of Submit.
  Result<CommandOutcome> Execute(std::unique_ptr<Command> command, CommandContext context);

  // Decides the queued commands, waits for their appends, then stops. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iam::commands
