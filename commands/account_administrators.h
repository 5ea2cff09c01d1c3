// Who administers an account: a user holding Akamai's standard "Admin" role
// (commands/lookups/standard-roles.json) on one of its top-level groups and
// not locked. The workspace surface's PROFILE_ADMIN is this user until the
// workspace's own roles exist (seed-003 R-1), and M-14 keeps the last one.
// Pure functions over directories the caller holds: safe for concurrent use.
#pragma once

#include <cstdint>

#include "projections/group_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {

inline constexpr int64_t kAdminRoleId = 3;

// Whether `user` administers their own account.
bool AdministersOwnAccount(const projections::UserRecord& user, const projections::GroupDirectory& groups);

// M-14: whether `user` administers their account and no other user of it does.
bool IsLastAdministrator(const projections::UserRecord& user, const projections::UserDirectory& users,
                         const projections::GroupDirectory& groups);

}  // namespace iam::commands
