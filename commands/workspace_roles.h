// The workspace surface's roles (seed-003 rules, W-15) as far
// as memberships need them: the built-in roles every workspace has, and who
// may assign which.
//
// Role ids are the same in every workspace for the built-in roles. A
// membership's role 0 means none (a member made through iamd's Akamai API).
// Pure functions over constant data: safe for concurrent use.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace iam::commands {

inline constexpr int64_t kProfileAdminRoleId = 1;
inline constexpr int64_t kProfileManagerRoleId = 2;
inline constexpr int64_t kSupportRoleId = 3;

inline constexpr int64_t kBasicRoleGroupId = 1;
inline constexpr int64_t kPredefinedRoleGroupId = 2;

struct WorkspaceRole {
  int64_t id;
  const char* name;
  const char* code;  // nullptr for a role without a code
  int64_t group_id;
  const char* type;  // BASIC, PREDEFINED or CUSTOM
};

// R-1's roles, basic first.
std::span<const WorkspaceRole> BuiltInWorkspaceRoles();

// The role with `role_id` in a workspace, or nullptr when it has none.
const WorkspaceRole* FindWorkspaceRole(int64_t role_id);

// the roles a holder of `caller_role_id` may assign, in #62's order
// (basic first, then by group and name): everything for PROFILE_ADMIN,
// everything but PROFILE_ADMIN for PROFILE_MANAGER, nothing for a
// predefined role or none.
std::vector<const WorkspaceRole*> AssignableRoles(int64_t caller_role_id);
bool MayAssign(int64_t caller_role_id, int64_t role_id);

// whether a holder of `role_id` has `permission` (`feature:action`):
// PROFILE_ADMIN every one, PROFILE_MANAGER every read plus
// settings_iam_users:create and :update, the predefined role every read,
// no role none. kAnyPermission names what only PROFILE_ADMIN may do.
inline constexpr std::string_view kAnyPermission = "*";
bool RoleGrants(int64_t role_id, std::string_view permission);

// The name a listing shows for `role_id`, or "" for none or an unknown one.
std::string WorkspaceRoleName(int64_t role_id);

}  // namespace iam::commands
