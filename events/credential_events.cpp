#include "events/credential_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const CredentialCreated& e) {
  return {kCredentialCreated, 2,
          PayloadWriter()
              .Set("clientId", e.client_id)
              .Set("credentialId", e.credential_id)
              .Set("clientToken", e.client_token)
              .Set("expiresOn", e.expires_on_ms)
              .Set("description", e.description)
              .Finish()};
}

NewEvent ToNewEvent(const CredentialUpdated& e) {
  return {kCredentialUpdated, 1,
          PayloadWriter()
              .Set("clientId", e.client_id)
              .Set("credentialId", e.credential_id)
              .Set("status", e.status)
              .Set("expiresOn", e.expires_on_ms)
              .Set("description", e.description)
              .Finish()};
}

NewEvent ToNewEvent(const CredentialDeleted& e) {
  return {kCredentialDeleted, 1,
          PayloadWriter().Set("clientId", e.client_id).Set("credentialId", e.credential_id).Finish()};
}

Result<CredentialCreated> ParseCredentialCreated(const Event& e) {
  PayloadReader r(e);
  CredentialCreated out{r.String("clientId"), r.String("credentialId"), r.String("clientToken"),
                        r.Int("expiresOn"), r.OptionalString("description")};
  return FinishPayload(r, std::move(out));
}

Result<CredentialUpdated> ParseCredentialUpdated(const Event& e) {
  PayloadReader r(e);
  CredentialUpdated out{r.String("clientId"), r.String("credentialId"), r.String("status"), r.Int("expiresOn"),
                        r.String("description")};
  if (r.status().ok() && out.status != kCredentialActive && out.status != kCredentialInactive) {
    return Status::Corruption("event at position " + std::to_string(e.position) + ": status " + out.status +
                              " is not ACTIVE or INACTIVE");
  }
  return FinishPayload(r, std::move(out));
}

Result<CredentialDeleted> ParseCredentialDeleted(const Event& e) {
  PayloadReader r(e);
  CredentialDeleted out{r.String("clientId"), r.String("credentialId")};
  return FinishPayload(r, std::move(out));
}

std::string CredentialSecretId(const std::string& credential_id) { return "credential/" + credential_id; }

}  // namespace iam::events
