// Events of accounts and API clients as far as authentication needs them
// (aggregate types "account", "api-client"), and the name of the user
// aggregate (its events are in user_events.h).
//
// Payload shapes, revision 1:
//   AccountCreated     {"accountId", "accountName"}
//   ApiClientCreated   {"clientId", "clientName", "accessToken", "ownerUiIdentityId", "ownerUsername"}
// Credentials, which live on the API client's stream, are in credential_events.h.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/credential_events.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kAccountAggregate = "account";
inline constexpr const char* kUserAggregate = "user";
inline constexpr const char* kApiClientAggregate = "api-client";

inline constexpr const char* kAccountCreated = "AccountCreated";
inline constexpr const char* kApiClientCreated = "ApiClientCreated";

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

NewEvent ToNewEvent(const AccountCreated& e);
NewEvent ToNewEvent(const ApiClientCreated& e);

Result<AccountCreated> ParseAccountCreated(const Event& e);
Result<ApiClientCreated> ParseApiClientCreated(const Event& e);

}  // namespace iam::events
