// Who gains or loses access when a group moves (iam-rules.md G-7, G-8).
//
// Access to a group comes from a role on it or on an ancestor; walking up
// from the group, the first group with a role grants access, and a block on
// a group (isBlocked) cuts what would be inherited from above it. A user
// loses access to the moved group when they have it through the old path
// and not through the new one; they gain it in the opposite case. Users
// with a role on the group itself or on a common ancestor are unaffected.
// Pure functions over their inputs: safe for concurrent use.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "projections/group_directory.h"

namespace iam::projections {

// One user's group-level grants, as the users read model will provide them.
struct UserGroupGrants {
  std::string ui_identity_id;
  std::set<int64_t> role_groups;     // groups the user has a role on
  std::set<int64_t> blocked_groups;  // groups marked isBlocked for the user
};

enum class AccessChange { kLostAccess, kGainAccess };

struct AffectedUser {
  std::string ui_identity_id;
  AccessChange change;
};

// Requires both groups to exist in `groups`; in the order of `users`.
std::vector<AffectedUser> UsersAffectedByMove(const GroupDirectory& groups, std::span<const UserGroupGrants> users,
                                              int64_t source_group_id, int64_t destination_group_id);

}  // namespace iam::projections
