// Helpers every route handler uses to answer: JSON bodies, the event details
// of a mutation (X-Iam-* headers, D-4), and errors in the IAM shape.
// Pure functions: safe for concurrent use.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>

#include <string>
#include <string_view>

#include "api/http/http_message.h"
#include "api/request_context.h"
#include "commands/command.h"
#include "events/status.h"

namespace iam::api {

// 200/201/… with Content-Type application/json.
HttpResponse JsonResponse(int status, std::string body);

// 204 No Content.
HttpResponse NoContent();

// An instant (milliseconds since the epoch) as RFC 3339 text, or null for 0:
// the nullable date-times of the bodies.
boost::json::value JsonTimeOrNull(int64_t ms);

// Adds X-Iam-Sequence, X-Iam-Resource-Owner, X-Iam-Creation-Date and
// X-Iam-Change-Date from a committed command.
void AddEventDetails(HttpResponse& response, const commands::CommandOutcome& outcome);

// The ZITADEL-style details object of our own and the ZITADEL routes (D-4):
// {"sequence":"…","changeDate":"…","resourceOwner":"…","creationDate":"…"}.
boost::json::object DetailsObject(const commands::CommandOutcome& outcome);

// Answers `call` with the IAM problem for `status` in the user-admin family.
void RespondWithError(const ApiCall& call, const Status& status, std::string_view family);

}  // namespace iam::api
