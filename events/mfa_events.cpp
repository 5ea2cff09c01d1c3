#include "events/mfa_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const MfaEnrollmentStarted& e) {
  return {kUserMfaEnrollmentStarted, 1,
          PayloadWriter()
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("enrollmentId", e.enrollment_id)
              .Set("mfaType", e.mfa_type)
              .Set("expiresAt", e.expires_ms)
              .Finish()};
}

NewEvent ToNewEvent(const MfaEnrollmentCodeRejected& e) {
  return {kUserMfaEnrollmentCodeRejected, 1,
          PayloadWriter().Set("enrollmentId", e.enrollment_id).Set("attempt", e.attempt).Finish()};
}

NewEvent MfaEnrollmentCancelledEvent(const std::string& enrollment_id) {
  return IdOnlyEvent(kUserMfaEnrollmentCancelled, "enrollmentId", enrollment_id);
}

NewEvent ToNewEvent(const MfaEnabled& e) {
  return {kUserMfaEnabled, 1,
          PayloadWriter()
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("mfaType", e.mfa_type)
              .Set("enrollmentId", e.enrollment_id)
              .Set("backupCodeId", e.backup_code_id)
              .Finish()};
}

NewEvent ToNewEvent(const MfaRemoved& e) {
  return {kUserMfaRemoved, 1,
          PayloadWriter().Set("uiIdentityId", e.ui_identity_id).SetStrings("mfaTypes", e.mfa_types).Finish()};
}

NewEvent ToNewEvent(const TotpStepAccepted& e) {
  return {kUserTotpStepAccepted, 1,
          PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("step", e.step).Finish()};
}

NewEvent ToNewEvent(const MfaBackupCodeUsed& e) {
  return {kUserMfaBackupCodeUsed, 1,
          PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("backupCodeId", e.backup_code_id).Finish()};
}

Result<MfaEnrollmentStarted> ParseMfaEnrollmentStarted(const Event& e) {
  PayloadReader r(e);
  MfaEnrollmentStarted out{r.String("uiIdentityId"), r.String("enrollmentId"), r.String("mfaType"),
                           r.Int("expiresAt")};
  return FinishPayload(r, std::move(out));
}

Result<MfaEnrollmentCodeRejected> ParseMfaEnrollmentCodeRejected(const Event& e) {
  PayloadReader r(e);
  MfaEnrollmentCodeRejected out{r.String("enrollmentId"), r.Int("attempt")};
  return FinishPayload(r, std::move(out));
}

Result<std::string> ParseMfaEnrollmentCancelled(const Event& e) {
  PayloadReader r(e);
  std::string id = r.String("enrollmentId");
  return FinishPayload(r, std::move(id));
}

Result<MfaEnabled> ParseMfaEnabled(const Event& e) {
  PayloadReader r(e);
  MfaEnabled out{r.String("uiIdentityId"), r.String("mfaType"), r.String("enrollmentId"), r.String("backupCodeId")};
  return FinishPayload(r, std::move(out));
}

Result<MfaRemoved> ParseMfaRemoved(const Event& e) {
  PayloadReader r(e);
  MfaRemoved out{r.String("uiIdentityId"), r.Strings("mfaTypes")};
  return FinishPayload(r, std::move(out));
}

NewEvent ToNewEvent(const MfaDeviceTrusted& e) {
  return {kUserMfaDeviceTrusted, 1,
          PayloadWriter()
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("deviceHash", e.device_hash)
              .Set("until", e.until_ms)
              .Finish()};
}

Result<MfaDeviceTrusted> ParseMfaDeviceTrusted(const Event& e) {
  PayloadReader r(e);
  MfaDeviceTrusted out{r.String("uiIdentityId"), r.String("deviceHash"), r.Int("until")};
  return FinishPayload(r, std::move(out));
}

Result<TotpStepAccepted> ParseTotpStepAccepted(const Event& e) {
  PayloadReader r(e);
  TotpStepAccepted out{r.String("uiIdentityId"), r.Int("step")};
  return FinishPayload(r, std::move(out));
}

Result<MfaBackupCodeUsed> ParseMfaBackupCodeUsed(const Event& e) {
  PayloadReader r(e);
  MfaBackupCodeUsed out{r.String("uiIdentityId"), r.String("backupCodeId")};
  return FinishPayload(r, std::move(out));
}

NewEvent ToNewEvent(const MfaEmailCodeSent& e) {
  return {kUserMfaEmailCodeSent, 1,
          PayloadWriter()
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("codeId", e.code_id)
              .Set("expiresAt", e.expires_ms)
              .Finish()};
}

NewEvent MfaEmailCodeUsedEvent(const std::string& ui_identity_id, const std::string& code_id) {
  return {kUserMfaEmailCodeUsed, 1, PayloadWriter().Set("uiIdentityId", ui_identity_id).Set("codeId", code_id).Finish()};
}

Result<MfaEmailCodeSent> ParseMfaEmailCodeSent(const Event& e) {
  PayloadReader r(e);
  MfaEmailCodeSent out{r.String("uiIdentityId"), r.String("codeId"), r.Int("expiresAt")};
  return FinishPayload(r, std::move(out));
}

Result<std::string> ParseMfaEmailCodeUsed(const Event& e) {
  PayloadReader r(e);
  std::string id = r.String("codeId");
  return FinishPayload(r, std::move(id));
}

std::string EmailCodeId(const std::string& code_id) { return "mfa-email-code/" + code_id; }

std::string TotpSecretId(const std::string& enrollment_id) { return "mfa-totp/" + enrollment_id; }
std::string BackupCodeDigestId(const std::string& backup_code_id) { return "mfa-backup/" + backup_code_id; }

}  // namespace iam::events
