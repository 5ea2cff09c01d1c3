#include "commands/workspace_roles.h"

#include <array>

namespace iam::commands {
namespace {

constexpr std::array<WorkspaceRole, 3> kBuiltIn = {{
    {kProfileAdminRoleId, "Admin", "PROFILE_ADMIN", kBasicRoleGroupId, "BASIC"},
    {kProfileManagerRoleId, "Manager", "PROFILE_MANAGER", kBasicRoleGroupId, "BASIC"},
    {kSupportRoleId, "Support", "SUPPORT", kPredefinedRoleGroupId, "PREDEFINED"},
}};

}  // namespace

std::span<const WorkspaceRole> BuiltInWorkspaceRoles() { return kBuiltIn; }

const WorkspaceRole* FindWorkspaceRole(int64_t role_id) {
  for (const WorkspaceRole& role : kBuiltIn) {
    if (role.id == role_id) return &role;
  }
  return nullptr;
}

std::vector<const WorkspaceRole*> AssignableRoles(int64_t caller_role_id) {
  std::vector<const WorkspaceRole*> out;
  if (caller_role_id != kProfileAdminRoleId && caller_role_id != kProfileManagerRoleId) return out;
  for (const WorkspaceRole& role : kBuiltIn) {
    if (caller_role_id == kProfileManagerRoleId && role.id == kProfileAdminRoleId) continue;
    out.push_back(&role);
  }
  return out;
}

bool MayAssign(int64_t caller_role_id, int64_t role_id) {
  for (const WorkspaceRole* role : AssignableRoles(caller_role_id)) {
    if (role->id == role_id) return true;
  }
  return false;
}

bool RoleGrants(int64_t role_id, std::string_view permission) {
  if (role_id == kProfileAdminRoleId) return true;
  if (permission == kAnyPermission) return false;
  const bool read = permission.ends_with(":read");
  if (role_id == kProfileManagerRoleId) {
    return read || permission == "settings_iam_users:create" || permission == "settings_iam_users:update";
  }
  if (role_id == kSupportRoleId) return read;
  return false;
}

std::string WorkspaceRoleName(int64_t role_id) {
  const WorkspaceRole* role = FindWorkspaceRole(role_id);
  return role ? role->name : "";
}

}  // namespace iam::commands
