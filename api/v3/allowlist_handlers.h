// Routes of the IP allowlist under
// /identity-management/v3/user-admin/ip-acl/allowlist (iam-rules.md §8, the
// 9 operations of "CIDR blocks" and "IP allowlists"): list, create, get,
// modify and delete blocks, validate a block, the list's status, enable and
// disable. Rules live in commands/allowlist_commands.*, the data in
// projections/allowlist_directory.*. Errors are IAM problems of the
// /ip-acl/error-types/ family.
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner` and `processor` must outlive `router`'s use.
void AddAllowlistRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor);

}  // namespace iam::api
