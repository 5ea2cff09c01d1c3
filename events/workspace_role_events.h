// Events of the workspace surface's role groups and roles (seed-003 §8, §12
// row "53–61"; W-15). Two aggregate types, one aggregate per workspace and
// id, with the workspace (an account, W-10) as the events' resourceOwner:
//   "roleGroup"      id "<accountId>/<groupId>"  custom groups
//   "workspaceRole"  id "<accountId>/<roleId>"   custom roles, and the edits of
//                                                built-in roles (their aggregate
//                                                begins with its first edit)
// They are not Akamai's "role" aggregate (events/role_events.h), whose event
// types share the names RoleCreated, RoleUpdated and RoleDeleted.
//
// Payload shapes, revision 1 (a description is "" when there is none; a
// permission list is sorted and unique):
//   RoleGroupCreated      {"groupId", "name", "description"}                 #53
//   RoleGroupUpdated      {"groupId", "name", "description"}                 #54 (the group as it is now)
//   RoleGroupDeleted      {"groupId"}                                        #55
//   RoleCreated           {"roleId", "groupId", "name", "description", "permissions"}  #56
//   RoleUpdated           {"roleId", "changes", "name", "description", "groupId", "permissions",
//                          "permissionsAdded", "permissionsRemoved"}         #58: `changes` names the members
//                                                                            that changed (of name, description,
//                                                                            groupId, permissions); the others
//                                                                            hold the role as it is now
//   RoleDeleted           {"roleId"}                                         #59
//   RolePiiAccessChanged  {"roleId", "from", "to"}                           #61 (NONE or FULL)
//
// Pure functions and plain values: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kRoleGroupAggregate = "roleGroup";
inline constexpr const char* kWorkspaceRoleAggregate = "workspaceRole";

inline constexpr const char* kRoleGroupCreated = "RoleGroupCreated";
inline constexpr const char* kRoleGroupUpdated = "RoleGroupUpdated";
inline constexpr const char* kRoleGroupDeleted = "RoleGroupDeleted";
inline constexpr const char* kWorkspaceRoleCreated = "RoleCreated";
inline constexpr const char* kWorkspaceRoleUpdated = "RoleUpdated";
inline constexpr const char* kWorkspaceRoleDeleted = "RoleDeleted";
inline constexpr const char* kRolePiiAccessChanged = "RolePiiAccessChanged";

// R-12's levels.
inline constexpr const char* kPiiAccessNone = "NONE";
inline constexpr const char* kPiiAccessFull = "FULL";

// The aggregate id of group or role `id` in workspace `account_id`.
std::string WorkspaceRoleAggregateId(std::string_view account_id, int64_t id);

struct RoleGroupEvent {
  std::string type;  // kRoleGroup*
  int64_t group_id = 0;
  std::string name;         // Created, Updated
  std::string description;  // Created, Updated
};

struct WorkspaceRoleEvent {
  std::string type;  // kWorkspaceRole*, kRolePiiAccessChanged
  int64_t role_id = 0;
  int64_t group_id = 0;                   // Created, Updated
  std::string name;                       // Created, Updated
  std::string description;                // Created, Updated
  std::vector<std::string> permissions;   // Created, Updated
  std::vector<std::string> changes;       // Updated
  std::vector<std::string> permissions_added;    // Updated
  std::vector<std::string> permissions_removed;  // Updated
  std::string from;  // PiiAccessChanged
  std::string to;    // PiiAccessChanged
};

NewEvent ToNewEvent(const RoleGroupEvent& e);
NewEvent ToNewEvent(const WorkspaceRoleEvent& e);

// kCorruption naming the event's position when the type or payload does not fit.
Result<RoleGroupEvent> ParseRoleGroupEvent(const Event& e);
Result<WorkspaceRoleEvent> ParseWorkspaceRoleEvent(const Event& e);

}  // namespace iam::events
