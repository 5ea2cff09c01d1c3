// Events of accounts and API clients as far as authentication needs them
// (aggregate types "account", "api-client"), and the name of the user
// aggregate (its events are in user_events.h).
//
// Payload shapes, revision 1:
//   AccountCreated     {"accountId", "accountName"}
//   ApiClientCreated   {"clientId", "clientName", "accessToken", "ownerUiIdentityId", "ownerUsername"}
//   CredentialCreated  {"clientId", "credentialId", "clientToken", "expiresOn" (ms since epoch)}
// The credential's secret is never in an event: it lives in the SecretStore
// under CredentialSecretId(credentialId).
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kAccountAggregate = "account";
inline constexpr const char* kUserAggregate = "user";
inline constexpr const char* kApiClientAggregate = "api-client";

inline constexpr const char* kAccountCreated = "AccountCreated";
inline constexpr const char* kApiClientCreated = "ApiClientCreated";
inline constexpr const char* kCredentialCreated = "CredentialCreated";

struct AccountCreated {
  std::string account_id;
  std::string account_name;
};
struct ApiClientCreated {
  std::string client_id;
  std::string client_name;
  std::string access_token;
  std::string owner_ui_identity_id;
  std::string owner_username;
};
struct CredentialCreated {
  std::string client_id;
  std::string credential_id;
  std::string client_token;
  int64_t expires_on_ms = 0;
};

NewEvent ToNewEvent(const AccountCreated& e);
NewEvent ToNewEvent(const ApiClientCreated& e);
NewEvent ToNewEvent(const CredentialCreated& e);

Result<AccountCreated> ParseAccountCreated(const Event& e);
Result<ApiClientCreated> ParseApiClientCreated(const Event& e);
Result<CredentialCreated> ParseCredentialCreated(const Event& e);

// The SecretStore id of a credential's client secret.
std::string CredentialSecretId(const std::string& credential_id);

}  // namespace iam::events
