// The workspace surface's roles (seed-003 rules R-1 … R-13, W-15): the
// permission catalogue, the built-in groups and roles every workspace has,
// each workspace's custom groups and roles and its edits of built-in ones
// (projections::WorkspaceRoleDirectory), and who may assign which.
//
// Built-in ids are the same in every workspace: roles 1 PROFILE_ADMIN, 2
// PROFILE_MANAGER, 3 the predefined support role; groups 1 Basic, 2
// Predefined. Custom ids are platform-wide from
// projections::kFirstCustom{RoleGroup,WorkspaceRole}Id on, so another
// workspace's ids are unknown here. A membership's role 0 means none (a
// member made through iamd's Akamai API).
//
// Pure functions over constant data and the directory the caller holds:
// safe for concurrent use as far as the directory is.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "projections/workspace_role_directory.h"

namespace iam::commands {

inline constexpr int64_t kProfileAdminRoleId = 1;
inline constexpr int64_t kProfileManagerRoleId = 2;
inline constexpr int64_t kSupportRoleId = 3;

inline constexpr int64_t kBasicRoleGroupId = 1;
inline constexpr int64_t kPredefinedRoleGroupId = 2;

// RoleType of the contract.
inline constexpr const char* kBasicRoleType = "BASIC";
inline constexpr const char* kPredefinedRoleType = "PREDEFINED";
inline constexpr const char* kCustomRoleType = "CUSTOM";

// ------------------------------------------------------------------

// One feature of the catalogue and the actions it has.
struct PermissionFeature {
  const char* feature;  // e.g. "settings_iam_users"
  const char* label;
  std::span<const char* const> actions;  // in R-2's order: read, create, update, delete, execute
};

// R-2's features, by module (the feature's first segment) and then as listed.
std::span<const PermissionFeature> PermissionCatalogue();
// The label of module `module` (a feature's first segment).
std::string ModuleLabel(std::string_view module);
// Whether `permission` (`feature:action`) is in the catalogue.
bool IsKnownPermission(std::string_view permission);
// Every permission of the catalogue, sorted.
const std::vector<std::string>& AllPermissions();

// ------------------------------------------------------------------ groups and roles

// A role of one workspace as it is now: a built-in role with its edits, or a custom one.
struct WorkspaceRole {
  int64_t id = 0;
  std::string name;
  std::string code;  // "" for a role without a code (custom roles)
  int64_t group_id = 0;
  std::string type;  // kBasicRoleType, kPredefinedRoleType or kCustomRoleType
  std::string description;  // "" = none
  std::vector<std::string> permissions;  // sorted, unique
  std::string pii_access;  // NONE or FULL
  int64_t created_ms = 0;  // 0: a built-in role, made with its workspace
  int64_t updated_ms = 0;  // 0: a built-in role never edited
  uint64_t version = 0;    // of its aggregate (0: a built-in role never edited)
};

struct WorkspaceRoleGroup {
  int64_t id = 0;
  std::string name;
  std::string type;
  std::string description;
  int64_t created_ms = 0;  // 0: a built-in group, made with its workspace
  int64_t updated_ms = 0;
  uint64_t version = 0;
};

// The role `role_id` of workspace `account_id` (built-in or custom), or
// nullopt when the workspace has none of that id.
std::optional<WorkspaceRole> FindWorkspaceRole(const projections::WorkspaceRoleDirectory& roles,
                                               std::string_view account_id, int64_t role_id);
// The group `group_id` of the workspace, or nullopt.
std::optional<WorkspaceRoleGroup> FindWorkspaceRoleGroup(const projections::WorkspaceRoleDirectory& roles,
                                                         std::string_view account_id, int64_t group_id);

// The workspace's groups in display order: basic, predefined, then custom
// by name (case-insensitively, ties by id).
std::vector<WorkspaceRoleGroup> WorkspaceRoleGroups(const projections::WorkspaceRoleDirectory& roles,
                                                    std::string_view account_id);
// The workspace's roles in display order: by their group's display order,
// then built-in roles by id and custom ones by name (ties by id).
std::vector<WorkspaceRole> WorkspaceRoles(const projections::WorkspaceRoleDirectory& roles,
                                          std::string_view account_id);

// The name a listing shows for `role_id`, or "" for none or an unknown one.
std::string WorkspaceRoleName(const projections::WorkspaceRoleDirectory& roles, std::string_view account_id,
                              int64_t role_id);

// ------------------------------------------------------------------ access

// whether a holder of `role_id` in the workspace has `permission`
// (`feature:action`) with the role's permissions as they are now.
// PROFILE_ADMIN has every one; no role (0) or an unknown one none.
// kAnyPermission names what only PROFILE_ADMIN may do.
inline constexpr std::string_view kAnyPermission = "*";
bool RoleGrants(const projections::WorkspaceRoleDirectory& roles, std::string_view account_id, int64_t role_id,
                std::string_view permission);

// the roles a holder of `caller_role_id` may assign, in #62's order
// (display order): everything for PROFILE_ADMIN, everything but
// PROFILE_ADMIN for PROFILE_MANAGER, for a custom role holding
// settings_iam_users:create the roles whose permissions are a subset of its
// own, nothing for a predefined role, another custom role or none.
std::vector<WorkspaceRole> AssignableRoles(const projections::WorkspaceRoleDirectory& roles,
                                           std::string_view account_id, int64_t caller_role_id);
bool MayAssign(const projections::WorkspaceRoleDirectory& roles, std::string_view account_id, int64_t caller_role_id,
               int64_t role_id);

}  // namespace iam::commands
