// Routes of API clients under /identity-management/v3/api-clients
// (iam-rules.md §10): create, list, get, update, delete, lock, unlock and
// account switch keys, for the calling client (/self) and any client of the
// account (/{clientId}). Rules live in commands/api_client_commands.*, the
// data in projections/api_client_directory.*; credentials have their own
// routes (credentials_handlers).
#pragma once

#include <functional>
#include <string>

#include "api/router.h"
#include "commands/command_processor.h"
#include "events/secret_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `runner`, `processor` and `secrets` must outlive `router`'s use;
// `public_url` gives the server's public address (D-11: each client's baseURL).
void AddApiClientRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                        events::SecretStore& secrets, std::function<std::string()> public_url);

}  // namespace iam::api
