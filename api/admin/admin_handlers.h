// Routes of the administration API under /admin/v1: projection status and
// rebuilds (what `iamctl projections …` calls while the server runs).
#pragma once

#include "api/router.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner` must outlive `router`'s use.
void AddAdminRoutes(Router& router, projections::ProjectionRunner& runner);

// The JSON form of projection statuses: {"projections":[{name, state,
// generation, position, head, rebuildPosition, error?}, …]}. Shared with iamctl.
std::string ProjectionStatusesJson(const std::vector<projections::ProjectionStatus>& statuses);

}  // namespace iam::api
