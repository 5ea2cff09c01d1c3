// Events of the token signing keys (aggregate type "signing-key", id "jwt";
// seed-003 rule T-13): a rotation is recorded by the new key's kid (its
// RFC 7638 thumbprint); the keys themselves live in the secret store only.
//
// Payload shapes, revision 1:
//   JwtSigningKeyRotated  {"kid"}
// Pure functions: safe for concurrent use.
#pragma once

#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kSigningKeyAggregate = "signing-key";
inline constexpr const char* kJwtSigningKeyStream = "jwt";
inline constexpr const char* kJwtSigningKeyRotated = "JwtSigningKeyRotated";

NewEvent JwtSigningKeyRotatedEvent(const std::string& kid);
Result<std::string> ParseJwtSigningKeyRotated(const Event& e);  // the kid

}  // namespace iam::events
