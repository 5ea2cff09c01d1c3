// Events of sign-in attempts (aggregate type "signin", id = the normalised
// username, i.e. the lower-cased e-mail address): failures count per
// username, unknown usernames included, so the counter and the lockout it
// starts are one stream (seed-003 rules T-10, P-9, CC-8, X-17).
//
// Payload shapes, revision 1:
//   UserSignInFailed     {"username", "uiIdentityId" ("" when unknown), "reason"}
//   UserSignInSucceeded  {"username", "uiIdentityId"}
//   UserLockedOut        {"username", "uiIdentityId", "until" (ms since epoch)}
//   UserLockoutCleared   {"username", "uiIdentityId"}   (a password reset ends a lockout, A-7)
// No password, code or token ever enters these payloads.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kSignInAggregate = "signin";

inline constexpr const char* kUserSignInFailed = "UserSignInFailed";
inline constexpr const char* kUserSignInSucceeded = "UserSignInSucceeded";
inline constexpr const char* kUserLockedOut = "UserLockedOut";
inline constexpr const char* kUserLockoutCleared = "UserLockoutCleared";

// Why an evaluated attempt failed.
inline constexpr const char* kSignInWrongPassword = "WRONG_PASSWORD";
inline constexpr const char* kSignInUnknownUser = "UNKNOWN_USER";
inline constexpr const char* kSignInNoPassword = "NO_PASSWORD";

struct SignInAttempt {
  std::string username;
  std::string ui_identity_id;  // "" for an unknown username
  std::string reason;          // failures only
};

struct UserLockedOut {
  std::string username;
  std::string ui_identity_id;
  int64_t until_ms = 0;
};

NewEvent SignInFailedEvent(const SignInAttempt& e);
NewEvent SignInSucceededEvent(const SignInAttempt& e);
NewEvent ToNewEvent(const UserLockedOut& e);
// UserLockoutCleared (`attempt.reason` unused).
NewEvent LockoutClearedEvent(const SignInAttempt& attempt);

// Either UserSignInFailed or UserSignInSucceeded (`reason` "" then).
Result<SignInAttempt> ParseSignInAttempt(const Event& e);
Result<UserLockedOut> ParseUserLockedOut(const Event& e);

}  // namespace iam::events
