// Workspaces of the signed-in person (seed-003 rules W-2, W-3, W-10, T-14):
// the picker (GET /business-profile-service/business-profiles) and the
// workspace token (POST /uauth/auth/login/user/workspace): the workspaces
// are the accounts where the person holds a membership (W-12).
#include <algorithm>
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "api/uauth/workspace_listing.h"
#include "commands/favorite_commands.h"
#include "commands/workspace_roles.h"
#include "events/clock.h"
#include "commands/one_time_tokens.h"
#include "commands/session_commands.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

// The caller's membership in the workspace `guid` with that workspace, or
// nullopt when they are no member of it; kUnavailable while the read models
// cannot be read.
struct MemberWorkspace {
  projections::MembershipRecord membership;
  WorkspaceView workspace;
};
Result<std::optional<MemberWorkspace>> MemberWorkspaceOf(const UauthContext& context,
                                                         const projections::UserRecord& user, std::string_view guid) {
  auto accounts = context.runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  if (!accounts || !memberships) return Status::Unavailable("the workspaces cannot be read now");
  const auto memberships_version = memberships->Published();
  const projections::MembershipRecord* membership = MembershipByGuid(*memberships_version, user.ui_identity_id, guid);
  const auto accounts_version = accounts->Published();
  const projections::AccountRecord* account = membership ? accounts_version->FindAccount(membership->account_id) : nullptr;
  if (!account) return std::optional<MemberWorkspace>();
  return std::optional<MemberWorkspace>(MemberWorkspace{*membership, WorkspaceOfAccount(*account)});
}

HttpResponse NotAMember(const ApiCall& call) {
  return UauthProblem({404, "workspace-not-found", "WSP-0404", "you are not a member of that workspace", call.request.path});
}

// The authentication methods the caller's session passed (the token's `amr`).
std::vector<std::string> AmrOf(const BearerCaller& caller) {
  std::vector<std::string> amr;
  if (const auto* methods = caller.claims.if_contains("amr"); methods && methods->is_array()) {
    for (const auto& method : methods->as_array()) {
      if (method.is_string()) amr.emplace_back(method.as_string());
    }
  }
  return amr;
}

void ListWorkspaces(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  auto query = ParseWorkspaceListQuery(call->query);
  if (!query.ok()) return call->respond(UauthBadRequest(call->request.path, query.status().message()));
  auto favorite = call->query.GetBool("favorite", false);
  if (!favorite.ok()) return call->respond(UauthBadRequest(call->request.path, favorite.status().message()));
  auto accounts = context.runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  auto favorites = context.runner.LiveAs<projections::FavoritesReadModel>(projections::kFavoritesProjection);
  if (!accounts || !memberships || !favorites) {
    return call->respond(UauthUnavailable(call->request.path, "the workspaces cannot be read now"));
  }
  const auto accounts_version = accounts->Published();
  const auto memberships_version = memberships->Published();
  const auto favorites_version = favorites->Published();
  struct Row {
    WorkspaceView workspace;
    const projections::MembershipRecord* membership;
    bool favorite;
  };
  std::vector<Row> rows;
  for (const projections::MembershipRecord* membership : memberships_version->OfPerson(caller->user.ui_identity_id)) {
    const projections::AccountRecord* account = accounts_version->FindAccount(membership->account_id);
    if (!account) continue;
    Row row{WorkspaceOfAccount(*account), membership, false};
    row.favorite = favorites_version->IsFavorite(caller->user.ui_identity_id, row.workspace.guid);
    if (call->query.Has("favorite") && *favorite != row.favorite) continue;
    if (!query->Matches(row.workspace)) continue;
    rows.push_back(std::move(row));
  }
  query->Sort(rows, [](const Row& row) -> const WorkspaceView& { return row.workspace; });
  const int64_t now_ms = context.now_ms();
  boost::json::array data;
  for (size_t i = query->First(rows.size()); i < query->End(rows.size()); ++i) {
    const Row& row = rows[i];
    auto state = CurrentAccessState(context, caller->user, *row.membership, AmrOf(*caller), call->context.remote_address);
    if (!state.ok()) return call->respond(UauthUnavailable(call->request.path, state.status().message()));
    const std::string role_name = RoleNameNow(context, row.membership->account_id, row.membership->role_id);
    boost::json::object item;
    AddWorkspaceIdentity(item, row.workspace);
    item["favorite"] = row.favorite;
    item["roleId"] = row.membership->role_id ? boost::json::value(row.membership->role_id) : boost::json::value(nullptr);
    item["roleName"] = role_name.empty() ? boost::json::value(nullptr) : boost::json::value(role_name);
    item["membershipStatus"] = row.membership->StatusAt(now_ms);
    item["accessExpiresAt"] = JsonTimeOrNull(row.membership->access_expires_ms);
    item["mfaRequired"] = WorkspaceRequiresMfa(context, row.membership->account_id);
    item["accessState"] = *state;
    data.push_back(std::move(item));
  }
  call->respond(JsonResponse(200, WorkspacePageBody(std::move(data), *query, rows.size())));
}

