// Routes of user access under /identity-management/v3/user-admin/ui-identities
// (iam-rules.md §5): lock, unlock, reset and set a password, set and reset
// additional authentication. Rules live in commands/user_access_commands.*,
// the data in projections/user_directory.*.
#pragma once

#include "api/router.h"
#include "api/v3/user_operations.h"

namespace iam::api {

// What `operations` refers to must outlive `router`'s use.
void AddUserAccessRoutes(Router& router, const UserOperations& operations);

}  // namespace iam::api
