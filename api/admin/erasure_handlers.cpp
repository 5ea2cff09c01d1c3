#include "api/admin/erasure_handlers.h"

#include <boost/json.hpp>
#include <limits>

#include "api/admin/admin_handlers.h"
#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/problem.h"
#include "commands/erasure_commands.h"
#include "events/access_events.h"
#include "events/user_events.h"

namespace iam::api {
namespace {

void Refuse(const ApiCall& call, const Status& status) {
  const std::string instance = call.request.path;
  if (status.code() == StatusCode::kNotFound) {
    return call.respond(IamProblem(
        {404, std::string(kProtocolErrors) + "user-not-found", "Not found", status.message(), instance}));
  }
  if (status.code() == StatusCode::kFailedPrecondition) {
    return call.respond(IamProblem(
        {409, std::string(kProtocolErrors) + "user-not-removed", "Conflict", status.message(), instance}));
  }
  call.respond(ProblemFromStatus(status, kProtocolErrors, instance));
}

// UserErased is durable but the worker could not finish: the detail may
// name storage, so only the code is told.
void RespondIncomplete(const ApiCall& call, const Status& status) {
  HttpResponse response = IamProblem(
      {503, std::string(kProtocolErrors) + "erasure-incomplete", "Service Unavailable",
       "the erasure is recorded but not complete (" + std::string(StatusCodeName(status.code())) +
           "); call the route again to complete it",
       call.request.path});
  response.SetHeader("Retry-After", "1");
  call.respond(std::move(response));
}

void Erase(commands::CommandProcessor& processor, events::Storage& storage, ErasureWorker& worker,
           const std::shared_ptr<ApiCall>& call) {
  std::string id(call->path.Get("uiIdentityId"));
  auto stream = storage.events().ReadStream(events::kUserAggregate, id, 1, std::numeric_limits<size_t>::max());
  if (!stream.ok()) return Refuse(*call, stream.status());
  if (stream->empty()) return Refuse(*call, Status::NotFound("user " + id + " does not exist"));
  // The account the person's events belong to: their stream's first event's.
  const std::string owner = stream->front().resource_owner;
  // A removed person's stream no longer changes: what it names is final.
  auto emails = commands::AddressesOf(*stream);
  if (!emails.ok()) return Refuse(*call, emails.status());
  SubmitCommand(processor, call, std::make_unique<commands::EraseUser>(id, owner, std::move(*emails)), Refuse,
                [&worker, id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  // Only handing over here: the processor's completions go on at once.
                  worker.Submit(id, [call, outcome, id](const Status& completed) {
                    if (!completed.ok()) return RespondIncomplete(*call, completed);
                    HttpResponse response = JsonResponse(
                        200, boost::json::serialize(boost::json::object{{"uiIdentityId", id}, {"erased", true}}));
                    if (outcome.sequence != 0) AddEventDetails(response, outcome);
                    call->respond(std::move(response));
                  });
                });
}

}  // namespace

void AddErasureRoutes(Router& router, commands::CommandProcessor& processor, events::Storage& storage,
                      ErasureWorker& worker) {
  router.Add("POST", "/admin/v1/users/{uiIdentityId}/erase", [&processor, &storage, &worker](std::shared_ptr<ApiCall> call) {
    if (!AdministersBootstrapAccount(*call, storage.events())) return;
    Erase(processor, storage, worker, call);
  });
}

}  // namespace iam::api
