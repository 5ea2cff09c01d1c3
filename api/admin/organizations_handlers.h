// The operator API of organizations (seed-003 W-1, W-4, §15 item 11), for
// administrators of the bootstrap account only (else 403, as the test clock):
//   POST   /admin/v1/organizations {"name"}                           201: makes one
//   GET    /admin/v1/organizations                                    {"organizations": [Organization]}
//   GET    /admin/v1/organizations/{organizationId}                   Organization
//   PUT    /admin/v1/organizations/{organizationId}/workspaces/{accountId}
//          body optional {"businessProfileGroupId": string|null}      puts the workspace in it (or
//                                                                     changes its group)
//   DELETE /admin/v1/organizations/{organizationId}/workspaces/{accountId}
//   POST   /admin/v1/organizations/{organizationId}/users {"uiIdentityId"} or {"email"}
//                                                                     makes an existing person an
//                                                                     organization user
//   DELETE /admin/v1/organizations/{organizationId}/users/{uiIdentityId}
// Organization = {"organizationId", "name", "createdAt", "workspaces":
// [{"accountId", "guid", "name", "businessProfileGroupId"}], "users":
// [{"uiIdentityId", "userId", "email"}], "details"}: ZITADEL-style details
// (D-4) of the change, or of the organization's last change for reads and
// for changes that change nothing. Mutations also carry the X-Iam-*
// headers and take an Idempotency-Key.
// Errors are problem+json: 400 (malformed input), 403, 404 for an unknown
// organization, workspace or person and for one that is not in this
// organization, 409 when the workspace or the person belongs to another
// organization, 503 while a read model cannot answer.
#pragma once

#include "api/router.h"
#include "commands/command_processor.h"
#include "events/event_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

// `processor`, `runner` and `events` must outlive `router`'s use.
void AddOrganizationAdminRoutes(Router& router, commands::CommandProcessor& processor,
                                const projections::ProjectionRunner& runner, const events::EventStore& events);

}  // namespace iam::api
