// What the scheduler appends (seed-003 TO-2, CC-14): its decisions, like
// everyone's, are the writer's, taken against the working state of that
// moment, so an event is appended only while its condition still holds (a
// session refreshed or ended since the scheduler listed it is left alone).
// The scheduler's events name kSchedulerActor as their creator.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands/command.h"
#include "commands/session_commands.h"
#include "projections/session_directory.h"

namespace iam::commands {

// The creator of the scheduler's events (seed-003 §12).
inline constexpr const char* kSchedulerActor = "system:scheduler";

// Whether the clock has ended `session` at `now_ms` (T-11): its absolute end
// passed, or its refresh token's life, or (while its MFA step is due) the
// mfa-pending token's life since sign-in. Access decisions check the same
// times themselves (CC-15); this only says when to record the end.
bool SessionEndedByClock(const projections::SessionRecord& session, int64_t now_ms, const SessionLifetimes& lifetimes);

// T-14: UserSessionEnded {EXPIRED} for each of `session_ids` that is open
// and ended by the clock at `now_ms`; the others are skipped. Never refuses;
// a decision without events when none is due any more. `ended`, when given,
// is set to the number of sessions ended (on the processor's thread, before
// the outcome is delivered).
class EndExpiredSessions final : public Command {
 public:
  EndExpiredSessions(std::vector<std::string> session_ids, int64_t now_ms, const SessionLifetimes& lifetimes,
                     std::shared_ptr<std::atomic<int64_t>> ended = nullptr)
      : session_ids_(std::move(session_ids)), now_ms_(now_ms), lifetimes_(lifetimes), ended_(std::move(ended)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::vector<std::string> session_ids_;
  int64_t now_ms_;
  SessionLifetimes lifetimes_;
  std::shared_ptr<std::atomic<int64_t>> ended_;
};

}  // namespace iam::commands
