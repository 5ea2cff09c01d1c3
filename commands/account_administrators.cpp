#include "commands/account_administrators.h"

#include "commands/workspace_roles.h"

namespace iam::commands {

bool AdministersOwnAccount(const projections::UserRecord& user, const projections::GroupDirectory& groups) {
  if (user.locked || user.account_id.empty()) return false;
  for (const events::AuthGrant& grant : user.grants) {
    const projections::GroupRecord* group = groups.Find(user.account_id, grant.group_id);
    if (group && group->parent_group_id == 0 && grant.role_id == kAdminRoleId) return true;
  }
  return false;
}

int64_t ActingWorkspaceRole(const projections::MembershipRecord& membership, const projections::UserRecord& member,
                            const projections::GroupDirectory& groups) {
  if (member.account_id == membership.account_id && AdministersOwnAccount(member, groups)) return kProfileAdminRoleId;
  return membership.role_id;
}

bool GuardsWorkspace(const projections::MembershipRecord& membership, const AdministratorFacts& facts) {
  if (membership.deactivated || membership.access_expires_ms != 0) return false;
  const projections::UserRecord* member = facts.users.FindUser(membership.ui_identity_id);
  return member && !member->locked && ActingWorkspaceRole(membership, *member, facts.groups) == kProfileAdminRoleId;
}

bool AdministratorRemains(std::string_view account_id, const AdministratorFacts& facts,
                          const std::function<bool(const projections::MembershipRecord&)>& leaves) {
  for (const projections::MembershipRecord* membership : facts.memberships.OfAccount(account_id)) {
    if (!leaves(*membership) && GuardsWorkspace(*membership, facts)) return true;
  }
  return false;
}

bool IsLastAdministrator(const projections::UserRecord& user, const AdministratorFacts& facts) {
  for (const projections::MembershipRecord* membership : facts.memberships.OfPerson(user.ui_identity_id)) {
    if (!GuardsWorkspace(*membership, facts)) continue;
    const bool remains = AdministratorRemains(membership->account_id, facts, [&](const projections::MembershipRecord& m) {
      return m.ui_identity_id == user.ui_identity_id;
    });
    if (!remains) return true;
  }
  return false;
}

}  // namespace iam::commands
