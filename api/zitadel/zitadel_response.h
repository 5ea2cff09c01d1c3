// The ZITADEL wire (D-16): success bodies carry the change's details,
// errors are {"code": <gRPC code>, "message": …, "details": []} with the HTTP
// status ZITADEL's gateway gives that code. Pure functions.
#pragma once

#include <string_view>

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

// True for the paths of the ZITADEL routes (/v2/users, /management/v1).
bool IsZitadelPath(std::string_view path);

// A problem+json answer (refused before any handler ran: authentication,
// routing, media type, readiness, Idempotency-Key) in ZITADEL's error shape,
// with the gRPC code of its HTTP status; any other response unchanged.
HttpResponse AsZitadelError(HttpResponse response);

}  // namespace iam::api
