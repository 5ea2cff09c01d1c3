// Commands a person runs on their own account from the workspace surface
// (seed-003 rules, P-9, P-11).
//
// Refusals (Status::reason()):
//   kWrongOldPassword   kInvalidArgument   Decision::refusal: oldPassword is wrong (it counts toward P-9)
//   kSignInLockedOut    see sign_in_commands.h
//   kTokenUnknown       kNotFound            no reset token has that hash (T-6)
//   kTokenGone          kFailedPrecondition  the token expired, was used or superseded (T-6)
//   and SetPassword's (user_access_commands.h)
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "commands/command.h"
#include "commands/sign_in_commands.h"
#include "events/outbox.h"
#include "events/password_reset_events.h"

namespace iam::commands {

inline constexpr int kWrongOldPassword = 3;
inline constexpr int kTokenUnknown = 404;
inline constexpr int kTokenGone = 410;

// `old_password_right` is what the argon2id check found; with it the
// password becomes `new_hash` (as SetPassword decides, against
// `checked_hash`, the hash the check used) and every other session ends.
class ChangeOwnPassword final : public Command {
 public:
  ChangeOwnPassword(std::shared_ptr<SignInGate::Ticket> ticket, events::SignInAttempt attempt,
                    bool old_password_right, std::string checked_hash, std::string new_hash,
                    int64_t expires_on_ms, std::string keep_session_id, int64_t now_ms, SignInLimits limits)
      : ticket_(std::move(ticket)), attempt_(std::move(attempt)), old_password_right_(old_password_right),
        checked_hash_(std::move(checked_hash)), new_hash_(std::move(new_hash)), expires_on_ms_(expires_on_ms),
        keep_session_id_(std::move(keep_session_id)), now_ms_(now_ms), limits_(limits) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::shared_ptr<SignInGate::Ticket> ticket_;
  events::SignInAttempt attempt_;
  bool old_password_right_;
  std::string checked_hash_, new_hash_;
  int64_t expires_on_ms_;
  std::string keep_session_id_;
  int64_t now_ms_;
  SignInLimits limits_;
};

// a reset token for the user, mailed (`mail`, holding the clear token)
// in the same write; it supersedes the user's earlier one (T-4).
class IssuePasswordReset final : public Command {
 public:
  IssuePasswordReset(events::PasswordResetIssued issued, events::OutboxMail mail)
      : issued_(std::move(issued)), mail_(std::move(mail)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  events::PasswordResetIssued issued_;
  events::OutboxMail mail_;
};

// spends the token (a compare-and-set in the writer, T-3), sets the new
// password (`new_hash`, valid until `expires_on_ms`), ends a lockout and
// every session of the user.
class ConfirmPasswordReset final : public Command {
 public:
  ConfirmPasswordReset(std::string token_hash, std::string new_hash, int64_t expires_on_ms, int64_t now_ms)
      : token_hash_(std::move(token_hash)), new_hash_(std::move(new_hash)), expires_on_ms_(expires_on_ms),
        now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string token_hash_, new_hash_;
  int64_t expires_on_ms_, now_ms_;
};

}  // namespace iam::commands
