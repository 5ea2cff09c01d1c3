#include "events/invitation_events.h"

#include <string_view>

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const char* type, const InvitationEvent& e) {
  PayloadWriter w;
  w.Set("invitationId", e.invitation_id).Set("accountId", e.account_id);
  const std::string_view kind = type;
  if (kind == kInvitationCreated) {
    w.Set("email", e.email).Set("invitedBy", e.invited_by);
  }
  if (kind == kInvitationCreated || kind == kInvitationUpdated) {
    w.Set("firstName", e.first_name)
        .Set("lastName", e.last_name)
        .Set("roleId", e.role_id)
        .Set("accessExpiresAt", e.access_expires_ms);
  }
  if (kind == kInvitationCreated || kind == kInvitationResent) {
    w.Set("tokenId", e.token_id).Set("tokenHash", e.token_hash).Set("tokenExpiresAt", e.token_expires_ms);
  }
  if (kind == kInvitationAccepted) w.Set("uiIdentityId", e.ui_identity_id).Set("via", e.via);
  if (kind == kInvitationRevoked) w.Set("reason", e.reason);
  return {type, 1, w.Finish()};
}

Result<InvitationEvent> ParseInvitationEvent(const Event& e) {
  PayloadReader r(e);
  InvitationEvent out;
  out.invitation_id = r.Int("invitationId");
  out.account_id = r.String("accountId");
  const std::string_view kind = e.event_type;
  if (kind == kInvitationCreated) {
    out.email = r.String("email");
    out.invited_by = r.String("invitedBy");
  }
  if (kind == kInvitationCreated || kind == kInvitationUpdated) {
    out.first_name = r.String("firstName");
    out.last_name = r.String("lastName");
    out.role_id = r.Int("roleId");
    out.access_expires_ms = r.Int("accessExpiresAt");
  }
  if (kind == kInvitationCreated || kind == kInvitationResent) {
    out.token_id = r.String("tokenId");
    out.token_hash = r.String("tokenHash");
    out.token_expires_ms = r.Int("tokenExpiresAt");
  }
  if (kind == kInvitationAccepted) {
    out.ui_identity_id = r.String("uiIdentityId");
    out.via = r.String("via");
  }
  if (kind == kInvitationRevoked) out.reason = r.String("reason");
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
