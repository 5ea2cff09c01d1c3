// Command refusals as the workspace surface's problem+json: each route
// family lists which command reasons (Status::reason()) answer which
// status and error code; what no entry names is a version mismatch (412
// GEN-0412), bad input (400 GEN-0400) or a storage failure (503 GEN-0503).
// Pure function: safe for concurrent use.
#pragma once

#include <span>
#include <string_view>

#include "api/http/http_message.h"
#include "events/status.h"

namespace iam::api {

struct ReasonRefusal {
  int reason;
  int status;
  const char* slug;
  const char* error_code;
};

HttpResponse ReasonProblem(std::span<const ReasonRefusal> refusals, std::string_view instance, const Status& status);

}  // namespace iam::api
