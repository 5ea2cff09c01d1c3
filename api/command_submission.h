// SubmitCommand: how a route handler hands a mutation to the command
// processor. The request's context (account, actor, request id, the
// Idempotency-Key record) becomes the command's context; a refusal is answered
// as a problem of `error_family`; success calls `then` with the durable
// outcome, on the thread that completes commands (never the store's writer).
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "api/api_response.h"
#include "api/request_context.h"
#include "commands/command_processor.h"

namespace iam::api {

using OnCommitted = std::function<void(const std::shared_ptr<ApiCall>&, const commands::CommandOutcome&)>;
// Answers a refused command in the wire's error shape.
using OnRefused = std::function<void(const ApiCall&, const Status&)>;

inline void SubmitCommand(commands::CommandProcessor& processor, const std::shared_ptr<ApiCall>& call,
                          std::unique_ptr<commands::Command> command, OnRefused refused, OnCommitted then) {
  const RequestContext& c = call->context;
  commands::CommandContext context{c.account_id,      c.actor,    c.request_id, c.idempotency_key,
                                   c.idempotency_fingerprint, c.if_match, c.client_id, c.actor_id};
  processor.Submit(std::move(command), std::move(context),
                   [call, refused = std::move(refused), then = std::move(then)](Result<commands::CommandOutcome> outcome) {
                     if (!outcome.ok()) return refused(*call, outcome.status());
                     then(call, *outcome);
                   });
}

// The IAM v3 wire: refusals are IAM problems of `error_family`.
inline void SubmitCommand(commands::CommandProcessor& processor, const std::shared_ptr<ApiCall>& call,
                          std::unique_ptr<commands::Command> command, std::string_view error_family,
                          OnCommitted then) {
  SubmitCommand(
      processor, call, std::move(command),
      [error_family](const ApiCall& call, const Status& status) { RespondWithError(call, status, error_family); },
      std::move(then));
}

// A `then` for mutations answered with 204 and the event details (X-Iam-*).
inline void RespondNoContent(const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
  HttpResponse response = NoContent();
  AddEventDetails(response, outcome);
  call->respond(std::move(response));
}

}  // namespace iam::api
