#include "commands/own_account_commands.h"

#include "commands/account_administrators.h"
#include "commands/invitation_commands.h"
#include "commands/session_commands.h"
#include "commands/user_commands.h"
#include "commands/user_access_commands.h"
#include "commands/user_validation.h"
#include "events/access_events.h"
#include "events/user_events.h"
#include "projections/managed_domain_directory.h"
#include "projections/api_client_directory.h"
#include "projections/group_directory.h"
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
  Decision decision = OneEvent(TokenStream<projections::PasswordResetTokens>(state, issued_.ui_identity_id, context),
                               events::ToNewEvent(events::kPasswordResetTokens, issued_));
  decision.mails.push_back(mail_);
  return decision;
}

Result<Decision> ConfirmPasswordReset::Decide(const WorkingState& state, const CommandContext& context) const {
  auto presented = FindPresentedToken<projections::PasswordResetTokens>(state, token_hash_);
  if (!presented.ok()) return presented.status();
  if (auto s = CheckLive(*presented->token, now_ms_); !s.ok()) return s;
  const projections::UserRecord* user = presented->user;
  CommandContext owner = context;
  owner.account_id = user->resource_owner;
  // The person proved the address: the password is set whatever lock holds.
  // A lock the failed passwords set (N-7) ends with it, as a lockout does
  // an administrator's lock stays, and still stops the sign-in. An
  // address not yet proven is proven by it, which accepts its pending
  // invitations (V-11).
  auto user_stream = StreamFor(events::kUserAggregate, user->ui_identity_id, events::StreamAppend::kAnyVersion, owner);
  user_stream.events.push_back(
      events::ToNewEvent(events::UserPasswordSet{user->ui_identity_id, new_hash_, false, expires_on_ms_}));
  if (user->locked && user->lock_reason == "passwordAttempts") {
    user_stream.events.push_back(events::ToNewEvent(events::UserUnlocked{user->ui_identity_id}));
  }
  const bool proves_address = !user->email_proven;
  if (proves_address) {
    user_stream.events.push_back(events::ToNewEvent(
        events::UserEmailConfirmed{user->ui_identity_id, events::kViaReset, presented->token->token_id}));
  }
  Result<Decision> decision = Decision{};
  decision->appends.push_back(std::move(user_stream));
  if (proves_address) AcceptPendingInvitations(state, context, *user, events::kViaReset, now_ms_, *decision);
  auto stream = TokenStream<projections::PasswordResetTokens>(state, user->ui_identity_id, owner);
  stream.events.push_back(events::ToNewEvent(
      events::kPasswordResetTokens, events::MailedTokenConsumed{user->ui_identity_id, presented->token->token_id}));
  decision->appends.push_back(std::move(stream));
  RecordLockoutCleared(state, owner, {EmailKey(user->profile.email), user->ui_identity_id, ""}, *decision);
  EndSessionsOf(state, owner, user->ui_identity_id, "", events::kSessionRevoked, *decision);
  return decision;
}

Result<Decision> UpdateOwnProfile::Decide(const WorkingState& state, const CommandContext& context) const {
  const projections::UserRecord* user = state.Get<projections::UserDirectory>().FindUser(ui_identity_id_);
  if (!user) return Status::NotFound("the account does not exist");
  if (auto s = CheckIfMatch(context, user->version); !s.ok()) return s;
  events::UserProfile next = user->profile;
  next.first_name = profile_.first_name;
  next.last_name = profile_.last_name;
  next.preferred_language = profile_.preferred_language;
  next.time_zone = profile_.time_zone;
  if (next == user->profile) return Decision{};
  return OneEvent(StreamFor(events::kUserAggregate, ui_identity_id_, user->version, context),
                  events::ToNewEvent(events::UserProfileChanged{ui_identity_id_, std::move(next), user->pending_email}));
}

Result<Decision> DeleteOwnAccount::Decide(const WorkingState& state, const CommandContext& context) const {
  if (ticket_) ticket_->Release();
  const auto& users = state.Get<projections::UserDirectory>();
  const projections::UserRecord* user = users.FindUser(attempt_.ui_identity_id);
  if (!user) return Status::NotFound("the account does not exist");
  Decision decision;
  auto mfa_stream = MfaStreamOf(state, user->ui_identity_id, context);
  if (step_up_) {
    auto valid = CheckStepUpCode(state, context, attempt_, *step_up_, now_ms_, limits_, mfa_stream, decision);
    if (!valid.ok()) return valid.status();
    if (!*valid) return decision;
  }
  // a person whose address is in a workspace's VERIFIED domain is that workspace's to delete (#50).
  if (state.Get<projections::ManagedDomainDirectory>().VerifiedOwnerOfEmail(user->profile.email)) {
    return Status::PermissionDenied("your account is managed by a workspace; its administrators delete it")
        .WithReason(kManagedPerson);
  }
  if (state.Get<projections::ApiClientDirectory>().OwnsAnyClient(user->ui_identity_id)) {
    return Status::FailedPrecondition("you own API clients; transfer them to another user first")
        .WithReason(kUserOwnsApiClient);
  }
  if (IsLastAdministrator(*user, AdministratorFactsOf(state))) {
    return Status::FailedPrecondition("you are the last administrator of your account").WithReason(kLastAdministrator);
  }
  if (!mfa_stream.events.empty()) decision.appends.push_back(std::move(mfa_stream));
  EndSessionsOf(state, context, user->ui_identity_id, "", events::kSessionRevoked, decision);
  auto person = StreamFor(events::kUserAggregate, user->ui_identity_id, user->version, context);
  person.events.push_back(
      events::ToNewEvent(events::UserAccountDeleted{user->ui_identity_id, events::kDeletedBySelf}));
  decision.appends.push_back(std::move(person));
  return decision;
}

}  // namespace iam::commands
