// Routes of the Roles API under /identity-management/v3/user-admin/roles
// (iam-rules.md §3): list, create, get, edit, delete, and the grantable-roles
// catalogue. Rules live in commands/role_commands.*, custom roles in
// projections/role_directory.*, standard roles and the catalogue in
// commands::Lookups.
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner` and `processor` must outlive `router`'s use.
void AddRoleRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor);

}  // namespace iam::api
