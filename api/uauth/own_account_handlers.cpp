// The caller's own account (seed-003 rules A-5, P-3, P-9, P-11):
// POST /uauth/change-password. The old password is checked with argon2id on
// the hashing pool under the lockout's admission (a wrong one counts); the
// new one must pass the policy and differ from the remembered ones; the
// other sessions end.
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "commands/lookups.h"
#include "commands/own_account_commands.h"
#include "commands/password_hashing.h"
#include "commands/password_policy.h"
#include "commands/user_access_commands.h"
#include "commands/user_validation.h"
#include "events/clock.h"

namespace iam::api {
namespace {

constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;

HttpResponse ChangeRefusal(const UauthContext& context, const ApiCall& call, const std::string& username,
                           const Status& status) {
  if (status.reason() == commands::kSignInLockedOut) return LockedOutResponse(context, call, username);
  if (status.reason() == commands::kWrongOldPassword) {
    return UauthProblem({400, "wrong-password", "PWD-0003", "oldPassword is wrong", call.request.path});
  }
  if (status.reason() == commands::kPasswordChangedMeanwhile) {
    return UauthProblem({409, "conflict", "GEN-0409", status.message(), call.request.path});
  }
  return UauthUnavailable(call.request.path, status.message());
}

void ChangePassword(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"oldPassword", "newPassword"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto old_password = body->RequiredString("oldPassword");
  auto new_password = body->RequiredString("newPassword");
  if (!old_password.ok() || !new_password.ok()) {
    return call->respond(
        UauthBadRequest(call->request.path, (!old_password.ok() ? old_password.status() : new_password.status()).message()));
  }
  const commands::PasswordPolicy& policy = commands::Lookups::Get().password_policy();
  if (auto s = commands::CheckPasswordPolicy(*new_password, policy); !s.ok()) {
    return call->respond(UauthProblem({400, "password-policy", "PWD-0001", s.message(), call->request.path}));
  }
  const projections::UserRecord& user = caller->user;
  const std::string username = commands::EmailKey(user.profile.email);
  call->context.account_id = user.account_id;
  call->context.actor = user.ui_user_name;
  AdmitAttempt(context, call, username,
               [&context, call, user, username, session_id = caller->session_id, old_password = *old_password,
                new_password = *new_password, min_reuse = policy.min_reuse,
                rotate_days = policy.rotate_frequency_days](auto ticket) {
                 const std::string checked = user.password_hashes.empty() ? context.dummy_password_hash
                                                                          : user.password_hashes.back();
                 auto job = [&context, call, user, username, session_id, old_password, new_password, min_reuse,
                             rotate_days, checked, ticket]() {
                   const bool right = commands::VerifyPassword(old_password, checked) && !user.password_hashes.empty();
                   if (right && commands::MatchesAnyPrevious(new_password, user.password_hashes, min_reuse)) {
                     ticket->Release();
                     return call->respond(UauthProblem({400, "password-reused", "PWD-0002",
                                                        "newPassword must differ from the recent ones",
                                                        call->request.path}));
                   }
                   std::string new_hash;
                   if (right) {
                     auto hash = commands::HashPassword(new_password);
                     if (!hash.ok()) {
                       ticket->Release();
                       return call->respond(UauthUnavailable(call->request.path, "the password could not be hashed"));
                     }
                     new_hash = std::move(*hash);
                   }
                   const int64_t now = context.now_ms();
                   SubmitCommand(context.processor, call,
                                 std::make_unique<commands::ChangeOwnPassword>(
                                     ticket, events::SignInAttempt{username, user.ui_identity_id, "WRONG_OLD_PASSWORD"},
                                     right, checked, std::move(new_hash), now + rotate_days * kDayMs, session_id, now,
                                     context.limits),
                                 [&context, username](const ApiCall& call, const Status& status) {
                                   call.respond(ChangeRefusal(context, call, username, status));
                                 },
                                 [&context, username](const std::shared_ptr<ApiCall>& call,
                                                      const commands::CommandOutcome& outcome) {
                                   if (!outcome.refusal.ok()) {
                                     return call->respond(ChangeRefusal(context, *call, username, outcome.refusal));
                                   }
                                   RespondNoContent(call, outcome);
                                 });
                 };
                 if (!context.hashing.Post(std::move(job))) {
                   ticket->Release();
                   call->respond(UauthUnavailable(call->request.path, "too many password checks at once; retry shortly"));
                 }
               });
}

}  // namespace

void AddOwnAccountRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/change-password", [&context](std::shared_ptr<ApiCall> call) { ChangePassword(context, call); });
}

}  // namespace iam::api
