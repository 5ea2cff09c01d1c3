// The ZITADEL wire (D-16): success bodies carry the change's details,
// errors are {"code": <gRPC code>, "message": …, "details": []} with the HTTP
// status ZITADEL's gateway gives that code. Pure functions.
#pragma once

#include "api/http/http_message.h"
#include "commands/command.h"
#include "events/status.h"

namespace iam::api {

// 200 {"details":{"sequence","changeDate","resourceOwner","creationDate"}}.
HttpResponse ZitadelDetails(const commands::CommandOutcome& outcome);

// The error for `status`: NotFound 5 → 404, InvalidArgument 3 and
// FailedPrecondition 9 → 400, PermissionDenied 7 → 403, Conflict (Aborted 10)
// → 409, Unavailable 14 → 503 (with Retry-After), anything else Internal 13
// → 500 without internal detail.
HttpResponse ZitadelError(const Status& status);

}  // namespace iam::api
