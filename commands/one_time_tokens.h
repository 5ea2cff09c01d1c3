// Secrets a person receives once and hands back: link tokens (invitation,
// confirmation, reset: T-1, T-2; opaque refresh tokens, T-12), e-mail codes
// (F-5, F-16) and backup codes (F-7), with the digests that are stored in
// their place.
//
// The clear value leaves the server once (in a mail or a response); only its
// digest is kept. A token carries 256 random bits, so a plain SHA-256 is
// enough; a backup code carries 80, so its digest is keyed with a server
// pepper, which an attacker holding the data alone does not have. An e-mail
// code's million values are too few for any digest to hide, so whatever
// stands for it stays in the secret store, out of the log (F-5).
//
// Thread safety: safe for concurrent use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "events/status.h"

namespace iam::commands {

inline constexpr size_t kOneTimeTokenBytes = 32;
inline constexpr size_t kEmailCodeDigits = 6;
// 16 Crockford Base32 symbols of 5 bits.
inline constexpr size_t kBackupCodeBits = 80;

// T-1: kOneTimeTokenBytes from the OpenSSL CSPRNG as unpadded base64url,
// 43 characters. kInternal when the CSPRNG fails.
Result<std::string> NewOneTimeToken();

// Whether `token` has a token's shape: 43 base64url characters (T-1), so a
// malformed one is refused before any lookup.
bool IsOpaqueToken(std::string_view token);

// T-2: what is stored and indexed in a token's place: the unpadded base64url
// of SHA-256(token) (43 characters; base64url like the token itself, and
// shorter than hex in every key and event). kInternal when OpenSSL fails.
Result<std::string> TokenHash(std::string_view token);

// A new token (T-1) and the hash kept in its place (T-2), made together by
// every route that hands one out. kInternal as NewOneTimeToken and TokenHash.
struct HashedToken {
  std::string token;
  std::string hash;
};
Result<HashedToken> NewHashedToken();

// F-5: kEmailCodeDigits decimal digits, each uniform (rejection sampling, no
// modulo bias), leading zeros kept. Like RandomString, which draws them, it
// ends the process rather than return a guessable code if the CSPRNG fails.
std::string NewEmailCode();

// F-7: kBackupCodeBits random bits as 16 Crockford Base32 symbols in groups
// of four, "XXXX-XXXX-XXXX-XXXX". Drawn by RandomString, as NewEmailCode.
std::string NewBackupCode();

// A typed backup code in the one form digests are taken of: dashes dropped,
// letters upper-cased, and Crockford's look-alikes read as what they look
// like (I and L as 1, O as 0). Anything else is left as it is (and then
// fails BackupCodeDigest).
std::string NormalizeBackupCode(std::string_view code);

// F-7: the digest a backup code is stored as and compared by:
// base64url(HMAC-SHA-256(pepper, NormalizeBackupCode(code))), 43 characters,
// so every spelling of one code gives one digest. `pepper` is a server key
// (32 random bytes, from the secret store). kInvalidArgument for an empty
// pepper or a code that does not normalise to 16 Crockford Base32 symbols;
// kInternal when HMAC fails.
Result<std::string> BackupCodeDigest(std::string_view pepper, std::string_view code);

}  // namespace iam::commands
