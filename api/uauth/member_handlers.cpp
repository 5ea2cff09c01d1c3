// Members of a workspace as its administrators see them (seed-003 rules
// M-3 … M-14, R-9): listing (#39), autocomplete (#41), get and update a
// member (#43, #44), activate and deactivate (#45, #46), access expiry
// (#47), removal (#42) and the roles one may assign (#62). Rows are read
// from the memberships, invitations, users, second-factor, session and
// managed-domain read models; status depends on the clock (M-9, CC-15).
#include <algorithm>
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/json_input.h"
#include "api/uauth/id_lists.h"
#include "api/uauth/language_tags.h"
#include "api/uauth/member_rows.h"
#include "api/uauth/membership_problem.h"
#include "api/uauth/person_details.h"
#include "api/uauth/role_json.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/account_administrators.h"
#include "commands/membership_commands.h"
#include "commands/user_validation.h"
#include "commands/workspace_roles.h"
#include "events/clock.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

void ListMembers(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:read");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto page = QueryInt(*call, "page", 1, 1, 100000);
  auto limit = QueryInt(*call, "limit", 20, 1, 100);
  if (!page.ok() || !limit.ok()) {
    return call->respond(UauthBadRequest(path, (!page.ok() ? page.status() : limit.status()).message()));
  }
  auto query = ParseMemberQuery(*call, /*v2=*/false);
  if (!query.ok()) return call->respond(UauthBadRequest(path, query.status().message()));
  auto views = ReadMemberViews(context);
  if (!views) return call->respond(UauthUnavailable(path, "the members cannot be read now"));
  std::vector<Row> rows = ListedRows(*views, call->context.account_id, context.now_ms(), *query);
  boost::json::array data;
  const size_t first = static_cast<size_t>((*page - 1) * *limit);
  for (size_t i = first; i < rows.size() && i < first + static_cast<size_t>(*limit); ++i) {
    data.push_back(ListItemJson(rows[i]));
  }
  call->respond(JsonResponse(
      200, boost::json::serialize(boost::json::object{
               {"data", std::move(data)},
               {"meta", boost::json::object{{"page", *page}, {"limit", *limit},
                                            {"totalCount", static_cast<int64_t>(rows.size())}}}})));
}

// M-12: prefix matches on names or e-mail, whole-name prefixes first.
void Autocomplete(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:read");
  if (!caller) return;
  const std::string& path = call->request.path;
  const auto search = call->query.Get("search");
  if (!search || search->empty() || search->size() > 100) {
    return call->respond(UauthBadRequest(path, "search is required, 1 to 100 characters"));
  }
  auto limit = QueryInt(*call, "limit", 10, 1, 50);
  if (!limit.ok()) return call->respond(UauthBadRequest(path, limit.status().message()));
  auto views = ReadMemberViews(context);
  if (!views) return call->respond(UauthUnavailable(path, "the members cannot be read now"));
  const std::string needle = Lower(*search);
  std::vector<std::pair<int, Row>> matches;
  for (Row& row : RowsOf(*views, call->context.account_id, context.now_ms(), false)) {
    const std::string full_name = Lower(row.first_name() + " " + row.last_name());
    int rank = -1;
    if (full_name.starts_with(needle)) {
      rank = 0;
    } else if (Lower(row.first_name()).starts_with(needle) || Lower(row.last_name()).starts_with(needle)) {
      rank = 1;
    } else if (Lower(row.email()).starts_with(needle)) {
      rank = 2;
    }
    if (rank >= 0) matches.emplace_back(rank, std::move(row));
  }
  std::sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return RowBefore(a.second, b.second, "NAME", false);
  });
  boost::json::array data;
  for (size_t i = 0; i < matches.size() && i < static_cast<size_t>(*limit); ++i) {
    const Row& row = matches[i].second;
    data.push_back(boost::json::object{{"userId", row.user_id()},
                                       {"email", row.email()},
                                       {"firstName", row.first_name()},
                                       {"lastName", row.last_name()}});
  }
  call->respond(JsonResponse(200, boost::json::serialize(boost::json::object{{"data", std::move(data)}})));
}

Result<int64_t> UserIdParam(const ApiCall& call) {
  auto ids = ParseIdList(call.path.Get("userId"));
  if (!ids.ok() || ids->size() != 1) return Status::InvalidArgument("userId must be one positive integer");
  return ids->front();
}

