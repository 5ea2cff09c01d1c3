// Routes of the caller's own profile under /identity-management/v3/user-profile
// (iam-rules.md §6.2): "your" is the user who owns the calling API client
// (N-4). The operations are the Users API's (api/v3/user_operations.h) on
// that user; the profile's lookups are in lookups_handlers.
#pragma once

#include "api/router.h"
#include "api/v3/user_operations.h"

namespace iam::api {

// What `operations` refers to must outlive `router`'s use.
void AddProfileRoutes(Router& router, const UserOperations& operations);

}  // namespace iam::api
