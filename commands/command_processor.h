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
  // Returns a fresh WorkingState equal to the durable read models.
  using StateSource = std::function<WorkingState()>;

  // `events` must outlive the processor. `state_source` is called on the
  // processor's thread before the first command is decided (it may block until
  // the read models have caught up; commands queue meanwhile) and again
  // whenever an append failed (the working state may then hold events that
  // never became durable).
  CommandProcessor(events::EventStore& events, StateSource state_source);
  ~CommandProcessor();

  CommandProcessor(const CommandProcessor&) = delete;
  CommandProcessor& operator=(const CommandProcessor&) = delete;

  // Queues `command`. `done` is called exactly once, on another thread: with
  // the outcome after the events are durable and visible to readers, or with
  // the refusal (nothing written). kUnavailable after Stop.
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
