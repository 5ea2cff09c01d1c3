#include "commands/own_account_commands.h"

#include "commands/session_commands.h"
#include "commands/user_access_commands.h"
#include "commands/user_validation.h"
#include "events/access_events.h"
#include "events/user_events.h"
#include "projections/password_reset_directory.h"
#include "projections/user_directory.h"
#include "events/session_events.h"

namespace iam::commands {

Result<Decision> ChangeOwnPassword::Decide(const WorkingState& state, const CommandContext& context) const {
  ticket_->Release();
  if (LockedOutNow(state, attempt_.username, now_ms_)) {
    return LockedOutRefusal();
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

Result<Decision> IssuePasswordReset::Decide(const WorkingState& state, const CommandContext& context) const {
  if (!state.Get<projections::UserDirectory>().FindUser(issued_.ui_identity_id)) {
    return Status::NotFound("the user does not exist");
  }
  const uint64_t version = state.Get<projections::PasswordResetDirectory>().VersionOf(issued_.ui_identity_id);
  Decision decision = OneEvent(StreamFor(events::kPasswordResetAggregate, issued_.ui_identity_id, version, context),
                               events::ToNewEvent(issued_));
  decision.mails.push_back(mail_);
  return decision;
}

Result<Decision> ConfirmPasswordReset::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& resets = state.Get<projections::PasswordResetDirectory>();
  const projections::ResetTokenRecord* token = resets.FindByHash(token_hash_);
  if (!token) return Status::NotFound("the token is unknown").WithReason(kTokenUnknown);
  if (token->state != projections::ResetTokenRecord::State::kLive || now_ms_ >= token->expires_ms) {
    return Status::FailedPrecondition("the token expired, was used or was superseded").WithReason(kTokenGone);
  }
  const projections::UserRecord* user = state.Get<projections::UserDirectory>().FindUser(token->ui_identity_id);
  if (!user) return Status::NotFound("the token is unknown").WithReason(kTokenUnknown);
  CommandContext owner = context;
  owner.account_id = user->account_id;
  // The person proved the address: the password is set whatever lock holds.
  // A lock the failed passwords set (N-7) ends with it, as a lockout does
  // an administrator's lock stays, and still stops the sign-in.
  auto user_stream = StreamFor(events::kUserAggregate, user->ui_identity_id, events::StreamAppend::kAnyVersion, owner);
  user_stream.events.push_back(
      events::ToNewEvent(events::UserPasswordSet{user->ui_identity_id, new_hash_, false, expires_on_ms_}));
  if (user->locked && user->lock_reason == "passwordAttempts") {
    user_stream.events.push_back(events::ToNewEvent(events::UserUnlocked{user->ui_identity_id}));
  }
  Result<Decision> decision = Decision{};
  decision->appends.push_back(std::move(user_stream));
  auto stream = StreamFor(events::kPasswordResetAggregate, user->ui_identity_id, resets.VersionOf(user->ui_identity_id),
                          owner);
  stream.events.push_back(events::ToNewEvent(events::PasswordResetConsumed{user->ui_identity_id, token->token_id}));
  decision->appends.push_back(std::move(stream));
  RecordLockoutCleared(state, owner, {EmailKey(user->profile.email), user->ui_identity_id, ""}, *decision);
  EndSessionsOf(state, owner, user->ui_identity_id, "", events::kSessionRevoked, *decision);
  return decision;
}

}  // namespace iam::commands