// #43's WorkspaceUser of member `user_number` now, with its ETag (the membership's version).
void RespondWithMember(const UauthContext& context, const std::shared_ptr<ApiCall>& call, int64_t user_number,
                       const commands::CommandOutcome* outcome) {
  auto views = ReadMemberViews(context);
  if (!views) return call->respond(UauthUnavailable(call->request.path, "the members cannot be read now"));
  const projections::UserRecord* person = views->users->FindByNumber(user_number);
  const projections::MembershipRecord* membership =
      person ? views->memberships->Find(call->context.account_id, person->ui_identity_id) : nullptr;
  if (!membership) {
    return call->respond(MembershipProblem(
        call->request.path, Status::NotFound("user " + std::to_string(user_number) + " is not a member of this workspace")
                                .WithReason(commands::kNotAMember)));
  }
  const int64_t now_ms = context.now_ms();
  const Row row = MemberRow(*views, *membership, *person, call->context.account_id, now_ms);
  boost::json::array methods;
  if (const projections::MfaRecord* factors = views->mfa->Find(person->ui_identity_id)) {
    for (const std::string& method : factors->Methods()) methods.emplace_back(method);
  }
  const projections::SignInCounter* counter = views->sessions->FindCounter(commands::EmailKey(person->profile.email));
  const int64_t locked_until = counter && counter->locked_until_ms > now_ms ? counter->locked_until_ms : 0;
  boost::json::object body{{"userId", person->user_number},
                           {"email", person->profile.email},
                           {"firstName", person->profile.first_name},
                           {"lastName", person->profile.last_name},
                           {"language", LanguageTagOf(person->profile.preferred_language)},
                           {"roleId", RoleIdOrNull(row.role_id)},
                           {"roleName", RoleNameOrNull(row.role_name)},
                           {"status", row.status},
                           {"accountType", row.managed ? "MANAGED" : "GUEST"},
                           {"identityProvider", "LOCAL"},
                           {"mfaEnabled", row.mfa_enabled},
                           {"mfaMethods", std::move(methods)},
                           {"accessExpiresAt", JsonTimeOrNull(membership->access_expires_ms)},
                           {"lastLoginAt", JsonTimeOrNull(row.last_login_ms)},
                           {"lockedUntil", JsonTimeOrNull(locked_until)},
                           {"passwordExpiresAt",
                            JsonTimeOrNull(person->password_hashes.empty() ? 0 : person->password_expires_ms)},
                           {"joinedAt", FormatTimestampMillis(membership->joined_ms)}};
  HttpResponse response = JsonResponse(200, boost::json::serialize(body));
  response.SetHeader("ETag", ETagOf(membership->version));
  if (outcome) AddEventDetails(response, *outcome);
  call->respond(std::move(response));
}

void GetMember(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:read");
  if (!caller) return;
  auto user_number = UserIdParam(*call);
  if (!user_number.ok()) return call->respond(UauthBadRequest(call->request.path, user_number.status().message()));
  RespondWithMember(context, call, *user_number, nullptr);
}

void UpdateMember(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:update");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto user_number = UserIdParam(*call);
  if (!user_number.ok()) return call->respond(UauthBadRequest(path, user_number.status().message()));
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(path, body.status().message()));
  if (auto s = body->OnlyMembers({"firstName", "lastName", "roleId"}); !s.ok()) {
    return call->respond(UauthBadRequest(path, s.message()));
  }
  commands::MemberUpdate update;
  events::UserProfile names;
  if (auto refused = ReadPersonDetails(*body, path, names, nullptr)) return call->respond(std::move(*refused));
  if (body->Has("firstName")) update.first_name = names.first_name;
  if (body->Has("lastName")) update.last_name = names.last_name;
  if (body->Has("roleId")) {
    auto role = body->RequiredInteger("roleId", 1);
    if (!role.ok()) return call->respond(UauthBadRequest(path, role.status().message()));
    update.role_id = *role;
  }
  if (!update.first_name && !update.last_name && !update.role_id) {
    return call->respond(UauthBadRequest(path, "name at least one member to change"));
  }
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::UpdateMember>(*user_number, std::move(update), caller->user.ui_identity_id),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [&context, number = *user_number](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        RespondWithMember(context, call, number, outcome.sequence != 0 ? &outcome : nullptr);
      });
}

