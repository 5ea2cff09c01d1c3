// Error responses: application/problem+json in the two shapes clients expect.
//
// - IamProblem: the IAM service's shape (iam-rules.md X-16): type, title,
//   detail, instance, status and httpStatus (both, so every client finds one),
//   errors[].
// - GatewayProblem: the authentication layer's shape (edgegrid-auth.md §6):
//   type, title, status, detail, instance, method, serverIp, clientIp,
//   requestId, requestTime.
// Pure functions: safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "api/http/http_message.h"
#include "events/status.h"

namespace iam::api {

struct ProblemFields {
  int status = 500;
  std::string type;
  std::string title;
  std::string detail;
  std::string instance;
};

HttpResponse IamProblem(const ProblemFields& problem);

struct GatewayProblemFields {
  ProblemFields problem;
  std::string method;
  std::string server_ip;
  std::string client_ip;
  std::string request_id;
};
HttpResponse GatewayProblem(const GatewayProblemFields& fields);

// Error families of the IAM error catalogue.
inline constexpr std::string_view kUserAdminErrors = "/useradmin-api/error-types/";
inline constexpr std::string_view kIdentityManagementErrors = "/identity-management/error-types/";
// Protocol-level errors that belong to no IAM family.
inline constexpr std::string_view kProtocolErrors = "/iamd/error-types/";

// Maps a command or read failure to its IAM problem (see the table in the
// .cpp): kNotFound → 404, kFailedPrecondition and kInvalidArgument → 400
// "Validation Exception", kPermissionDenied → 403, kConflict → 409,
// kUnavailable → 503, anything else → 500 without internal detail.
// `family` is the error-type prefix of the API area; Status::reason() gives
// the type number when set.
HttpResponse ProblemFromStatus(const Status& status, std::string_view family, std::string_view instance);

}  // namespace iam::api
