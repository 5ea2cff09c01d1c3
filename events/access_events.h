// Events of accounts (aggregate type "account"), and the names of the user
// and API client aggregates (their events are in user_events.h,
// api_client_events.h and credential_events.h).
//
// Payload shapes, revision 1:
//   AccountCreated     {"accountId", "accountName"}
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/api_client_events.h"
#include "events/credential_events.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kAccountAggregate = "account";
inline constexpr const char* kUserAggregate = "user";
inline constexpr const char* kApiClientAggregate = "api-client";

inline constexpr const char* kAccountCreated = "AccountCreated";

struct AccountCreated {
  std::string account_id;
  std::string account_name;
};

NewEvent ToNewEvent(const AccountCreated& e);

Result<AccountCreated> ParseAccountCreated(const Event& e);

}  // namespace iam::events
