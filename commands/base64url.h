// Base64url (RFC 4648 §5) without padding: how tokens (T-1), digests and
// every JOSE value (JWT segments, JWK members, RFC 7638 thumbprints) are
// written, since it is safe in URLs, headers and JSON without escaping.
//
// Thread safety: pure functions, safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "events/status.h"

namespace iam::commands {

// Base64url of `bytes` without "=" padding: ceil(4 * size / 3) characters
// (32 bytes → 43 characters).
std::string Base64UrlEncode(std::string_view bytes);

// The bytes `text` (a Base64UrlEncode result) encodes. kInvalidArgument for
// a character outside A–Z a–z 0–9 "-" "_" (padding "=", whitespace and the
// "+" "/" of plain base64 included), a length no encoding has (one
// character beyond a multiple of 4), or non-zero unused bits in the last
// character: each value has exactly one text, so a signed token cannot be
// respelled.
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace iam::commands
