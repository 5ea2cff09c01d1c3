#include "commands/own_account_commands.h"

#include "commands/session_commands.h"
#include "commands/user_access_commands.h"
#include "events/session_events.h"

namespace iam::commands {

Result<Decision> ChangeOwnPassword::Decide(const WorkingState& state, const CommandContext& context) const {
  ticket_->Release();
  if (LockedOutNow(state, attempt_.username, now_ms_)) {
    return Status::FailedPrecondition("Too many failed attempts. Try again later.").WithReason(kSignInLockedOut);
  }
  if (!old_password_right_) {
    Decision decision;
    RecordFailedAttempt(state, context, attempt_, now_ms_, limits_,
                        Status::InvalidArgument("oldPassword is wrong").WithReason(kWrongOldPassword), decision);
    return decision;
  }
  auto decision = SetPassword(attempt_.ui_identity_id, checked_hash_, new_hash_, false, expires_on_ms_)
                      .Decide(state, context);
  if (!decision.ok()) return decision;
  RecordSucceededAttempt(state, context, attempt_, *decision);
  EndSessionsOf(state, context, attempt_.ui_identity_id, keep_session_id_, events::kSessionRevoked, *decision);
  return decision;
}

}  // namespace iam::commands
