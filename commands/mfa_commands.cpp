#include "commands/mfa_commands.h"

#include <algorithm>

#include "projections/mfa_directory.h"
#include "projections/session_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {
namespace {

using projections::MfaRecord;

const MfaRecord* RecordOf(const WorkingState& state, const std::string& ui_identity_id) {
  return state.Get<projections::MfaDirectory>().Find(ui_identity_id);
}

events::StreamAppend MfaStream(const WorkingState& state, const std::string& ui_identity_id,
                               const CommandContext& context) {
  const MfaRecord* record = RecordOf(state, ui_identity_id);
  return StreamFor(events::kMfaAggregate, ui_identity_id, record ? record->version : 0, context);
}

// Whether `code` still holds in the writer: a TOTP step later than the last
// accepted one (CC-9), a backup code or an unexpired e-mail code that is
// still the current one.
bool StillValid(const MfaRecord* record, const CheckedCode& code, int64_t now_ms) {
  switch (code.kind) {
    case CheckedCode::Kind::kTotpStep:
      return record && record->enabled.count(events::kTotpMethod) && code.totp_step > record->last_totp_step;
    case CheckedCode::Kind::kBackupCode:
      return record && !record->backup_code_id.empty() && code.code_id == record->backup_code_id;
    case CheckedCode::Kind::kEmailCode:
      return record && record->enabled.count(events::kEmailMethod) && !record->email_code_id.empty() &&
             code.code_id == record->email_code_id && now_ms < record->email_code_expires_ms;
    case CheckedCode::Kind::kWrong:
      return false;
  }
  return false;
}

// The event that spends a valid code, so it is never accepted again.
void SpendCode(const std::string& ui_identity_id, const CheckedCode& code, events::StreamAppend& stream) {
  if (code.kind == CheckedCode::Kind::kTotpStep) {
    stream.events.push_back(events::ToNewEvent(events::TotpStepAccepted{ui_identity_id, code.totp_step}));
  } else if (code.kind == CheckedCode::Kind::kBackupCode) {
    stream.events.push_back(events::ToNewEvent(events::MfaBackupCodeUsed{ui_identity_id, code.code_id}));
  } else if (code.kind == CheckedCode::Kind::kEmailCode) {
    stream.events.push_back(events::MfaEmailCodeUsedEvent(ui_identity_id, code.code_id));
  }
}

}  // namespace

events::StreamAppend MfaStreamOf(const WorkingState& state, const std::string& ui_identity_id,
                                 const CommandContext& context) {
  return MfaStream(state, ui_identity_id, context);
}

Result<bool> CheckStepUpCode(const WorkingState& state, const CommandContext& context,
                             const events::SignInAttempt& attempt, const CheckedCode& code, int64_t now_ms,
                             const SignInLimits& limits, events::StreamAppend& mfa_stream, Decision& decision) {
  if (LockedOutNow(state, attempt.username, now_ms)) return LockedOutRefusal();
  if (!StillValid(RecordOf(state, attempt.ui_identity_id), code, now_ms)) {
    RecordFailedAttempt(state, context, attempt, now_ms, limits,
                        Status::InvalidArgument("the X-Mfa-Code is wrong").WithReason(kMfaWrongStepUpCode), decision);
    return false;
  }
  SpendCode(attempt.ui_identity_id, code, mfa_stream);
  RecordSucceededAttempt(state, context, attempt, decision);
  return true;
}

Result<Decision> StartMfaEnrollment::Decide(const WorkingState& state, const CommandContext& context) const {
  if (!state.Get<projections::UserDirectory>().FindUser(enrollment_.ui_identity_id)) {
    return Status::NotFound("the user does not exist");
  }
  const MfaRecord* record = RecordOf(state, enrollment_.ui_identity_id);
  if (record && record->enabled.count(enrollment_.mfa_type)) {
    return Status::FailedPrecondition(enrollment_.mfa_type + " is enabled already").WithReason(kMfaAlreadyEnabled);
  }
  Decision decision =
      OneEvent(MfaStream(state, enrollment_.ui_identity_id, context), events::ToNewEvent(enrollment_));
  if (mail_) decision.mails.push_back(*mail_);
  return decision;
}

Result<Decision> SendSignInEmailCode::Decide(const WorkingState& state, const CommandContext& context) const {
  const projections::SessionRecord* session = state.Get<projections::SessionDirectory>().FindSession(session_id_);
  if (!session || !session->mfa_pending || now_ms_ >= session->expires_ms) {
    return Status::NotFound("the sign-in is not waiting for its second factor").WithReason(kSessionNotOpen);
  }
  const MfaRecord* record = RecordOf(state, sent_.ui_identity_id);
  if (!record || !record->enabled.count(events::kEmailMethod)) {
    return Status::NotFound("EMAIL is not enabled").WithReason(kMfaMethodNotEnabled);
  }
  Decision decision = OneEvent(MfaStream(state, sent_.ui_identity_id, context), events::ToNewEvent(sent_));
  decision.mails.push_back(mail_);
  return decision;
}

