#include "api/uauth/mfa_codes.h"

#include <openssl/crypto.h>

#include "commands/one_time_tokens.h"
#include "commands/totp.h"
#include "events/mfa_events.h"

namespace iam::api {

using commands::CheckedCode;

bool IsEmailCode(const UauthContext& context, const std::string& code_id, std::string_view code) {
  auto stored = context.secrets.Get(events::EmailCodeId(code_id));
  return stored.ok() && code.size() == stored->size() && stored->size() == 6 &&
         CRYPTO_memcmp(stored->data(), code.data(), code.size()) == 0;
}

CheckedCode CheckCode(const UauthContext& context, const projections::MfaRecord* record, std::string_view method,
                      std::string_view code) {
  CheckedCode checked;
  if (!record) return checked;
  const bool totp = method.empty() || method == events::kTotpMethod;
  const bool backup = method.empty() || method == kBackupCodeType;
  if (totp && record->enabled.count(events::kTotpMethod) && code.size() == 6) {
    auto secret = context.secrets.Get(events::TotpSecretId(record->totp_enrollment_id));
    if (secret.ok()) {
      auto step = commands::MatchTotpStep(*secret, code, context.now_ms() / 1000, record->last_totp_step);
      if (step.ok()) return {CheckedCode::Kind::kTotpStep, *step, {}};
    }
  }
  const bool email = method.empty() || method == events::kEmailMethod;
  if (email && record->enabled.count(events::kEmailMethod) && !record->email_code_id.empty() &&
      context.now_ms() < record->email_code_expires_ms && IsEmailCode(context, record->email_code_id, code)) {
    return {CheckedCode::Kind::kEmailCode, 0, record->email_code_id};
  }
  if (backup && !record->backup_code_id.empty()) {
    auto stored = context.secrets.Get(events::BackupCodeDigestId(record->backup_code_id));
    auto digest = commands::BackupCodeDigest(context.backup_code_pepper, code);
    if (stored.ok() && digest.ok() && stored->size() == digest->size() &&
        CRYPTO_memcmp(stored->data(), digest->data(), digest->size()) == 0) {
      return {CheckedCode::Kind::kBackupCode, 0, record->backup_code_id};
    }
  }
  return checked;
}

Result<std::string> DeviceIdHash(const JsonObjectReader& body) {
  if (!body.Has("deviceId")) return std::string();
  auto device = body.RequiredString("deviceId");
  if (!device.ok()) return device.status();
  const bool allowed = device->size() >= 16 && device->size() <= 128 &&
                       device->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") ==
                           std::string::npos;
  if (!allowed) return Status::InvalidArgument("member 'deviceId' must be 16 to 128 of A-Z a-z 0-9 . _ : -");
  return commands::TokenHash(*device);
}

}  // namespace iam::api
