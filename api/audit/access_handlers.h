// Who could do what, and since when (/audit/v1, EdgeGrid-authenticated,
// account-scoped like /audit/v1/events):
//
//   GET /audit/v1/access?uiIdentityId=U&groupId=G[&at=T]
//       U's effective role on group G at T (default: now): the role and the
//       group it is granted on (G itself or the ancestor it is inherited
//       from), whether a lock suspends it, the properties blocked for U
//       there, and "why": the events that made it so — the grant, the group
//       moves that put G under the granting group, the role's definition,
//       the lock and the block — each as an audit item without payload.
//   GET /audit/v1/access/changes?from=T1&to=T2[&groupId=G]
//       what every user, workspace member and API client of the account
//       gained and lost between two instants (api/audit/effective_access.h:
//       v3 roles on groups with inheritance, blocked properties, locks,
//       memberships, workspace roles and their permissions, access expiry,
//       client grants), each change with the events in between that touched
//       its subject, the groups above its resource or its role (read from the
//       access-history projection: one range scan of the account's
//       access-relevant events, 503 while it catches up).
//
// T, T1 and T2 are RFC 3339 date-times or log positions (api/as_of.h): one
// in the future is 400, one before the log began is 404. Both answers come
// from the read models folded to those points (projections::HistoricalStates),
// so they equal what the live read models said then. resourceOwner and
// accountSwitchKey choose the account as on /audit/v1/events. Unknown
// parameters are 400; a user or group the account does not have at T is 404.
#pragma once

#include <cstdint>
#include <functional>

#include "api/router.h"
#include "events/event_store.h"
#include "events/state_store.h"
#include "projections/historical_states.h"
#include "projections/projection_runner.h"

namespace iam::api {

// Every reference must outlive the routes. `runner` has the access-history
// projection registered (projections/access_history.h); `now_ms` is the
// rules' clock.
void AddAccessAuditRoutes(Router& router, const projections::ProjectionRunner& runner, const events::EventStore& events,
                          const events::StateStore& state, projections::HistoricalStates& history,
                          std::function<int64_t()> now_ms);

}  // namespace iam::api