Result<Decision> ConfirmMfaEnrollment::Decide(const WorkingState& state, const CommandContext& context) const {
  const MfaRecord* record = RecordOf(state, ui_identity_id_);
  if (!record || !record->pending || record->pending->enrollment_id != enrollment_id_) {
    return Status::NotFound("there is no enrolment to confirm").WithReason(kMfaNoEnrollment);
  }
  const projections::MfaEnrollment& pending = *record->pending;
  if (pending.cancelled || now_ms_ >= pending.expires_ms) {
    return Status::FailedPrecondition("the enrolment is over; start a new one").WithReason(kMfaEnrollmentOver);
  }
  auto stream = MfaStream(state, ui_identity_id_, context);
  const bool totp = pending.mfa_type == events::kTotpMethod;
  const bool right = totp ? code_.kind == CheckedCode::Kind::kTotpStep && code_.totp_step > record->last_totp_step
                          : code_.kind == CheckedCode::Kind::kEmailCode && code_.code_id == enrollment_id_;
  Decision decision;
  if (!right) {
    const int64_t attempt = pending.rejected + 1;
    stream.events.push_back(events::ToNewEvent(events::MfaEnrollmentCodeRejected{enrollment_id_, attempt}));
    if (attempt >= kMaxEnrollmentCodeRejections) {
      stream.events.push_back(events::MfaEnrollmentCancelledEvent(enrollment_id_));
    }
    decision.appends.push_back(std::move(stream));
    decision.refusal = Status::InvalidArgument("the code is wrong").WithReason(kMfaWrongEnrollmentCode);
    return decision;
  }
  stream.events.push_back(
      events::ToNewEvent(events::MfaEnabled{ui_identity_id_, pending.mfa_type, enrollment_id_, backup_code_id_}));
  if (totp) stream.events.push_back(events::ToNewEvent(events::TotpStepAccepted{ui_identity_id_, code_.totp_step}));
  decision.appends.push_back(std::move(stream));
  // F-8: "logs the user out of all devices" but this one.
  decision.created_id =
      EndSessionsOf(state, context, ui_identity_id_, keep_session_id_, events::kSessionRevoked, decision);
  return decision;
}

Result<Decision> RemoveMfa::Decide(const WorkingState& state, const CommandContext& context) const {
  ticket_->Release();
  Decision decision;
  auto stream = MfaStream(state, attempt_.ui_identity_id, context);
  auto valid = CheckStepUpCode(state, context, attempt_, step_up_, now_ms_, limits_, stream, decision);
  if (!valid.ok()) return valid.status();
  if (!*valid) return decision;
  const MfaRecord* record = RecordOf(state, attempt_.ui_identity_id);
  std::vector<std::string> removed = mfa_types_.empty() ? record->Methods() : mfa_types_;
  for (const std::string& method : removed) {
    if (!record->enabled.count(method)) {
      return Status::NotFound(method + " is not enabled").WithReason(kMfaMethodNotEnabled);
    }
  }
  stream.events.push_back(events::ToNewEvent(events::MfaRemoved{attempt_.ui_identity_id, removed}));
  decision.appends.push_back(std::move(stream));
  return decision;
}

Result<Decision> VerifySignInMfa::Decide(const WorkingState& state, const CommandContext& context) const {
  ticket_->Release();
  const projections::SessionRecord* session =
      state.Get<projections::SessionDirectory>().FindSession(refresh_.session_id);
  if (!session || !session->mfa_pending || now_ms_ >= session->expires_ms) {
    return Status::NotFound("the sign-in is not waiting for its second factor").WithReason(kSessionNotOpen);
  }
  if (LockedOutNow(state, attempt_.username, now_ms_)) {
    return LockedOutRefusal();
  }
  const MfaRecord* record = RecordOf(state, attempt_.ui_identity_id);
  Decision decision;
  CommandContext owner = context;
  owner.account_id = session->account_id;
  auto session_stream = StreamFor(events::kSessionAggregate, session->session_id, session->version, owner);
  if (!StillValid(record, code_, now_ms_)) {
    RecordFailedAttempt(state, context, attempt_, now_ms_, limits_,
                        Status::PermissionDenied("the code is wrong, spent or expired").WithReason(kMfaWrongSignInCode),
                        decision);
    if (decision.refusal.reason() == kSignInLockedOut) {
      session_stream.events.push_back(
          events::ToNewEvent(events::SessionEnded{session->session_id, events::kSessionRevoked}));
      decision.appends.push_back(std::move(session_stream));
    }
    return decision;
  }
  auto mfa = MfaStream(state, attempt_.ui_identity_id, context);
  SpendCode(attempt_.ui_identity_id, code_, mfa);
  if (!device_hash_.empty()) {
    mfa.events.push_back(
        events::ToNewEvent(events::MfaDeviceTrusted{attempt_.ui_identity_id, device_hash_, now_ms_ + kDeviceTrustMs}));
  }
  decision.appends.push_back(std::move(mfa));
  RecordSucceededAttempt(state, context, attempt_, decision);
  events::SessionRefreshed refreshed = refresh_;
  refreshed.amr = session->amr;
  if (std::find(refreshed.amr.begin(), refreshed.amr.end(), "otp") == refreshed.amr.end()) {
    refreshed.amr.push_back("otp");
  }
  session_stream.events.push_back(events::ToNewEvent(refreshed));
  decision.appends.push_back(std::move(session_stream));
  return decision;
}

}  // namespace iam::commands
