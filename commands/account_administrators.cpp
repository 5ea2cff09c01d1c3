#include "commands/account_administrators.h"

namespace iam::commands {

bool AdministersOwnAccount(const projections::UserRecord& user, const projections::GroupDirectory& groups) {
  if (user.locked || user.account_id.empty()) return false;
  for (const events::AuthGrant& grant : user.grants) {
    const projections::GroupRecord* group = groups.Find(user.account_id, grant.group_id);
    if (group && group->parent_group_id == 0 && grant.role_id == kAdminRoleId) return true;
  }
  return false;
}

bool IsLastAdministrator(const projections::UserRecord& user, const projections::UserDirectory& users,
                         const projections::GroupDirectory& groups) {
  if (!AdministersOwnAccount(user, groups)) return false;
  for (const projections::UserRecord* other : users.OfAccount(user.account_id)) {
    if (other->ui_identity_id != user.ui_identity_id && AdministersOwnAccount(*other, groups)) return false;
  }
  return true;
}

}  // namespace iam::commands
