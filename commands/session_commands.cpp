#include "commands/session_commands.h"

#include <algorithm>

#include "projections/session_directory.h"

namespace iam::commands {
namespace {

Status NotOpen(const std::string& session_id) {
  return Status::NotFound("no open session " + session_id).WithReason(kSessionNotOpen);
}

// The session's end, with the refusal its request gets.
Decision Ended(const projections::SessionRecord& session, const char* reason, const CommandContext& context,
               const std::string& why) {
  CommandContext owner = context;
  owner.account_id = session.account_id;
  Decision decision = OneEvent(StreamFor(events::kSessionAggregate, session.session_id, session.version, owner),
                               events::ToNewEvent(events::SessionEnded{session.session_id, reason}));
  decision.refusal = Status::PermissionDenied(why).WithReason(kRefreshRefused);
  return decision;
}

// The session's next refresh token (`refresh`), its methods kept and the
// refresh lifetime restarted within the session's end.
Decision Rotated(const projections::SessionRecord& session, events::SessionRefreshed refresh, int64_t now_ms,
                 const SessionLifetimes& lifetimes, const CommandContext& context) {
  refresh.amr = session.amr;
  refresh.refresh_expires_ms = std::min(now_ms + lifetimes.refresh_ms, session.expires_ms);
  CommandContext owner = context;
  owner.account_id = session.account_id;
  return OneEvent(StreamFor(events::kSessionAggregate, session.session_id, session.version, owner),
                  events::ToNewEvent(refresh));
}

}  // namespace

int64_t EndSessionsOf(const WorkingState& state, const CommandContext& context, const std::string& ui_identity_id,
                      const std::string& keep_session_id, const char* reason, Decision& decision) {
  int64_t ended = 0;
  for (const projections::SessionRecord* session :
       state.Get<projections::SessionDirectory>().SessionsOf(ui_identity_id)) {
    if (session->session_id == keep_session_id) continue;
    CommandContext owner = context;
    owner.account_id = session->account_id;
    auto stream = StreamFor(events::kSessionAggregate, session->session_id, session->version, owner);
    stream.events.push_back(events::ToNewEvent(events::SessionEnded{session->session_id, reason}));
    decision.appends.push_back(std::move(stream));
    ++ended;
  }
  return ended;
}

Result<Decision> RefreshSession::Decide(const WorkingState& state, const CommandContext& context) const {
  const projections::SessionRecord* session =
      state.Get<projections::SessionDirectory>().FindSession(refresh_.session_id);
  if (!session || session->mfa_pending) return NotOpen(refresh_.session_id);
  if (presented_ != session->refresh_token_hash) {
    if (std::find(session->spent_hashes.begin(), session->spent_hashes.end(), presented_) ==
        session->spent_hashes.end()) {
      return NotOpen(refresh_.session_id);
    }
    return Ended(*session, events::kSessionReuseDetected, context,
                 "the refresh token was used before: the session is ended");
  }
  if (now_ms_ >= session->refresh_expires_ms || now_ms_ >= session->expires_ms) {
    return Ended(*session, events::kSessionExpired, context, "the session has expired");
  }
  return Rotated(*session, refresh_, now_ms_, lifetimes_, context);
}

Result<Decision> RotateSession::Decide(const WorkingState& state, const CommandContext& context) const {
  const projections::SessionRecord* session =
      state.Get<projections::SessionDirectory>().FindSession(refresh_.session_id);
  if (!session || session->mfa_pending || now_ms_ >= session->expires_ms) return NotOpen(refresh_.session_id);
  return Rotated(*session, refresh_, now_ms_, lifetimes_, context);
}

Result<Decision> EndSession::Decide(const WorkingState& state, const CommandContext& context) const {
  const projections::SessionRecord* session = state.Get<projections::SessionDirectory>().FindSession(session_id_);
  if (!session || (!owner_.empty() && session->ui_identity_id != owner_)) return NotOpen(session_id_);
  CommandContext owner = context;
  owner.account_id = session->account_id;
  return OneEvent(StreamFor(events::kSessionAggregate, session_id_, session->version, owner),
                  events::ToNewEvent(events::SessionEnded{session_id_, reason_}));
}

}  // namespace iam::commands
