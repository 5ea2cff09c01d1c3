#include "events/session_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const SessionStarted& e) {
  return {kUserSessionStarted, 1,
          PayloadWriter()
              .Set("sessionId", e.session_id)
              .Set("uiIdentityId", e.ui_identity_id)
              .SetStrings("amr", e.amr)
              .SetBool("mfaPending", e.mfa_pending)
              .Set("refreshTokenHash", e.refresh_token_hash)
              .Set("refreshExpiresAt", e.refresh_expires_ms)
              .Set("expiresAt", e.expires_ms)
              .Set("ipNetwork", e.ip_network)
              .Set("userAgent", e.user_agent)
              .Finish()};
}

NewEvent ToNewEvent(const SessionRefreshed& e) {
  return {kUserSessionRefreshed, 1,
          PayloadWriter()
              .Set("sessionId", e.session_id)
              .Set("refreshTokenHash", e.refresh_token_hash)
              .SetStrings("amr", e.amr)
              .Set("refreshExpiresAt", e.refresh_expires_ms)
              .Set("ipNetwork", e.ip_network)
              .Set("userAgent", e.user_agent)
              .Set("workspaceGuid", e.workspace_guid)
              .Finish()};
}

NewEvent ToNewEvent(const SessionEnded& e) {
  return {kUserSessionEnded, 1, PayloadWriter().Set("sessionId", e.session_id).Set("reason", e.reason).Finish()};
}

Result<SessionStarted> ParseSessionStarted(const Event& e) {
  PayloadReader r(e);
  SessionStarted out;
  out.session_id = r.String("sessionId");
  out.ui_identity_id = r.String("uiIdentityId");
  out.amr = r.Strings("amr");
  out.mfa_pending = r.Bool("mfaPending");
  out.refresh_token_hash = r.String("refreshTokenHash");
  out.refresh_expires_ms = r.Int("refreshExpiresAt");
  out.expires_ms = r.Int("expiresAt");
  out.ip_network = r.String("ipNetwork");
  out.user_agent = r.String("userAgent");
  return FinishPayload(r, std::move(out));
}

Result<SessionRefreshed> ParseSessionRefreshed(const Event& e) {
  PayloadReader r(e);
  SessionRefreshed out;
  out.session_id = r.String("sessionId");
  out.refresh_token_hash = r.String("refreshTokenHash");
  out.amr = r.Strings("amr");
  out.refresh_expires_ms = r.Int("refreshExpiresAt");
  out.ip_network = r.String("ipNetwork");
  out.user_agent = r.String("userAgent");
  out.workspace_guid = r.OptionalString("workspaceGuid");
  return FinishPayload(r, std::move(out));
}

Result<SessionEnded> ParseSessionEnded(const Event& e) {
  PayloadReader r(e);
  SessionEnded out{r.String("sessionId"), r.String("reason")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
