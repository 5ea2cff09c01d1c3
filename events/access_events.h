// Events of accounts, users and API clients as far as authentication needs
// them (aggregate types "account", "user", "api-client").
//
// Payload shapes, revision 1:
//   AccountCreated     {"accountId", "accountName"}
//   UserCreated        {"uiIdentityId", "uiUserName", "email", "firstName", "lastName"}
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
inline constexpr const char* kUserCreated = "UserCreated";
inline constexpr const char* kApiClientCreated = "ApiClientCreated";
inline constexpr const char* kCredentialCreated = "CredentialCreated";

struct AccountCreated {
  std::string account_id;
  std::string account_name;
};
struct UserCreated {
  std::string ui_identity_id;
  std::string ui_user_name;
  std::string email;
  std::string first_name;
  std::string last_name;
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
NewEvent ToNewEvent(const UserCreated& e);
NewEvent ToNewEvent(const ApiClientCreated& e);
NewEvent ToNewEvent(const CredentialCreated& e);

Result<AccountCreated> ParseAccountCreated(const Event& e);
Result<UserCreated> ParseUserCreated(const Event& e);
Result<ApiClientCreated> ParseApiClientCreated(const Event& e);
Result<CredentialCreated> ParseCredentialCreated(const Event& e);

// The SecretStore id of a credential's client secret.
std::string CredentialSecretId(const std::string& credential_id);

}  // namespace iam::events
