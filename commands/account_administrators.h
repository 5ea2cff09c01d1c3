// Who administers an account, and M-14's last administrator (seed-003 rules
// R-1, W-15, M-14).
//
// A member holds PROFILE_ADMIN through their workspace role. A user of their
// own account holding Akamai's standard "Admin" role
// (commands/lookups/standard-roles.json) on one of its top-level groups acts
// as PROFILE_ADMIN there too, so an account administered through the Akamai
// API is administered on the workspace surface alike. A workspace keeps at
// least one guard: an ACTIVE, unlimited, unlocked member acting as
// PROFILE_ADMIN (M-14).
// Pure functions over directories the caller holds: safe for concurrent use.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "commands/working_state.h"
#include "projections/group_directory.h"
#include "projections/membership_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {

inline constexpr int64_t kAdminRoleId = 3;

// Whether `user` holds Akamai's Admin role on a top-level group of their own account and is not locked.
bool AdministersOwnAccount(const projections::UserRecord& user, const projections::GroupDirectory& groups);

// The workspace role `member` acts with in their membership's account:
// PROFILE_ADMIN by the rule above, else the membership's role (0 = none).
int64_t ActingWorkspaceRole(const projections::MembershipRecord& membership, const projections::UserRecord& member,
                            const projections::GroupDirectory& groups);

// The directories M-14 is judged against.
struct AdministratorFacts {
  const projections::MembershipDirectory& memberships;
  const projections::UserDirectory& users;
  const projections::GroupDirectory& groups;
};

inline AdministratorFacts AdministratorFactsOf(const WorkingState& state) {
  return {state.Get<projections::MembershipDirectory>(), state.Get<projections::UserDirectory>(),
          state.Get<projections::GroupDirectory>()};
}

// Whether `membership` is one of its workspace's guards (M-14).
bool GuardsWorkspace(const projections::MembershipRecord& membership, const AdministratorFacts& facts);

// M-14 for a change of `account_id`: whether a guard remains when every
// membership for which `leaves` is true stops being one (removed,
// deactivated, given another role or an expiry, deleted, locked). A bulk
// change is judged as a set (CC-4).
bool AdministratorRemains(std::string_view account_id, const AdministratorFacts& facts,
                          const std::function<bool(const projections::MembershipRecord&)>& leaves);

// Whether deleting `user` would leave any of their workspaces without a guard.
bool IsLastAdministrator(const projections::UserRecord& user, const AdministratorFacts& facts);

}  // namespace iam::commands
