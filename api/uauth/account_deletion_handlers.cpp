// DELETE /uauth/users/my-account (#71; seed-003 rules A-11, F-16, W-19,
// M-14): a person deletes themself. The token must come from a sign-in of
// the last five minutes (RFC 9470's step-up challenge otherwise), and with a
// second factor enabled the request carries a step-up code in X-Mfa-Code,
// checked under the lockout's admission like a password.
#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/uauth/mfa_codes.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "commands/own_account_commands.h"
#include "commands/user_commands.h"
#include "commands/user_validation.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

constexpr int64_t kRecentSignInSeconds = 300;

HttpResponse DeletionRefusal(const UauthContext& context, const ApiCall& call, const std::string& username,
                             const Status& status) {
  const std::string& path = call.request.path;
  switch (status.reason()) {
    case commands::kSignInLockedOut:
      return LockedOutResponse(context, call, username);
    case commands::kMfaWrongStepUpCode:
      return StepUpCodeWrong(path, status.message());
    case commands::kUserOwnsApiClient:
      return UauthProblem({400, "owns-api-client", "USR-0006", status.message(), path});
    case commands::kManagedPerson:
      return UauthProblem({403, "managed-person", "ACC-0003", status.message(), path});
    case commands::kLastAdministrator:
      return UauthProblem({409, "last-administrator", "USR-0409", status.message(), path});
    default:
      return status.code() == StatusCode::kNotFound ? UauthUnauthorized(path, status.message())
                                                    : UauthUnavailable(path, status.message());
  }
}

void Submit(const UauthContext& context, const std::shared_ptr<ApiCall>& call, const std::string& username,
            std::unique_ptr<commands::DeleteOwnAccount> command) {
  SubmitCommand(context.processor, call, std::move(command),
                [&context, username](const ApiCall& call, const Status& status) {
                  call.respond(DeletionRefusal(context, call, username, status));
                },
                [&context, username](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  if (!outcome.refusal.ok()) {
                    return call->respond(DeletionRefusal(context, *call, username, outcome.refusal));
                  }
                  RespondNoContent(call, outcome);
                });
}

void DeleteOwnAccount(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  const auto auth_time = caller->claims.if_contains("auth_time");
  if (!auth_time || !auth_time->is_int64() || context.now_ms() / 1000 - auth_time->as_int64() > kRecentSignInSeconds) {
    HttpResponse refused = UauthProblem({401, "recent-sign-in-required", "GEN-0402",
                                         "sign in again to delete the account", call->request.path});
    refused.SetHeader("WWW-Authenticate",
                      "Bearer error=\"insufficient_user_authentication\", max_age=" + std::to_string(kRecentSignInSeconds));
    return call->respond(std::move(refused));
  }
  auto mfa = context.runner.LiveAs<projections::MfaReadModel>(projections::kMfaProjection);
  if (!mfa) return call->respond(UauthUnavailable(call->request.path, "second factors cannot be read now"));
  auto factors = mfa->Published();
  const projections::MfaRecord* record = factors->Find(caller->user.ui_identity_id);
  const std::string username = commands::EmailKey(caller->user.profile.email);
  events::SignInAttempt attempt{username, caller->user.ui_identity_id, "WRONG_STEP_UP_CODE"};
  call->context.account_id = caller->user.resource_owner;
  ActAs(call->context, caller->user);
  if (!record || record->Methods().empty()) {
    return Submit(context, call, username,
                  std::make_unique<commands::DeleteOwnAccount>(nullptr, attempt, std::nullopt, context.now_ms(),
                                                               context.limits));
  }
  const std::string code(call->request.Header("X-Mfa-Code"));
  if (code.empty()) {
    return call->respond(StepUpCodeMissing(call->request.path));
  }
  AdmitAttempt(context, call, username, [&context, call, username, attempt, code, factors](auto ticket) {
    const commands::CheckedCode checked = CheckCode(context, factors->Find(attempt.ui_identity_id), "", code);
    Submit(context, call, username,
           std::make_unique<commands::DeleteOwnAccount>(ticket, attempt, checked, context.now_ms(), context.limits));
  });
}

}  // namespace

void AddAccountDeletionRoutes(Router& router, const UauthContext& context) {
  router.Add("DELETE", "/uauth/users/my-account",
             [&context](std::shared_ptr<ApiCall> call) { DeleteOwnAccount(context, call); });
}

}  // namespace iam::api
