// Self-registration (seed-003 rules, T-1 … T-9, CC-2):
//   POST /uauth/user/register                      register (#67)
//   POST /uauth/user/register/resend-confirmation  resend the confirmation (#68)
//   GET  /uauth/user/confirmation/{token}          confirm the address (#66)
//
// Registration and resending answer the same whether or not the address has
// a person: registration always runs one argon2id and one write, and
// only the mail differs; resending always answers before it writes. None of
// these answers carries X-Iam-* or ETag.
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/redacted_path.h"
#include "api/uauth/membership_problem.h"
#include "api/uauth/person_details.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/invitation_commands.h"
#include "commands/lookups.h"
#include "commands/workspace_password_policy.h"
#include "commands/one_time_tokens.h"
#include "commands/password_hashing.h"
#include "commands/password_policy.h"
#include "commands/registration_commands.h"
#include "commands/workspace_settings_commands.h"
#include "commands/user_commands.h"
#include "commands/user_validation.h"
#include "events/clock.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;
constexpr int64_t kConfirmationLifetimeMs = kDayMs;  // T-8

constexpr std::string_view kRegistrationAccepted = "Check your mailbox to confirm your e-mail address.";
constexpr std::string_view kResendAccepted =
    "If an unconfirmed account exists for this e-mail address, a new confirmation link has been sent to it.";
constexpr std::string_view kInvitationNotice =
    "This address already has an account: sign in, or reset your password, to accept the invitation.";
constexpr std::string_view kConfirmationPath = "/uauth/user/confirmation/";

