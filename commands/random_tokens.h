// Random identifiers and secrets from the OpenSSL CSPRNG.
// Thread safety: safe for concurrent use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace iam::commands {

// `length` characters drawn uniformly from `alphabet` (at most 256 characters).
std::string RandomString(std::string_view alphabet, size_t length);

inline constexpr std::string_view kLowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";
inline constexpr std::string_view kUpperAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
inline constexpr std::string_view kDigits = "0123456789";

// An EdgeGrid token in Akamai's shape: "akab-" + 16 + "-" + 16 characters.
std::string NewEdgeGridToken();
// A client secret: base64 of 32 random bytes (44 characters).
std::string NewClientSecret();
// A credential id: a decimal number of 10 digits without a leading zero, so it
// reads back the same through the spec's integer (about 33 bits; the caller
// refuses one that was ever used).
std::string NewCredentialId();

}  // namespace iam::commands
