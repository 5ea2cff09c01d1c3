// Commands of user access (iam-rules.md §5, N-6, N-7): lock and unlock a
// user (A-1, A-2; shared by the v3 routes and ZITADEL's: one rule, two
// wires), set and reset passwords, set and reset additional authentication,
// and the wrong-password count that locks a user.
//
// Password hashes arrive computed (argon2id off the processor's thread,
// D-19): these commands only compare and record them.
//
// The user must belong to the caller's account (others look unknown, X-3).
// Refusals: kNotFound reason 1100 (user not found); kFailedPrecondition with
// the reasons below.
#pragma once

#include <optional>
#include <string>

#include "commands/command.h"
#include "projections/user_directory.h"

namespace iam::commands {

// Reason numbers (the IAM error-type catalogue's "useradmin" family).
enum UserAccessReason : int {
  kUserNotFound = 1100,
  kUserAlreadyLocked = 1102,  // A-1, D-2: a second lock is refused
  kUserNotLocked = 1103,      // A-1, D-2: so is an unlock of an unlocked user
  kUserLocksThemself = 1104,
  kUserIsLocked = 1110,       // no password changes for a locked user; unlock first
  kWrongPassword = 1509,      // N-7: currentPassword does not match
  kPasswordChangedMeanwhile = 1510,  // the password checked against is no longer current
};

// N-7: wrong current passwords in a row that lock the user (as five failed
// MFA attempts do, A-7).
inline constexpr int64_t kMaxPasswordFailures = 5;

// Whether an administrator may reset or set `user`'s password (the
// `actions.resetPassword` flag too): not while the user is locked.
Status CheckPasswordResettable(const projections::UserRecord& user);

// N-7: records a new password hash. `checked_hash` is the hash the
// caller compared the old password (or reuse) against: refused with 1510 when
// another password became current since.
class SetPassword final : public Command {
 public:
  // `mail` (A-3 with sendEmail) carries a one-time password to the person's
  // address once the change is durable.
  SetPassword(std::string ui_identity_id, std::string checked_hash, std::string new_hash, bool one_time,
              int64_t expires_on_ms, std::optional<events::OutboxMail> mail = std::nullopt)
      : ui_identity_id_(std::move(ui_identity_id)), checked_hash_(std::move(checked_hash)),
        new_hash_(std::move(new_hash)), one_time_(one_time), expires_on_ms_(expires_on_ms), mail_(std::move(mail)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_, checked_hash_, new_hash_;
  bool one_time_;
  int64_t expires_on_ms_;
  std::optional<events::OutboxMail> mail_;
};

// N-7: a wrong current password; the kMaxPasswordFailures-th in a row locks
// the user in the same append. Refused (1110) once the user is locked, so
// parallel attempts never count past the limit.
class RecordPasswordFailure final : public Command {
 public:
  explicit RecordPasswordFailure(std::string ui_identity_id) : ui_identity_id_(std::move(ui_identity_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
};

// A-6, and A-8's canEdit flags: one of TFA, MFA, NONE; kInvalidArgument otherwise.
Status CheckAdditionalAuthenticationValue(const std::string& value);

// TFA, MFA or NONE; the same value again changes nothing (no event).
class SetAdditionalAuthentication final : public Command {
 public:
  SetAdditionalAuthentication(std::string ui_identity_id, std::string value)
      : ui_identity_id_(std::move(ui_identity_id)), value_(std::move(value)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_, value_;
};

// the user enrols again at the next sign-in.
class ResetAdditionalAuthentication final : public Command {
 public:
  explicit ResetAdditionalAuthentication(std::string ui_identity_id) : ui_identity_id_(std::move(ui_identity_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
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
