// Events of the role aggregate (aggregate type "role", id = the roleId):
// custom roles of an account (iam-rules.md §3).
//
// Payload shapes, revision 1 (grantedRoleIds: decimal ids separated by commas):
//   RoleCreated  {"roleId", "roleName", "roleDescription", "grantedRoleIds"}
//   RoleUpdated  {"roleId", "roleName", "roleDescription", "grantedRoleIds"}  (the role as it is now)
//   RoleDeleted  {"roleId"}
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kRoleAggregate = "role";
inline constexpr const char* kRoleCreated = "RoleCreated";
inline constexpr const char* kRoleUpdated = "RoleUpdated";
inline constexpr const char* kRoleDeleted = "RoleDeleted";

struct RoleDefinition {
  int64_t role_id = 0;
  std::string role_name;
  std::string role_description;
  std::vector<int64_t> granted_role_ids;
};
struct RoleDeleted {
  int64_t role_id = 0;
};

// The grantedRoleIds form: "2051,1032" (and back; nullopt when malformed).
std::string JoinIds(const std::vector<int64_t>& ids);
std::optional<std::vector<int64_t>> SplitIds(std::string_view text);

NewEvent RoleCreatedEvent(const RoleDefinition& role);
NewEvent RoleUpdatedEvent(const RoleDefinition& role);
NewEvent ToNewEvent(const RoleDeleted& e);

// kCorruption naming the event's position when the payload does not match the type.
Result<RoleDefinition> ParseRoleDefinition(const Event& e);  // RoleCreated or RoleUpdated
Result<RoleDeleted> ParseRoleDeleted(const Event& e);

}  // namespace iam::events
