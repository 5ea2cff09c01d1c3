// Invitations of the workspace surface (seed-003 rules V-1 … V-13):
//   POST   /uauth/users/invitations/invite            (#35)
//   POST   /uauth/users/invitations/invite-bulk       (#36)
//   DELETE /uauth/users/invitations/{invitationIds}   (#37)
//   POST   /uauth/users/invitations/{invitationId}    (#38)
//   GET    /uauth/user/register/invitation/{token}    (#34, public)
//   POST   /uauth/user/register/invitation/{token}/reject (Additions 7, public)
#include <boost/json.hpp>
#include <variant>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/json_input.h"
#include "api/redacted_path.h"
#include "api/uauth/id_lists.h"
#include "api/uauth/membership_problem.h"
#include "api/uauth/person_details.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/invitation_commands.h"
#include "commands/one_time_tokens.h"
#include "commands/user_validation.h"
#include "commands/workspace_password_policy.h"
#include "commands/workspace_roles.h"
#include "events/clock.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

constexpr std::string_view kInvitationLinkPath = "/uauth/user/register/invitation/";

// The workspace's name for mails, or its account id while the accounts cannot be read.
std::string WorkspaceName(const UauthContext& context, const std::string& account_id) {
  auto accounts = context.runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  const auto accounts_version = accounts ? accounts->Published() : nullptr;
  const projections::AccountRecord* account = accounts_version ? accounts_version->FindAccount(account_id) : nullptr;
  return account ? account->account_name : account_id;
}

events::OutboxMail InvitationMail(const UauthContext& context, const std::string& to, const std::string& workspace,
                                  const std::string& token) {
  return {to, "You are invited to " + workspace + " on iamd",
          "You are invited to join the workspace " + workspace + ". To accept, open\n" + context.public_url() +
              std::string(kInvitationLinkPath) + token +
              "\nThe link works for 7 days. If you did not expect this, ignore this mail.\n"};
}

events::OutboxMail AddedMail(const UauthContext& context, const std::string& workspace) {
  return {"", "You were added to " + workspace + " on iamd",
          "You are now a member of the workspace " + workspace + ". Sign in at " + context.public_url() +
              " to open it.\n"};
}

// One InviteUserRequest; the answer when it is malformed.
std::variant<commands::InvitationRequest, HttpResponse> ReadInvitation(const UauthContext& context,
                                                                       const ApiCall& call,
                                                                       const JsonObjectReader& item,
                                                                       const std::string& workspace) {
  const std::string& path = call.request.path;
  if (auto s = item.OnlyMembers({"email", "firstName", "lastName", "roleId", "accessExpiresAt"}); !s.ok()) {
    return UauthBadRequest(path, s.message());
  }
  auto email = EmailMember(item, "email");
  if (!email.ok()) return UauthBadRequest(path, email.status().message());
  for (const char* name : {"firstName", "lastName"}) {
    if (!item.Has(name)) return UauthBadRequest(path, std::string("member '") + name + "' is required");
  }
  events::UserProfile names;
  if (auto refused = ReadPersonDetails(item, path, names, nullptr)) return std::move(*refused);
  auto role = item.RequiredInteger("roleId", 1);
  if (!role.ok()) return UauthBadRequest(path, role.status().message());
  auto expiry = item.NullableInstant("accessExpiresAt");
  if (!expiry.ok()) return UauthBadRequest(path, expiry.status().message());
  auto token = commands::NewHashedToken();
  if (!token.ok()) return UauthUnavailable(path, "no invitation token could be made");
  commands::InvitationRequest request;
  request.email = commands::EmailKey(*email);
  request.first_name = names.first_name;
  request.last_name = names.last_name;
  request.role_id = *role;
  request.access_expires_ms = *expiry;
  request.token_id = NewUuid();
  request.token_hash = token->hash;
  request.invitation_mail = InvitationMail(context, request.email, workspace, token->token);
  request.added_mail = AddedMail(context, workspace);
  return request;
}

// The userId of a person added at once, read once the events are applied.
boost::json::value UserIdOf(const UauthContext& context, const std::string& ui_identity_id) {
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  const auto users_version = users ? users->Published() : nullptr;
  const projections::UserRecord* user = users_version ? users_version->FindUser(ui_identity_id) : nullptr;
  return user ? boost::json::value(user->user_number) : boost::json::value(nullptr);
}

