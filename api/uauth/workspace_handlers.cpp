// Workspaces of the signed-in person (seed-003 rules W-2, W-3, W-10, T-14):
// the picker (GET /business-profile-service/business-profiles) and the
// workspace token (POST /uauth/auth/login/user/workspace). In iamd a person
// is a user of one account, so they have one workspace: that account.
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/favorite_commands.h"
#include "commands/one_time_tokens.h"
#include "commands/session_commands.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

// W-1: what the picker and the token show of the caller's account.
struct Workspace {
  std::string guid;
  std::string name;
  std::string subdomain;
};

// The person's workspace: their account's, or none for a person who belongs
// to no account yet. kUnavailable while the accounts cannot be read.
Result<std::optional<Workspace>> WorkspaceOf(const UauthContext& context, const projections::UserRecord& user) {
  auto accounts = context.runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  if (!accounts) return Status::Unavailable("the workspaces cannot be read now");
  const projections::AccountRecord* account = accounts->Published()->FindAccount(user.account_id);
  if (!account) return std::optional<Workspace>();
  std::string subdomain;
  for (char c : account->account_id) {
    subdomain.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return std::optional<Workspace>(Workspace{WorkspaceGuid(account->account_id), account->account_name, subdomain});
}

Result<int64_t> PositiveQueryInt(const ApiCall& call, std::string_view name, int64_t fallback, int64_t maximum) {
  auto text = call.query.Get(name);
  if (!text) return fallback;
  int64_t value = 0;
  for (char c : *text) {
    if (c < '0' || c > '9' || value > maximum) return Status::InvalidArgument(std::string(name) + " must be 1 to " + std::to_string(maximum));
    value = value * 10 + (c - '0');
  }
  if (text->empty() || value < 1 || value > maximum) {
    return Status::InvalidArgument(std::string(name) + " must be 1 to " + std::to_string(maximum));
  }
  return value;
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
  auto page = PositiveQueryInt(*call, "page", 1, 1000000);
  auto limit = PositiveQueryInt(*call, "limit", 20, 100);
  if (!page.ok() || !limit.ok()) {
    return call->respond(UauthBadRequest(call->request.path, (!page.ok() ? page.status() : limit.status()).message()));
  }
  auto membership = WorkspaceOf(context, caller->user);
  auto favorites = context.runner.LiveAs<projections::FavoritesReadModel>(projections::kFavoritesProjection);
  if (!membership.ok() || !favorites) {
    return call->respond(UauthUnavailable(call->request.path, "the workspaces cannot be read now"));
  }
  auto favorite = call->query.GetBool("favorite", false);
  if (!favorite.ok()) return call->respond(UauthBadRequest(call->request.path, favorite.status().message()));
  boost::json::array data;
  const std::optional<Workspace>& workspace = *membership;
  const bool is_favorite =
      workspace && favorites->Published()->IsFavorite(caller->user.ui_identity_id, workspace->guid);
  const auto search = call->query.Get("search");
  const bool listed = workspace && (!call->query.Has("favorite") || *favorite == is_favorite) &&
                      (!search || workspace->name.find(*search) != std::string::npos ||
                       workspace->subdomain.find(*search) != std::string::npos);
  auto state = CurrentAccessState(context, caller->user, AmrOf(*caller), call->context.remote_address);
  if (!state.ok()) return call->respond(UauthUnavailable(call->request.path, state.status().message()));
  if (listed && *page == 1) {
    data.push_back(boost::json::object{{"guid", workspace->guid},
                                       {"hash", workspace->guid.substr(24)},
                                       {"name", workspace->name},
                                       {"subdomain", workspace->subdomain},
                                       {"logo", nullptr},
                                       {"favorite", is_favorite},
                                       {"roleId", nullptr},
                                       {"roleName", nullptr},
                                       {"membershipStatus", "ACTIVE"},
                                       {"accessExpiresAt", nullptr},
                                       {"mfaRequired", WorkspaceRequiresMfa(context, caller->user)},
                                       {"accessState", *state}});
  }
  call->respond(JsonResponse(
      200, boost::json::serialize(boost::json::object{
               {"data", std::move(data)},
               {"meta", boost::json::object{{"page", *page}, {"limit", *limit}, {"totalCount", listed ? 1 : 0}}}})));
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
  auto membership = WorkspaceOf(context, caller->user);
  if (!membership.ok()) return call->respond(UauthUnavailable(call->request.path, membership.status().message()));
  const std::optional<Workspace>& workspace = *membership;
  if (!workspace || *guid != workspace->guid) {
    return call->respond(
        UauthProblem({404, "workspace-not-found", "WSP-0404", "you are not a member of that workspace", call->request.path}));
  }
  auto access = CurrentAccessState(context, caller->user, AmrOf(*caller), call->context.remote_address);
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
  call->context.account_id = caller->user.account_id;
  call->context.actor = caller->user.ui_user_name;
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
  auto membership = WorkspaceOf(context, caller->user);
  if (!membership.ok()) return call->respond(UauthUnavailable(call->request.path, membership.status().message()));
  const std::optional<Workspace>& workspace = *membership;
  if (!workspace || *guid != workspace->guid) {
    return call->respond(
        UauthProblem({404, "workspace-not-found", "WSP-0404", "you are not a member of that workspace", call->request.path}));
  }
  call->context.account_id = caller->user.account_id;
  call->context.actor = caller->user.ui_user_name;
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
