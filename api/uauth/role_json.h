// The JSON of the workspace surface's roles (seed-003 schemas RoleSummary,
// Role, RoleGroup): shared by the role routes (#51 … #61) and the roles a
// caller may assign (#62).
//
// Pure functions: safe for concurrent use.
#pragma once

#include <boost/json.hpp>

#include <cstdint>

#include "commands/workspace_roles.h"

namespace iam::api {

// RoleSummary: {id, name, code, groupId, type}.
boost::json::object RoleSummaryJson(const commands::WorkspaceRole& role);

}  // namespace iam::api
