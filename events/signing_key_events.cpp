#include "events/signing_key_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent JwtSigningKeyRotatedEvent(const std::string& kid) { return IdOnlyEvent(kJwtSigningKeyRotated, "kid", kid); }

Result<std::string> ParseJwtSigningKeyRotated(const Event& e) {
  PayloadReader r(e);
  std::string kid = r.String("kid");
  return FinishPayload(r, std::move(kid));
}

}  // namespace iam::events
