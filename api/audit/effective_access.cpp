#include "api/audit/effective_access.h"

#include <string>

#include "commands/workspace_roles.h"
#include "projections/directory_projection.h"
#include "projections/grant_resolution.h"

namespace iam::api {
namespace {

template <typename Directory>
std::shared_ptr<const Directory> DirectoryOf(const projections::ReadModelView& view) {
  auto model =
      std::dynamic_pointer_cast<projections::DirectoryProjection<Directory>>(view.Find(Directory::kProjectionName));
  return model ? model->Published() : nullptr;
}

// Every group of the account, parents before children.
std::vector<int64_t> GroupsOf(const projections::GroupDirectory& groups, std::string_view account_id) {
  std::vector<int64_t> order = groups.TopLevel(account_id);
  for (size_t i = 0; i < order.size(); ++i) {
    if (const auto* group = groups.Find(order[i])) {
      order.insert(order.end(), group->subgroup_ids.begin(), group->subgroup_ids.end());
    }
  }
  return order;
}

void AddGroupRoles(const projections::GroupDirectory& groups, const std::vector<int64_t>& account_groups,
                   const std::vector<events::AuthGrant>& grants, const std::string& subject_type,
                   const std::string& subject_id, std::set<AccessUnit>& out) {
  for (int64_t group : account_groups) {
    if (int64_t role = projections::RoleOnGroup(groups, grants, group); role != 0) {
      out.insert({subject_type, subject_id, "group/" + std::to_string(group), "role/" + std::to_string(role)});
    }
  }
}

}  // namespace

Result<AccessState> AccessStateOf(const projections::ReadModelView& view) {
  AccessState state{
      DirectoryOf<projections::GroupDirectory>(view),         DirectoryOf<projections::UserDirectory>(view),
      DirectoryOf<projections::RoleDirectory>(view),          DirectoryOf<projections::MembershipDirectory>(view),
      DirectoryOf<projections::WorkspaceRoleDirectory>(view), DirectoryOf<projections::ApiClientDirectory>(view)};
  if (!state.groups || !state.users || !state.roles || !state.memberships || !state.workspace_roles || !state.clients) {
    return Status::Internal("a past state lacks a read model effective access needs");
  }
  return state;
}

std::set<AccessUnit> EffectiveAccess(const AccessState& state, std::string_view account_id, int64_t at_ms) {
  std::set<AccessUnit> out;
  const std::vector<int64_t> account_groups = GroupsOf(*state.groups, account_id);
  for (const projections::UserRecord* user : state.users->OfAccount(account_id)) {
    if (user->locked) continue;
    AddGroupRoles(*state.groups, account_groups, user->grants, "user", user->ui_identity_id, out);
    for (const auto& [group, assets] : user->blocked_properties) {
      for (int64_t asset : assets) {
        out.insert(
            {"user", user->ui_identity_id, "group/" + std::to_string(group), "blocked/" + std::to_string(asset)});
      }
    }
  }
  for (const projections::MembershipRecord* member : state.memberships->OfAccount(account_id)) {
    if (member->deactivated || member->ExpiredAt(at_ms) || member->role_id == 0) continue;
    const projections::UserRecord* person = state.users->FindUser(member->ui_identity_id);
    if (person && person->locked) continue;
    out.insert({"member", member->ui_identity_id, "workspace", "role/" + std::to_string(member->role_id)});
    for (const std::string& permission : commands::AllPermissions()) {
      if (commands::RoleGrants(*state.workspace_roles, account_id, member->role_id, permission)) {
        out.insert({"member", member->ui_identity_id, "workspace", "permission/" + permission});
      }
    }
  }
  for (const projections::ApiClientRecord* client : state.clients->ClientsOf(account_id)) {
    if (client->locked) continue;
    const events::ApiClientDefinition& definition = client->definition;
    if (definition.all_accessible_apis) out.insert({"apiClient", client->client_id, "api/*", "ALL"});
    for (const events::ApiAccessGrant& api : definition.apis) {
      out.insert({"apiClient", client->client_id, "api/" + std::to_string(api.api_id), api.access_level});
    }
    AddGroupRoles(*state.groups, account_groups, definition.groups, "apiClient", client->client_id, out);
  }
  return out;
}

}  // namespace iam::api
