#include "api/v3/roles_handlers.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/integer_ids.h"
#include "api/problem.h"
#include "api/read_models.h"
#include "commands/lookups.h"
#include "commands/role_commands.h"
#include "events/clock.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"
#include "projections/roles_read_model.h"

namespace iam::api {
namespace {

using projections::RoleDirectory;
using projections::RoleRecord;

constexpr std::string_view kRolesPath = "/identity-management/v3/user-admin/roles";

struct RoleView {
  bool actions = false, granted_roles = false, users = false;
};

boost::json::array GrantedRolesJson(const std::vector<int64_t>& ids) {
  boost::json::array list;
  for (int64_t id : ids) {
    if (const auto* role = commands::Lookups::Get().FindGrantableRole(id)) {
      list.push_back({{"grantedRoleId", id}, {"grantedRoleName", role->name}, {"grantedRoleDescription", role->description}});
    }
  }
  return list;
}

using Holders = std::vector<const projections::UserRecord*>;

// the users holding a role, as the role schema lists them.
boost::json::array UsersJson(const Holders& holders) {
  boost::json::array list;
  for (const projections::UserRecord* user : holders) {
    list.push_back({{"uiIdentityId", user->ui_identity_id},
                    {"firstName", user->profile.first_name},
                    {"lastName", user->profile.last_name},
                    {"email", user->profile.email},
                    {"accountId", user->account_id},
                    // D-5: required in the list; sign-ins happen outside iamd, so "never" is the epoch.
                    {"lastLoginDate", FormatTimestampMillis(0)}});
  }
  return list;
}

// only custom roles may be edited, and deleted only while nobody holds
// them (the check DeleteRole makes).
boost::json::object RoleJson(const RoleRecord& role, const RoleView& view, const Holders& holders, bool deletable) {
  boost::json::object o{{"roleId", role.role_id},
                        {"roleName", role.role_name},
                        {"roleDescription", role.role_description},
                        {"type", "custom"},
                        {"createdBy", role.created_by},
                        {"createdDate", FormatTimestampMillis(role.created_ms)},
                        {"modifiedBy", role.modified_by},
                        {"modifiedDate", FormatTimestampMillis(role.modified_ms)}};
  if (view.actions) o["actions"] = boost::json::object{{"edit", true}, {"delete", deletable}};
  if (view.granted_roles) o["grantedRoles"] = GrantedRolesJson(role.granted_role_ids);
  if (view.users) o["users"] = UsersJson(holders);
  return o;
}

boost::json::object StandardRoleJson(const commands::StandardRole& role, const RoleView& view, const Holders& holders) {
  boost::json::object o{{"roleId", role.id},          {"roleName", role.name},
                        {"roleDescription", role.description}, {"type", role.type},
                        {"createdBy", role.created_by}, {"createdDate", role.created_date},
                        {"modifiedBy", role.modified_by}, {"modifiedDate", role.modified_date}};
  if (view.actions) o["actions"] = boost::json::object{{"edit", false}, {"delete", false}};
  if (view.granted_roles) o["grantedRoles"] = boost::json::array();
  if (view.users) o["users"] = UsersJson(holders);
  return o;
}

// The create/edit body: {roleName, roleDescription, grantedRoles: [{grantedRoleId}]}.
struct RoleBody {
  std::optional<std::string> name, description;
  std::optional<std::vector<int64_t>> granted;
};

Result<RoleBody> ParseRoleBody(const std::string& text, bool all_required) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  RoleBody body;
  for (const auto& [key, member] : value.as_object()) {
    if (key == "roleName" || key == "roleDescription") {
      if (!member.is_string()) return Status::InvalidArgument(std::string(key) + " must be a string");
      (key == "roleName" ? body.name : body.description) = std::string(member.as_string());
    } else if (key == "grantedRoles") {
      if (!member.is_array()) return Status::InvalidArgument("grantedRoles must be an array");
      std::vector<int64_t> ids;
      for (const auto& item : member.as_array()) {
        const auto* id = item.is_object() ? item.as_object().if_contains("grantedRoleId") : nullptr;
        if (!id || !id->is_int64()) return Status::InvalidArgument("each grantedRoles item needs an integer grantedRoleId");
        ids.push_back(id->as_int64());
      }
      body.granted = std::move(ids);
    } else if (key != "type" && key != "roleId") {  // D-7: echoes of what a GET returned
      return Status::InvalidArgument("unknown member '" + std::string(key) + "'");
    }
  }
  if (all_required && (!body.name || !body.description || !body.granted)) {
    return Status::InvalidArgument("roleName, roleDescription and grantedRoles are required");
  }
  return body;
}

class RoleRoutes {
 public:
  RoleRoutes(projections::ProjectionRunner& runner, commands::CommandProcessor& processor)
      : runner_(runner), processor_(processor) {}

