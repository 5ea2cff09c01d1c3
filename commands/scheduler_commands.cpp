#include "commands/scheduler_commands.h"

#include "events/session_events.h"

namespace iam::commands {

bool SessionEndedByClock(const projections::SessionRecord& session, int64_t now_ms, const SessionLifetimes& lifetimes) {
  if (now_ms >= session.expires_ms) return true;
  if (session.mfa_pending) return now_ms >= session.created_ms + lifetimes.mfa_pending_ms;
  return now_ms >= session.refresh_expires_ms;
}

Result<Decision> EndExpiredSessions::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& sessions = state.Get<projections::SessionDirectory>();
  Decision decision;
  for (const std::string& id : session_ids_) {
    const projections::SessionRecord* session = sessions.FindSession(id);
    if (!session || !SessionEndedByClock(*session, now_ms_, lifetimes_)) continue;
    CommandContext owner = context;
    owner.account_id = session->account_id;
    auto stream = StreamFor(events::kSessionAggregate, id, session->version, owner);
    stream.events.push_back(events::ToNewEvent(events::SessionEnded{id, events::kSessionExpired}));
    decision.appends.push_back(std::move(stream));
  }
  if (ended_) ended_->store(static_cast<int64_t>(decision.appends.size()));
  return decision;
}

}  // namespace iam::commands
