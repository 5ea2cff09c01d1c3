// The caller's own account (seed-003 rules, P-3, P-9, P-11, W-20):
// GET and POST /uauth/users/my-account, and POST /uauth/change-password,
// whose old password is checked with argon2id on the hashing pool under the
// lockout's admission (a wrong one counts); the new one must pass the policy
// and differ from the remembered ones; the other sessions end.
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/json_input.h"
#include "api/uauth/language_tags.h"
#include "api/uauth/person_details.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/lookups.h"
#include "commands/one_time_tokens.h"
#include "commands/own_account_commands.h"
#include "commands/password_hashing.h"
#include "commands/password_policy.h"
#include "commands/workspace_settings_commands.h"
#include "commands/user_access_commands.h"
#include "commands/user_commands.h"
#include "commands/user_validation.h"
#include "events/clock.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {


HttpResponse ChangeRefusal(const UauthContext& context, const ApiCall& call, const std::string& username,
                           const Status& status) {
  if (status.reason() == commands::kSignInLockedOut) return LockedOutResponse(context, call, username);
  if (status.reason() == commands::kWrongOldPassword) {
    return UauthProblem({400, "wrong-password", "PWD-0003", "oldPassword is wrong", call.request.path});
  }
  if (status.reason() == commands::kUserIsLocked) {
    return UauthProblem({423, "account-locked", "PWD-0423", "the account is locked by an administrator", call.request.path});
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
  const projections::UserRecord& user = caller->user;
  auto policy = AdmitNewPassword(context, *call, &user, user.profile.email, *new_password);
  if (!policy) return;
  const std::string username = commands::EmailKey(user.profile.email);
  call->context.account_id = user.resource_owner;
  ActAs(call->context, user);
  AdmitAttempt(context, call, username,
               [&context, call, user, username, session_id = caller->session_id, old_password = *old_password,
                new_password = *new_password, policy = *policy](auto ticket) {
                 const std::string checked = user.password_hashes.empty() ? context.dummy_password_hash
                                                                          : user.password_hashes.back();
                 auto job = [&context, call, user, username, session_id, old_password, new_password, policy,
                             checked, ticket]() {
                   const bool right = commands::VerifyPassword(old_password, checked) && !user.password_hashes.empty();
                   if (right && commands::MatchesAnyPrevious(new_password, user.password_hashes, policy.history_size)) {
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
                                     right, checked, std::move(new_hash), commands::PasswordExpiresAt(policy, now), session_id, now,
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

constexpr int64_t kResetTokenLifetimeMs = 60 * 60 * 1000;  // T-8

// the same answer whether or not the address has an account.
constexpr std::string_view kResetAccepted =
    "If an account exists for this e-mail address, a password reset link has been sent to it.";

// POST /uauth/password-reset/request. The token is made either way and the
// answer does not wait for the write, so it takes as long for an unknown
// address; the mail goes out with the event.
void RequestPasswordReset(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AdmitRate(context, *call, kResetRequestPerIp, call->request.remote_address)) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"email"}); !s.ok()) return call->respond(UauthBadRequest(call->request.path, s.message()));
  auto email = body->RequiredString("email");
  if (!email.ok() || !commands::IsValidEmail(*email)) {
    return call->respond(UauthBadRequest(call->request.path, "member 'email' must be an e-mail address"));
  }
  // Counted whether or not the address has an account.
  if (!AdmitRate(context, *call, kResetRequestPerEmail, commands::EmailKey(*email))) return;
  auto issued = commands::NewHashedToken();
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  if (!issued.ok() || !users) return call->respond(UauthUnavailable(call->request.path, "resets cannot be sent now"));
  const auto users_version = users->Published();
  const auto matches = users_version->AllWithEmail(commands::EmailKey(*email));
  HttpResponse accepted = JsonResponse(200, boost::json::serialize(boost::json::object{{"message", kResetAccepted}}));
  accepted.SetHeader("Cache-Control", "no-store");
  if (matches.size() != 1) return call->respond(std::move(accepted));
  const projections::UserRecord& user = *matches.front();
  const int64_t expires = context.now_ms() + kResetTokenLifetimeMs;
  events::OutboxMail mail{user.profile.email, "Reset your iamd password",
                          "Someone asked to reset the password of this address. To choose a new one, open\n" +
                              context.public_url() + "/reset-password/" + issued->token +
                              "\nThe link works once, for one hour. If it was not you, ignore this mail.\n"};
  call->context.account_id = user.resource_owner;
  call->context.actor = "anonymous";
  auto answered = std::make_shared<ApiCall>(*call);
  answered->respond = [](HttpResponse) {};  // the answer below does not wait for the write
  SubmitCommand(context.processor, answered,
                std::make_unique<commands::IssuePasswordReset>(
                    events::MailedTokenIssued{user.ui_identity_id, NewUuid(), issued->hash, expires}, std::move(mail)),
                [](const ApiCall&, const Status&) {}, [](const std::shared_ptr<ApiCall>&, const commands::CommandOutcome&) {});
  call->respond(std::move(accepted));
}

// POST /uauth/password-reset/confirmation.
void ConfirmPasswordReset(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AdmitRate(context, *call, kResetConfirmationPerIp, call->request.remote_address)) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"token", "newPassword"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto token = body->RequiredString("token");
  auto password = body->RequiredString("newPassword");
  if (!token.ok() || !password.ok()) {
    return call->respond(UauthBadRequest(call->request.path, (!token.ok() ? token.status() : password.status()).message()));
  }
  auto hash = commands::TokenHash(*token);
  auto resets = context.runner.LiveAs<projections::PasswordResetsReadModel>(projections::kPasswordResetsProjection);
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  if (!hash.ok() || !resets || !users) return call->respond(UauthUnavailable(call->request.path, "resets cannot be checked now"));
  const auto resets_version = resets->Published();
  const projections::MailedTokenRecord* record = resets_version->FindByHash(*hash);
  const auto users_version = users->Published();
  const projections::UserRecord* user = record ? users_version->FindUser(record->ui_identity_id) : nullptr;
  if (!user) return call->respond(MailedTokenRefusal(call->request.path, Status::NotFound("").WithReason(commands::kTokenUnknown)));
  auto policy = AdmitNewPassword(context, *call, user, user->profile.email, *password);
  if (!policy) return;
  call->context.account_id = user->resource_owner;
  ActAs(call->context, *user);
  auto job = [&context, call, history = user->password_hashes, password = *password, token_hash = *hash,
              policy = *policy]() {
    if (commands::MatchesAnyPrevious(password, history, policy.history_size)) {
      return call->respond(UauthProblem({400, "password-reused", "PWD-0002", "newPassword must differ from the recent ones",
                                         call->request.path}));
    }
    auto new_hash = commands::HashPassword(password);
    if (!new_hash.ok()) return call->respond(UauthUnavailable(call->request.path, "the password could not be hashed"));
    const int64_t now = context.now_ms();
    SubmitCommand(context.processor, call,
                  std::make_unique<commands::ConfirmPasswordReset>(token_hash, std::move(*new_hash),
                                                                   commands::PasswordExpiresAt(policy, now), now),
                  [](const ApiCall& call, const Status& status) { call.respond(MailedTokenRefusal(call.request.path, status)); },
                  [](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome&) {
                    call->respond(NoContent());  // pre-login: no X-Iam-* (A-3)
                  });
  };
  if (!context.hashing.Post(std::move(job))) {
    call->respond(UauthUnavailable(call->request.path, "too many password changes at once; retry shortly"));
  }
}

// MyAccount (openapi.yaml) of the user as the read models have it now.
void RespondWithAccount(const UauthContext& context, const std::shared_ptr<ApiCall>& call,
                        const std::string& ui_identity_id, const commands::CommandOutcome* outcome) {
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  auto sessions = context.runner.LiveAs<projections::SessionsReadModel>(projections::kSessionsProjection);
  auto mfa = context.runner.LiveAs<projections::MfaReadModel>(projections::kMfaProjection);
  auto domains = context.runner.LiveAs<projections::ManagedDomainsReadModel>(projections::kManagedDomainsProjection);
  if (!users || !sessions || !mfa || !domains) {
    return call->respond(UauthUnavailable(call->request.path, "the account cannot be read now"));
  }
  auto user_version = users->Published();
  const projections::UserRecord* user = user_version->FindUser(ui_identity_id);
  if (!user) return call->respond(UauthUnauthorized(call->request.path, "the account has been removed"));
  const auto mfa_version = mfa->Published();
  const projections::MfaRecord* factors = mfa_version->Find(ui_identity_id);
  boost::json::array methods;
  if (factors) {
    for (const std::string& method : factors->Methods()) methods.emplace_back(method);
  }
  const auto sessions_version = sessions->Published();
  const projections::SignInCounter* counter = sessions_version->FindCounter(commands::EmailKey(user->profile.email));
  const bool has_password = !user->password_hashes.empty();
  // W-13 (a): the workspace whose VERIFIED domain holds the address manages the person.
  boost::json::value managed_by = nullptr;
  const auto domains_version = domains->Published();
  if (const auto owner = domains_version->VerifiedOwnerOfEmail(user->profile.email)) {
    const std::string key = commands::EmailKey(user->profile.email);
    managed_by = boost::json::object{{"workspaceGuid", WorkspaceGuid(*owner)}, {"domain", key.substr(key.rfind('@') + 1)}};
  }
  boost::json::object body{{"id", user->user_number},
                           {"email", user->profile.email},
                           {"firstName", user->profile.first_name},
                           {"lastName", user->profile.last_name},
                           {"language", LanguageTagOf(user->profile.preferred_language)},
                           {"timezone", user->profile.time_zone.empty() ? boost::json::value(nullptr)
                                                                        : boost::json::value(user->profile.time_zone)},
                           {"identityProvider", "LOCAL"},
                           {"mfaEnabled", !methods.empty()},
                           {"mfaMethods", std::move(methods)},
                           {"managedBy", std::move(managed_by)},
                           {"createdAt", FormatTimestampMillis(user->created_ms)},
                           {"lastLoginAt", JsonTimeOrNull(counter ? counter->last_success_ms : 0)},
                           // The log knows when; the read model keeps only the expiry it set.
                           {"passwordChangedAt", nullptr},
                           {"passwordExpiresAt", JsonTimeOrNull(has_password ? user->password_expires_ms : 0)}};
  HttpResponse response = JsonResponse(200, boost::json::serialize(body));
  response.SetHeader("ETag", ETagOf(user->version));
  if (outcome) AddEventDetails(response, *outcome);
  call->respond(std::move(response));
}

void GetAccount(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (caller) RespondWithAccount(context, call, caller->user.ui_identity_id, nullptr);
}

// names, language and time zone; the e-mail address is not changed here.
void UpdateAccount(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"firstName", "lastName", "language", "timezone"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  events::UserProfile profile = caller->user.profile;
  bool any = false;
  if (auto refused = ReadPersonDetails(*body, call->request.path, profile, &any)) return call->respond(std::move(*refused));
  if (!any) return call->respond(UauthBadRequest(call->request.path, "name at least one member to change"));
  call->context.account_id = caller->user.resource_owner;
  ActAs(call->context, caller->user);
  const std::string id = caller->user.ui_identity_id;
  SubmitCommand(context.processor, call, std::make_unique<commands::UpdateOwnProfile>(id, std::move(profile)),
                [](const ApiCall& call, const Status& status) {
                  if (status.code() == StatusCode::kVersionMismatch) {
                    return call.respond(
                        UauthProblem({412, "precondition-failed", "GEN-0412", status.message(), call.request.path}));
                  }
                  if (status.code() == StatusCode::kNotFound) {
                    return call.respond(UauthUnauthorized(call.request.path, status.message()));
                  }
                  call.respond(UauthUnavailable(call.request.path, status.message()));
                },
                [&context, id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  RespondWithAccount(context, call, id, &outcome);
                });
}

}  // namespace

void AddOwnAccountRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/change-password", [&context](std::shared_ptr<ApiCall> call) { ChangePassword(context, call); });
  router.Add("GET", "/uauth/users/my-account", [&context](std::shared_ptr<ApiCall> call) { GetAccount(context, call); });
  router.Add("POST", "/uauth/users/my-account", [&context](std::shared_ptr<ApiCall> call) { UpdateAccount(context, call); });
  router.Add("POST", "/uauth/password-reset/request",
             [&context](std::shared_ptr<ApiCall> call) { RequestPasswordReset(context, call); });
  router.Add("POST", "/uauth/password-reset/confirmation",
             [&context](std::shared_ptr<ApiCall> call) { ConfirmPasswordReset(context, call); });
}

}  // namespace iam::api
