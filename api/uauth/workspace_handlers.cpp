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
#include "commands/favorite_commands.h"
#include "commands/workspace_roles.h"
#include "events/clock.h"
#include "commands/one_time_tokens.h"
#include "commands/session_commands.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

// W-1: what the picker and the token show of a workspace.
struct Workspace {
  std::string account_id;
  std::string guid;
  std::string name;
  std::string subdomain;
  int64_t created_ms = 0;
};

Workspace WorkspaceOfAccount(const projections::AccountRecord& account) {
  std::string subdomain;
  for (char c : account.account_id) {
    subdomain.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return Workspace{account.account_id, WorkspaceGuid(account.account_id), account.account_name, subdomain,
                   account.created_ms};
}

// The caller's membership in the workspace `guid` with that workspace, or
// nullopt when they are no member of it; kUnavailable while the read models
// cannot be read.
struct MemberWorkspace {
  projections::MembershipRecord membership;
  Workspace workspace;
};
Result<std::optional<MemberWorkspace>> MemberWorkspaceOf(const UauthContext& context,
                                                         const projections::UserRecord& user, std::string_view guid) {
  auto accounts = context.runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  if (!accounts || !memberships) return Status::Unavailable("the workspaces cannot be read now");
  const projections::MembershipRecord* membership =
      MembershipByGuid(*memberships->Published(), user.ui_identity_id, guid);
  const projections::AccountRecord* account =
      membership ? accounts->Published()->FindAccount(membership->account_id) : nullptr;
  if (!account) return std::optional<MemberWorkspace>();
  return std::optional<MemberWorkspace>(MemberWorkspace{*membership, WorkspaceOfAccount(*account)});
}

HttpResponse NotAMember(const ApiCall& call) {
  return UauthProblem({404, "workspace-not-found", "WSP-0404", "you are not a member of that workspace", call.request.path});
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
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
  auto favorite = call->query.GetBool("favorite", false);
  if (!favorite.ok()) return call->respond(UauthBadRequest(call->request.path, favorite.status().message()));
  const std::string sort_by(call->query.Get("sortBy").value_or("NAME:ASC"));
  if (sort_by != "NAME:ASC" && sort_by != "NAME:DESC" && sort_by != "CREATED:ASC" && sort_by != "CREATED:DESC") {
    return call->respond(UauthBadRequest(call->request.path, "sortBy must be NAME:ASC, NAME:DESC, CREATED:ASC or CREATED:DESC"));
  }
  const auto search = call->query.Get("search");
  if (search && (search->empty() || search->size() > 100)) {
    return call->respond(UauthBadRequest(call->request.path, "search must be 1 to 100 characters"));
  }
  auto accounts = context.runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  auto favorites = context.runner.LiveAs<projections::FavoritesReadModel>(projections::kFavoritesProjection);
  if (!accounts || !memberships || !favorites) {
    return call->respond(UauthUnavailable(call->request.path, "the workspaces cannot be read now"));
  }
  const auto accounts_version = accounts->Published();
  const auto memberships_version = memberships->Published();
  const auto favorites_version = favorites->Published();
  const std::string needle = search ? Lower(*search) : std::string();
  struct Row {
    Workspace workspace;
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
    if (search && Lower(row.workspace.name).find(needle) == std::string::npos &&
        row.workspace.subdomain.find(needle) == std::string::npos) {
      continue;
    }
    rows.push_back(std::move(row));
  }
  const bool by_name = sort_by.starts_with("NAME");
  const bool descending = sort_by.ends_with("DESC");
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    const auto key_a = by_name ? std::make_pair(Lower(a.workspace.name), int64_t{0})
                               : std::make_pair(std::string(), a.workspace.created_ms);
    const auto key_b = by_name ? std::make_pair(Lower(b.workspace.name), int64_t{0})
                               : std::make_pair(std::string(), b.workspace.created_ms);
    if (key_a != key_b) return descending ? key_b < key_a : key_a < key_b;
    return a.workspace.guid < b.workspace.guid;
  });
  const int64_t now_ms = context.now_ms();
  boost::json::array data;
  const size_t first = static_cast<size_t>((*page - 1) * *limit);
  for (size_t i = first; i < rows.size() && i < first + static_cast<size_t>(*limit); ++i) {
    const Row& row = rows[i];
    auto state = CurrentAccessState(context, caller->user, *row.membership, AmrOf(*caller), call->context.remote_address);
    if (!state.ok()) return call->respond(UauthUnavailable(call->request.path, state.status().message()));
    const std::string role_name = commands::WorkspaceRoleName(row.membership->role_id);
    data.push_back(boost::json::object{
        {"guid", row.workspace.guid},
        {"hash", row.workspace.guid.substr(24)},
        {"name", row.workspace.name},
        {"subdomain", row.workspace.subdomain},
        {"logo", nullptr},
        {"favorite", row.favorite},
        {"roleId", row.membership->role_id ? boost::json::value(row.membership->role_id) : boost::json::value(nullptr)},
        {"roleName", role_name.empty() ? boost::json::value(nullptr) : boost::json::value(role_name)},
        {"membershipStatus", row.membership->StatusAt(now_ms)},
        {"accessExpiresAt", row.membership->access_expires_ms
                                ? boost::json::value(FormatTimestampMillis(row.membership->access_expires_ms))
                                : boost::json::value(nullptr)},
        {"mfaRequired", WorkspaceRequiresMfa(context, row.membership->account_id)},
        {"accessState", *state}});
  }
  call->respond(JsonResponse(
      200, boost::json::serialize(boost::json::object{
               {"data", std::move(data)},
               {"meta", boost::json::object{{"page", *page}, {"limit", *limit},
                                            {"totalCount", static_cast<int64_t>(rows.size())}}}})));
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
  const Workspace* workspace = &member.workspace;
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
  auto found = MemberWorkspaceOf(context, caller->user, *guid);
  if (!found.ok()) return call->respond(UauthUnavailable(call->request.path, found.status().message()));
  if (!*found) return call->respond(NotAMember(*call));
  call->context.account_id = (*found)->workspace.account_id;
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
