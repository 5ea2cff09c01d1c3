// Commands of second factors (seed-003 rules F-2 … F-16, CC-8 … CC-10).
//
// Codes are checked outside the writer (the secret comes from the secret
// store), and the writer decides with what the check found: a TOTP code as
// the step it matched, which must still be later than the last accepted one
// (CC-9: a step is accepted once, also across a restart), a backup code as
// its id, which must still be the current one. Wrong codes of a sign-in's MFA
// step and of a step-up count toward the lockout like wrong passwords (P-9):
// those commands take the sign-in gate's ticket (sign_in_commands.h).
//
// Refusals (Status::reason()):
//   kMfaAlreadyEnabled      kFailedPrecondition  the method is enabled (F-4)
//   kMfaNoEnrollment        kNotFound            nothing pending to confirm (F-6)
//   kMfaEnrollmentOver      kFailedPrecondition  window passed or cancelled (F-6)
//   kMfaWrongEnrollmentCode kInvalidArgument     Decision::refusal of a counted wrong code (F-6)
//   kMfaMethodNotEnabled    kNotFound            (F-9, Additions 2)
//   kMfaWrongStepUpCode     kInvalidArgument     Decision::refusal of a wrong X-Mfa-Code (F-16)
//   kMfaWrongSignInCode     kPermissionDenied    Decision::refusal of a wrong sign-in code
//   kSessionNotOpen         kNotFound            the sign-in's session is not waiting for its step
//   kSignInLockedOut        see sign_in_commands.h
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands/command.h"
#include "commands/session_commands.h"
#include "commands/sign_in_commands.h"
#include "events/mfa_events.h"
#include "events/outbox.h"
#include "events/session_events.h"

