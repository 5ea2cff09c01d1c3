// Role groups, roles and PII access of a workspace (seed-003 tag "Access
// groups", #51 … #61; rules R-1 … R-13, CC-5, CC-6): the permission tree of
// a role, the groups with their roles, and the commands of
// commands/workspace_role_commands.h. Each route checks its operation's
// x-permission against the caller's current role. Roles are read from
// the workspace-roles read model; usersCount and deletable from the
// memberships and invitations read models, now.
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/json_input.h"
#include "api/uauth/id_lists.h"
#include "api/uauth/reason_problem.h"
#include "api/uauth/role_json.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/workspace_role_commands.h"
#include "commands/workspace_roles.h"
#include "events/clock.h"
#include "events/workspace_role_events.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

namespace json = boost::json;

using commands::WorkspaceRole;
using commands::WorkspaceRoleGroup;

// One consistent set of what the role routes read.
struct RoleViews {
  std::shared_ptr<const projections::WorkspaceRoleDirectory> roles;
  std::shared_ptr<const projections::MembershipDirectory> memberships;
  std::shared_ptr<const projections::InvitationDirectory> invitations;
  int64_t workspace_created_ms = 0;  // built-in groups and roles are made with their workspace
};

std::optional<RoleViews> ReadRoleViews(const UauthContext& context, const std::string& account_id) {
  auto roles = WorkspaceRolesNow(context);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  auto invitations = context.runner.LiveAs<projections::InvitationsReadModel>(projections::kInvitationsProjection);
  auto accounts = context.runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  if (!roles || !memberships || !invitations || !accounts) return std::nullopt;
  const auto accounts_version = accounts->Published();
  const projections::AccountRecord* account = accounts_version->FindAccount(account_id);
  return RoleViews{std::move(roles), memberships->Published(), invitations->Published(),
                   account ? account->created_ms : 0};
}

json::value DescriptionOrNull(const std::string& description) {
  return description.empty() ? json::value(nullptr) : json::value(description);
}

int64_t CreatedMs(const RoleViews& views, int64_t created_ms) {
  return created_ms != 0 ? created_ms : views.workspace_created_ms;
}

int64_t UpdatedMs(const RoleViews& views, int64_t created_ms, int64_t updated_ms) {
  return updated_ms != 0 ? updated_ms : CreatedMs(views, created_ms);
}

// Role: the role now, with R-6's predicates.
json::object RoleJson(const RoleViews& views, const std::string& account_id, const WorkspaceRole& role) {
  const int64_t holders = commands::RoleHolders(*views.memberships, *views.invitations, account_id, role.id);
  json::array permissions;
  for (const std::string& p : role.permissions) permissions.emplace_back(p);
  return {{"id", role.id},
          {"name", role.name},
          {"code", role.code.empty() ? json::value(nullptr) : json::value(role.code)},
          {"description", DescriptionOrNull(role.description)},
          {"groupId", role.group_id},
          {"type", role.type},
          {"permissionsEditable", role.type != commands::kBasicRoleType},
          {"deletable", role.type == commands::kCustomRoleType && holders == 0},
          {"permissions", std::move(permissions)},
          {"piiAccess", role.pii_access},
          {"usersCount", holders},
          {"createdAt", FormatTimestampMillis(CreatedMs(views, role.created_ms))},
          {"updatedAt", FormatTimestampMillis(UpdatedMs(views, role.created_ms, role.updated_ms))}};
}

// RoleGroup: the group with its roles in display order.
json::object RoleGroupJson(const RoleViews& views, const WorkspaceRoleGroup& group,
                           const std::vector<WorkspaceRole>& roles) {
  json::array summaries;
  for (const WorkspaceRole& role : roles) {
    if (role.group_id == group.id) summaries.push_back(RoleSummaryJson(role));
  }
  return {{"id", group.id},
          {"name", group.name},
          {"description", DescriptionOrNull(group.description)},
          {"type", group.type},
          {"editable", group.type == commands::kCustomRoleType},
          {"roles", std::move(summaries)},
          {"createdAt", FormatTimestampMillis(CreatedMs(views, group.created_ms))},
          {"updatedAt", FormatTimestampMillis(UpdatedMs(views, group.created_ms, group.updated_ms))}};
}

