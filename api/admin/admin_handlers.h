// Routes of the administration API under /admin/v1: projection status and
// rebuilds, importing assets (properties made by other systems), voiding
// an event no read model can apply (what `iamctl
// projections …` and `iamctl void` call while the server runs), the test
// clock and the scheduler's tick. They answer while the server is still
// starting, so an operator can repair it (D-22).
#pragma once

#include <functional>

#include "api/router.h"
#include "api/scheduler/scheduler.h"
#include "commands/command_processor.h"
#include "events/clock.h"
#include "events/event_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner`, `events` and `processor` must outlive `router`'s use.
void AddAdminRoutes(Router& router, projections::ProjectionRunner& runner, events::EventStore& events,
                    commands::CommandProcessor& processor);

// Whether the caller of `call` administers the bootstrap account: server-wide
// controls are theirs alone. When not, answers 403 (or the log's error)
// itself and returns false. `events` is the log whose first event names it.
bool AdministersBootstrapAccount(const ApiCall& call, const events::EventStore& events);

// seed-003 TO-1, for administrators of the bootstrap account (the owner of
// the log's first event) only (else 403): GET /admin/v1/test/clock answers {"now": RFC 3339};
// POST with {"set": RFC 3339} or {"advance": whole seconds ≥ 0} moves
// `clock` forward, calls `moved` (the scheduler's wake-up) and answers the
// same. A move backwards or a malformed body: 400, nothing changes. The
// server adds these routes only when it runs a test clock, so without one
// the path answers 404. `clock` and `events` must outlive `router`'s use.
void AddTestClockRoutes(Router& router, TestClock& clock, const events::EventStore& events,
                        std::function<void()> moved);

// seed-003 TO-2, for administrators of the bootstrap account only (else 403):
// POST /admin/v1/scheduler/tick runs every scheduler job at once and answers,
// once their events are durable, {"now": RFC 3339, "jobs": [{"name",
// "events", "error"?}]} (200; a job that failed names its error). 503 while
// the scheduler does not run. `scheduler` and `events` must outlive
// `router`'s use.
void AddSchedulerRoutes(Router& router, Scheduler& scheduler, const events::EventStore& events);

// The JSON form of projection statuses: {"projections":[{name, state,
// generation, position, head, rebuildPosition, error?}, …]}. Shared with iamctl.
std::string ProjectionStatusesJson(const std::vector<projections::ProjectionStatus>& statuses);

}  // namespace iam::api
