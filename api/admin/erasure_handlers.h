// The right to be forgotten: POST /admin/v1/users/{uiIdentityId}/erase, for
// administrators of the bootstrap account only (else 403, as the test clock).
//
// Only a removed user can be erased (409 `user-not-removed` while the user
// exists; 404 `user-not-found` for an id never given out). The route appends
// UserErased (commands/erasure_commands.h), naming the invitations the
// erasure reaches, and then hands the rest to the ErasureWorker
// (erasure_worker.h): the person's mails and kept idempotent responses go,
// then the personal-data keys (events/personal_data.h), so that every record
// of the person's profile and invitations in the log reads as "[erased]"
// (replays, the audit trail, time travel) while the log itself is not
// touched; then the past states time travel keeps, and a compaction of the
// store. The answer waits for all of it; the command processor does not.
//
// The order makes a failure or a crash in between harmless: the user is then
// erased in the read models but a key still exists, and calling the route
// again (it is idempotent: an erased user answers 200 again with nothing
// appended) completes the erasure.
//
// Answer: 200 {"uiIdentityId", "erased": true}, with the X-Iam-* headers of
// the UserErased event when one was appended. Errors are problem+json: 403,
// 404, 409, 503 while the users read model cannot answer or the store cannot
// write, and 503 `erasure-incomplete` when UserErased is recorded but the
// rest failed (call again).
#pragma once

#include "api/admin/erasure_worker.h"
#include "api/router.h"
#include "commands/command_processor.h"
#include "events/storage.h"

namespace iam::api {

// `processor`, `storage` and `worker` must outlive `router`'s use.
void AddErasureRoutes(Router& router, commands::CommandProcessor& processor, events::Storage& storage,
                      ErasureWorker& worker);

}  // namespace iam::api
