// Events of password resets by e-mail (aggregate type "password-reset", id =
// the user's uiIdentityId; seed-003 rules, T-1 … T-6).
//
// Payload shapes, revision 1:
//   UserPasswordResetIssued    {"uiIdentityId", "tokenId", "tokenHash", "expiresAt"}
//   UserPasswordResetConsumed  {"uiIdentityId", "tokenId"}
// Only the token's SHA-256 is in the log (T-2); the clear token is in the
// mail alone. A new token supersedes the user's earlier one (T-4).
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kPasswordResetAggregate = "password-reset";

inline constexpr const char* kUserPasswordResetIssued = "UserPasswordResetIssued";
inline constexpr const char* kUserPasswordResetConsumed = "UserPasswordResetConsumed";

struct PasswordResetIssued {
  std::string ui_identity_id;
  std::string token_id;
  std::string token_hash;
  int64_t expires_ms = 0;
};

struct PasswordResetConsumed {
  std::string ui_identity_id;
  std::string token_id;
};

NewEvent ToNewEvent(const PasswordResetIssued& e);
NewEvent ToNewEvent(const PasswordResetConsumed& e);
Result<PasswordResetIssued> ParsePasswordResetIssued(const Event& e);
Result<PasswordResetConsumed> ParsePasswordResetConsumed(const Event& e);

}  // namespace iam::events
