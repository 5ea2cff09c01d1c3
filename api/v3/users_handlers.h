// Routes of the Users API under /identity-management/v3/user-admin/ui-identities
// (iam-rules.md §4, §6.1): create, list, get, basic info, grants,
// notifications, blocked properties, remove. Rules live in
// commands/user_commands.*, the data in projections/user_directory.*.
#pragma once

#include "api/router.h"
#include "api/v3/user_operations.h"

namespace iam::api {

// What `operations` refers to must outlive `router`'s use.
void AddUserRoutes(Router& router, const UserOperations& operations);

}  // namespace iam::api