HttpResponse Accepted(int status, std::string_view message) {
  HttpResponse response = JsonResponse(status, boost::json::serialize(boost::json::object{{"message", message}}));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

using commands::IsOpaqueToken;

events::OutboxMail ConfirmationMail(const UauthContext& context, const std::string& to, const std::string& token) {
  return {to, "Confirm your iamd account",
          "To confirm this address for your new iamd account, open\n" + context.public_url() +
              std::string(kConfirmationPath) + token +
              "\nThe link works for 24 hours. If you did not register, ignore this mail.\n"};
}

HttpResponse InvitationEmailDiffers(std::string_view instance) {
  return UauthProblem({400, "invitation-email-differs", "ACC-0002",
                       "the invitation is for another e-mail address", std::string(instance)});
}

events::OutboxMail NoticeMail(const UauthContext& context) {
  return {"", "Your iamd account",
          "Someone tried to register a new iamd account with this address, which already has one.\n"
          "Sign in at " + context.public_url() + " or reset your password there. If it was not you, ignore this mail.\n"};
}

// a registration with an invitation token. The inviting workspace's
// policy applies to the password.
void RegisterInvited(const UauthContext& context, const std::shared_ptr<ApiCall>& call, events::UserProfile profile,
                     std::string password, const std::string& token) {
  const std::string& path = call->request.path;
  auto hash = commands::TokenHash(token);
  auto invitations = context.runner.LiveAs<projections::InvitationsReadModel>(projections::kInvitationsProjection);
  auto settings = context.runner.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  if (!hash.ok() || !invitations || !settings) return call->respond(UauthUnavailable(path, "invitations cannot be read now"));
  const auto invitations_version = invitations->Published();  // `invitation` points into it
  auto invitation = commands::FindLiveInvitation(*invitations_version, *hash, context.now_ms());
  if (!invitation.ok()) return call->respond(MembershipProblem(path, invitation.status()));
  if ((*invitation)->email != commands::EmailKey(profile.email)) {
    return call->respond(InvitationEmailDiffers(path));
  }
  const std::string account_id = (*invitation)->account_id;
  const auto settings_version = settings->Published();
  const events::WorkspacePasswordPolicy policy = settings_version->Of(account_id).password_policy;
  if (auto s = commands::CheckPassword(password, policy, profile.email); !s.ok()) {
    return call->respond(UauthProblem({400, "password-policy", "PWD-0001", s.message(), path}));
  }
  call->context.actor = "anonymous";
  auto job = [&context, call, profile = std::move(profile), password = std::move(password), token_hash = *hash, policy,
              account_id]() mutable {
    auto hashed = commands::HashPassword(password);
    if (!hashed.ok()) return call->respond(UauthUnavailable(call->request.path, "the password could not be hashed"));
    const int64_t now = context.now_ms();
    commands::NewRegistration registration{commands::NewUiIdentityId(), profile, std::move(*hashed),
                                           commands::PasswordExpiresAt(policy, now), {}};
    const std::string ui_identity_id = registration.ui_identity_id;
    SubmitCommand(
        context.processor, call,
        std::make_unique<commands::RegisterWithInvitation>(std::move(registration), token_hash, now,
                                                           NoticeMail(context)),
        [](const ApiCall& call, const Status& status) {
          if (status.reason() == commands::kInvitationEmailDiffers) return call.respond(InvitationEmailDiffers(call.request.path));
          call.respond(MembershipProblem(call.request.path, status));
        },
        [&context, ui_identity_id, account_id, email = profile.email](const std::shared_ptr<ApiCall>& call,
                                                                     const commands::CommandOutcome& outcome) {
          if (outcome.created_id == 0) return call->respond(Accepted(202, kInvitationNotice));
          auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
          const auto users_version = users ? users->Published() : nullptr;
          const projections::UserRecord* user = users_version ? users_version->FindUser(ui_identity_id) : nullptr;
          if (!user) return call->respond(UauthUnavailable(call->request.path, "the account cannot be read now"));
          HttpResponse response = JsonResponse(
              201, boost::json::serialize(boost::json::object{{"userId", user->user_number},
                                                              {"email", user->profile.email},
                                                              {"status", "ACTIVE"},
                                                              {"workspaceGuid", WorkspaceGuid(account_id)}}));
          AddEventDetails(response, outcome);
          call->respond(std::move(response));
        });
  };
  if (!context.hashing.Post(std::move(job))) {
    call->respond(UauthUnavailable(call->request.path, "too many password checks at once; retry shortly"));
  }
}

// POST /uauth/user/register (#67).
void Register(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AdmitRate(context, *call, kRegisterPerIp, call->request.remote_address)) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"email", "password", "firstName", "lastName", "language", "timezone", "invitationToken"});
      !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto email = EmailMember(*body, "email");
  if (!email.ok()) return call->respond(UauthBadRequest(call->request.path, email.status().message()));
  if (!AdmitRate(context, *call, kRegisterPerEmail, commands::EmailKey(*email))) return;
  auto password = body->RequiredString("password");
  if (!password.ok() || password->empty() || commands::CodePoints(*password) > 256) {
    return call->respond(UauthBadRequest(call->request.path, "member 'password' must be 1 to 256 characters"));
  }
  for (const char* name : {"firstName", "lastName"}) {
    if (!body->Has(name)) {
      return call->respond(UauthBadRequest(call->request.path, std::string("member '") + name + "' is required"));
    }
  }
  events::UserProfile profile;
  profile.email = *email;
  if (auto refused = ReadPersonDetails(*body, call->request.path, profile, nullptr)) {
    return call->respond(std::move(*refused));
  }
  if (body->Has("invitationToken")) {
    auto token = body->RequiredString("invitationToken");
    if (!token.ok() || !IsOpaqueToken(*token)) {
      return call->respond(UauthBadRequest(call->request.path, "member 'invitationToken' must be 43 base64url characters"));
    }
    return RegisterInvited(context, call, std::move(profile), std::move(*password), *token);
  }
  if (!context.open_registration) {
    return call->respond(UauthProblem({403, "registration-closed", "ACC-0001",
                                       "registration needs an invitation on this server", call->request.path}));
  }
  // P-7: open registration takes the default policy.
  auto policy = AdmitNewPassword(context, *call, nullptr, *email, *password);
  if (!policy) return;
  auto token = commands::NewHashedToken();
  if (!token.ok()) return call->respond(UauthUnavailable(call->request.path, "registrations cannot be taken now"));
  call->context.actor = "anonymous";
  auto job = [&context, call, profile = std::move(profile), password = std::move(*password), token = std::move(*token),
              policy = *policy]() mutable {
    auto hash = commands::HashPassword(password);
    if (!hash.ok()) return call->respond(UauthUnavailable(call->request.path, "the password could not be hashed"));
    const int64_t now = context.now_ms();
    commands::NewRegistration registration{commands::NewUiIdentityId(), profile, std::move(*hash),
                                           commands::PasswordExpiresAt(policy, now), {}};
    registration.confirmation = {registration.ui_identity_id, NewUuid(), token.hash, now + kConfirmationLifetimeMs};
    events::OutboxMail mail = ConfirmationMail(context, profile.email, token.token);
    SubmitCommand(
        context.processor, call,
        std::make_unique<commands::RegisterUser>(std::move(registration), std::move(mail), NoticeMail(context)),
        [](const ApiCall& call, const Status& status) { call.respond(UauthUnavailable(call.request.path, status.message())); },
        [](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome&) {
          call->respond(Accepted(202, kRegistrationAccepted));
        });
  };
  if (!context.hashing.Post(std::move(job))) {
    call->respond(UauthUnavailable(call->request.path, "too many password checks at once; retry shortly"));
  }
}

