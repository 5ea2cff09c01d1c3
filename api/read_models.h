// Reading a read model from a route handler (D-22): a read model that is not
// serving (failed, or catching up) never answers; the request gets 503 with
// Retry-After instead of an empty or stale state.
#pragma once

#include <memory>
#include <string_view>

#include "api/api_response.h"
#include "api/problem.h"
#include "api/request_context.h"
#include "projections/projection_runner.h"

namespace iam::api {

// The serving instance of read model `name` as T, or nullptr after `call` was
// answered with 503.
template <typename T>
std::shared_ptr<T> ServingReadModel(const projections::ProjectionRunner& runner, std::string_view name,
                                    const ApiCall& call) {
  auto model = runner.LiveAs<T>(name);
  if (!model) RespondWithError(call, runner.Serving(name), kProtocolErrors);
  return model;
}

}  // namespace iam::api
