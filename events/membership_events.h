// Events of the membership aggregate (aggregate type "membership", id =
// MembershipId(accountId, uiIdentityId)): a person's place in one account,
// seed-003 rules W-12, M-3, M-8, M-9, W-19.
//
// A person created in an account through iamd's Akamai API (UserCreated,
// which names the account as its resourceOwner) is a member of that account
// from that event on, with no role here: the membership exists before its own
// stream has an event. Every later change of it is one of these events.
//
// Payload shapes, revision 1 (every one carries "uiIdentityId" and "accountId"):
//   UserAddedToWorkspace                {"roleId", "accessExpiresAt", "via", "invitationId"}
//   UserWorkspaceRoleChanged            {"roleId"}
//   UserWorkspaceMembershipDeactivated  {}
//   UserWorkspaceMembershipActivated    {}
//   UserWorkspaceAccessTimeChanged      {"accessExpiresAt"}
//   UserWorkspaceAccessExpired          {"accessExpiresAt"}: recorded by the scheduler
//   UserRemovedFromWorkspace            {"reason"}
// roleId 0 = none (a member made through the Akamai API, W-15); accessExpiresAt
// 0 = unlimited, else milliseconds since the epoch; invitationId 0 = none.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kMembershipAggregate = "membership";
inline constexpr const char* kUserAddedToWorkspace = "UserAddedToWorkspace";
inline constexpr const char* kUserWorkspaceRoleChanged = "UserWorkspaceRoleChanged";
inline constexpr const char* kUserWorkspaceMembershipDeactivated = "UserWorkspaceMembershipDeactivated";
inline constexpr const char* kUserWorkspaceMembershipActivated = "UserWorkspaceMembershipActivated";
inline constexpr const char* kUserWorkspaceAccessTimeChanged = "UserWorkspaceAccessTimeChanged";
inline constexpr const char* kUserWorkspaceAccessExpired = "UserWorkspaceAccessExpired";
inline constexpr const char* kUserRemovedFromWorkspace = "UserRemovedFromWorkspace";

// UserAddedToWorkspace::via.
inline constexpr const char* kViaInvitation = "INVITATION";          // accepted by a proof of the address (V-11)
inline constexpr const char* kViaInviteOfExisting = "INVITE";        // a proven person added at once (V-4)
inline constexpr const char* kViaAccountCreated = "ACCOUNT_CREATED";  // first administrator (W-10)

// UserRemovedFromWorkspace::reason.
inline constexpr const char* kRemovedByWorkspace = "WORKSPACE_REMOVE";  // #42
inline constexpr const char* kRemovedByAccountDeletion = "ACCOUNT_DELETED";  // #50, #71
inline constexpr const char* kRemovedByV3Delete = "V3_DELETE";  // v3 delete of a guest, or of a person who has other memberships

// The membership aggregate's id: the account and the person, which neither
// contains a '/'.
std::string MembershipId(std::string_view account_id, std::string_view ui_identity_id);

struct MembershipEvent {
  std::string ui_identity_id;
  std::string account_id;
  int64_t role_id = 0;
  int64_t access_expires_ms = 0;
  std::string via;
  int64_t invitation_id = 0;
  std::string reason;
};

// `type` is one of the kinds above; the members its shape names are written.
NewEvent ToNewEvent(const char* type, const MembershipEvent& e);
// kCorruption naming the event's position when the payload does not match.
Result<MembershipEvent> ParseMembershipEvent(const Event& e);

}  // namespace iam::events
