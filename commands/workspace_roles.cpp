#include "commands/workspace_roles.h"

#include <algorithm>
#include <array>
#include <tuple>

#include "events/workspace_role_events.h"

namespace iam::commands {
namespace {

using projections::WorkspaceRoleDirectory;
using projections::WorkspaceRoleRecord;

constexpr std::array<const char*, 2> kReadUpdate = {"read", "update"};
constexpr std::array<const char*, 4> kCrud = {"read", "create", "update", "delete"};

constexpr std::array<PermissionFeature, 13> kCatalogue = {{
    {"settings_customers_iam_locking_policy", "Customer locking policy", kReadUpdate},
    {"settings_customers_iam_templates", "Customer e-mail templates", kReadUpdate},
    {"settings_customers_iam_device_control", "Customer device control", kReadUpdate},
    {"settings_customers_iam_general", "Customer sign-in, general", kReadUpdate},
    {"settings_customers_iam_oauth", "Customer OAuth providers", kReadUpdate},
    {"settings_customers_iam_synerise_auth", "Customer sign-in with a password", kReadUpdate},
    {"settings_iam_users", "Users", kCrud},
    {"settings_iam_roles", "Roles", kCrud},
    {"settings_iam_mfa", "Multi-factor authentication", kReadUpdate},
    {"settings_iam_password_policy", "Password policy", kReadUpdate},
    {"settings_iam_ip_policy", "IP policy", kReadUpdate},
    {"settings_iam_managed_domains", "Managed domains", kCrud},
    {"settings_pii", "PII settings", kReadUpdate},
}};

struct BuiltInRole {
  int64_t id;
  const char* name;
  const char* code;
  int64_t group_id;
  const char* type;
  const char* pii_access;
};

constexpr std::array<BuiltInRole, 3> kBuiltInRoles = {{
    {kProfileAdminRoleId, "Admin", "PROFILE_ADMIN", kBasicRoleGroupId, kBasicRoleType, events::kPiiAccessFull},
    {kProfileManagerRoleId, "Manager", "PROFILE_MANAGER", kBasicRoleGroupId, kBasicRoleType, events::kPiiAccessNone},
    {kSupportRoleId, "Support", "SUPPORT", kPredefinedRoleGroupId, kPredefinedRoleType, events::kPiiAccessNone},
}};

struct BuiltInGroup {
  int64_t id;
  const char* name;
  const char* type;
  const char* description;
};

constexpr std::array<BuiltInGroup, 2> kBuiltInGroups = {{
    {kBasicRoleGroupId, "Basic roles", kBasicRoleType, "Roles every workspace has."},
    {kPredefinedRoleGroupId, "Predefined roles", kPredefinedRoleType, "Roles of the operator's support staff."},
}};

const BuiltInRole* BuiltInRoleOf(int64_t role_id) {
  for (const BuiltInRole& role : kBuiltInRoles) {
    if (role.id == role_id) return &role;
  }
  return nullptr;
}

// a built-in role's permissions before any edit.
const std::vector<std::string>& DefaultPermissions(int64_t role_id) {
  static const std::vector<std::string> kManager = [] {
    std::vector<std::string> out;
    for (const std::string& p : AllPermissions()) {
      if (p.ends_with(":read") || p == "settings_iam_users:create" || p == "settings_iam_users:update") {
        out.push_back(p);
      }
    }
    return out;
  }();
  static const std::vector<std::string> kReads = [] {
    std::vector<std::string> out;
    for (const std::string& p : AllPermissions()) {
      if (p.ends_with(":read")) out.push_back(p);
    }
    return out;
  }();
  if (role_id == kProfileAdminRoleId) return AllPermissions();
  return role_id == kProfileManagerRoleId ? kManager : kReads;
}

// The permissions of `role_id` now, or nullptr when the workspace has no such role.
const std::vector<std::string>* PermissionsOf(const WorkspaceRoleDirectory& roles, std::string_view account_id,
                                              int64_t role_id) {
  const WorkspaceRoleRecord* record = roles.FindRole(account_id, role_id);
  if (const BuiltInRole* built_in = BuiltInRoleOf(role_id)) {
    return record && record->permissions_edited ? &record->permissions : &DefaultPermissions(built_in->id);
  }
  return record && !record->BuiltIn() ? &record->permissions : nullptr;
}

std::string Lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// Display order of groups: basic, predefined, custom by name then id.
auto GroupOrder(const WorkspaceRoleGroup& g) {
  const bool custom = g.type == kCustomRoleType;
  return std::make_tuple(custom ? 1 : 0, custom ? Lowered(g.name) : std::string(), g.id);
}

}  // namespace

std::span<const PermissionFeature> PermissionCatalogue() { return kCatalogue; }

std::string ModuleLabel(std::string_view module) {
  if (module == "settings") return "Settings";
  std::string label(module);
  if (!label.empty() && label[0] >= 'a' && label[0] <= 'z') label[0] = static_cast<char>(label[0] - 'a' + 'A');
  return label;
}

const std::vector<std::string>& AllPermissions() {
  static const std::vector<std::string> kAll = [] {
    std::vector<std::string> out;
    for (const PermissionFeature& feature : kCatalogue) {
      for (const char* action : feature.actions) out.push_back(std::string(feature.feature) + ":" + action);
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return kAll;
}

bool IsKnownPermission(std::string_view permission) {
  const auto& all = AllPermissions();
  return std::binary_search(all.begin(), all.end(), permission);
}

std::optional<WorkspaceRole> FindWorkspaceRole(const WorkspaceRoleDirectory& roles, std::string_view account_id,
                                               int64_t role_id) {
  const WorkspaceRoleRecord* record = roles.FindRole(account_id, role_id);
  WorkspaceRole role;
  role.id = role_id;
  if (const BuiltInRole* built_in = BuiltInRoleOf(role_id)) {
    role.name = built_in->name;
    role.code = built_in->code;
    role.group_id = built_in->group_id;
    role.type = built_in->type;
    role.pii_access = built_in->pii_access;
    role.permissions = *PermissionsOf(roles, account_id, role_id);
    if (record) {
      if (!record->pii_access.empty()) role.pii_access = record->pii_access;
      role.updated_ms = record->updated_ms;
      role.version = record->version;
    }
    return role;
  }
  if (!record || record->BuiltIn()) return std::nullopt;
  role.name = record->name;
  role.group_id = record->group_id;
  role.type = kCustomRoleType;
  role.description = record->description;
  role.permissions = record->permissions;
  role.pii_access = record->pii_access;
  role.created_ms = record->created_ms;
  role.updated_ms = record->updated_ms;
  role.version = record->version;
  return role;
}

std::optional<WorkspaceRoleGroup> FindWorkspaceRoleGroup(const WorkspaceRoleDirectory& roles,
                                                         std::string_view account_id, int64_t group_id) {
  for (const BuiltInGroup& g : kBuiltInGroups) {
    if (g.id == group_id) return WorkspaceRoleGroup{g.id, g.name, g.type, g.description, 0, 0, 0};
  }
  const projections::RoleGroupRecord* record = roles.FindGroup(account_id, group_id);
  if (!record) return std::nullopt;
  return WorkspaceRoleGroup{record->group_id, record->name,       kCustomRoleType, record->description,
                            record->created_ms, record->updated_ms, record->version};
}

std::vector<WorkspaceRoleGroup> WorkspaceRoleGroups(const WorkspaceRoleDirectory& roles, std::string_view account_id) {
  std::vector<WorkspaceRoleGroup> out;
  for (const BuiltInGroup& g : kBuiltInGroups) out.push_back(*FindWorkspaceRoleGroup(roles, account_id, g.id));
  for (const projections::RoleGroupRecord* record : roles.GroupsOf(account_id)) {
    out.push_back(*FindWorkspaceRoleGroup(roles, account_id, record->group_id));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return GroupOrder(a) < GroupOrder(b); });
  return out;
}

std::vector<WorkspaceRole> WorkspaceRoles(const WorkspaceRoleDirectory& roles, std::string_view account_id) {
  std::vector<WorkspaceRole> out;
  for (const BuiltInRole& role : kBuiltInRoles) out.push_back(*FindWorkspaceRole(roles, account_id, role.id));
  for (const WorkspaceRoleRecord* record : roles.RolesOf(account_id)) {
    if (!record->BuiltIn()) out.push_back(*FindWorkspaceRole(roles, account_id, record->role_id));
  }
  // Each group's position in the display order.
  const std::vector<WorkspaceRoleGroup> groups = WorkspaceRoleGroups(roles, account_id);
  auto position = [&](int64_t group_id) {
    for (size_t i = 0; i < groups.size(); ++i) {
      if (groups[i].id == group_id) return i;
    }
    return groups.size();
  };
  auto order = [&](const WorkspaceRole& r) {
    const bool custom = r.type == kCustomRoleType;
    return std::make_tuple(position(r.group_id), custom ? 1 : 0, custom ? Lowered(r.name) : std::string(), r.id);
  };
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return order(a) < order(b); });
  return out;
}

