// Events of accounts (aggregate type "account"), and the names of the user
// and API client aggregates (their events are in user_events.h,
// api_client_events.h and credential_events.h).
//
// Payload shapes, revision 1:
//   AccountCreated         {"accountId", "accountName"}
//   AccountManagerGranted  {"accountId", "managingAccountId"}
//   AccountManagerRevoked  {"accountId", "managingAccountId"}
// A managing account's API clients that may switch accounts act on the
// managed account with an accountSwitchKey (iam-rules.md X-2, C-18, C-20).
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

inline constexpr const char* kAccountManagerGranted = "AccountManagerGranted";
inline constexpr const char* kAccountManagerRevoked = "AccountManagerRevoked";

// The account `account_id` lets `managing_account_id` manage it (or stops).
struct AccountManagerChange {
  std::string account_id;
  std::string managing_account_id;
};

NewEvent ToNewEvent(const AccountCreated& e);
// `type` is kAccountManagerGranted or kAccountManagerRevoked.
NewEvent ToNewEvent(const char* type, const AccountManagerChange& e);

Result<AccountCreated> ParseAccountCreated(const Event& e);
Result<AccountManagerChange> ParseAccountManagerChange(const Event& e);

}  // namespace iam::events
