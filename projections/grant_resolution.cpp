#include "projections/grant_resolution.h"

namespace iam::projections {

ResolvedRole ResolveRoleOnGroup(const GroupDirectory& groups, const std::vector<events::AuthGrant>& grants,
                                int64_t group_id) {
  for (int64_t group : groups.PathToRoot(group_id)) {
    for (const events::AuthGrant& grant : grants) {
      if (grant.group_id != group) continue;
      if (grant.role_id != 0) return {grant.role_id, group};
      if (grant.is_blocked) return {};
    }
  }
  return {};
}

int64_t RoleOnGroup(const GroupDirectory& groups, const std::vector<events::AuthGrant>& grants, int64_t group_id) {
  return ResolveRoleOnGroup(groups, grants, group_id).role_id;
}

}  // namespace iam::projections
