#include "projections/move_impact.h"

namespace iam::projections {
namespace {

// Access along `path` (the group first, then its ancestors nearest first).
bool HasAccess(const UserGroupGrants& user, const std::vector<int64_t>& path) {
  for (int64_t group : path) {
    if (user.role_groups.count(group)) return true;
    if (user.blocked_groups.count(group)) return false;
  }
  return false;
}

}  // namespace

std::vector<AffectedUser> UsersAffectedByMove(const GroupDirectory& groups, std::span<const UserGroupGrants> users,
                                              int64_t source_group_id, int64_t destination_group_id) {
  const std::vector<int64_t> before = groups.PathToRoot(source_group_id);
  std::vector<int64_t> after = {source_group_id};
  for (int64_t id : groups.PathToRoot(destination_group_id)) after.push_back(id);
  std::vector<AffectedUser> affected;
  for (const UserGroupGrants& user : users) {
    const bool had = HasAccess(user, before);
    const bool has = HasAccess(user, after);
    if (had && !has) affected.push_back({user.ui_identity_id, AccessChange::kLostAccess});
    if (!had && has) affected.push_back({user.ui_identity_id, AccessChange::kGainAccess});
  }
  return affected;
}

}  // namespace iam::projections
