#include "events/membership_events.h"

#include "events/payload_json.h"

namespace iam::events {

std::string MembershipId(std::string_view account_id, std::string_view ui_identity_id) {
  std::string id(account_id);
  id.push_back('/');
  id.append(ui_identity_id);
  return id;
}

NewEvent ToNewEvent(const char* type, const MembershipEvent& e) {
  PayloadWriter w;
  w.Set("uiIdentityId", e.ui_identity_id).Set("accountId", e.account_id);
  const std::string_view kind = type;
  if (kind == kUserAddedToWorkspace) {
    w.Set("roleId", e.role_id).Set("accessExpiresAt", e.access_expires_ms).Set("via", e.via).Set("invitationId",
                                                                                                  e.invitation_id);
  } else if (kind == kUserWorkspaceRoleChanged) {
    w.Set("roleId", e.role_id);
  } else if (kind == kUserWorkspaceAccessTimeChanged || kind == kUserWorkspaceAccessExpired) {
    w.Set("accessExpiresAt", e.access_expires_ms);
  } else if (kind == kUserRemovedFromWorkspace) {
    w.Set("reason", e.reason);
  }
  return {type, 1, w.Finish()};
}

Result<MembershipEvent> ParseMembershipEvent(const Event& e) {
  PayloadReader r(e);
  MembershipEvent out;
  out.ui_identity_id = r.String("uiIdentityId");
  out.account_id = r.String("accountId");
  const std::string_view kind = e.event_type;
  if (kind == kUserAddedToWorkspace) {
    out.role_id = r.Int("roleId");
    out.access_expires_ms = r.Int("accessExpiresAt");
    out.via = r.String("via");
    out.invitation_id = r.Int("invitationId");
  } else if (kind == kUserWorkspaceRoleChanged) {
    out.role_id = r.Int("roleId");
  } else if (kind == kUserWorkspaceAccessTimeChanged || kind == kUserWorkspaceAccessExpired) {
    out.access_expires_ms = r.Int("accessExpiresAt");
  } else if (kind == kUserRemovedFromWorkspace) {
    out.reason = r.String("reason");
  }
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
