// Authorization of an authenticated API client (iam-rules.md;
// decisions D-3, D-17): after the signature and the nonce, before any
// handler runs.
//
// - API grant: the client's access to the Identity and Access
//   Management API (all accessible APIs count as READ-WRITE). Without it
//   every call is refused; with READ-ONLY every operation that changes
//   something is, per operation rather than per method (D-17).
// - The client's own IP ACL (C-6) and the account's allowlist (§8): calls
//   from elsewhere are refused, whatever the route.
// - Administration (/admin/v1): only clients whose owner holds Akamai's Admin
//   role on a top-level group of the account.
// Pure functions over read-model versions the caller holds: safe for
// concurrent use.
#pragma once

#include <string_view>

#include "projections/api_client_directory.h"
#include "projections/group_directory.h"
#include "projections/user_directory.h"

namespace iam::api {

enum class ApiGrant { kNone, kReadOnly, kReadWrite };

// The client's grant on this server's API (commands::kIdentityManagementApiId).
ApiGrant IamApiGrant(const projections::ApiClientRecord& client);

// Whether the operation `method` `path` only reads (D-17: POST …/allowed-cpcodes reads).
bool IsReadOperation(std::string_view method, std::string_view path);

// C-6: whether the client's own IP ACL admits `remote_address` (an ACL that
// is off admits everyone).
bool ClientIpAclAdmits(const projections::ApiClientRecord& client, std::string_view remote_address);

// Whether the client's owner administers the account: Akamai's Admin role
// on one of its top-level groups.
bool AdministersAccount(const projections::ApiClientRecord& client, const projections::UserDirectory& users,
                        const projections::GroupDirectory& groups);

}  // namespace iam::api
