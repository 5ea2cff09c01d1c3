// A workspace's password policy (seed-003 §5 P-1 … P-6, W-17): reading it
// from and writing it to the workspace API's JSON, checking a password against
// it, merging the policies of several workspaces into a person's effective
// one, and the Akamai view of the same policy (iam-rules.md L-7).
//
// The value type is events::WorkspacePasswordPolicy (its defaults are P-2's):
// the WorkspacePasswordPolicyUpdated payload needs it below this layer.
//
// Characters are Unicode code points of the UTF-8 text as given: the build has
// no Unicode normalisation library, so P-3's "after NFC" is not applied and a
// decomposed accent counts as a character of its own. The character classes
// are ASCII only, so normalisation never changes which class a character is in.
//
// Thread safety: pure functions of their arguments; safe for concurrent use.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "commands/lookups.h"
#include "events/status.h"
#include "events/workspace_settings_events.h"

namespace iam::commands {

using events::WorkspacePasswordPolicy;

// Status reasons, the numbers of the workspace API's error codes: a password
// that fails the policy (PWD-0001, P-3) and a policy whose members contradict
// each other (PWD-0004, P-4).
inline constexpr int kPasswordRejectedByPolicy = 1;
inline constexpr int kPolicyInconsistent = 4;

// The characters that count as special (P-3): every printable ASCII character
// that is neither a letter, a digit nor the space.
inline constexpr std::string_view kSpecialCharacters = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

// The characters a password needs at least to meet the class minima (P-4):
// max(minLetters, minUppercase + minLowercase) + minDigits + minSpecialCharacters.
int DemandedCharacters(const WorkspacePasswordPolicy& policy);

// The policy as the workspace API's PasswordPolicy schema: every member, a
// null one as JSON null.
boost::json::object ToJson(const WorkspacePasswordPolicy& policy);
// ToJson plus `specialCharacters` (kSpecialCharacters): the
// EffectivePasswordPolicy schema of the strongest-policy reads.
boost::json::object ToEffectiveJson(const WorkspacePasswordPolicy& policy);

// The policy #33 asks for. `body` is a closed object: minLength and maxLength
// are required (the schema's `required`), every other member may be omitted
// and then takes its default value (P-2); the nullable ones accept null.
// Errors: kInvalidArgument listing every violation, joined by "; ", each
// naming its member — unknown members, missing required ones, non-integers,
// values outside the schema's range, null where it is not allowed, and P-4's
// contradictions. When the contradictions are all that is wrong, the status
// carries reason kPolicyInconsistent (PWD-0004); schema violations carry none.
// A P-4 rule is only evaluated when the members it reads are valid.
Result<WorkspacePasswordPolicy> ParseWorkspacePasswordPolicy(const boost::json::object& body);

// P-3: OK when `password` meets `policy` and differs from `email` (compared
// ignoring ASCII case; an empty `email` is not compared). Otherwise
// kInvalidArgument with reason kPasswordRejectedByPolicy listing every failure,
// joined by "; ": too few or too many characters, each class minimum
// (upper-case, lower-case, letters, digits, special characters), a run longer
// than max_repeating, equal to the e-mail, control characters. Text that is
// not valid UTF-8 is refused with that failure alone. Reuse of an earlier
// password (P-11) is not checked here: it needs the stored hashes.
Status CheckPassword(std::string_view password, const WorkspacePasswordPolicy& policy, std::string_view email);

// P-6: the field-wise most restrictive merge of `policies` — the largest
// minimum length, class minima, history size and lockout duration; the
// smallest maximum length; the smallest of the non-null expiry, block after
// expiry, failed-attempt limit, idle logout and longest run (null only when
// every policy has null) — and then a maximum length raised to the minimum
// length and to DemandedCharacters, so a password can still meet it. The result
// may equal none of the inputs. No policies: Default(). Never fails.
WorkspacePasswordPolicy StrongestOf(const std::vector<WorkspacePasswordPolicy>& policies);

// W-17: the policy in Akamai's members (L-7): minLength, minLetters, minDigits
// and maxRepeating as they are, caseDif = the smaller of minUppercase and
// minLowercase, minNonAlpha = minSpecialCharacters, minReuse = historySize,
// rotateFrequency = expirationDays; a null member becomes 0 (for max_repeating,
// CheckPasswordPolicy's "no limit").
PasswordPolicy AkamaiView(const WorkspacePasswordPolicy& policy);
// Akamai's `pwclass`: "aka90" while `policy` equals Default(), "custom" otherwise.
std::string AkamaiPolicyClass(const WorkspacePasswordPolicy& policy);

}  // namespace iam::commands
