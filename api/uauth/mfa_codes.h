// What a presented second-factor code is (seed-003 rules F-2, F-5, F-7,
// F-16), checked outside the writer against the secrets the secret store
// keeps: the writer then decides with the result (mfa_commands.h), so a
// code is accepted at most once (CC-9). Safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "api/json_input.h"
#include "api/uauth/uauth_context.h"
#include "commands/mfa_commands.h"
#include "projections/mfa_directory.h"

namespace iam::api {

// The sign-in MFA step's name of the backup code (Additions 2).
inline constexpr std::string_view kBackupCodeType = "BACKUP_CODE";

// Whether `code` is the e-mail code the secret store keeps as `code_id`.
bool IsEmailCode(const UauthContext& context, const std::string& code_id, std::string_view code);

// What `code` is for the person of `record` (nullptr: no second factor): a
// TOTP step (`method` TOTP_AUTHENTICATOR), an e-mail code (EMAIL), the
// backup code (BACKUP_CODE), or, for a step-up (`method` empty), any of them.
commands::CheckedCode CheckCode(const UauthContext& context, const projections::MfaRecord* record,
                                std::string_view method, std::string_view code);

// F-15: the SHA-256 (as TokenHash) of the request's optional `deviceId`:
// "" when absent; kInvalidArgument unless it is 16 to 128 of
// A-Z a-z 0-9 . _ : -; kInternal when hashing fails.
Result<std::string> DeviceIdHash(const JsonObjectReader& body);

}  // namespace iam::api