// POST /uauth/user/register/resend-confirmation (#68). Answers before the
// write, so an address with an unconfirmed person takes no longer.
void ResendConfirmation(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AdmitRate(context, *call, kResendPerIp, call->request.remote_address)) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"email"}); !s.ok()) return call->respond(UauthBadRequest(call->request.path, s.message()));
  auto email = EmailMember(*body, "email");
  if (!email.ok()) return call->respond(UauthBadRequest(call->request.path, email.status().message()));
  if (!AdmitRate(context, *call, kResendPerEmail, commands::EmailKey(*email))) return;
  auto token = commands::NewHashedToken();
  if (!token.ok()) return call->respond(UauthUnavailable(call->request.path, "confirmations cannot be sent now"));
  call->context.actor = "anonymous";
  auto in_background = std::make_shared<ApiCall>(*call);
  in_background->respond = [](HttpResponse) {};
  SubmitCommand(context.processor, in_background,
                std::make_unique<commands::ResendConfirmation>(
                    *email, events::MailedTokenIssued{"", NewUuid(), token->hash, context.now_ms() + kConfirmationLifetimeMs},
                    ConfirmationMail(context, "", token->token)),
                [](const ApiCall&, const Status&) {}, [](const std::shared_ptr<ApiCall>&, const commands::CommandOutcome&) {});
  call->respond(Accepted(200, kResendAccepted));
}

// GET /uauth/user/confirmation/{token} (#66). Safe to repeat (T-7, TO-10).
void ConfirmRegistration(const UauthContext& context, const std::shared_ptr<ApiCall>& call, const std::string& token) {
  if (!AdmitRate(context, *call, kConfirmPerIp, call->request.remote_address)) return;
  const std::string instance = RedactedPath(call->request.path);
  if (!IsOpaqueToken(token)) return call->respond(UauthBadRequest(instance, "the link is malformed"));
  auto hash = commands::TokenHash(token);
  auto confirmations = context.runner.LiveAs<projections::ConfirmationsReadModel>(projections::kConfirmationsProjection);
  if (!hash.ok() || !confirmations) return call->respond(UauthUnavailable(instance, "confirmations cannot be checked now"));
  const auto confirmations_version = confirmations->Published();
  const projections::MailedTokenRecord* record = confirmations_version->FindByHash(*hash);
  const std::string person = record ? record->ui_identity_id : std::string();
  call->context.actor = "anonymous";
  auto answer = [&context, person](const std::shared_ptr<ApiCall>& call, std::string_view status,
                                   int64_t accepted_invitations) {
    auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
    const auto users_version = users ? users->Published() : nullptr;
    const projections::UserRecord* user = users_version ? users_version->FindUser(person) : nullptr;
    if (!user) {
      return call->respond(
          MailedTokenRefusal(RedactedPath(call->request.path), Status::NotFound("").WithReason(commands::kTokenUnknown)));
    }
    call->respond(NoStoreJson(boost::json::serialize(
        boost::json::object{{"email", user->profile.email}, {"status", status}, {"acceptedInvitations", accepted_invitations}})));
  };
  SubmitCommand(context.processor, call, std::make_unique<commands::ConfirmRegistration>(*hash, context.now_ms()),
                [answer](const ApiCall& refused, const Status& status) {
                  auto call = std::make_shared<ApiCall>(refused);
                  if (status.reason() == commands::kAlreadyConfirmed) return answer(call, "ALREADY_CONFIRMED", 0);
                  call->respond(MailedTokenRefusal(RedactedPath(call->request.path), status));
                },
                [answer](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  answer(call, "CONFIRMED", outcome.created_id > 0 ? outcome.created_id - 1 : 0);
                });
}

}  // namespace

void AddRegistrationRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/user/register", [&context](std::shared_ptr<ApiCall> call) { Register(context, call); });
  router.Add("POST", "/uauth/user/register/resend-confirmation",
             [&context](std::shared_ptr<ApiCall> call) { ResendConfirmation(context, call); });
  router.Add("GET", "/uauth/user/confirmation/{token}", [&context](std::shared_ptr<ApiCall> call) {
    ConfirmRegistration(context, call, std::string(call->path.Get("token")));
  });
}

}  // namespace iam::api
