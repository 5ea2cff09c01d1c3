// Routes of the common lookups (iam-rules.md §7, 16 operations): the same
// value sets under /identity-management/v3/user-admin/common and, for the
// caller's own profile, /identity-management/v3/user-profile/common (N-8).
// The data is commands::Lookups, except the password policy: the caller's
// account's own (seed-003 W-17), read from the workspace settings.
#pragma once

#include "api/router.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner` must outlive the routes.
void AddLookupRoutes(Router& router, projections::ProjectionRunner& runner);

}  // namespace iam::api