constexpr ReasonRefusal kRefusals[] = {
    {commands::kWorkspaceRoleUnknownPermission, 400, "unknown-permission", "ROL-0001"},
    {commands::kWorkspaceRoleBuiltIn, 403, "built-in-role", "ROL-0002"},
    {commands::kWorkspaceRolePermissionNotHeld, 403, "permission-not-held", "ROL-0003"},
    {commands::kWorkspaceRoleInUse, 409, "role-in-use", "ROL-0004"},
    {commands::kWorkspaceRoleAdminPiiFixed, 403, "pii-access-fixed", "ROL-0005"},
    {commands::kWorkspaceRoleNotHere, 404, "role-not-found", "ROL-0404"},
    {commands::kWorkspaceRoleNameTaken, 409, "role-name-taken", "ROL-0409"},
};

// The refusals of the role commands (commands/workspace_role_commands.h).
HttpResponse RoleRefusal(std::string_view instance, const Status& status) {
  return ReasonProblem(kRefusals, instance, status);
}

void Refused(const ApiCall& call, const Status& status) { call.respond(RoleRefusal(call.request.path, status)); }

// The path parameter `name`: one positive integer; answers 400 itself otherwise.
std::optional<int64_t> IdParam(ApiCall& call, std::string_view name) {
  auto ids = ParseIdList(call.path.Get(name));
  if (!ids.ok() || ids->size() != 1) {
    call.respond(UauthBadRequest(call.request.path, std::string(name) + " must be one positive integer"));
    return std::nullopt;
  }
  return ids->front();
}

// The RoleNotHere refusal of a read.
HttpResponse RoleNotFound(const ApiCall& call, int64_t role_id) {
  return RoleRefusal(call.request.path, Status::NotFound("role " + std::to_string(role_id) +
                                                         " does not exist in this workspace")
                                            .WithReason(commands::kWorkspaceRoleNotHere));
}

// ---------------------------------------------------------------- bodies

// Reads the members of a role or group body (RoleGroup…Request, Role…Request)
// into `change`, listing every violation; `required` must be present.
std::vector<UauthFieldProblem> ReadRoleBody(const JsonObjectReader& body, std::initializer_list<std::string_view> allowed,
                                            std::initializer_list<std::string_view> required,
                                            commands::RoleChange& change) {
  std::vector<UauthFieldProblem> problems;
  auto wrong = [&](std::string_view member, std::string message) {
    problems.push_back({"/" + std::string(member), "", std::move(message)});
  };
  if (auto s = body.OnlyMembers(allowed); !s.ok()) problems.push_back({"", "", s.message()});
  for (std::string_view member : required) {
    if (!body.Has(member)) wrong(member, "member '" + std::string(member) + "' is required");
  }
  auto allows = [&](std::string_view member) {
    return std::find(allowed.begin(), allowed.end(), member) != allowed.end() && body.Has(member);
  };
  if (allows("name")) {
    auto name = body.RequiredString("name");
    if (!name.ok()) {
      wrong("name", name.status().message());
    } else if (auto s = commands::CheckRoleName(*name); !s.ok()) {
      wrong("name", s.message());
    } else {
      change.name = *name;
    }
  }
  if (allows("description")) {
    if (body.IsNull("description")) {
      change.description = "";
    } else if (auto description = body.RequiredString("description"); !description.ok()) {
      wrong("description", description.status().message());
    } else if (auto s = commands::CheckRoleDescription(*description); !s.ok()) {
      wrong("description", s.message());
    } else {
      change.description = *description;
    }
  }
  if (allows("groupId")) {
    auto group = body.RequiredInteger("groupId", 1);
    if (!group.ok()) {
      wrong("groupId", group.status().message());
    } else {
      change.group_id = *group;
    }
  }
  if (allows("permissions")) {
    auto permissions = body.RequiredStrings("permissions");
    if (!permissions.ok()) {
      wrong("permissions", permissions.status().message());
    } else if (permissions->size() > 1000) {
      wrong("permissions", "at most 1000 permissions");
    } else {
      change.permissions = std::move(*permissions);
    }
  }
  return problems;
}

