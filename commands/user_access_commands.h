// Commands of user access (iam-rules.md §5): lock and unlock a user.
// Shared by the v3 routes and ZITADEL's lock/unlock routes: one rule, two wires.
//
// The user must belong to the caller's account (others look unknown, X-3).
// Refusals: kNotFound reason 1100 (user not found); kFailedPrecondition with
// the reasons below.
#pragma once

#include <string>

#include "commands/command.h"

namespace iam::commands {

// Reason numbers (the IAM error-type catalogue's "useradmin" family).
enum UserAccessReason : int {
  kUserNotFound = 1100,
  kUserAlreadyLocked = 1102,  // A-1, D-2: a second lock is refused
  kUserNotLocked = 1103,      // A-1, D-2: so is an unlock of an unlocked user
  kUserLocksThemself = 1104,
};

class LockUser final : public Command {
 public:
  explicit LockUser(std::string ui_identity_id) : ui_identity_id_(std::move(ui_identity_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
};

class UnlockUser final : public Command {
 public:
  explicit UnlockUser(std::string ui_identity_id) : ui_identity_id_(std::move(ui_identity_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
};

}  // namespace iam::commands
