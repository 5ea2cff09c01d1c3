// The workspaces of the caller's organization (seed-003 #2, #3; W-4, W-5,
// W-6, W-8): GET /business-profile-service/organizations/business-profiles
// and …/with-identifiers, with a user token. The caller must be a user of
// an organization (else 403 WSP-0403); they see every workspace of it,
// whether or not they are a member there (W-1: the two accesses are
// independent). Items show the workspace as the picker does
// (api/uauth/workspace_listing.h) and add its author, its ACTIVE
// memberships (W-8), its creation instant and its businessProfileGroupId
// within the organization; with-identifiers adds the numeric `id` and the
// `accountId` of the Akamai-compatible surface (W-6).
#include <boost/json.hpp>

#include <algorithm>

#include "api/api_response.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_listing.h"
#include "events/clock.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

// The author of workspace `account_id` (WorkspaceListItem.author): the
// person the account was made with (W-10), that is the earliest-numbered
// person its Akamai side made who is still there; else its earliest-numbered
// member; else the first person (a workspace always keeps an administrator,
// M-14, so that never happens).
int64_t AuthorOf(const projections::UserDirectory& users, const projections::MembershipDirectory& memberships,
                 std::string_view account_id) {
  int64_t author = 0;
  for (const projections::UserRecord* user : users.OfAccount(account_id)) {
    if (author == 0 || user->user_number < author) author = user->user_number;
  }
  if (author != 0) return author;
  for (const projections::MembershipRecord* membership : memberships.OfAccount(account_id)) {
    const projections::UserRecord* user = users.FindUser(membership->ui_identity_id);
    if (user && (author == 0 || user->user_number < author)) author = user->user_number;
  }
  return author != 0 ? author : 1;
}

// W-8: the workspace's memberships that are ACTIVE at `now_ms`.
int64_t ActiveUsersCount(const projections::MembershipDirectory& memberships, std::string_view account_id,
                         int64_t now_ms) {
  const auto all = memberships.OfAccount(account_id);
  return std::count_if(all.begin(), all.end(), [now_ms](const projections::MembershipRecord* membership) {
    return membership->StatusAt(now_ms) == "ACTIVE";
  });
}

void ListOrganizationWorkspaces(const UauthContext& context, const std::shared_ptr<ApiCall>& call,
                                bool with_identifiers) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  auto organizations =
      context.runner.LiveAs<projections::OrganizationsReadModel>(projections::kOrganizationsProjection);
  auto accounts = context.runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  if (!organizations || !accounts || !memberships || !users) {
    return call->respond(UauthUnavailable(call->request.path, "the organization's workspaces cannot be read now"));
  }
  const auto organizations_version = organizations->Published();
  const auto organization_id = organizations_version->OrganizationOfUser(caller->user.ui_identity_id);
  const projections::OrganizationRecord* organization =
      organization_id ? organizations_version->Find(*organization_id) : nullptr;
  if (!organization) {
    return call->respond(UauthProblem({403, "not-an-organization-user", "WSP-0403",
                                       "you are not a user of any organization", call->request.path}));
  }
  auto query = ParseWorkspaceListQuery(call->query);
  if (!query.ok()) return call->respond(UauthBadRequest(call->request.path, query.status().message()));
  const auto group = call->query.Get("businessProfileGroupId");
  if (group && (group->empty() || group->size() > 64)) {
    return call->respond(UauthBadRequest(call->request.path, "businessProfileGroupId must be 1 to 64 characters"));
  }

  const auto accounts_version = accounts->Published();
  struct Row {
    WorkspaceView workspace;
    const projections::AccountRecord* account;
    std::string group;
  };
  std::vector<Row> rows;
  for (const auto& [account_id, workspace_group] : organization->workspaces) {
    if (group && workspace_group != *group) continue;
    const projections::AccountRecord* account = accounts_version->FindAccount(account_id);
    if (!account) continue;
    Row row{WorkspaceOfAccount(*account), account, workspace_group};
    if (!query->Matches(row.workspace)) continue;
    rows.push_back(std::move(row));
  }
  query->Sort(rows, [](const Row& row) -> const WorkspaceView& { return row.workspace; });

  const auto memberships_version = memberships->Published();
  const auto users_version = users->Published();
  const int64_t now_ms = context.now_ms();
  boost::json::array data;
  for (size_t i = query->First(rows.size()); i < query->End(rows.size()); ++i) {
    const Row& row = rows[i];
    boost::json::object item;
    if (with_identifiers) {
      // W-6: the position of the account's creation in the log, never reused (D-21).
      item["id"] = static_cast<int64_t>(row.account->created_position);
      item["accountId"] = row.workspace.account_id;
    }
    item["author"] = AuthorOf(*users_version, *memberships_version, row.workspace.account_id);
    AddWorkspaceIdentity(item, row.workspace);
    item["activeUsersCount"] = ActiveUsersCount(*memberships_version, row.workspace.account_id, now_ms);
    item["createdAt"] = FormatTimestampMillis(row.workspace.created_ms);
    item["businessProfileGroupId"] = row.group.empty() ? boost::json::value(nullptr) : boost::json::value(row.group);
    data.push_back(std::move(item));
  }
  call->respond(JsonResponse(200, WorkspacePageBody(std::move(data), *query, rows.size())));
}

}  // namespace

void AddOrganizationRoutes(Router& router, const UauthContext& context) {
  router.Add("GET", "/business-profile-service/organizations/business-profiles",
             [&context](std::shared_ptr<ApiCall> call) { ListOrganizationWorkspaces(context, call, false); });
  router.Add("GET", "/business-profile-service/organizations/business-profiles/with-identifiers",
             [&context](std::shared_ptr<ApiCall> call) { ListOrganizationWorkspaces(context, call, true); });
}

}  // namespace iam::api
