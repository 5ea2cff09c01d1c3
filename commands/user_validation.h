// Validation of what a request says about a user: the profile members of the
// create-user and basic-info bodies (iam-rules.md U-2, U-5, U-6, U-12, U-13,
// A-6; decisions D-5, D-7, D-8) and the notification settings (N-1, N-2).
// The reference value sets come from commands::Lookups.
//
// Every refusal is kInvalidArgument (400 Validation Exception) whose message
// begins with the member's wire name, e.g. "country 'Atlantis' is not one of
// the countries of GET /user-admin/common/countries": the Terraform provider
// looks for `preferredLanguage`, `contactType`, `country`, `sessionTimeOut`
// and `state` in the error text to point its users at the right lookup, so no
// message names one of those words unless it is about that member.
//
// Thread safety: pure functions over immutable lookups; safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "events/status.h"
#include "events/user_events.h"

namespace iam::commands {

// A practical address check, not RFC 5322: exactly one '@'; a local part of
// 1 to 64 letters, digits and !#$%&'*+/=?^_`{|}~.- with no leading, trailing
// or doubled dot; a domain of at least two dot-separated labels of letters,
// digits and hyphens (1 to 63 each, no hyphen at either end) whose last label
// is at least two letters; 254 bytes in all. Quoted local parts, comments and
// address literals ([192.0.2.1]) are refused.
bool IsValidEmail(std::string_view address);

// The two phone shapes the Terraform provider accepts (U-6): a North-American
// number (optional "+1" or "1", an area code of three digits not starting
// with 0, three digits, four digits; separators '-', '.', '\', a space or
// parentheses; an optional extension of up to 30 digits after a separator or
// " x"), or '+', a digit other than 1, and at most 40 more digits, spaces or
// hyphens. Only the space counts as white space (the provider's \s also takes
// tabs and line breaks, which ValidateProfile refuses as control characters).
bool IsValidPhone(std::string_view number);

// Which body the profile came from: they differ in what is required.
enum class ProfileUse {
  kCreate,     // POST /user-admin/ui-identities
  kBasicInfo,  // PUT …/ui-identities/{id}/basic-info and PUT /user-profile/basic-info
};

// Checks `profile` as the request gave it, before ApplyProfileDefaults (the
// basic-info body requires members that the defaults would otherwise fill).
// Empty strings and a session_timeout of 0 are "absent". Refusals, all
// kInvalidArgument; control characters are looked for in every string first,
// then the members are checked one by one (country before state) and the
// first failure is returned:
//   - a required member is absent: "<member> is required". Create requires
//     firstName, lastName, email, country, additionalAuthentication;
//     basic-info requires firstName, lastName, country, preferredLanguage,
//     sessionTimeOut, timeZone (email and additionalAuthentication may be
//     absent there and then keep the stored value, D-5 and X-21);
//   - a control character (U+0000–U+001F, U+007F–U+009F) in any string;
//   - a length outside the limits: firstName and lastName 1–50 characters
//     (blank counts as empty), jobTitle ≤ 75, other free text ≤ 255;
//   - email or secondaryEmail not IsValidEmail; phone or mobilePhone not
//     IsValidPhone;
//   - country, timeZone, preferredLanguage, contactType or sessionTimeOut not
//     in its lookup; state not one of the country's states when the country
//     has a list of states (USA, Canada);
//   - additionalAuthentication not TFA, MFA or NONE.
Status ValidateProfile(const events::UserProfile& profile, ProfileUse use);

// Fills the members U-5 gives a default when absent: preferredLanguage
// "English", timeZone "GMT", sessionTimeOut 64800 (18 hours). Members that
// are set are left alone.
void ApplyProfileDefaults(events::UserProfile& profile);

// N-2: every name in proactive and upgrade is a notification product of
// GET …/common/notification-products, and no list names a product twice.
// Refusals are kInvalidArgument beginning with "proactive" or "upgrade".
Status ValidateNotifications(const events::NotificationSettings& settings);

// U-6: addresses are compared ignoring case. ASCII lower-casing only: the
// domain is ASCII (IsValidEmail) and so is every local part it accepts.
bool SameEmail(std::string_view a, std::string_view b);
// Characters of valid UTF-8 text (every request body is: the JSON parser
// checks), for the spec's lengths, which count characters, not bytes.
size_t CodePoints(std::string_view text);
// The form to index addresses by for uniqueness: ASCII lower case.
std::string EmailKey(std::string_view address);

}  // namespace iam::commands
