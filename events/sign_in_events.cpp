#include "events/sign_in_events.h"

#include "events/payload_json.h"
#include "events/personal_data.h"

namespace iam::events {

std::string SignInStreamId(std::string_view username) { return PersonalDataDigest(username); }

NewEvent SignInFailedEvent(const SignInAttempt& e) {
  return {kUserSignInFailed, 2,
          PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("reason", e.reason).Finish()};
}

NewEvent SignInSucceededEvent(const SignInAttempt& e) {
  return {kUserSignInSucceeded, 2, PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Finish()};
}

NewEvent ToNewEvent(const UserLockedOut& e) {
  return {kUserLockedOut, 2, PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("until", e.until_ms).Finish()};
}

NewEvent LockoutClearedEvent(const SignInAttempt& attempt) {
  return {kUserLockoutCleared, 2, PayloadWriter().Set("uiIdentityId", attempt.ui_identity_id).Finish()};
}

// The username is not in the payload: the stream's id is its digest.
Result<SignInAttempt> ParseSignInAttempt(const Event& e) {
  PayloadReader r(e);
  SignInAttempt out{"", r.String("uiIdentityId"), r.OptionalString("reason")};
  return FinishPayload(r, std::move(out));
}

Result<UserLockedOut> ParseUserLockedOut(const Event& e) {
  PayloadReader r(e);
  UserLockedOut out{"", r.String("uiIdentityId"), r.Int("until")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