std::string WorkspaceRoleName(const WorkspaceRoleDirectory& roles, std::string_view account_id, int64_t role_id) {
  if (const BuiltInRole* built_in = BuiltInRoleOf(role_id)) return built_in->name;
  const WorkspaceRoleRecord* record = roles.FindRole(account_id, role_id);
  return record && !record->BuiltIn() ? record->name : "";
}

bool RoleGrants(const WorkspaceRoleDirectory& roles, std::string_view account_id, int64_t role_id,
                std::string_view permission) {
  if (role_id == kProfileAdminRoleId) return true;
  if (permission == kAnyPermission) return false;
  const std::vector<std::string>* permissions = PermissionsOf(roles, account_id, role_id);
  return permissions && std::binary_search(permissions->begin(), permissions->end(), permission);
}

std::vector<WorkspaceRole> AssignableRoles(const WorkspaceRoleDirectory& roles, std::string_view account_id,
                                           int64_t caller_role_id) {
  std::vector<WorkspaceRole> out;
  const std::optional<WorkspaceRole> caller = FindWorkspaceRole(roles, account_id, caller_role_id);
  if (!caller || caller->type == kPredefinedRoleType) return out;
  const bool custom = caller->type == kCustomRoleType;
  if (custom && !std::binary_search(caller->permissions.begin(), caller->permissions.end(),
                                    std::string_view("settings_iam_users:create"))) {
    return out;
  }
  for (WorkspaceRole& role : WorkspaceRoles(roles, account_id)) {
    if (caller_role_id == kProfileManagerRoleId && role.id == kProfileAdminRoleId) continue;
    if (custom && !std::includes(caller->permissions.begin(), caller->permissions.end(), role.permissions.begin(),
                                 role.permissions.end())) {
      continue;
    }
    out.push_back(std::move(role));
  }
  return out;
}

bool MayAssign(const WorkspaceRoleDirectory& roles, std::string_view account_id, int64_t caller_role_id,
               int64_t role_id) {
  for (const WorkspaceRole& role : AssignableRoles(roles, account_id, caller_role_id)) {
    if (role.id == role_id) return true;
  }
  return false;
}

}  // namespace iam::commands
