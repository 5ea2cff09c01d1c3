// Events of the invitation aggregate (aggregate type "invitation", id = the
// invitationId in decimal): seed-003 rules V-1 … V-13 and the invitation rows
// of M-3.
//
// Payload shapes, revision 1 (every one carries "invitationId" and "accountId"):
//   InvitationCreated   {"email", "firstName", "lastName", "roleId", "accessExpiresAt",
//                        "invitedBy", "tokenId", "tokenHash", "tokenExpiresAt"}
//   InvitationUpdated   {"firstName", "lastName", "roleId", "accessExpiresAt"}: the whole new state
//   InvitationResent    {"tokenId", "tokenHash", "tokenExpiresAt"}: supersedes the live token
//   InvitationAccepted  {"uiIdentityId", "via"}
//   InvitationRejected  {}
//   InvitationExpired   {}: recorded by the scheduler once the token lapsed (V-13)
//   InvitationRevoked   {"reason"}: deleted (#37) or superseded by a new invitation (V-3)
// `email` is the normalised address (M-1); invitedBy the inviting person's
// uiIdentityId. Only the token's SHA-256 reaches the log (T-2); the clear
// token is in the mail alone. Dates are milliseconds since the epoch;
// accessExpiresAt 0 = unlimited.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kInvitationAggregate = "invitation";
inline constexpr const char* kInvitationCreated = "InvitationCreated";
inline constexpr const char* kInvitationUpdated = "InvitationUpdated";
inline constexpr const char* kInvitationResent = "InvitationResent";
inline constexpr const char* kInvitationAccepted = "InvitationAccepted";
inline constexpr const char* kInvitationRejected = "InvitationRejected";
inline constexpr const char* kInvitationExpired = "InvitationExpired";
inline constexpr const char* kInvitationRevoked = "InvitationRevoked";

// InvitationAccepted::via beside user_events.h's kViaConfirmation and kViaReset.
inline constexpr const char* kViaSignIn = "SIGN_IN";
inline constexpr const char* kViaInvitationRegistration = "INVITATION";

// InvitationRevoked::reason.
inline constexpr const char* kInvitationDeleted = "DELETED";
inline constexpr const char* kInvitationSuperseded = "SUPERSEDED";

struct InvitationEvent {
  int64_t invitation_id = 0;
  std::string account_id;
  std::string email;
  std::string first_name;
  std::string last_name;
  int64_t role_id = 0;
  int64_t access_expires_ms = 0;
  std::string invited_by;
  std::string token_id;
  std::string token_hash;
  int64_t token_expires_ms = 0;
  std::string ui_identity_id;  // InvitationAccepted: the person who became a member
  std::string via;             // InvitationAccepted: the proof of the address
  std::string reason;          // InvitationRevoked
};

// `type` is one of the kinds above; the members its shape names are written.
NewEvent ToNewEvent(const char* type, const InvitationEvent& e);
// kCorruption naming the event's position when the payload does not match.
Result<InvitationEvent> ParseInvitationEvent(const Event& e);

}  // namespace iam::events
