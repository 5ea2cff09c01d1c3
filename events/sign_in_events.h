// Events of sign-in attempts (aggregate type "signin", id =
// SignInStreamId of the normalised username, i.e. of the lower-cased e-mail
// address): failures count per username, unknown usernames included, so the
// counter and the lockout it starts are one stream (seed-003 rules T-10, P-9,
// CC-8, X-17). The id is a digest (seed-003 §12's emailKey) and the payload
// holds no address, so that no sign-in attempt keeps a readable address once
// its person is erased (events/personal_data.h). Logs written before keyed
// the stream by the username itself.
//
// Payload shapes, revision 2 (revision 1 also held the "username", as the
// stream's id did; events/upcasting.cpp drops it):
//   UserSignInFailed     {"uiIdentityId" ("" when unknown), "reason"}
//   UserSignInSucceeded  {"uiIdentityId"}
//   UserLockedOut        {"uiIdentityId", "until" (ms since epoch)}
//   UserLockoutCleared   {"uiIdentityId"}   (a password reset ends a lockout, A-7)
// No password, code or token ever enters these payloads.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
  std::string username;        // normalised; names the stream, never in the payload
  std::string ui_identity_id;  // "" for an unknown username
  std::string reason;          // failures only
};

struct UserLockedOut {
  std::string username;  // as SignInAttempt's
  std::string ui_identity_id;
  int64_t until_ms = 0;
};

// The id of `username`'s stream (normalised): PersonalDataDigest of it.
std::string SignInStreamId(std::string_view username);

NewEvent SignInFailedEvent(const SignInAttempt& e);
NewEvent SignInSucceededEvent(const SignInAttempt& e);
NewEvent ToNewEvent(const UserLockedOut& e);
// UserLockoutCleared (`attempt.reason` unused).
NewEvent LockoutClearedEvent(const SignInAttempt& attempt);

// Either UserSignInFailed or UserSignInSucceeded (`reason` "" then).
Result<SignInAttempt> ParseSignInAttempt(const Event& e);
Result<UserLockedOut> ParseUserLockedOut(const Event& e);

}  // namespace iam::events
