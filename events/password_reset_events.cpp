#include "events/password_reset_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const PasswordResetIssued& e) {
  return {kUserPasswordResetIssued, 1,
          PayloadWriter()
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("tokenId", e.token_id)
              .Set("tokenHash", e.token_hash)
              .Set("expiresAt", e.expires_ms)
              .Finish()};
}

NewEvent ToNewEvent(const PasswordResetConsumed& e) {
  return {kUserPasswordResetConsumed, 1,
          PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("tokenId", e.token_id).Finish()};
}

Result<PasswordResetIssued> ParsePasswordResetIssued(const Event& e) {
  PayloadReader r(e);
  PasswordResetIssued out{r.String("uiIdentityId"), r.String("tokenId"), r.String("tokenHash"), r.Int("expiresAt")};
  return FinishPayload(r, std::move(out));
}

Result<PasswordResetConsumed> ParsePasswordResetConsumed(const Event& e) {
  PayloadReader r(e);
  PasswordResetConsumed out{r.String("uiIdentityId"), r.String("tokenId")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
