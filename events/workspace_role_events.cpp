#include "events/workspace_role_events.h"

#include <utility>

#include "events/payload_json.h"

namespace iam::events {
namespace {

bool HasDefinition(std::string_view type) {
  return type == kWorkspaceRoleCreated || type == kWorkspaceRoleUpdated;
}

}  // namespace

std::string WorkspaceRoleAggregateId(std::string_view account_id, int64_t id) {
  return std::string(account_id) + "/" + std::to_string(id);
}

NewEvent ToNewEvent(const RoleGroupEvent& e) {
  PayloadWriter w;
  w.Set("groupId", e.group_id);
  if (e.type != kRoleGroupDeleted) w.Set("name", e.name).Set("description", e.description);
  return {e.type, 1, w.Finish()};
}

NewEvent ToNewEvent(const WorkspaceRoleEvent& e) {
  PayloadWriter w;
  w.Set("roleId", e.role_id);
  if (e.type == kWorkspaceRoleUpdated) w.SetStrings("changes", e.changes);
  if (HasDefinition(e.type)) {
    w.Set("groupId", e.group_id).Set("name", e.name).Set("description", e.description).SetStrings("permissions",
                                                                                                  e.permissions);
  }
  if (e.type == kWorkspaceRoleUpdated) {
    w.SetStrings("permissionsAdded", e.permissions_added).SetStrings("permissionsRemoved", e.permissions_removed);
  }
  if (e.type == kRolePiiAccessChanged) w.Set("from", e.from).Set("to", e.to);
  return {e.type, 1, w.Finish()};
}

Result<RoleGroupEvent> ParseRoleGroupEvent(const Event& e) {
  if (e.event_type != kRoleGroupCreated && e.event_type != kRoleGroupUpdated && e.event_type != kRoleGroupDeleted) {
    return Status::Corruption("event " + std::to_string(e.position) + " is no role-group event");
  }
  PayloadReader r(e);
  RoleGroupEvent out;
  out.type = e.event_type;
  out.group_id = r.Int("groupId");
  if (e.event_type != kRoleGroupDeleted) {
    out.name = r.String("name");
    out.description = r.String("description");
  }
  return FinishPayload(r, std::move(out));
}

Result<WorkspaceRoleEvent> ParseWorkspaceRoleEvent(const Event& e) {
  const std::string& t = e.event_type;
  if (!HasDefinition(t) && t != kWorkspaceRoleDeleted && t != kRolePiiAccessChanged) {
    return Status::Corruption("event " + std::to_string(e.position) + " is no workspace-role event");
  }
  PayloadReader r(e);
  WorkspaceRoleEvent out;
  out.type = t;
  out.role_id = r.Int("roleId");
  if (HasDefinition(t)) {
    out.group_id = r.Int("groupId");
    out.name = r.String("name");
    out.description = r.String("description");
    out.permissions = r.Strings("permissions", /*optional=*/true);
  }
  if (t == kWorkspaceRoleUpdated) {
    out.changes = r.Strings("changes", true);
    out.permissions_added = r.Strings("permissionsAdded", true);
    out.permissions_removed = r.Strings("permissionsRemoved", true);
  }
  if (t == kRolePiiAccessChanged) {
    out.from = r.String("from");
    out.to = r.String("to");
  }
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
