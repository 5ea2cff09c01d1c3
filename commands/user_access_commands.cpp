#include "commands/user_access_commands.h"

#include "events/access_events.h"
#include "events/user_events.h"

namespace iam::commands {
namespace {

using projections::UserDirectory;
using projections::UserRecord;

// The user of the caller's account, or why not.
Result<const UserRecord*> UserOfAccount(const WorkingState& state, const CommandContext& context,
                                        const std::string& ui_identity_id) {
  const UserRecord* user = state.Get<UserDirectory>().FindUser(ui_identity_id);
  if (!user || user->account_id != context.account_id) {
    return Status::NotFound("User not found: " + ui_identity_id).WithReason(kUserNotFound);
  }
  return user;
}

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
  return UserEvent(ui_identity_id_, context, events::ToNewEvent(events::UserLocked{ui_identity_id_}));
}

Result<Decision> UnlockUser::Decide(const WorkingState& state, const CommandContext& context) const {
  auto user = UserOfAccount(state, context, ui_identity_id_);
  if (!user.ok()) return user.status();
  if (!(*user)->locked) return Status::FailedPrecondition("User is not locked").WithReason(kUserNotLocked);
  return UserEvent(ui_identity_id_, context, events::ToNewEvent(events::UserUnlocked{ui_identity_id_}));
}

}  // namespace iam::commands
