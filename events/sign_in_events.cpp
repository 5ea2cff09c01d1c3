#include "events/sign_in_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent SignInFailedEvent(const SignInAttempt& e) {
  return {kUserSignInFailed, 1,
          PayloadWriter()
              .Set("username", e.username)
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("reason", e.reason)
              .Finish()};
}

NewEvent SignInSucceededEvent(const SignInAttempt& e) {
  return {kUserSignInSucceeded, 1,
          PayloadWriter().Set("username", e.username).Set("uiIdentityId", e.ui_identity_id).Finish()};
}

NewEvent ToNewEvent(const UserLockedOut& e) {
  return {kUserLockedOut, 1,
          PayloadWriter()
              .Set("username", e.username)
              .Set("uiIdentityId", e.ui_identity_id)
              .Set("until", e.until_ms)
              .Finish()};
}

NewEvent LockoutClearedEvent(const SignInAttempt& attempt) {
  return {kUserLockoutCleared, 1,
          PayloadWriter().Set("username", attempt.username).Set("uiIdentityId", attempt.ui_identity_id).Finish()};
}

Result<SignInAttempt> ParseSignInAttempt(const Event& e) {
  PayloadReader r(e);
  SignInAttempt out{r.String("username"), r.String("uiIdentityId"), r.OptionalString("reason")};
  return FinishPayload(r, std::move(out));
}

Result<UserLockedOut> ParseUserLockedOut(const Event& e) {
  PayloadReader r(e);
  UserLockedOut out{r.String("username"), r.String("uiIdentityId"), r.Int("until")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
