// One-time passwords for authenticator apps (F-2, F-3, F-14): HOTP (RFC 4226)
// and TOTP (RFC 6238) with a 30-second step counted from the Unix epoch,
// 6 digits and HMAC-SHA-1, which is what every authenticator app supports.
// SHA-256, SHA-512 and 7 or 8 digits exist for RFC 6238's test vectors.
//
// A secret is raw bytes here; it is stored (in the secret store, never in an
// event or a log) and shown to the user in Base32 (commands/base32.h).
//
// Thread safety: pure functions, safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/status.h"

namespace iam::commands {

enum class OtpHash { kSha1, kSha256, kSha512 };

inline constexpr int64_t kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;
// 160 bits, the size of an HMAC-SHA-1 output (RFC 4226 §4 R6 recommends it).
inline constexpr size_t kTotpSecretBytes = 20;
// RFC 4226 §4 R6: "The length of the shared secret MUST be at least 128 bits."
inline constexpr size_t kMinOtpSecretBytes = 16;
// F-3: the issuer authenticator apps show when none is configured.
inline constexpr std::string_view kDefaultTotpIssuer = "iamd";

// A new TOTP secret: kTotpSecretBytes bytes from the OpenSSL CSPRNG.
// kInternal when the CSPRNG fails.
Result<std::string> NewTotpSecret();

// The HOTP value of `counter` (RFC 4226 §5.3, dynamic truncation): `digits`
// decimal digits, zero-padded. kInvalidArgument for a secret shorter than
// kMinOtpSecretBytes or `digits` outside 6–8; kInternal when HMAC fails.
Result<std::string> Hotp(std::string_view secret, uint64_t counter, int digits = kTotpDigits,
                         OtpHash hash = OtpHash::kSha1);

// The TOTP time step holding `unix_seconds`: floor(unix_seconds / 30).
int64_t TotpStepAt(int64_t unix_seconds);

// The TOTP value at `unix_seconds`: Hotp of TotpStepAt(unix_seconds). Errors
// as Hotp's, and kInvalidArgument for a time before the epoch.
Result<std::string> TotpCode(std::string_view secret, int64_t unix_seconds, int digits = kTotpDigits,
                             OtpHash hash = OtpHash::kSha1);

// Checks a code the user typed against the 6-digit HMAC-SHA-1 TOTP values of
// the step holding `now_seconds` and the steps either side of it (F-2: clocks
// drift, and a code typed late in its step arrives in the next), and returns
// the step it matched. Steps at or before `last_accepted_step` (the user's
// last accepted step, nullopt when none) are never matched, so each step
// signs in once and an older one never does (F-14); the caller records the
// returned step before acting on it. When two steps of the window share the
// code, the earlier one that can still be accepted is returned. Every
// candidate is compared in constant time.
//
// Errors: kPermissionDenied when the code matches no acceptable step
// (including a code that is not 6 ASCII digits); kFailedPrecondition when it
// matches only a step already used or older (a replay: callers answer it as
// a wrong code, and may log it differently); Hotp's errors for a bad secret.
Result<int64_t> MatchTotpStep(std::string_view secret, std::string_view code, int64_t now_seconds,
                              std::optional<int64_t> last_accepted_step);

// The enrolment URI authenticator apps read from a QR code (F-3, Google's
// Key Uri Format):
//   otpauth://totp/<issuer>:<email>?secret=<secret>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30
// Issuer and e-mail are percent-encoded (everything but RFC 3986's
// unreserved characters, as the contract's example escapes "@" too; a ":" in either cannot split the label);
// an empty issuer becomes kDefaultTotpIssuer. `secret_base32` is the secret
// as Base32Encode writes it.
std::string OtpauthUri(std::string_view issuer, std::string_view email, std::string_view secret_base32);

}  // namespace iam::commands
