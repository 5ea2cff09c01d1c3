// Events of a workspace's settings on the account aggregate (aggregate type
// "account", id = the account id; a workspace is an account, seed-003 W-10):
// the settings each workspace has exactly one of, with the values they hold.
//
// Payload shapes, revision 1:
//   WorkspacePasswordPolicyUpdated  {<password policy>}  (seed-003 §12, #33)
//   WorkspaceIpPolicyUpdated        {"enabled", "enableSupportSubnets", "ipPolicy": [entry, …]}  (#27, I-1, I-2)
//   WorkspaceMfaRequirementEnabled  {"allowedMfaMethods": [method, …], "byUserId"}  (#23, F-10)
//   WorkspaceMfaRequirementChanged  {"allowedMfaMethods": [method, …], "byUserId"}  (#23 again)
//   WorkspaceMfaRequirementDisabled {"byUserId"}  (#24)
// <password policy> is every member of WorkspacePasswordPolicy under the wire
// names of the workspace API's PasswordPolicy schema (minLength, maxLength,
// minUppercase, minLowercase, minLetters, minDigits, minSpecialCharacters,
// maxRepeating, expirationDays, blockAfterExpirationDays, historySize,
// maxFailedLoginAttempts, lockoutDurationSeconds, idleLogoutSeconds); a null
// member is left out of the payload, so an absent nullable member reads as null.
//
// The policy's value type lives here, not in commands/, because its payload is
// written and read here and events depend on nothing above them.
// Pure functions and plain values: safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

class PayloadReader;
class PayloadWriter;

// ---------------------------------------------------------------- password policy

inline constexpr const char* kWorkspacePasswordPolicyUpdated = "WorkspacePasswordPolicyUpdated";

// A workspace's one password policy (seed-003 P-1, W-17). The member
// initialisers are the default values (P-2), Akamai's fixed policy `aka90`
// where Akamai has the member. Lengths and class minima count characters
// (code points); an unset optional is the contract's null.
struct WorkspacePasswordPolicy {
  int min_length = 8;
  int max_length = 128;
  int min_uppercase = 0;                              // A–Z
  int min_lowercase = 0;                              // a–z
  int min_letters = 1;                                // A–Z and a–z together (Akamai's minLetters)
  int min_digits = 1;                                 // 0–9
  int min_special_characters = 0;                     // of the P-3 special set
  std::optional<int> max_repeating = 2;               // longest run of one character; null = no limit
  std::optional<int> expiration_days = 90;            // null = passwords never expire
  std::optional<int> block_after_expiration_days;     // days after expiry until BLOCKED; null = never
  int history_size = 4;                               // previous passwords a new one must differ from
  std::optional<int> max_failed_login_attempts = 10;  // null = never lock out
  int lockout_duration_seconds = 900;
  std::optional<int> idle_logout_seconds;  // null = no idle logout

  bool operator==(const WorkspacePasswordPolicy&) const = default;

  // The policy of a workspace that never saved one, of a person without a
  // membership, of open registration and of an unknown sign-in username (P-2).
  static WorkspacePasswordPolicy Default() { return {}; }
};

struct WorkspacePasswordPolicyUpdated {
  WorkspacePasswordPolicy policy;  // the whole policy as it is now
};

// Writes every member of `policy` (nulls left out) into `writer`.
void WritePasswordPolicy(PayloadWriter& writer, const WorkspacePasswordPolicy& policy);
// Reads what WritePasswordPolicy wrote. A missing or mistyped non-null member
// makes reader.status() a kCorruption; the returned value is then meaningless.
WorkspacePasswordPolicy ReadPasswordPolicy(PayloadReader& reader);

NewEvent ToNewEvent(const WorkspacePasswordPolicyUpdated& e);
// kCorruption naming the event's position when the payload does not match the type.
Result<WorkspacePasswordPolicyUpdated> ParseWorkspacePasswordPolicyUpdated(const Event& e);

// ---------------------------------------------------------------- IP policy

inline constexpr const char* kWorkspaceIpPolicyUpdated = "WorkspaceIpPolicyUpdated";

// The workspace's IP allowlist for JWT sessions (seed-003 I-1 … I-5, W-16):
// entries are addresses or CIDR blocks, stored as sent (host bits allowed).
struct WorkspaceIpPolicy {
  bool enabled = false;
  bool enable_support_subnets = true;
  std::vector<std::string> entries;

  bool operator==(const WorkspaceIpPolicy&) const = default;
};

struct WorkspaceIpPolicyUpdated {
  WorkspaceIpPolicy policy;  // the whole policy as it is now
};

NewEvent ToNewEvent(const WorkspaceIpPolicyUpdated& e);
Result<WorkspaceIpPolicyUpdated> ParseWorkspaceIpPolicyUpdated(const Event& e);

// ---------------------------------------------------------------- MFA requirement

inline constexpr const char* kWorkspaceMfaRequirementEnabled = "WorkspaceMfaRequirementEnabled";
inline constexpr const char* kWorkspaceMfaRequirementChanged = "WorkspaceMfaRequirementChanged";
inline constexpr const char* kWorkspaceMfaRequirementDisabled = "WorkspaceMfaRequirementDisabled";

// F-10: while enabled, a workspace token needs a session that passed one of
// `allowed_methods` (TOTP_AUTHENTICATOR, EMAIL). `by_user_number` is the
// workspace surface's userId of the administrator who changed it.
struct WorkspaceMfaRequirementSet {
  bool enabled = false;  // false: Disabled (the methods are then empty)
  bool was_enabled = false;  // true with `enabled`: Changed rather than Enabled
  std::vector<std::string> allowed_methods;
  int64_t by_user_number = 0;
};

NewEvent ToNewEvent(const WorkspaceMfaRequirementSet& e);
// Any of the three types; kCorruption naming the event otherwise.
Result<WorkspaceMfaRequirementSet> ParseWorkspaceMfaRequirementSet(const Event& e);

}  // namespace iam::events
