// Person-level actions on another member of the caller's workspace
// (seed-003 #48, #49, #50; rules W-13, M-4, M-5, M-13, M-14, A-7, F-13):
//   POST   /uauth/users/{userId}/password-reset   settings_iam_users:update
//   PUT    /uauth/users/{userId}/mfa-reset        settings_iam_users:update
//   DELETE /uauth/users/{ids}                     settings_iam_users:delete
// Every rule is decided in the writer (commands/member_administration_commands.h);
// the routes only read the path and make the reset token. DELETE
// /uauth/users/my-account is its own route: the router prefers literal
// segments, so "my-account" never reaches {ids}.
#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/uauth/id_lists.h"
#include "api/uauth/membership_problem.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/member_administration_commands.h"
#include "commands/one_time_tokens.h"
#include "events/clock.h"

namespace iam::api {
namespace {

constexpr int64_t kResetTokenLifetimeMs = 60 * 60 * 1000;  // T-8, as a reset the person asks for

Result<int64_t> UserIdParam(const ApiCall& call) {
  auto ids = ParseIdList(call.path.Get("userId"));
  if (!ids.ok() || ids->size() != 1) return Status::InvalidArgument("userId must be one positive integer");
  return ids->front();
}

// 204 with the X-Iam-* headers of the events; refusals as USR- problems.
void Submit(const UauthContext& context, const std::shared_ptr<ApiCall>& call,
            std::unique_ptr<commands::Command> command) {
  SubmitCommand(
      context.processor, call, std::move(command),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        RespondNoContent(call, outcome);
      });
}

// #48: the person's password stops now; the link to a new one is mailed.
void ResetPassword(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:update");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto user_number = UserIdParam(*call);
  if (!user_number.ok()) return call->respond(UauthBadRequest(path, user_number.status().message()));
  auto issued = commands::NewHashedToken();
  if (!issued.ok()) return call->respond(UauthUnavailable(path, "resets cannot be sent now"));
  Submit(context, call,
         std::make_unique<commands::ResetMemberPassword>(*user_number, caller->user.ui_identity_id, NewUuid(),
                                                         issued->hash, context.now_ms() + kResetTokenLifetimeMs,
                                                         context.public_url() + "/reset-password/" + issued->token));
}

// #49: every second factor of the person goes; a lockout ends.
void ResetMfa(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:update");
  if (!caller) return;
  auto user_number = UserIdParam(*call);
  if (!user_number.ok()) return call->respond(UauthBadRequest(call->request.path, user_number.status().message()));
  Submit(context, call, std::make_unique<commands::ResetMemberMfa>(*user_number, caller->user.ui_identity_id));
}

// #50: the persons' accounts, all or nothing.
void DeleteAccounts(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:delete");
  if (!caller) return;
  auto ids = ParseIdList(call->path.Get("ids"));
  if (!ids.ok()) return call->respond(UauthBadRequest(call->request.path, ids.status().message()));
  Submit(context, call,
         std::make_unique<commands::DeleteMemberAccounts>(std::move(*ids), caller->user.ui_identity_id));
}

}  // namespace

void AddMemberAdministrationRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/users/{userId}/password-reset",
             [&context](std::shared_ptr<ApiCall> call) { ResetPassword(context, call); });
  router.Add("PUT", "/uauth/users/{userId}/mfa-reset",
             [&context](std::shared_ptr<ApiCall> call) { ResetMfa(context, call); });
  router.Add("DELETE", "/uauth/users/{ids}", [&context](std::shared_ptr<ApiCall> call) { DeleteAccounts(context, call); });
}

}  // namespace iam::api
