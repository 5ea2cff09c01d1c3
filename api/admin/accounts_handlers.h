// POST /admin/v1/accounts: a further account (issue "accounts are
// aggregates"): its top-level group, first administrator and that
// administrator's API client with one credential, in one atomic append —
// what the first start makes for the first account. The answer holds the
// credential as an .edgerc section, the only time its secret is shown.
// Administrators of an account may create accounts (see api/auth/authorization.h).
// An account's administrators also say which other accounts manage it
// (GET, PUT and DELETE /admin/v1/accounts/{own id}/managers[/{accountId}]):
// the managing accounts' switching clients act on it (api/auth/account_switching.h).
#pragma once

#include <functional>
#include <string>

#include "api/router.h"
#include "commands/command_processor.h"
#include "events/secret_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `processor`, `secrets` and `runner` must outlive `router`'s use;
// `public_host` gives the host[:port] clients reach the server at (the
// .edgerc `host`).
void AddAccountRoutes(Router& router, commands::CommandProcessor& processor, events::SecretStore& secrets,
                      const projections::ProjectionRunner& runner, std::function<std::string()> public_host);

}  // namespace iam::api
