// Password policy (iam-rules.md A-5, L-7): whether a new password satisfies
// the account's PasswordPolicy, one-time passwords that always do, and the
// reuse check against the user's previous password hashes.
//
// Characters are Unicode code points of the UTF-8 text. A letter is an ASCII
// letter; every other code point, including letters of other scripts, counts
// as non-alphabetic, so the rules never depend on Unicode tables.
//
// Thread safety: safe for concurrent use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "commands/lookups.h"
#include "events/status.h"

namespace iam::commands {

// The IAM API's error type for a password that matches one of the last
// `min_reuse` (A-4, N-7): 400 "Must not match a previously used password."
inline constexpr int kPasswordReused = 1508;

// Longest password accepted, in characters, whatever the policy says.
inline constexpr int kMaxPasswordLength = 128;

// OK when `password` satisfies every rule of `policy` except reuse (see
// MatchesAnyPrevious). Otherwise kInvalidArgument with a message beginning
// "newPassword" that names the first rule it fails, in plain words; also for
// text that is not valid UTF-8, holds a control character or is longer than
// kMaxPasswordLength characters. A max_repeating of 0 or less sets no limit.
// Cheap: no hashing.
Status CheckPasswordPolicy(std::string_view password, const PasswordPolicy& policy);

// A one-time password (A-3, U-7) from the OpenSSL CSPRNG: upper- and
// lower-case letters, digits and a few symbols that need no escaping in JSON
// or a shell, max(16, policy.min_length) characters long (longer if the
// policy's minimum counts need more). It passes CheckPasswordPolicy for every
// policy that a password of at most kMaxPasswordLength characters can satisfy.
std::string NewOneTimePassword(const PasswordPolicy& policy);

// Whether `password` verifies against one of the newest `min_reuse` entries of
// `previous_hashes` (HashPassword results, oldest first); older entries and
// malformed hashes never match, and a min_reuse of 0 or less matches nothing.
// The caller answers a match with kPasswordReused.
// Cost: one argon2id verification per hash checked (tens of milliseconds
// each): run it on a HashingPool, never on an I/O or command thread.
bool MatchesAnyPrevious(std::string_view password, const std::vector<std::string>& previous_hashes,
                        int min_reuse);

}  // namespace iam::commands
