// Routes of API client credentials under /identity-management/v3/api-clients
// (iam-rules.md §11): /self/credentials… for the calling client and
// /{clientId}/credentials… for a client of the account. Rules live in
// commands/credential_commands.*, the data in projections/api_client_directory.*.
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"
#include "events/secret_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner`, `processor` and `secrets` must outlive `router`'s use.
void AddCredentialRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                         events::SecretStore& secrets);

}  // namespace iam::api
