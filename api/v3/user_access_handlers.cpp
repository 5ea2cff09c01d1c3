#include "api/v3/user_access_handlers.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "commands/lookups.h"
#include "commands/password_policy.h"
#include "commands/user_access_commands.h"

namespace iam::api {
namespace {

constexpr std::string_view kUsersPath = "/identity-management/v3/user-admin/ui-identities";

std::string UserId(const ApiCall& call) { return std::string(call.path.Get("uiIdentityId")); }

}  // namespace

void AddUserAccessRoutes(Router& router, const UserOperations& operations) {
  const std::string base(kUsersPath);
  commands::CommandProcessor& processor = operations.processor();
  // 204 with the event details; the body, if any, is ignored (D-7).
  router.Add("POST", base + "/{uiIdentityId}/lock", [&processor](std::shared_ptr<ApiCall> call) {
    SubmitCommand(processor, call, std::make_unique<commands::LockUser>(UserId(*call)), kUserAdminErrors,
                  RespondNoContent);
  });
  router.Add("POST", base + "/{uiIdentityId}/unlock", [&processor](std::shared_ptr<ApiCall> call) {
    SubmitCommand(processor, call, std::make_unique<commands::UnlockUser>(UserId(*call)), kUserAdminErrors,
                  RespondNoContent);
  });
  // a one-time password; shown (200) only when it is not mailed.
  router.Add("POST", base + "/{uiIdentityId}/reset-password", [operations](std::shared_ptr<ApiCall> call) {
    auto send_email = call->query.GetBool("sendEmail", true);
    if (!send_email.ok()) return RefuseUserCall(*call, send_email.status());
    std::string password = commands::NewOneTimePassword(commands::Lookups::Get().password_policy());
    const bool show = !*send_email;
    operations.ChangePassword(call, UserId(*call), std::nullopt, password,
                              show ? UserOperations::NewPasswordKind::kOneTimeShown
                                   : UserOperations::NewPasswordKind::kOneTimeMailed,
                              [password, show](const std::shared_ptr<ApiCall>& call,
                                               const commands::CommandOutcome& outcome) {
                                if (!show) return RespondNoContent(call, outcome);
                                HttpResponse response = JsonResponse(
                                    200, boost::json::serialize(boost::json::object{{"newPassword", password}}));
                                response.holds_secret = true;
                                AddEventDetails(response, outcome);
                                call->respond(std::move(response));
                              });
  });
  // the administrator's choice, reusable, under the policy.
  router.Add("POST", base + "/{uiIdentityId}/set-password", [operations](std::shared_ptr<ApiCall> call) {
    auto body = JsonObjectReader::Parse(call->request.body);
    if (!body.ok()) return RefuseUserCall(*call, body.status());
    if (auto s = body->OnlyMembers({"newPassword"}); !s.ok()) return RefuseUserCall(*call, s);
    auto password = body->RequiredString("newPassword");
    if (!password.ok()) return RefuseUserCall(*call, password.status());
    operations.ChangePassword(call, UserId(*call), std::nullopt, std::move(*password),
                              UserOperations::NewPasswordKind::kChosen,
                              RespondNoContent);
  });
  router.Add("PUT", base + "/{uiIdentityId}/additionalAuthentication", [operations](std::shared_ptr<ApiCall> call) {
    operations.SetAdditionalAuthentication(call, UserId(*call));
  });
  router.Add("PUT", base + "/{uiIdentityId}/additionalAuthentication/reset",
             [operations](std::shared_ptr<ApiCall> call) {
               operations.ResetAdditionalAuthentication(call, UserId(*call));
             });
}

}  // namespace iam::api
