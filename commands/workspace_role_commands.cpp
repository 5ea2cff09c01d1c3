#include "commands/workspace_role_commands.h"

#include <algorithm>

#include "commands/invitation_commands.h"
#include "commands/workspace_roles.h"
#include "events/workspace_role_events.h"

namespace iam::commands {
namespace {

using projections::WorkspaceRoleDirectory;

const WorkspaceRoleDirectory& Roles(const WorkingState& state) { return state.Get<WorkspaceRoleDirectory>(); }

// Characters (UTF-8 code points) of `text`.
size_t Characters(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string Folded(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

Status GroupNotHere(int64_t group_id) {
  return Status::NotFound("role group " + std::to_string(group_id) + " does not exist in this workspace")
      .WithReason(kWorkspaceRoleNotHere);
}

Status RoleNotHere(int64_t role_id) {
  return Status::NotFound("role " + std::to_string(role_id) + " does not exist in this workspace")
      .WithReason(kWorkspaceRoleNotHere);
}

Status BuiltIn(std::string what) {
  return Status::PermissionDenied(std::move(what)).WithReason(kWorkspaceRoleBuiltIn);
}

Status NameTaken(std::string_view name) {
  return Status::FailedPrecondition("the name '" + std::string(name) + "' is taken in this workspace")
      .WithReason(kWorkspaceRoleNameTaken);
}

// R-5 for groups: whether another group than `except` has `name`.
bool GroupNameTaken(const WorkingState& state, const std::string& account_id, std::string_view name,
                    int64_t except) {
  const std::string folded = Folded(name);
  for (const WorkspaceRoleGroup& g : WorkspaceRoleGroups(Roles(state), account_id)) {
    if (g.id != except && Folded(g.name) == folded) return true;
  }
  return false;
}

// R-5 for roles, across every group.
bool RoleNameTaken(const WorkingState& state, const std::string& account_id, std::string_view name, int64_t except) {
  const std::string folded = Folded(name);
  for (const WorkspaceRole& r : WorkspaceRoles(Roles(state), account_id)) {
    if (r.id != except && Folded(r.name) == folded) return true;
  }
  return false;
}

// The group a custom role may go into: a custom one or the predefined one.
Status CheckRoleGroup(const WorkingState& state, const std::string& account_id, int64_t group_id) {
  const auto group = FindWorkspaceRoleGroup(Roles(state), account_id, group_id);
  if (!group) return GroupNotHere(group_id);
  if (group->type == kBasicRoleType) return BuiltIn("no role can be added to the basic roles");
  return Status::Ok();
}

// `permissions` sorted and unique, each in the catalogue.
Result<std::vector<std::string>> Normalized(std::vector<std::string> permissions) {
  std::sort(permissions.begin(), permissions.end());
  permissions.erase(std::unique(permissions.begin(), permissions.end()), permissions.end());
  for (const std::string& p : permissions) {
    if (!IsKnownPermission(p)) {
      return Status::InvalidArgument("unknown permission " + p).WithReason(kWorkspaceRoleUnknownPermission);
    }
  }
  return permissions;
}

// each of `added` is a permission `caller_id` holds now.
Status CheckHeld(const WorkingState& state, const std::string& account_id, const std::string& caller_id,
                 const std::vector<std::string>& added) {
  const int64_t caller_role = CallerRole(state, account_id, caller_id);
  for (const std::string& p : added) {
    if (!RoleGrants(Roles(state), account_id, caller_role, p)) {
      return Status::PermissionDenied("you cannot grant " + p + ": your role lacks it").WithReason(kWorkspaceRolePermissionNotHeld);
    }
  }
  return Status::Ok();
}

std::vector<std::string> Minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

events::StreamAppend GroupStream(const WorkingState& state, const CommandContext& context, int64_t group_id) {
  return StreamFor(events::kRoleGroupAggregate, events::WorkspaceRoleAggregateId(context.account_id, group_id),
                   Roles(state).GroupVersion(context.account_id, group_id), context);
}

events::StreamAppend RoleStream(const WorkingState& state, const CommandContext& context, int64_t role_id) {
  return StreamFor(events::kWorkspaceRoleAggregate, events::WorkspaceRoleAggregateId(context.account_id, role_id),
                   Roles(state).RoleVersion(context.account_id, role_id), context);
}

// The custom group `group_id` of the context's workspace, for a change.
Result<WorkspaceRoleGroup> CustomGroup(const WorkingState& state, const CommandContext& context, int64_t group_id) {
  auto group = FindWorkspaceRoleGroup(Roles(state), context.account_id, group_id);
  if (!group) return GroupNotHere(group_id);
  if (group->type != kCustomRoleType) return BuiltIn("the built-in role groups cannot be changed");
  return *group;
}

}  // namespace

Status CheckRoleName(std::string_view name) {
  const size_t n = Characters(name);
  if (n < 1 || n > kMaxRoleNameLength) {
    return Status::InvalidArgument("name must have 1 to 100 characters").WithReason(kWorkspaceRoleInvalidInput);
  }
  return Status::Ok();
}

Status CheckRoleDescription(std::string_view description) {
  if (Characters(description) > kMaxRoleDescriptionLength) {
    return Status::InvalidArgument("description must have at most 500 characters").WithReason(kWorkspaceRoleInvalidInput);
  }
  return Status::Ok();
}

int64_t RoleHolders(const projections::MembershipDirectory& memberships,
                    const projections::InvitationDirectory& invitations, std::string_view account_id,
                    int64_t role_id) {
  int64_t count = 0;
  for (const projections::MembershipRecord* m : memberships.OfAccount(account_id)) count += m->role_id == role_id;
  for (const projections::InvitationRecord* i : invitations.OpenOf(account_id)) {
    count += i->role_id == role_id && i->state != projections::InvitationState::kRejected;
  }
  return count;
}

int64_t RoleHolders(const WorkingState& state, std::string_view account_id, int64_t role_id) {
  return RoleHolders(state.Get<projections::MembershipDirectory>(), state.Get<projections::InvitationDirectory>(),
                     account_id, role_id);
}

Result<Decision> CreateRoleGroup::Decide(const WorkingState& state, const CommandContext& context) const {
  if (auto s = CheckRoleName(name_); !s.ok()) return s;
  if (auto s = CheckRoleDescription(description_); !s.ok()) return s;
  if (GroupNameTaken(state, context.account_id, name_, 0)) return NameTaken(name_);
  const int64_t id = Roles(state).NextGroupId();
  return OneEvent(GroupStream(state, context, id),
                  events::ToNewEvent(events::RoleGroupEvent{events::kRoleGroupCreated, id, name_, description_}), id);
}

Result<Decision> UpdateRoleGroup::Decide(const WorkingState& state, const CommandContext& context) const {
  auto group = CustomGroup(state, context, group_id_);
  if (!group.ok()) return group.status();
  const std::string name = name_.value_or(group->name);
  const std::string description = description_.value_or(group->description);
  if (auto s = CheckRoleName(name); !s.ok()) return s;
  if (auto s = CheckRoleDescription(description); !s.ok()) return s;
  if (GroupNameTaken(state, context.account_id, name, group_id_)) return NameTaken(name);
  Decision decision;
  decision.created_id = group_id_;
  if (name == group->name && description == group->description) return decision;  // a no-op
  return OneEvent(GroupStream(state, context, group_id_),
                  events::ToNewEvent(events::RoleGroupEvent{events::kRoleGroupUpdated, group_id_, name, description}),
                  group_id_);
}

Result<Decision> DeleteRoleGroup::Decide(const WorkingState& state, const CommandContext& context) const {
  auto group = CustomGroup(state, context, group_id_);
  if (!group.ok()) return group.status();
  for (const WorkspaceRole& role : WorkspaceRoles(Roles(state), context.account_id)) {
    if (role.group_id == group_id_) {
      return Status::FailedPrecondition("role group " + std::to_string(group_id_) + " still holds roles")
          .WithReason(kWorkspaceRoleInUse);
    }
  }
  return OneEvent(GroupStream(state, context, group_id_),
                  events::ToNewEvent(events::RoleGroupEvent{events::kRoleGroupDeleted, group_id_, "", ""}), group_id_);
}

Result<Decision> CreateWorkspaceRole::Decide(const WorkingState& state, const CommandContext& context) const {
  const std::string name = change_.name.value_or("");
  const std::string description = change_.description.value_or("");
  const int64_t group_id = change_.group_id.value_or(0);
  if (auto s = CheckRoleGroup(state, context.account_id, group_id); !s.ok()) return s;
  if (auto s = CheckRoleName(name); !s.ok()) return s;
  if (auto s = CheckRoleDescription(description); !s.ok()) return s;
  auto permissions = Normalized(change_.permissions.value_or(std::vector<std::string>{}));
  if (!permissions.ok()) return permissions.status();
  if (auto s = CheckHeld(state, context.account_id, caller_id_, *permissions); !s.ok()) return s;
  if (RoleNameTaken(state, context.account_id, name, 0)) return NameTaken(name);
  events::WorkspaceRoleEvent created;
  created.type = events::kWorkspaceRoleCreated;
  created.role_id = Roles(state).NextRoleId();
  created.group_id = group_id;
  created.name = name;
  created.description = description;
  created.permissions = std::move(*permissions);
  return OneEvent(RoleStream(state, context, created.role_id), events::ToNewEvent(created), created.role_id);
}

Result<Decision> UpdateWorkspaceRole::Decide(const WorkingState& state, const CommandContext& context) const {
  auto role = FindWorkspaceRole(Roles(state), context.account_id, role_id_);
  if (!role) return RoleNotHere(role_id_);
  if (auto s = CheckIfMatch(context, role->version); !s.ok()) return s;
  if (role->type == kBasicRoleType) return BuiltIn("the basic roles cannot be changed");
  events::WorkspaceRoleEvent updated;
  updated.type = events::kWorkspaceRoleUpdated;
  updated.role_id = role_id_;
  updated.name = change_.name.value_or(role->name);
  updated.description = change_.description.value_or(role->description);
  updated.group_id = change_.group_id.value_or(role->group_id);
  if (role->type != kCustomRoleType &&
      (updated.name != role->name || updated.description != role->description || updated.group_id != role->group_id)) {
    return BuiltIn("the predefined role takes permission changes only");
  }
  if (updated.group_id != role->group_id) {
    if (auto s = CheckRoleGroup(state, context.account_id, updated.group_id); !s.ok()) return s;
  }
  if (auto s = CheckRoleName(updated.name); !s.ok()) return s;
  if (auto s = CheckRoleDescription(updated.description); !s.ok()) return s;
  auto permissions = Normalized(change_.permissions.value_or(role->permissions));
  if (!permissions.ok()) return permissions.status();
  updated.permissions = std::move(*permissions);
  updated.permissions_added = Minus(updated.permissions, role->permissions);
  updated.permissions_removed = Minus(role->permissions, updated.permissions);
  if (auto s = CheckHeld(state, context.account_id, caller_id_, updated.permissions_added); !s.ok()) return s;
  if (updated.name != role->name && RoleNameTaken(state, context.account_id, updated.name, role_id_)) {
    return NameTaken(updated.name);
  }
  if (updated.name != role->name) updated.changes.push_back("name");
  if (updated.description != role->description) updated.changes.push_back("description");
  if (updated.group_id != role->group_id) updated.changes.push_back("groupId");
  if (updated.permissions != role->permissions) updated.changes.push_back("permissions");
  Decision decision;
  decision.created_id = role_id_;
  if (updated.changes.empty()) return decision;  // a no-op
  return OneEvent(RoleStream(state, context, role_id_), events::ToNewEvent(updated), role_id_);
}

Result<Decision> DeleteWorkspaceRole::Decide(const WorkingState& state, const CommandContext& context) const {
  auto role = FindWorkspaceRole(Roles(state), context.account_id, role_id_);
  if (!role) return RoleNotHere(role_id_);
  if (role->type != kCustomRoleType) return BuiltIn("the built-in roles cannot be deleted");
  if (RoleHolders(state, context.account_id, role_id_) != 0) {
    return Status::FailedPrecondition("role " + std::to_string(role_id_) +
                                      " is held by a member or a pending or expired invitation")
        .WithReason(kWorkspaceRoleInUse);
  }
  events::WorkspaceRoleEvent deleted;
  deleted.type = events::kWorkspaceRoleDeleted;
  deleted.role_id = role_id_;
  return OneEvent(RoleStream(state, context, role_id_), events::ToNewEvent(deleted), role_id_);
}

Result<Decision> SetRolePiiAccess::Decide(const WorkingState& state, const CommandContext& context) const {
  auto role = FindWorkspaceRole(Roles(state), context.account_id, role_id_);
  if (!role) return RoleNotHere(role_id_);
  if (auto s = CheckIfMatch(context, role->version); !s.ok()) return s;
  if (pii_access_ != events::kPiiAccessNone && pii_access_ != events::kPiiAccessFull) {
    return Status::InvalidArgument("piiAccess must be NONE or FULL").WithReason(kWorkspaceRoleInvalidInput);
  }
  Decision decision;
  decision.created_id = role_id_;
  if (pii_access_ == role->pii_access) return decision;  // a no-op
  if (role_id_ == kProfileAdminRoleId) {
    return Status::PermissionDenied("PROFILE_ADMIN always has FULL PII access").WithReason(kWorkspaceRoleAdminPiiFixed);
  }
  events::WorkspaceRoleEvent changed;
  changed.type = events::kRolePiiAccessChanged;
  changed.role_id = role_id_;
  changed.from = role->pii_access;
  changed.to = pii_access_;
  return OneEvent(RoleStream(state, context, role_id_), events::ToNewEvent(changed), role_id_);
}

}  // namespace iam::commands
