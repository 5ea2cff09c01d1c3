// Routes of user access under /identity-management/v3/user-admin/ui-identities
// (iam-rules.md §5): lock and unlock. Rules live in
// commands/user_access_commands.*, the data in projections/user_directory.*.
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"

namespace iam::api {

// `processor` must outlive `router`'s use.
void AddUserAccessRoutes(Router& router, commands::CommandProcessor& processor);

}  // namespace iam::api
