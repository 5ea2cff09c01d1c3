// Base32 text for binary values: RFC 4648 §6 (the alphabet authenticator apps
// expect for TOTP secrets, F-2) and Crockford's alphabet (backup codes, F-7,
// which people read and type).
//
// Both write upper case without padding: each 5 bits of input become one
// character, the last character's unused low bits are zero.
//
// Thread safety: pure functions, safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "events/status.h"

namespace iam::commands {

// RFC 4648 §6: A–Z then 2–7.
inline constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
// Crockford's: digits and upper-case letters without I, L, O and U, so that
// nothing reads as another symbol (or as a word).
inline constexpr std::string_view kCrockfordBase32Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// RFC 4648 Base32 of `bytes`, upper case, unpadded: ceil(8 * size / 5)
// characters (20 bytes → 32 characters).
std::string Base32Encode(std::string_view bytes);

// The bytes `text` (a Base32Encode result) encodes. Letters may be in either
// case. kInvalidArgument, naming the reason, for a character outside the
// alphabet (padding "=" and whitespace included), a length no encoding has
// (1, 3 or 6 characters beyond a multiple of 8), or non-zero unused bits in
// the last character (an encoding Base32Encode never writes, refused so that
// each value has exactly one text).
Result<std::string> Base32Decode(std::string_view text);

// Crockford Base32 of `bytes` with the same bit layout as Base32Encode
// (10 bytes → 16 characters), in kCrockfordBase32Alphabet.
std::string CrockfordBase32Encode(std::string_view bytes);

}  // namespace iam::commands
