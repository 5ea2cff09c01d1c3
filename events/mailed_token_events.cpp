#include "events/mailed_token_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const MailedTokenKind& kind, const MailedTokenIssued& e) {
  return {kind.issued, 1,
          PayloadWriter()
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("tokenId", e.token_id)
              .Set("tokenHash", e.token_hash)
              .Set("expiresAt", e.expires_ms)
              .Finish()};
}

NewEvent ToNewEvent(const MailedTokenKind& kind, const MailedTokenConsumed& e) {
  return {kind.consumed, 1, PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("tokenId", e.token_id).Finish()};
}

NewEvent NoticeEvent(const MailedTokenKind& kind, const std::string& ui_identity_id) {
  return {kind.notice, 1, PayloadWriter().Set("uiIdentityId", ui_identity_id).Finish()};
}

Result<MailedTokenIssued> ParseMailedTokenIssued(const Event& e) {
  PayloadReader r(e);
  MailedTokenIssued out{r.String("uiIdentityId"), r.String("tokenId"), r.String("tokenHash"), r.Int("expiresAt")};
  return FinishPayload(r, std::move(out));
}

Result<MailedTokenConsumed> ParseMailedTokenConsumed(const Event& e) {
  PayloadReader r(e);
  MailedTokenConsumed out{r.String("uiIdentityId"), r.String("tokenId")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
