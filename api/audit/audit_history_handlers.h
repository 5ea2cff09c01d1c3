// GET /audit/v1/{aggregateType}/{id}/history: one aggregate's events, oldest
// first, each with the fields it changed and their values before and after
// (api/audit/aggregate_history.h). The route's contract is described with
// the other audit routes in api/audit/audit_handlers.h.
//
// A page's before-values come from a fold of the aggregate's events from its
// first one: a page after a cursor first reads the aggregate's earlier
// events through the audit index's aggregate-id entries, so its cost grows
// with the aggregate's length up to the page, never with the log's.
//
// Thread safety: the route's handler is safe for concurrent use; each request
// folds its own state.
#pragma once

#include "api/router.h"
#include "events/event_store.h"
#include "events/state_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

// Adds the route to `router`. `runner` (with the audit index registered),
// `events` and `state` must outlive `router`'s use.
void AddAuditHistoryRoute(Router& router, projections::ProjectionRunner& runner, const events::EventStore& events,
                          const events::StateStore& state);

}  // namespace iam::api