namespace iam::commands {

inline constexpr int kMfaWrongEnrollmentCode = 1;
inline constexpr int kMfaNoEnrollment = 2;
inline constexpr int kMfaAlreadyEnabled = 3;
inline constexpr int kMfaEnrollmentOver = 4;
inline constexpr int kMfaMethodNotEnabled = 6;
inline constexpr int kMfaWrongStepUpCode = 7;
inline constexpr int kMfaWrongSignInCode = 401;

// F-6: the fifth wrong code cancels an enrolment.
inline constexpr int64_t kMaxEnrollmentCodeRejections = 5;

// What checking a code found.
struct CheckedCode {
  enum class Kind { kWrong, kTotpStep, kBackupCode, kEmailCode };
  Kind kind = Kind::kWrong;
  int64_t totp_step = 0;  // kTotpStep
  std::string code_id;    // kBackupCode: the backup code's id; kEmailCode: the e-mail code's
};

// The next append to the second factors of `ui_identity_id`.
events::StreamAppend MfaStreamOf(const WorkingState& state, const std::string& ui_identity_id,
                                 const CommandContext& context);

// F-16 in the writer, for a step-up check `attempt` admitted by the sign-in
// gate: kSignInLockedOut while a lockout runs. When `code` no longer holds,
// records the counted failure in `decision` (its refusal kMfaWrongStepUpCode,
// or kSignInLockedOut for the failure that starts a lockout) and returns
// false; otherwise appends the event that spends the code to `mfa_stream`
// (CC-9), resets the failure count in `decision`, and returns true.
Result<bool> CheckStepUpCode(const WorkingState& state, const CommandContext& context,
                             const events::SignInAttempt& attempt, const CheckedCode& code, int64_t now_ms,
                             const SignInLimits& limits, events::StreamAppend& mfa_stream, Decision& decision);

// F-4: a new enrolment replaces a pending one. An EMAIL enrolment mails its
// code (`mail`) with the event (F-5); its code's id is the enrolment's.
class StartMfaEnrollment final : public Command {
 public:
  StartMfaEnrollment(events::MfaEnrollmentStarted enrollment, std::optional<events::OutboxMail> mail)
      : enrollment_(std::move(enrollment)), mail_(std::move(mail)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  events::MfaEnrollmentStarted enrollment_;
  std::optional<events::OutboxMail> mail_;
};

// Additions 2: mails a new e-mail code (`mail`, its code kept in the secret
// store under `sent.code_id`) for the MFA step of sign-in `session_id`; it
// replaces an earlier one. kSessionNotOpen when the sign-in is not waiting
// for its step, kMfaMethodNotEnabled without EMAIL.
class SendSignInEmailCode final : public Command {
 public:
  SendSignInEmailCode(std::string session_id, events::MfaEmailCodeSent sent, events::OutboxMail mail, int64_t now_ms)
      : session_id_(std::move(session_id)), sent_(std::move(sent)), mail_(std::move(mail)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string session_id_;
  events::MfaEmailCodeSent sent_;
  events::OutboxMail mail_;
  int64_t now_ms_;
};

// F-6 … F-8: with the right code the method is enabled, the new backup code
// (`backup_code_id`, its digest already stored) replaces the old one, and
// every other session of the user ends (Decision::created_id = how many).
class ConfirmMfaEnrollment final : public Command {
 public:
  ConfirmMfaEnrollment(std::string ui_identity_id, std::string enrollment_id, CheckedCode code,
                       std::string backup_code_id, std::string keep_session_id, int64_t now_ms)
      : ui_identity_id_(std::move(ui_identity_id)), enrollment_id_(std::move(enrollment_id)), code_(std::move(code)),
        backup_code_id_(std::move(backup_code_id)), keep_session_id_(std::move(keep_session_id)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_, enrollment_id_;
  CheckedCode code_;
  std::string backup_code_id_, keep_session_id_;
  int64_t now_ms_;
};

// F-9, F-16: removes `mfa_types` (all enabled when empty) once the step-up
// code checks out; a wrong one counts toward the lockout.
class RemoveMfa final : public Command {
 public:
  RemoveMfa(std::shared_ptr<SignInGate::Ticket> ticket, events::SignInAttempt attempt, CheckedCode step_up,
            std::vector<std::string> mfa_types, int64_t now_ms, SignInLimits limits)
      : ticket_(std::move(ticket)), attempt_(std::move(attempt)), step_up_(std::move(step_up)),
        mfa_types_(std::move(mfa_types)), now_ms_(now_ms), limits_(limits) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::shared_ptr<SignInGate::Ticket> ticket_;
  events::SignInAttempt attempt_;
  CheckedCode step_up_;
  std::vector<std::string> mfa_types_;
  int64_t now_ms_;
  SignInLimits limits_;
};

// F-15: how long a device that passed the MFA step skips it.
inline constexpr int64_t kDeviceTrustMs = 8 * 60 * 60 * 1000;

// Additions 2: the MFA step of sign-in `refresh.session_id`. The right code
// completes the sign-in (its first refresh token, `amr` + "otp") and, with a
// `device_hash` (the SHA-256 of the client's deviceId), trusts that device for
// kDeviceTrustMs (F-15); a wrong one counts, and the one that starts a
// lockout also ends the sign-in.
class VerifySignInMfa final : public Command {
 public:
  VerifySignInMfa(std::shared_ptr<SignInGate::Ticket> ticket, events::SignInAttempt attempt, CheckedCode code,
                  events::SessionRefreshed refresh, int64_t now_ms, SignInLimits limits, std::string device_hash = "")
      : ticket_(std::move(ticket)), attempt_(std::move(attempt)), code_(std::move(code)),
        refresh_(std::move(refresh)), now_ms_(now_ms), limits_(limits), device_hash_(std::move(device_hash)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::shared_ptr<SignInGate::Ticket> ticket_;
  events::SignInAttempt attempt_;
  CheckedCode code_;
  events::SessionRefreshed refresh_;
  int64_t now_ms_;
  SignInLimits limits_;
  std::string device_hash_;
};

}  // namespace iam::commands
