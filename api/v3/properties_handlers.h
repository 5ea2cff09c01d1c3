// Routes of properties and includes under /identity-management/v3/user-admin/
// properties (iam-rules.md §2): list (P-1), get (P-2), move (P-3), resources
// (P-4). Rules live in commands/asset_commands.*, the data in
// projections/asset_directory.*.
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner` and `processor` must outlive `router`'s use.
void AddPropertyRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor);

}  // namespace iam::api