// Parses the call's body and reads it with ReadRoleBody; answers 400 itself
// when anything is wrong (or nothing given, for an update).
std::optional<commands::RoleChange> RoleBody(ApiCall& call, std::initializer_list<std::string_view> allowed,
                                             std::initializer_list<std::string_view> required) {
  auto body = JsonObjectReader::Parse(call.request.body);
  if (!body.ok()) {
    call.respond(UauthBadRequest(call.request.path, body.status().message()));
    return std::nullopt;
  }
  commands::RoleChange change;
  std::vector<UauthFieldProblem> problems = ReadRoleBody(*body, allowed, required, change);
  if (problems.empty() && required.size() == 0 && !change.name && !change.description && !change.group_id &&
      !change.permissions) {
    problems.push_back({"", "", "name at least one member to change"});
  }
  if (!problems.empty()) {
    std::string detail = problems.front().message;
    call.respond(UauthProblem({400, "bad-request", "GEN-0400", std::move(detail), call.request.path, std::move(problems)}));
    return std::nullopt;
  }
  return change;
}

// ---------------------------------------------------------------- answers

// The role `role_id` now as Role, with its ETag (and the event's details after a change).
void RespondWithRole(const UauthContext& context, const std::shared_ptr<ApiCall>& call, int64_t role_id, int status,
                     const commands::CommandOutcome* outcome) {
  const std::string& account_id = call->context.account_id;
  auto views = ReadRoleViews(context, account_id);
  if (!views) return call->respond(UauthUnavailable(call->request.path, "the roles cannot be read now"));
  auto role = commands::FindWorkspaceRole(*views->roles, account_id, role_id);
  if (!role) return call->respond(RoleNotFound(*call, role_id));
  HttpResponse response = JsonResponse(status, json::serialize(RoleJson(*views, account_id, *role)));
  response.SetHeader("ETag", ETagOf(role->version));
  if (status == 201) response.SetHeader("Location", "/uauth/roles/" + std::to_string(role_id));
  if (outcome && outcome->sequence != 0) AddEventDetails(response, *outcome);
  call->respond(std::move(response));
}

// The group `group_id` now as RoleGroup.
void RespondWithGroup(const UauthContext& context, const std::shared_ptr<ApiCall>& call, int64_t group_id, int status,
                      const commands::CommandOutcome& outcome) {
  const std::string& account_id = call->context.account_id;
  auto views = ReadRoleViews(context, account_id);
  auto group = views ? commands::FindWorkspaceRoleGroup(*views->roles, account_id, group_id) : std::nullopt;
  if (!group) return call->respond(UauthUnavailable(call->request.path, "the role group cannot be read now"));
  HttpResponse response = JsonResponse(
      status, json::serialize(RoleGroupJson(*views, *group, commands::WorkspaceRoles(*views->roles, account_id))));
  if (status == 201) response.SetHeader("Location", "/uauth/roles/role-group/" + std::to_string(group_id));
  if (outcome.sequence != 0) AddEventDetails(response, outcome);
  call->respond(std::move(response));
}

