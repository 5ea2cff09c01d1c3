// Routes of the Groups API under /identity-management/v3/user-admin/groups:
// list, create, get, rename, delete, move, and the move's affected users.
// Reads come from the "groups" read model; mutations go through the command
// processor and answer after their events are durable and projected.
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner` and `processor` must outlive `router`'s use.
void AddGroupRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor);

}  // namespace iam::api
