#include "commands/user_access_commands.h"

#include "commands/user_commands.h"
#include "events/access_events.h"
#include "events/user_events.h"

namespace iam::commands {
namespace {

using projections::UserDirectory;
using projections::UserRecord;

Decision UserEvent(const std::string& ui_identity_id, const CommandContext& context, events::NewEvent event) {
  return OneEvent(StreamFor(events::kUserAggregate, ui_identity_id, events::StreamAppend::kAnyVersion, context),
                  std::move(event));
}

}  // namespace

Result<Decision> LockUser::Decide(const WorkingState& state, const CommandContext& context) const {
  auto user = UserOfAccount(state, context, ui_identity_id_);
  if (!user.ok()) return user.status();
  if ((*user)->ui_user_name == context.actor) {
    return Status::FailedPrecondition("A user cannot lock themself").WithReason(kUserLocksThemself);
  }
  if ((*user)->locked) return Status::FailedPrecondition("User is already locked").WithReason(kUserAlreadyLocked);
  return UserEvent(ui_identity_id_, context, events::ToNewEvent(events::UserLocked{ui_identity_id_, ""}));
}

Result<Decision> UnlockUser::Decide(const WorkingState& state, const CommandContext& context) const {
  auto user = UserOfAccount(state, context, ui_identity_id_);
  if (!user.ok()) return user.status();
  if (!(*user)->locked) return Status::FailedPrecondition("User is not locked").WithReason(kUserNotLocked);
  return UserEvent(ui_identity_id_, context, events::ToNewEvent(events::UserUnlocked{ui_identity_id_}));
}

Status CheckPasswordResettable(const UserRecord& user) {
  if (user.locked) return Status::FailedPrecondition("User is locked; unlock the user first").WithReason(kUserIsLocked);
  return Status::Ok();
}

Result<Decision> SetPassword::Decide(const WorkingState& state, const CommandContext& context) const {
  auto user = UserOfAccount(state, context, ui_identity_id_);
  if (!user.ok()) return user.status();
  if (auto s = CheckPasswordResettable(**user); !s.ok()) return s;
  const std::string current = (*user)->password_hashes.empty() ? std::string() : (*user)->password_hashes.back();
  if (current != checked_hash_) {
    return Status::FailedPrecondition("The password changed while this request was checked; retry")
        .WithReason(kPasswordChangedMeanwhile);
  }
  Decision decision = UserEvent(ui_identity_id_, context,
                                events::ToNewEvent(events::UserPasswordSet{ui_identity_id_, new_hash_, one_time_,
                                                                           expires_on_ms_, mail_.has_value()}));
  if (mail_) decision.mails.push_back(*mail_);
  return decision;
}

Result<Decision> RecordPasswordFailure::Decide(const WorkingState& state, const CommandContext& context) const {
  auto user = UserOfAccount(state, context, ui_identity_id_);
  if (!user.ok()) return user.status();
  if ((*user)->locked) return Status::FailedPrecondition("User is locked").WithReason(kUserIsLocked);
  const int64_t failures = (*user)->failed_password_checks + 1;
  Decision decision = UserEvent(ui_identity_id_, context,
                                events::ToNewEvent(events::UserPasswordCheckFailed{ui_identity_id_, failures}));
  if (failures >= kMaxPasswordFailures) {
    decision.appends.front().events.push_back(
        events::ToNewEvent(events::UserLocked{ui_identity_id_, "passwordAttempts"}));
  }
  return decision;
}

Status CheckAdditionalAuthenticationValue(const std::string& value) {
  if (value != "TFA" && value != "MFA" && value != "NONE") return Status::InvalidArgument("value must be TFA, MFA or NONE");
  return Status::Ok();
}

Result<Decision> SetAdditionalAuthentication::Decide(const WorkingState& state, const CommandContext& context) const {
  if (auto s = CheckAdditionalAuthenticationValue(value_); !s.ok()) return s;
  auto user = UserOfAccount(state, context, ui_identity_id_);
  if (!user.ok()) return user.status();
  if ((*user)->profile.additional_authentication == value_) return Decision{};
  return UserEvent(ui_identity_id_, context,
                   events::ToNewEvent(events::UserAdditionalAuthenticationSet{ui_identity_id_, value_}));
}

Result<Decision> ResetAdditionalAuthentication::Decide(const WorkingState& state, const CommandContext& context) const {
  auto user = UserOfAccount(state, context, ui_identity_id_);
  if (!user.ok()) return user.status();
  return UserEvent(ui_identity_id_, context,
                   events::ToNewEvent(events::UserAdditionalAuthenticationReset{ui_identity_id_}));
}

}  // namespace iam::commands