// RolePii of role `role_id` now, with the role's ETag.
void RespondWithPii(const UauthContext& context, const std::shared_ptr<ApiCall>& call, int64_t role_id,
                    const commands::CommandOutcome* outcome) {
  auto roles = WorkspaceRolesNow(context);
  if (!roles) return call->respond(UauthUnavailable(call->request.path, "the roles cannot be read now"));
  auto role = commands::FindWorkspaceRole(*roles, call->context.account_id, role_id);
  if (!role) return call->respond(RoleNotFound(*call, role_id));
  // iamd has no workspace PII protection switch yet (§15 item 11), so nothing is masked.
  HttpResponse response = JsonResponse(200, json::serialize(json::object{{"roleId", role->id},
                                                                          {"piiAccess", role->pii_access},
                                                                          {"workspacePiiProtectionEnabled", false}}));
  response.SetHeader("ETag", ETagOf(role->version));
  if (outcome && outcome->sequence != 0) AddEventDetails(response, *outcome);
  call->respond(std::move(response));
}

// ---------------------------------------------------------------- #51, #52, #57, #60

void PermissionTree(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:read")) return;
  auto role_id = IdParam(*call, "roleId");
  if (!role_id) return;
  auto roles = WorkspaceRolesNow(context);
  if (!roles) return call->respond(UauthUnavailable(call->request.path, "the roles cannot be read now"));
  auto role = commands::FindWorkspaceRole(*roles, call->context.account_id, *role_id);
  if (!role) return call->respond(RoleNotFound(*call, *role_id));
  // module (the feature's first segment) → feature → every action.
  json::array modules;
  std::string current;
  for (const commands::PermissionFeature& feature : commands::PermissionCatalogue()) {
    const std::string_view name(feature.feature);
    const std::string module(name.substr(0, name.find('_')));
    if (modules.empty() || module != current) {
      current = module;
      modules.push_back(
          json::object{{"module", module}, {"label", commands::ModuleLabel(module)}, {"features", json::array()}});
    }
    json::array actions;
    for (const char* action : feature.actions) {
      const std::string permission = std::string(name) + ":" + action;
      const bool granted = std::binary_search(role->permissions.begin(), role->permissions.end(), permission);
      actions.push_back(json::object{{"action", action}, {"granted", granted}});
    }
    modules.back().as_object()["features"].as_array().push_back(
        json::object{{"feature", feature.feature}, {"label", feature.label}, {"actions", std::move(actions)}});
  }
  call->respond(JsonResponse(200, json::serialize(json::object{{"roleId", role->id}, {"modules", std::move(modules)}})));
}

void ListRoleGroups(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:read")) return;
  const std::string& account_id = call->context.account_id;
  auto views = ReadRoleViews(context, account_id);
  if (!views) return call->respond(UauthUnavailable(call->request.path, "the roles cannot be read now"));
  const std::vector<WorkspaceRole> roles = commands::WorkspaceRoles(*views->roles, account_id);
  json::array data;
  for (const WorkspaceRoleGroup& group : commands::WorkspaceRoleGroups(*views->roles, account_id)) {
    data.push_back(RoleGroupJson(*views, group, roles));
  }
  call->respond(JsonResponse(200, json::serialize(json::object{{"data", std::move(data)}})));
}

void GetRole(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:read")) return;
  auto role_id = IdParam(*call, "roleId");
  if (!role_id) return;
  RespondWithRole(context, call, *role_id, 200, nullptr);
}

void GetRolePii(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_pii:read")) return;
  auto role_id = IdParam(*call, "roleId");
  if (!role_id) return;
  RespondWithPii(context, call, *role_id, nullptr);
}

// ---------------------------------------------------------------- #53 … #55

void CreateGroup(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:create")) return;
  auto change = RoleBody(*call, {"name", "description"}, {"name"});
  if (!change) return;
  SubmitCommand(context.processor, call,
                std::make_unique<commands::CreateRoleGroup>(*change->name, change->description.value_or("")),
                Refused, [&context](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  RespondWithGroup(context, call, outcome.created_id, 201, outcome);
                });
}