boost::json::object ResultJson(const UauthContext& context, const commands::InvitationRequest& request,
                               const commands::InvitationOutcome& outcome) {
  return boost::json::object{
      {"outcome", outcome.added ? "ADDED" : "INVITED"},
      {"invitationId", outcome.added ? boost::json::value(nullptr) : boost::json::value(outcome.invitation_id)},
      {"userId", outcome.added ? UserIdOf(context, outcome.ui_identity_id) : boost::json::value(nullptr)},
      {"email", request.email},
      {"status", outcome.added ? "ACTIVE" : "PENDING"},
      {"invitationExpiresAt", JsonTimeOrNull(outcome.added ? 0 : outcome.token_expires_ms)}};
}

void Invite(const UauthContext& context, const std::shared_ptr<ApiCall>& call, bool bulk) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:create");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(path, body.status().message()));
  const std::string workspace = WorkspaceName(context, call->context.account_id);
  std::vector<commands::InvitationRequest> requests;
  if (bulk) {
    if (auto s = body->OnlyMembers({"invitations"}); !s.ok()) return call->respond(UauthBadRequest(path, s.message()));
    auto items = body->RequiredObjects("invitations");
    if (!items.ok()) return call->respond(UauthBadRequest(path, items.status().message()));
    if (items->empty() || items->size() > 100) {
      return call->respond(UauthBadRequest(path, "member 'invitations' must hold 1 to 100 invitations"));
    }
    for (const JsonObjectReader& item : *items) {
      auto request = ReadInvitation(context, *call, item, workspace);
      if (auto* refused = std::get_if<HttpResponse>(&request)) return call->respond(std::move(*refused));
      requests.push_back(std::move(std::get<commands::InvitationRequest>(request)));
    }
  } else {
    auto request = ReadInvitation(context, *call, *body, workspace);
    if (auto* refused = std::get_if<HttpResponse>(&request)) return call->respond(std::move(*refused));
    requests.push_back(std::move(std::get<commands::InvitationRequest>(request)));
  }
  auto outcomes = std::make_shared<std::vector<commands::InvitationOutcome>>();
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::InviteToWorkspace>(requests, caller->user.ui_identity_id, bulk, context.now_ms(),
                                                    outcomes),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [&context, requests, outcomes, bulk](const std::shared_ptr<ApiCall>& call,
                                           const commands::CommandOutcome& outcome) {
        if (!bulk) {
          const commands::InvitationOutcome& result = outcomes->front();
          HttpResponse response = JsonResponse(201, boost::json::serialize(ResultJson(context, requests.front(), result)));
          const boost::json::value user_id = result.added ? UserIdOf(context, result.ui_identity_id) : nullptr;
          response.SetHeader("Location", result.added && user_id.is_int64()
                                             ? "/uauth/users/" + std::to_string(user_id.as_int64())
                                             : "/uauth/users/invitations/" + std::to_string(result.invitation_id));
          AddEventDetails(response, outcome);
          return call->respond(std::move(response));
        }
        boost::json::array results;
        for (size_t i = 0; i < requests.size(); ++i) {
          const commands::InvitationOutcome& result = (*outcomes)[i];
          boost::json::object item;
          item["index"] = static_cast<int64_t>(i);
          item["email"] = requests[i].email;
          if (result.refusal.ok()) {
            boost::json::object row = ResultJson(context, requests[i], result);
            item["outcome"] = row["outcome"];
            item["invitationId"] = row["invitationId"];
            item["userId"] = row["userId"];
          } else {
            item["outcome"] = "FAILED";
            item["invitationId"] = nullptr;
            item["userId"] = nullptr;
            HttpResponse problem = MembershipProblem(call->request.path, result.refusal);
            boost::json::object error = boost::json::parse(problem.body).as_object();
            error.erase("instance");
            item["error"] = std::move(error);
          }
          results.push_back(std::move(item));
        }
        HttpResponse response =
            JsonResponse(200, boost::json::serialize(boost::json::object{{"results", std::move(results)}}));
        if (outcome.sequence != 0) AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

void DeleteInvitations(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:delete");
  if (!caller) return;
  auto ids = ParseIdList(call->path.Get("invitationIds"));
  if (!ids.ok()) return call->respond(UauthBadRequest(call->request.path, ids.status().message()));
  SubmitCommand(
      context.processor, call, std::make_unique<commands::DeleteInvitations>(std::move(*ids)),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        HttpResponse response = NoContent();
        AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

boost::json::object InvitationJson(const UauthContext& context, const projections::InvitationRecord& invitation) {
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  const auto users_version = users ? users->Published() : nullptr;
  const projections::UserRecord* inviter = users_version ? users_version->FindUser(invitation.invited_by) : nullptr;
  return boost::json::object{{"invitationId", invitation.invitation_id},
                             {"email", invitation.email},
                             {"firstName", invitation.first_name},
                             {"lastName", invitation.last_name},
                             {"roleId", invitation.role_id},
                             {"roleName", RoleNameNow(context, invitation.account_id, invitation.role_id)},
                             {"status", invitation.StatusAt(context.now_ms())},
                             {"accessExpiresAt", JsonTimeOrNull(invitation.access_expires_ms)},
                             {"invitationExpiresAt", FormatTimestampMillis(invitation.token_expires_ms)},
                             {"invitedBy", inviter ? inviter->user_number : int64_t{1}},
                             {"createdAt", FormatTimestampMillis(invitation.created_ms)},
                             {"lastSentAt", FormatTimestampMillis(invitation.last_sent_ms)},
                             {"sendCount", invitation.send_count}};
}

void UpdateInvitation(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:update");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto ids = ParseIdList(call->path.Get("invitationId"));
  if (!ids.ok() || ids->size() != 1) return call->respond(UauthBadRequest(path, "invitationId must be one positive integer"));
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(path, body.status().message()));
  if (auto s = body->OnlyMembers({"firstName", "lastName", "roleId", "accessExpiresAt", "resend"}); !s.ok()) {
    return call->respond(UauthBadRequest(path, s.message()));
  }
  commands::InvitationChange change;
  events::UserProfile names;
  bool any_name = false;
  if (auto refused = ReadPersonDetails(*body, path, names, &any_name)) return call->respond(std::move(*refused));
  if (body->Has("firstName")) change.first_name = names.first_name;
  if (body->Has("lastName")) change.last_name = names.last_name;
  if (body->Has("roleId")) {
    auto role = body->RequiredInteger("roleId", 1);
    if (!role.ok()) return call->respond(UauthBadRequest(path, role.status().message()));
    change.role_id = *role;
  }
  if (body->Has("accessExpiresAt")) {
    auto expiry = body->NullableInstant("accessExpiresAt");
    if (!expiry.ok()) return call->respond(UauthBadRequest(path, expiry.status().message()));
    change.access_expires_ms = *expiry;
  }
  if (body->Has("resend")) {
    auto resend = body->RequiredBool("resend");
    if (!resend.ok()) return call->respond(UauthBadRequest(path, resend.status().message()));
    change.resend = *resend;
  }
  if (!change.first_name && !change.last_name && !change.role_id && !change.access_expires_ms && !body->Has("resend")) {
    return call->respond(UauthBadRequest(path, "name at least one member to change"));
  }
  if (change.resend) {
    auto token = commands::NewHashedToken();
    if (!token.ok()) return call->respond(UauthUnavailable(path, "no invitation token could be made"));
    change.token_id = NewUuid();
    change.token_hash = token->hash;
    change.mail = InvitationMail(context, "", WorkspaceName(context, call->context.account_id), token->token);
  }
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::UpdateInvitation>(ids->front(), std::move(change), caller->user.ui_identity_id,
                                                   context.now_ms()),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [&context, id = ids->front()](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        auto invitations = context.runner.LiveAs<projections::InvitationsReadModel>(projections::kInvitationsProjection);
        const auto invitations_version = invitations ? invitations->Published() : nullptr;
        const projections::InvitationRecord* invitation = invitations_version ? invitations_version->Find(id) : nullptr;
        if (!invitation) return call->respond(UauthUnavailable(call->request.path, "the invitation cannot be read now"));
        HttpResponse response = JsonResponse(200, boost::json::serialize(InvitationJson(context, *invitation)));
        response.SetHeader("ETag", ETagOf(invitation->version));
        if (outcome.sequence != 0) AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

// #34: who is invited where, and the policy to meet; the token is not consumed (V-8, T-5).
void LookUpInvitation(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AdmitRate(context, *call, kInvitationLookupPerIp, call->request.remote_address)) return;
  const std::string instance = RedactedPath(call->request.path);
  const std::string token(call->path.Get("token"));
  if (!commands::IsOpaqueToken(token)) return call->respond(UauthBadRequest(instance, "the link is malformed"));
  auto hash = commands::TokenHash(token);
  auto invitations = context.runner.LiveAs<projections::InvitationsReadModel>(projections::kInvitationsProjection);
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  auto settings = context.runner.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  if (!hash.ok() || !invitations || !users || !settings) {
    return call->respond(UauthUnavailable(instance, "invitations cannot be read now"));
  }
  const auto invitations_version = invitations->Published();  // `found` points into it
  auto found = commands::FindLiveInvitation(*invitations_version, *hash, context.now_ms());
  if (!found.ok()) return call->respond(MembershipProblem(instance, found.status()));
  const projections::InvitationRecord& invitation = **found;
  const auto users_version = users->Published();
  const projections::UserRecord* inviter = users_version->FindUser(invitation.invited_by);
  const bool account_exists = !users_version->AllWithEmail(invitation.email).empty();
  boost::json::value invited_by = nullptr;
  if (inviter) {
    invited_by = boost::json::object{{"firstName", inviter->profile.first_name}, {"lastName", inviter->profile.last_name}};
  }
  // the inviting workspace's policy applies to the password chosen here.
  const auto settings_version = settings->Published();
  const events::WorkspacePasswordPolicy policy = settings_version->Of(invitation.account_id).password_policy;
  call->respond(NoStoreJson(boost::json::serialize(boost::json::object{
      {"email", invitation.email},
      {"firstName", invitation.first_name},
      {"lastName", invitation.last_name},
      {"workspace", boost::json::object{{"guid", WorkspaceGuid(invitation.account_id)},
                                        {"name", WorkspaceName(context, invitation.account_id)},
                                        {"logo", nullptr}}},
      {"roleName", RoleNameNow(context, invitation.account_id, invitation.role_id)},
      {"invitedBy", std::move(invited_by)},
      {"accountExists", account_exists},
      {"expiresAt", FormatTimestampMillis(invitation.token_expires_ms)},
      {"passwordPolicy", commands::ToEffectiveJson(policy)}})));
}

void RejectInvitation(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AdmitRate(context, *call, kInvitationRejectionPerIp, call->request.remote_address)) return;
  const std::string instance = RedactedPath(call->request.path);
  const std::string token(call->path.Get("token"));
  if (!commands::IsOpaqueToken(token)) return call->respond(UauthBadRequest(instance, "the link is malformed"));
  auto hash = commands::TokenHash(token);
  if (!hash.ok()) return call->respond(UauthUnavailable(instance, "invitations cannot be answered now"));
  call->context.actor = "anonymous";
  SubmitCommand(
      context.processor, call, std::make_unique<commands::RejectInvitation>(std::move(*hash), context.now_ms()),
      [instance](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(instance, status)); },
      [](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome&) { call->respond(NoContent()); });
}

}  // namespace

void AddInvitationRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/users/invitations/invite",
             [&context](std::shared_ptr<ApiCall> call) { Invite(context, call, false); });
  router.Add("POST", "/uauth/users/invitations/invite-bulk",
             [&context](std::shared_ptr<ApiCall> call) { Invite(context, call, true); });
  router.Add("DELETE", "/uauth/users/invitations/{invitationIds}",
             [&context](std::shared_ptr<ApiCall> call) { DeleteInvitations(context, call); });
  router.Add("POST", "/uauth/users/invitations/{invitationId}",
             [&context](std::shared_ptr<ApiCall> call) { UpdateInvitation(context, call); });
  router.Add("GET", "/uauth/user/register/invitation/{token}",
             [&context](std::shared_ptr<ApiCall> call) { LookUpInvitation(context, call); });
  router.Add("POST", "/uauth/user/register/invitation/{token}/reject",
             [&context](std::shared_ptr<ApiCall> call) { RejectInvitation(context, call); });
}

}  // namespace iam::api
