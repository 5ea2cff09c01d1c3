// The right to be forgotten: POST /admin/v1/users/{uiIdentityId}/erase, for
// administrators of the bootstrap account only (else 403, as the test clock).
//
// Only a removed user can be erased (409 `user-not-removed` while the user
// exists; 404 `user-not-found` for an id never given out). The route appends
// UserErased (events/user_events.h), then deletes the person's personal-data
// key (events/personal_data.h): from then on every record of their profile in
// the log reads as "[erased]" (replays, the audit trail, time travel), while
// the log itself is not touched. The order makes a crash in between harmless:
// the user is then erased in the read models but the key still exists, and
// calling the route again (it is idempotent: an erased user answers 200 again
// with nothing appended) deletes it. After the key, the route drops the past
// states time travel keeps (they were folded with the plaintext) and compacts
// the store, so the read-model rows the person's removal deleted leave the
// files too; the answer waits for that compaction.
//
// Answer: 200 {"uiIdentityId", "erased": true}, with the X-Iam-* headers of
// the UserErased event when one was appended. Errors are problem+json: 403,
// 404, 409, 503 while the users read model cannot answer or the store cannot
// write.
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"
#include "events/storage.h"
#include "projections/historical_states.h"

namespace iam::api {

// `processor`, `storage` and `history` must outlive `router`'s use.
void AddErasureRoutes(Router& router, commands::CommandProcessor& processor, events::Storage& storage,
                      projections::HistoricalStates& history);

}  // namespace iam::api
