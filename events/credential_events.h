// Events of API client credentials (iam-rules.md §11). They belong to the
// API client's stream (aggregate type "api-client", id = the clientId), so
// one client's credentials change one after another.
//
// Payload shapes:
//   CredentialCreated (revision 2)  {"clientId", "credentialId", "clientToken", "expiresOn",
//                                    "description"}; revision 1 had no description
//   CredentialUpdated               {"clientId", "credentialId", "status", "expiresOn", "description"}
//   CredentialDeleted               {"clientId", "credentialId"}
// Dates are milliseconds since the epoch; status is ACTIVE or INACTIVE (a
// deleted credential is DELETED for good, K-8). The client secret is never in
// an event: it lives in the SecretStore under CredentialSecretId(credentialId).
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kCredentialCreated = "CredentialCreated";
inline constexpr const char* kCredentialUpdated = "CredentialUpdated";
inline constexpr const char* kCredentialDeleted = "CredentialDeleted";

inline constexpr const char* kCredentialActive = "ACTIVE";
inline constexpr const char* kCredentialInactive = "INACTIVE";
inline constexpr const char* kCredentialDeletedStatus = "DELETED";

struct CredentialCreated {
  std::string client_id;
  std::string credential_id;
  std::string client_token;
  int64_t expires_on_ms = 0;
  std::string description;
};
struct CredentialUpdated {
  std::string client_id;
  std::string credential_id;
  std::string status;  // ACTIVE or INACTIVE
  int64_t expires_on_ms = 0;
  std::string description;
};
struct CredentialDeleted {
  std::string client_id;
  std::string credential_id;
};

NewEvent ToNewEvent(const CredentialCreated& e);
NewEvent ToNewEvent(const CredentialUpdated& e);
NewEvent ToNewEvent(const CredentialDeleted& e);

// kCorruption naming the event's position when the payload does not match the type.
Result<CredentialCreated> ParseCredentialCreated(const Event& e);
Result<CredentialUpdated> ParseCredentialUpdated(const Event& e);
Result<CredentialDeleted> ParseCredentialDeleted(const Event& e);

// The SecretStore id of a credential's client secret.
std::string CredentialSecretId(const std::string& credential_id);

}  // namespace iam::events