// A bulk change of members: 204, with the X-Iam-* headers when it appended events.
void SubmitMemberChange(const UauthContext& context, const std::shared_ptr<ApiCall>& call,
                        commands::MemberChange change, std::vector<int64_t> user_ids, const std::string& caller_id) {
  SubmitCommand(
      context.processor, call, std::make_unique<commands::ChangeMembers>(change, std::move(user_ids), caller_id),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        HttpResponse response = NoContent();
        if (outcome.sequence != 0) AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

// #45, #46: {"userIds": [...]}.
void ChangeMembers(const UauthContext& context, const std::shared_ptr<ApiCall>& call, commands::MemberChange change) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:update");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(path, body.status().message()));
  if (auto s = body->OnlyMembers({"userIds"}); !s.ok()) return call->respond(UauthBadRequest(path, s.message()));
  auto ids = body->RequiredIntegers("userIds", 1);
  if (!ids.ok()) return call->respond(UauthBadRequest(path, ids.status().message()));
  std::vector<int64_t> sorted = *ids;
  std::sort(sorted.begin(), sorted.end());
  if (ids->empty() || ids->size() > 100 || std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return call->respond(UauthBadRequest(path, "member 'userIds' must hold 1 to 100 distinct user ids"));
  }
  SubmitMemberChange(context, call, change, std::move(*ids), caller->user.ui_identity_id);
}

// #42: DELETE /uauth/users/profile-association/{ids}.
void RemoveMembers(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:delete");
  if (!caller) return;
  auto ids = ParseIdList(call->path.Get("ids"));
  if (!ids.ok()) return call->respond(UauthBadRequest(call->request.path, ids.status().message()));
  SubmitMemberChange(context, call, commands::MemberChange::kRemove, std::move(*ids), caller->user.ui_identity_id);
}

// #47: PUT /uauth/users/{userId}/access-time {"accessExpiresAt": instant | null}.
void ChangeAccessTime(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:update");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto user_number = UserIdParam(*call);
  if (!user_number.ok()) return call->respond(UauthBadRequest(path, user_number.status().message()));
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(path, body.status().message()));
  if (auto s = body->OnlyMembers({"accessExpiresAt"}); !s.ok()) return call->respond(UauthBadRequest(path, s.message()));
  if (!body->Has("accessExpiresAt")) return call->respond(UauthBadRequest(path, "member 'accessExpiresAt' is required"));
  auto expires_ms = body->NullableInstant("accessExpiresAt");
  if (!expires_ms.ok()) return call->respond(UauthBadRequest(path, expires_ms.status().message()));
  SubmitCommand(
      context.processor, call, std::make_unique<commands::ChangeAccessExpiry>(*user_number, *expires_ms, context.now_ms()),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [&context, number = *user_number](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        auto views = ReadMemberViews(context);
        const projections::UserRecord* person = views ? views->users->FindByNumber(number) : nullptr;
        const projections::MembershipRecord* membership =
            person ? views->memberships->Find(call->context.account_id, person->ui_identity_id) : nullptr;
        if (!membership) return call->respond(UauthUnavailable(call->request.path, "the member cannot be read now"));
        HttpResponse response = JsonResponse(
            200, boost::json::serialize(boost::json::object{
                     {"userId", number},
                     {"accessExpiresAt", JsonTimeOrNull(membership->access_expires_ms)},
                     {"status", membership->StatusAt(context.now_ms())}}));
        if (outcome.sequence != 0) AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

// #62: R-9's roles for the caller's current role.
void AvailableRoles(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:read");
  if (!caller) return;
  auto groups = context.runner.LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection);
  auto roles = WorkspaceRolesNow(context);
  if (!groups || !roles) return call->respond(UauthUnavailable(call->request.path, "the roles cannot be read now"));
  const int64_t role = commands::ActingWorkspaceRole(*caller->membership, caller->user, *groups->Published());
  boost::json::array data;
  for (const commands::WorkspaceRole& assignable : commands::AssignableRoles(*roles, call->context.account_id, role)) {
    data.push_back(RoleSummaryJson(assignable));
  }
  call->respond(JsonResponse(200, boost::json::serialize(boost::json::object{{"data", std::move(data)}})));
}

}  // namespace

void AddMemberRoutes(Router& router, const UauthContext& context) {
  router.Add("GET", "/uauth/users/listing", [&context](std::shared_ptr<ApiCall> call) { ListMembers(context, call); });
  router.Add("GET", "/uauth/users/listing/autocomplete",
             [&context](std::shared_ptr<ApiCall> call) { Autocomplete(context, call); });
  router.Add("GET", "/uauth/users/available-roles",
             [&context](std::shared_ptr<ApiCall> call) { AvailableRoles(context, call); });
  router.Add("GET", "/uauth/users/{userId}", [&context](std::shared_ptr<ApiCall> call) { GetMember(context, call); });
  router.Add("POST", "/uauth/users/{userId}", [&context](std::shared_ptr<ApiCall> call) { UpdateMember(context, call); });
  router.Add("POST", "/uauth/users/activate", [&context](std::shared_ptr<ApiCall> call) {
    ChangeMembers(context, call, commands::MemberChange::kActivate);
  });
  router.Add("POST", "/uauth/users/deactivate", [&context](std::shared_ptr<ApiCall> call) {
    ChangeMembers(context, call, commands::MemberChange::kDeactivate);
  });
  router.Add("PUT", "/uauth/users/{userId}/access-time",
             [&context](std::shared_ptr<ApiCall> call) { ChangeAccessTime(context, call); });
  router.Add("DELETE", "/uauth/users/profile-association/{ids}",
             [&context](std::shared_ptr<ApiCall> call) { RemoveMembers(context, call); });
}

}  // namespace iam::api
