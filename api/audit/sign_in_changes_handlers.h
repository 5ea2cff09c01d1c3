// GET /audit/v1/users/{uiIdentityId}/sign-in-changes (EdgeGrid, like the
// other /audit/v1 routes): one user's changes that decide whether and how
// they can sign in, newest first, from the user-sign-in-changes read model
// (projections/user_sign_in_changes.h).
//
// Scope: the account the request acts on (the client's own, or the one
// accountSwitchKey names), and only the changes made in its name. A user the
// account does not have (neither its own user nor a member, and no changes
// recorded in it, as a removed user has) is 404, whether or not another
// account has them.
//
// Query parameters (a bad value or an unknown name is 400 problem+json):
//   limit=1..1000   page size, default 100
//   cursor          a page's nextCursor: continues with older changes
// Answer: {"items":[{"position","changeDate","eventType","kind","creator"}…],
// "nextCursor":"N" (only when older changes exist), "details":
// {"processedSequence","viewTimestamp","resourceOwner"}} (D-4). 503 while the
// read model is catching up (after it was added, or during a first start on
// an existing log) or while the read models that tell the account's users
// are not serving.
#pragma once

#include "api/router.h"
#include "events/event_store.h"
#include "events/state_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner` (with projections::kUserSignInChangesProjection registered),
// `events` and `state` must outlive `router`'s use.
void AddSignInChangesRoutes(Router& router, const projections::ProjectionRunner& runner,
                            const events::EventStore& events, const events::StateStore& state);

}  // namespace iam::api
