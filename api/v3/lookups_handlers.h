// Routes of the common lookups (iam-rules.md §7, 16 operations): the same
// value sets under /identity-management/v3/user-admin/common and, for the
// caller's own profile, /identity-management/v3/user-profile/common (N-8).
// The data is commands::Lookups.
#pragma once

#include "api/router.h"

namespace iam::api {

void AddLookupRoutes(Router& router);

}  // namespace iam::api
