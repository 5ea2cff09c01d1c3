// The helper operations for building API clients (iam-rules.md §9, H-1 …
// H-4) under /identity-management/v3/users: who may own a client, and what a
// user can hand to one — APIs, CP codes, groups. All four are reads of the
// identity read models (D-22: 503 while one is not serving), including the
// POST of allowed CP codes (D-17). A username of another account looks
// unknown: 404 reason 1100.
//
// The answers are pure functions of the read models, declared here so that the
// API-client checks built on them (C-2 … C-5) use the same derivation.
#pragma once

#include <boost/json/array.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "api/router.h"
#include "api/v3/user_json.h"
#include "events/user_events.h"
#include "projections/asset_directory.h"
#include "projections/group_directory.h"
#include "projections/projection_runner.h"
#include "projections/user_directory.h"

namespace iam::api {

// `runner` must outlive `router`'s use.
void AddHelperRoutes(Router& router, projections::ProjectionRunner& runner);

// H-2's access rule is commands::MayGrantApis, the check CreateApiClient makes of its owner.

// H-4: the group trees `user` can hand to a client. One item per highest
// group on which the user holds a role, in ascending group id, with every
// group below it nested in subGroups; each node carries the full item shape
// (groupId, groupName, roleId, roleName, roleDescription, isBlocked,
// subGroups) with the role the user has there (RoleOnGroup). Where a block
// (U-17) leaves the user without a role, isBlocked is true and the role is
// the one the block withholds. Role names come from AuthGrantsJson.
boost::json::array GroupAccessJson(const projections::UserRecord& user, const UserJsonContext& context);

// H-3: the CP codes (resource id -> name) of the assets in groups that both
// `client_grants` (a client's groups, resolved like a user's grants; empty =
// the user's own groups) and the user's grants reach, without the assets the
// user is blocked from (U-20).
std::map<int64_t, std::string> ReachableCpCodes(const projections::UserRecord& user,
                                                const std::vector<events::AuthGrant>& client_grants,
                                                const projections::GroupDirectory& groups,
                                                const projections::AssetDirectory& assets);

}  // namespace iam::api