void SelectWorkspace(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"businessProfileGuid"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto guid = body->RequiredString("businessProfileGuid");
  if (!guid.ok()) return call->respond(UauthBadRequest(call->request.path, guid.status().message()));
  auto found = MemberWorkspaceOf(context, caller->user, *guid);
  if (!found.ok()) return call->respond(UauthUnavailable(call->request.path, found.status().message()));
  if (!*found) return call->respond(NotAMember(*call));
  const MemberWorkspace& member = **found;
  const WorkspaceView* workspace = &member.workspace;
  auto access = CurrentAccessState(context, caller->user, member.membership, AmrOf(*caller), call->context.remote_address);
  if (!access.ok()) return call->respond(UauthUnavailable(call->request.path, access.status().message()));
  const std::string state = *access;
  if (state == "IP_NOT_ALLOWED") {
    return call->respond(IpNotAllowedProblem(call->request.path));
  }
  if (state != "ALLOWED") {
    HttpResponse refused = UauthProblem({403, "workspace-access-denied", "WSP-0001",
                                         "no workspace token can be issued now: " + state, call->request.path});
    auto problem = boost::json::parse(refused.body).as_object();
    problem["accessState"] = state;
    refused.body = boost::json::serialize(problem);
    return call->respond(std::move(refused));
  }
  auto issued = commands::NewHashedToken();
  if (!issued.ok()) return call->respond(UauthUnavailable(call->request.path, "no token could be made"));
  events::SessionRefreshed refresh = NextRefresh(*call, caller->session_id, issued->hash);
  refresh.workspace_guid = workspace->guid;
  call->context.account_id = workspace->account_id;
  ActAs(call->context, caller->user);
  const std::vector<std::string> amr = AmrOf(*caller);
  const int64_t auth_time = caller->claims.contains("auth_time") && caller->claims.at("auth_time").is_int64()
                                ? caller->claims.at("auth_time").as_int64() * 1000
                                : context.now_ms();
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::RotateSession>(std::move(refresh), context.now_ms(), context.lifetimes),
      [](const ApiCall& call, const Status& status) {
        call.respond(UauthUnauthorized(call.request.path, status.message()));
      },
      [&context, user = caller->user, sid = caller->session_id, amr, auth_time, guid = workspace->guid,
       refresh_token = issued->token](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome&) {
        auto access = IssueAccessToken(context, user, sid, kWorkspaceScope, amr, auth_time, guid);
        if (!access.ok()) return call->respond(UauthUnavailable(call->request.path, "no token could be signed"));
        call->respond(NoStoreJson(TokenResponseBody(*access, context.lifetimes.access_ms / 1000, kWorkspaceScope,
                                                    refresh_token, user, {}, guid)));
      });
}

// W-7: POST /uauth/business-profile/mark-favorite.
void MarkFavorite(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"businessProfileGuid", "favorite"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto guid = body->RequiredString("businessProfileGuid");
  auto favorite = body->RequiredBool("favorite");
  if (!guid.ok() || !favorite.ok()) {
    return call->respond(UauthBadRequest(call->request.path, (!guid.ok() ? guid.status() : favorite.status()).message()));
  }
  auto found = MemberWorkspaceOf(context, caller->user, *guid);
  if (!found.ok()) return call->respond(UauthUnavailable(call->request.path, found.status().message()));
  if (!*found) return call->respond(NotAMember(*call));
  call->context.account_id = (*found)->workspace.account_id;
  ActAs(call->context, caller->user);
  SubmitCommand(context.processor, call,
                std::make_unique<commands::MarkFavoriteWorkspace>(
                    events::WorkspaceFavorite{caller->user.ui_identity_id, *guid}, *favorite),
                [](const ApiCall& call, const Status& status) {
                  call.respond(UauthUnavailable(call.request.path, status.message()));
                },
                [guid = *guid, marked = *favorite](const std::shared_ptr<ApiCall>& call,
                                                   const commands::CommandOutcome& outcome) {
                  HttpResponse response = JsonResponse(
                      200, boost::json::serialize(boost::json::object{{"businessProfileGuid", guid}, {"favorite", marked}}));
                  AddEventDetails(response, outcome);
                  call->respond(std::move(response));
                });
}

}  // namespace

void AddWorkspaceRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/business-profile/mark-favorite",
             [&context](std::shared_ptr<ApiCall> call) { MarkFavorite(context, call); });
  router.Add("GET", "/business-profile-service/business-profiles",
             [&context](std::shared_ptr<ApiCall> call) { ListWorkspaces(context, call); });
  router.Add("POST", "/uauth/auth/login/user/workspace",
             [&context](std::shared_ptr<ApiCall> call) { SelectWorkspace(context, call); });
}

}  // namespace iam::api
