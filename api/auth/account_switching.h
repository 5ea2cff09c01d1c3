// Account switching (iam-rules.md, C-18, C-20): an API client that
// may switch accounts (`allowAccountSwitch`) acts on an account its own
// account manages by naming it in `accountSwitchKey`. The key is the managed
// account's id (one contract type per account, X-4). Every read and write of
// the request is then scoped to that account, where the client reaches every
// group: managing an account means administering it.
// Pure functions over read-model versions the caller holds: safe for
// concurrent use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "projections/account_directory.h"
#include "projections/api_client_directory.h"

namespace iam::api {

// The accounts `client` may switch to, ascending by id: none unless it may
// switch accounts; otherwise those its account manages.
std::vector<const projections::AccountRecord*> AccountSwitchTargets(const projections::ApiClientRecord& client,
                                                                    const projections::AccountDirectory& accounts);

// The account `key` lets `client` act on. kPermissionDenied (reason 1001)
// when the key is not one of the client's.
Result<std::string> ResolveAccountSwitchKey(const projections::ApiClientRecord& client,
                                            const projections::AccountDirectory& accounts, std::string_view key);

// C-18's `search`: a case-insensitive substring of the account's id or name.
bool MatchesSwitchKeySearch(const projections::AccountRecord& account, std::string_view search);

// Whether `path` acts on the calling client or its owner (`/api-clients/self…`,
// `/user-profile…`): those stay in the client's own account.
bool IsCallerSelfOperation(std::string_view path);

}  // namespace iam::api