  void Grantable(const std::shared_ptr<ApiCall>& call) {
    call->respond(JsonResponse(200, commands::Lookups::Get().Json("grantable-roles")));
  }

  void List(const std::shared_ptr<ApiCall>& call) {
    RoleView view;
    if (!View(*call, view, /*granted_roles_flag=*/false)) return;
    auto ignore = call->query.GetBool("ignoreContext", false);
    if (!ignore.ok()) return RespondWithError(*call, ignore.status(), kUserAdminErrors);
    std::optional<int64_t> group_id;
    if (auto group = call->query.Get("groupId")) {
      auto id = ParseId(*group, "groupId");
      if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
      group_id = *id;
    }
    auto roles = Roles(*call);
    if (!roles) return;
    auto users = Users(*call);
    if (!users) return;
    const std::string& account = call->context.account_id;
    // with groupId, only the roles granted on that group.
    auto wanted = [&](int64_t role_id) {
      if (!group_id) return true;
      for (const projections::UserRecord* user : users->OfAccount(account)) {
        for (const auto& grant : user->grants) {
          if (grant.group_id == *group_id && grant.role_id == role_id) return true;
        }
      }
      return false;
    };
    boost::json::array list;
    for (const auto& standard : commands::Lookups::Get().StandardRoles()) {
      if (!wanted(standard.id)) continue;
      const Holders holders = users->WithRole(account, standard.id);
      auto o = StandardRoleJson(standard, view, holders);
      o["numUsers"] = holders.size();
      list.push_back(std::move(o));
    }
    auto version = roles->Published();
    for (int64_t id : version->OfAccount(account)) {
      if (!wanted(id)) continue;
      const Holders holders = users->WithRole(account, id);
      auto o = RoleJson(*version->Find(account, id), view, holders,
                        commands::CheckRoleUnassigned(*users, account, id).ok());
      o["numUsers"] = holders.size();
      list.push_back(std::move(o));
    }
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

  void Get(const std::shared_ptr<ApiCall>& call) {
    RoleView view;
    if (!View(*call, view, /*granted_roles_flag=*/true)) return;
    auto id = ParseId(call->path.Get("roleId"), "roleId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    if (const auto* standard = commands::Lookups::Get().FindStandardRole(*id)) {
      auto users = Users(*call);
      if (!users) return;
      const Holders holders = users->WithRole(call->context.account_id, standard->id);
      return call->respond(JsonResponse(200, boost::json::serialize(StandardRoleJson(*standard, view, holders))));
    }
    RespondWithRole(call, *id, view, 200, nullptr);
  }

  void Create(const std::shared_ptr<ApiCall>& call) {
    auto body = ParseRoleBody(call->request.body, /*all_required=*/true);
    if (!body.ok()) return RespondWithError(*call, body.status(), kUserAdminErrors);
    SubmitCommand(processor_, call, std::make_unique<commands::CreateRole>(*body->name, *body->description, *body->granted),
                  kUserAdminErrors, [this](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                    RespondWithRole(call, outcome.created_id, {false, true, false}, 201, &outcome);
                  });
  }

  void Update(const std::shared_ptr<ApiCall>& call) {
    auto id = ParseId(call->path.Get("roleId"), "roleId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    auto body = ParseRoleBody(call->request.body, /*all_required=*/false);
    if (!body.ok()) return RespondWithError(*call, body.status(), kUserAdminErrors);
    const int64_t role_id = *id;
    SubmitCommand(processor_, call,
                  std::make_unique<commands::UpdateRole>(role_id, body->name, body->description, body->granted),
                  kUserAdminErrors, [this, role_id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                    RespondWithRole(call, role_id, {false, true, false}, 200, &outcome);
                  });
  }

  void Delete(const std::shared_ptr<ApiCall>& call) {
    auto id = ParseId(call->path.Get("roleId"), "roleId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    SubmitCommand(processor_, call, std::make_unique<commands::DeleteRole>(*id), kUserAdminErrors, RespondNoContent);
  }

 private:
  bool View(const ApiCall& call, RoleView& view, bool granted_roles_flag) const {
    for (auto [name, flag] : {std::pair{"actions", &view.actions}, std::pair{"users", &view.users},
                              std::pair{"grantedRoles", &view.granted_roles}}) {
      if (!granted_roles_flag && flag == &view.granted_roles) continue;
      auto value = call.query.GetBool(name, false);
      if (!value.ok()) {
        RespondWithError(call, value.status(), kUserAdminErrors);
        return false;
      }
      *flag = *value;
    }
    return true;
  }

  std::shared_ptr<projections::RolesReadModel> Roles(const ApiCall& call) const {
    return ServingReadModel<projections::RolesReadModel>(runner_, projections::kRolesProjection, call);
  }

  // The users read model's published version, or nullptr after answering 503.
  std::shared_ptr<const projections::UserDirectory> Users(const ApiCall& call) const {
    auto model = ServingReadModel<projections::UsersReadModel>(runner_, projections::kUsersProjection, call);
    return model ? model->Published() : nullptr;
  }

  void RespondWithRole(const std::shared_ptr<ApiCall>& call, int64_t role_id, const RoleView& view, int status,
                       const commands::CommandOutcome* outcome) {
    auto roles = Roles(*call);
    if (!roles) return;
    auto users = Users(*call);
    if (!users) return;
    auto version = roles->Published();
    const RoleRecord* role = version->Find(call->context.account_id, role_id);
    if (!role) {
      return RespondWithError(*call,
                              Status::NotFound("role not found: " + std::to_string(role_id))
                                  .WithReason(commands::kRoleNotFound),
                              kUserAdminErrors);
    }
    HttpResponse response = JsonResponse(
        status, boost::json::serialize(RoleJson(*role, view, users->WithRole(call->context.account_id, role_id),
                                                commands::CheckRoleUnassigned(*users, call->context.account_id, role_id).ok())));
    response.SetHeader("ETag", ETagOf(role->version));
    if (outcome) AddEventDetails(response, *outcome);
    if (status == 201) response.SetHeader("Location", std::string(kRolesPath) + "/" + std::to_string(role_id));
    call->respond(std::move(response));
  }

  projections::ProjectionRunner& runner_;
  commands::CommandProcessor& processor_;
};

}  // namespace

void AddRoleRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor) {
  auto routes = std::make_shared<RoleRoutes>(runner, processor);
  const std::string base(kRolesPath);
  auto bind = [routes](void (RoleRoutes::*method)(const std::shared_ptr<ApiCall>&)) {
    return [routes, method](std::shared_ptr<ApiCall> call) { ((*routes).*method)(call); };
  };
  router.Add("GET", base + "/grantable-roles", bind(&RoleRoutes::Grantable));
  router.Add("GET", base, bind(&RoleRoutes::List));
  router.Add("POST", base, bind(&RoleRoutes::Create));
  router.Add("GET", base + "/{roleId}", bind(&RoleRoutes::Get));
  router.Add("PUT", base + "/{roleId}", bind(&RoleRoutes::Update));
  router.Add("DELETE", base + "/{roleId}", bind(&RoleRoutes::Delete));
}

}  // namespace iam::api
