// Password hashing: argon2id (RFC 9106) with OWASP's recommended parameters,
// stored as the self-describing PHC string "$argon2id$v=19$m=…,t=…,p=…$salt$hash"
// so that hashes made today still verify if the parameters are raised later.
//
// Thread safety: safe for concurrent use.
//
// Cost: each call takes tens of milliseconds of CPU and about 19 MiB of memory
// by design (decision D-19). Never call these on an I/O thread or on the
// command processor's thread; run them on a HashingPool.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"

namespace iam::commands {

// OWASP Password Storage Cheat Sheet, argon2id option "m=19456 (19 MiB),
// t=2, p=1". Raising them only affects new hashes.
inline constexpr uint32_t kArgon2MemoryKiB = 19456;
inline constexpr uint32_t kArgon2Iterations = 2;
inline constexpr uint32_t kArgon2Parallelism = 1;
inline constexpr size_t kArgon2SaltBytes = 16;
inline constexpr size_t kArgon2HashBytes = 32;

// The PHC encoding of `password` under a fresh random salt. Two calls with the
// same password give different strings. kInternal when the CSPRNG or
// libargon2 fails (out of memory, a password longer than 4 GiB).
Result<std::string> HashPassword(std::string_view password);

// Whether `password` is the one `encoded_hash` (a HashPassword result) was made
// from, compared in constant time. False, never an error, for a hash that is
// malformed or not argon2id.
bool VerifyPassword(std::string_view password, std::string_view encoded_hash);

}  // namespace iam::commands
