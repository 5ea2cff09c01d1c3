#include "api/zitadel/user_lock_handlers.h"

#include "api/command_submission.h"
#include "api/zitadel/zitadel_response.h"
#include "commands/user_access_commands.h"

namespace iam::api {
namespace {

void RespondZitadelError(const ApiCall& call, const Status& status) { call.respond(ZitadelError(status)); }

void RespondZitadelDetails(const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
  call->respond(ZitadelDetails(outcome));
}

template <typename Command>
RouteHandler Submit(commands::CommandProcessor& processor, std::string_view id_parameter) {
  return [&processor, id_parameter](std::shared_ptr<ApiCall> call) {
    SubmitCommand(processor, call, std::make_unique<Command>(std::string(call->path.Get(id_parameter))),
                  RespondZitadelError, RespondZitadelDetails);
  };
}

}  // namespace

void AddZitadelUserLockRoutes(Router& router, commands::CommandProcessor& processor) {
  router.Add("POST", "/v2/users/{userId}/lock", Submit<commands::LockUser>(processor, "userId"));
  router.Add("POST", "/v2/users/{userId}/unlock", Submit<commands::UnlockUser>(processor, "userId"));
  router.Add("POST", "/management/v1/users/{id}/_lock", Submit<commands::LockUser>(processor, "id"));
  router.Add("POST", "/management/v1/users/{id}/_unlock", Submit<commands::UnlockUser>(processor, "id"));
}

}  // namespace iam::api
