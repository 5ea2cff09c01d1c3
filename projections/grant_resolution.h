// Which role a user's grants give them on a group (iam-rules.md U-15 … U-17,
// G-8): walking up from the group, the first group with a role grants it,
// and a block on the way cuts what would be inherited from above. An
// account-level grant (group id 0) gives no group access.
// Pure functions over their inputs: safe for concurrent use.
#pragma once

#include <cstdint>
#include <vector>

#include "events/user_events.h"
#include "projections/group_directory.h"

namespace iam::projections {

// The role id on `group_id`, or 0 for no access (also for an unknown group).
int64_t RoleOnGroup(const GroupDirectory& groups, const std::vector<events::AuthGrant>& grants, int64_t group_id);

// The role on a group and where it comes from: the group itself, or the
// ancestor it is inherited from (why a user has it). Both 0 for no access.
struct ResolvedRole {
  int64_t role_id = 0;
  int64_t granting_group_id = 0;
};
ResolvedRole ResolveRoleOnGroup(const GroupDirectory& groups, const std::vector<events::AuthGrant>& grants,
                                int64_t group_id);

}  // namespace iam::projections