void UpdateGroup(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:update")) return;
  auto group_id = IdParam(*call, "groupId");
  if (!group_id) return;
  auto change = RoleBody(*call, {"name", "description"}, {});
  if (!change) return;
  SubmitCommand(context.processor, call,
                std::make_unique<commands::UpdateRoleGroup>(*group_id, change->name, change->description), Refused,
                [&context, id = *group_id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  RespondWithGroup(context, call, id, 200, outcome);
                });
}

void DeleteGroup(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:delete")) return;
  auto group_id = IdParam(*call, "groupId");
  if (!group_id) return;
  SubmitCommand(context.processor, call, std::make_unique<commands::DeleteRoleGroup>(*group_id), Refused,
                RespondNoContent);
}

// ---------------------------------------------------------------- #56, #58, #59, #61

void CreateRole(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:create");
  if (!caller) return;
  auto change = RoleBody(*call, {"name", "description", "groupId", "permissions"}, {"name", "groupId", "permissions"});
  if (!change) return;
  SubmitCommand(context.processor, call,
                std::make_unique<commands::CreateWorkspaceRole>(std::move(*change), caller->user.ui_identity_id),
                Refused, [&context](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  RespondWithRole(context, call, outcome.created_id, 201, &outcome);
                });
}

void UpdateRole(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:update");
  if (!caller) return;
  auto role_id = IdParam(*call, "roleId");
  if (!role_id) return;
  auto change = RoleBody(*call, {"name", "description", "groupId", "permissions"}, {});
  if (!change) return;
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::UpdateWorkspaceRole>(*role_id, std::move(*change), caller->user.ui_identity_id),
      Refused,
      [&context, id = *role_id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        RespondWithRole(context, call, id, 200, &outcome);
      });
}

void DeleteRole(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:delete")) return;
  auto role_id = IdParam(*call, "roleId");
  if (!role_id) return;
  SubmitCommand(context.processor, call, std::make_unique<commands::DeleteWorkspaceRole>(*role_id), Refused,
                RespondNoContent);
}

void UpdateRolePii(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  // the PII settings at read level, and role update.
  if (!AuthenticateWorkspacePermission(context, *call, "settings_pii:read")) return;
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_roles:update")) return;
  auto role_id = IdParam(*call, "roleId");
  if (!role_id) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"piiAccess"}); !s.ok()) return call->respond(UauthBadRequest(call->request.path, s.message()));
  auto level = body->RequiredString("piiAccess");
  if (!level.ok() || (*level != events::kPiiAccessNone && *level != events::kPiiAccessFull)) {
    return call->respond(UauthBadRequest(call->request.path, "piiAccess must be NONE or FULL"));
  }
  SubmitCommand(context.processor, call, std::make_unique<commands::SetRolePiiAccess>(*role_id, *level), Refused,
                [&context, id = *role_id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  RespondWithPii(context, call, id, &outcome);
                });
}

}  // namespace

void AddWorkspaceRoleRoutes(Router& router, const UauthContext& context) {
  auto add = [&](const char* method, const char* path, void (*handler)(const UauthContext&, const std::shared_ptr<ApiCall>&)) {
    router.Add(method, path, [&context, handler](std::shared_ptr<ApiCall> call) { handler(context, call); });
  };
  add("GET", "/uauth/permissions/group/role/{roleId}", PermissionTree);
  add("GET", "/uauth/roles/listing", ListRoleGroups);
  add("POST", "/uauth/roles/role-group", CreateGroup);
  add("POST", "/uauth/roles/role-group/{groupId}", UpdateGroup);
  add("DELETE", "/uauth/roles/role-group/{groupId}", DeleteGroup);
  add("POST", "/uauth/roles/role", CreateRole);
  add("GET", "/uauth/roles/{roleId}", GetRole);
  add("POST", "/uauth/roles/role/{roleId}", UpdateRole);
  add("DELETE", "/uauth/roles/role/{roleId}", DeleteRole);
  add("GET", "/uauth/roles/{roleId}/pii", GetRolePii);
  add("POST", "/uauth/roles/{roleId}/pii", UpdateRolePii);
}

}  // namespace iam::api
