// Routes of the administration API under /admin/v1: projection status and
// rebuilds, importing assets (properties made by other systems), and voiding
// an event no read model can apply (what `iamctl
// projections …` and `iamctl void` call while the server runs). They answer
// while the server is still starting, so an operator can repair it (D-22).
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"
#include "events/event_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner`, `events` and `processor` must outlive `router`'s use.
void AddAdminRoutes(Router& router, projections::ProjectionRunner& runner, events::EventStore& events,
                    commands::CommandProcessor& processor);

// The JSON form of projection statuses: {"projections":[{name, state,
// generation, position, head, rebuildPosition, error?}, …]}. Shared with iamctl.
std::string ProjectionStatusesJson(const std::vector<projections::ProjectionStatus>& statuses);

}  // namespace iam::api
