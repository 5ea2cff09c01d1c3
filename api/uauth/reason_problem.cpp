#include "api/uauth/reason_problem.h"

#include <string>

#include "api/uauth/uauth_problem.h"

namespace iam::api {

HttpResponse ReasonProblem(std::span<const ReasonRefusal> refusals, std::string_view instance, const Status& status) {
  for (const ReasonRefusal& refusal : refusals) {
    if (status.reason() == refusal.reason) {
      return UauthProblem({refusal.status, refusal.slug, refusal.error_code, status.message(), std::string(instance)});
    }
  }
  if (status.code() == StatusCode::kVersionMismatch) {
    return UauthProblem({412, "precondition-failed", "GEN-0412", status.message(), std::string(instance)});
  }
  if (status.code() == StatusCode::kInvalidArgument) return UauthBadRequest(instance, status.message());
  return UauthUnavailable(instance, status.message());
}

}  // namespace iam::api
