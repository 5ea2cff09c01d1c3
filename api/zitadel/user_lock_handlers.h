// ZITADEL's user lock and unlock routes (seeds 002 and 004), on the same
// rules as the v3 ones (commands/user_access_commands.*):
//   POST /v2/users/{userId}/lock | unlock
//   POST /management/v1/users/{id}/_lock | _unlock
// A user's ZITADEL id is its uiIdentityId. Answers in ZITADEL's shapes (D-16).
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"

namespace iam::api {

// `processor` must outlive `router`'s use.
void AddZitadelUserLockRoutes(Router& router, commands::CommandProcessor& processor);

}  // namespace iam::api
