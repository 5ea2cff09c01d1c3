#include "api/v3/user_access_handlers.h"

#include "api/command_submission.h"
#include "api/problem.h"
#include "commands/user_access_commands.h"

namespace iam::api {
namespace {

constexpr std::string_view kUsersPath = "/identity-management/v3/user-admin/ui-identities";

}  // namespace

void AddUserAccessRoutes(Router& router, commands::CommandProcessor& processor) {
  const std::string base(kUsersPath);
  // 204 with the event details; the body, if any, is ignored (D-7).
  router.Add("POST", base + "/{uiIdentityId}/lock", [&processor](std::shared_ptr<ApiCall> call) {
    SubmitCommand(processor, call, std::make_unique<commands::LockUser>(std::string(call->path.Get("uiIdentityId"))),
                  kUserAdminErrors, RespondNoContent);
  });
  router.Add("POST", base + "/{uiIdentityId}/unlock", [&processor](std::shared_ptr<ApiCall> call) {
    SubmitCommand(processor, call,
                  std::make_unique<commands::UnlockUser>(std::string(call->path.Get("uiIdentityId"))),
                  kUserAdminErrors, RespondNoContent);
  });
}

}  // namespace iam::api
