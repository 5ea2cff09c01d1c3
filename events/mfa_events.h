// Events of a user's second factors (aggregate type "mfa", id = the user's
// uiIdentityId; seed-003 rules F-2 … F-14, CC-9, CC-10).
//
// Payload shapes, revision 1:
//   UserMfaEnrollmentStarted       {"uiIdentityId", "enrollmentId", "mfaType", "expiresAt"}
//   UserMfaEnrollmentCodeRejected  {"enrollmentId", "attempt"}
//   UserMfaEnrollmentCancelled     {"enrollmentId"}
//   UserMfaEnabled                 {"uiIdentityId", "mfaType", "enrollmentId", "backupCodeId"}
//   UserMfaRemoved                 {"uiIdentityId", "mfaTypes": [..]}
//   UserTotpStepAccepted           {"uiIdentityId", "step"}
//   UserMfaBackupCodeUsed          {"uiIdentityId", "backupCodeId"}
//   UserMfaEmailCodeSent           {"uiIdentityId", "codeId", "expiresAt"}   (a sign-in's e-mail code, F-5)
//   UserMfaEmailCodeUsed           {"uiIdentityId", "codeId"}
//   UserMfaDeviceTrusted           {"uiIdentityId", "deviceHash", "until"}   (F-15: the device skips MFA until then)
// An e-mail code itself is mailed (the outbox) and kept in the secret store;
// a 6-digit code's hash would be no secret, so none is in a payload (F-5).
// TOTP secrets and backup-code digests live in the secret store under the
// enrolment's and the code's ids; no secret or code is in a payload.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kMfaAggregate = "mfa";

inline constexpr const char* kUserMfaEnrollmentStarted = "UserMfaEnrollmentStarted";
inline constexpr const char* kUserMfaEnrollmentCodeRejected = "UserMfaEnrollmentCodeRejected";
inline constexpr const char* kUserMfaEnrollmentCancelled = "UserMfaEnrollmentCancelled";
inline constexpr const char* kUserMfaEnabled = "UserMfaEnabled";
inline constexpr const char* kUserMfaRemoved = "UserMfaRemoved";
inline constexpr const char* kUserTotpStepAccepted = "UserTotpStepAccepted";
inline constexpr const char* kUserMfaBackupCodeUsed = "UserMfaBackupCodeUsed";
inline constexpr const char* kUserMfaEmailCodeSent = "UserMfaEmailCodeSent";
inline constexpr const char* kUserMfaEmailCodeUsed = "UserMfaEmailCodeUsed";
inline constexpr const char* kUserMfaDeviceTrusted = "UserMfaDeviceTrusted";

// F-1's methods.
inline constexpr const char* kTotpMethod = "TOTP_AUTHENTICATOR";
inline constexpr const char* kEmailMethod = "EMAIL";

struct MfaEnrollmentStarted {
  std::string ui_identity_id;
  std::string enrollment_id;
  std::string mfa_type;
  int64_t expires_ms = 0;
};

struct MfaEnrollmentCodeRejected {
  std::string enrollment_id;
  int64_t attempt = 0;
};

struct MfaEnabled {
  std::string ui_identity_id;
  std::string mfa_type;
  std::string enrollment_id;
  std::string backup_code_id;
};

struct MfaRemoved {
  std::string ui_identity_id;
  std::vector<std::string> mfa_types;
};

struct TotpStepAccepted {
  std::string ui_identity_id;
  int64_t step = 0;
};

struct MfaBackupCodeUsed {
  std::string ui_identity_id;
  std::string backup_code_id;
};

// F-15: the SHA-256 of a deviceId that passed the MFA step (the id itself is
// the client's and stays out of the log).
struct MfaDeviceTrusted {
  std::string ui_identity_id;
  std::string device_hash;
  int64_t until_ms = 0;
};

struct MfaEmailCodeSent {
  std::string ui_identity_id;
  std::string code_id;
  int64_t expires_ms = 0;
};

NewEvent ToNewEvent(const MfaEnrollmentStarted& e);
NewEvent ToNewEvent(const MfaEmailCodeSent& e);
// UserMfaEmailCodeUsed.
NewEvent MfaEmailCodeUsedEvent(const std::string& ui_identity_id, const std::string& code_id);
NewEvent ToNewEvent(const MfaEnrollmentCodeRejected& e);
NewEvent MfaEnrollmentCancelledEvent(const std::string& enrollment_id);
NewEvent ToNewEvent(const MfaEnabled& e);
NewEvent ToNewEvent(const MfaRemoved& e);
NewEvent ToNewEvent(const TotpStepAccepted& e);
NewEvent ToNewEvent(const MfaBackupCodeUsed& e);
NewEvent ToNewEvent(const MfaDeviceTrusted& e);

Result<MfaEnrollmentStarted> ParseMfaEnrollmentStarted(const Event& e);
Result<MfaEnrollmentCodeRejected> ParseMfaEnrollmentCodeRejected(const Event& e);
Result<std::string> ParseMfaEnrollmentCancelled(const Event& e);  // the enrolment id
Result<MfaEnabled> ParseMfaEnabled(const Event& e);
Result<MfaRemoved> ParseMfaRemoved(const Event& e);
Result<TotpStepAccepted> ParseTotpStepAccepted(const Event& e);
Result<MfaBackupCodeUsed> ParseMfaBackupCodeUsed(const Event& e);
Result<MfaDeviceTrusted> ParseMfaDeviceTrusted(const Event& e);
Result<MfaEmailCodeSent> ParseMfaEmailCodeSent(const Event& e);
Result<std::string> ParseMfaEmailCodeUsed(const Event& e);  // the code id

// Where the secret store keeps a TOTP enrolment's secret and a backup code's digest.
std::string TotpSecretId(const std::string& enrollment_id);
std::string BackupCodeDigestId(const std::string& backup_code_id);
// An e-mail code's, by its id (an EMAIL enrolment's code has the enrolment's id).
std::string EmailCodeId(const std::string& code_id);

}  // namespace iam::events
