#include "events/user_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const UserLocked& e) {
  return {kUserLocked, 1, PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Finish()};
}

NewEvent ToNewEvent(const UserUnlocked& e) {
  return {kUserUnlocked, 1, PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Finish()};
}

Result<UserLocked> ParseUserLocked(const Event& e) {
  PayloadReader r(e);
  UserLocked out{r.String("uiIdentityId")};
  return FinishPayload(r, std::move(out));
}

Result<UserUnlocked> ParseUserUnlocked(const Event& e) {
  PayloadReader r(e);
  UserUnlocked out{r.String("uiIdentityId")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
