// The helper operations for building API clients (iam-rules.md §9). Grants
// resolve through projections/grant_resolution.h (RoleOnGroup), role names
// come from the grants' own rendering (AuthGrantsJson), the API catalogue
// from commands::Lookups.
#include "api/v3/helper_handlers.h"

#include "commands/api_client_commands.h"
#include "commands/group_access.h"

#include <boost/json.hpp>

#include <set>
#include <string_view>
#include <utility>

#include "api/api_response.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "api/v3/identity_snapshot.h"
#include "commands/group_commands.h"
#include "commands/lookups.h"
#include "projections/grant_resolution.h"

namespace iam::api {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using projections::RoleOnGroup;
using projections::UserRecord;

constexpr std::string_view kHelperPath = "/identity-management/v3/users";

// The client types of the allowed-apis query and the allowed-cpcodes body.
bool IsClientType(std::string_view type) {
  return type == "CLIENT" || type == "USER_CLIENT" || type == "SERVICE_ACCOUNT";
}

Status ClientTypeError(const std::string& where) {
  return Status::InvalidArgument(where + " must be CLIENT, USER_CLIENT or SERVICE_ACCOUNT");
}

// The allowed-cpcodes body: {clientType, groups: [{groupId, roleId, …}]}.
struct CpCodeRequest {
  std::string client_type;
  // The groups as grants (a role or a block per group), flattened: as in a
  // user's grants, nesting carries no meaning beyond that (user_json.h).
  std::vector<events::AuthGrant> grants;
  std::vector<int64_t> group_ids;  // every group named, for the existence check
  bool has_groups = false;         // at least one top-level item
};

Status MustBe(const std::string& member, const char* what) {
  return Status::InvalidArgument("member '" + member + "' must be " + what);
}

// Reads one top-level groups item and the subGroups below it (iteratively:
// the nesting depth is the client's to choose). Top-level items follow the
// closed item schema; nested ones are open ("a further nested group"), so
// only the members that carry meaning are read and the rest are ignored.
Status ReadGroupItem(const value& root, CpCodeRequest& out) {
  std::vector<std::pair<const value*, bool>> pending = {{&root, true}};
  while (!pending.empty()) {
    auto [item, top] = pending.back();
    pending.pop_back();
    const std::string prefix = top ? "groups." : "groups.subGroups.";
    if (!item->is_object()) {
      return Status::InvalidArgument(std::string(top ? "groups" : "groups.subGroups") + " items must be objects");
    }
    events::AuthGrant grant;
    bool has_group = false, has_role = false;
    for (const auto& [key, member] : item->as_object()) {
      const std::string name = prefix + std::string(key);
      if (key == "groupId") {
        if (!member.is_int64() || member.as_int64() < 1) return MustBe(name, "a positive integer");
        grant.group_id = member.as_int64();
        has_group = true;
      } else if (key == "roleId") {
        if (member.is_null() && !top) continue;  // nested echoes: the inherited role (U-16)
        if (!member.is_int64() || member.as_int64() < 1) return MustBe(name, "a positive integer");
        grant.role_id = member.as_int64();
        has_role = true;
      } else if (key == "isBlocked") {
        if (member.is_null()) continue;
        if (!member.is_bool()) return MustBe(name, "a boolean");
        grant.is_blocked = member.as_bool();
      } else if (key == "subGroups" || key == "subgroups") {  // older Go clients' spelling
        if (member.is_null()) continue;                        // null arrays
        if (!member.is_array()) return MustBe(name, "an array");
        for (const value& sub : member.as_array()) pending.push_back({&sub, false});
      } else if (!top) {
        continue;  // open schema below the top level
      } else if (key == "groupName" || key == "roleName" || key == "roleDescription") {
        // Echo-only members; X-21 tolerates "" from Akamai's clients.
        if (!member.is_string()) return MustBe(name, "a string");
      } else if (key == "parentGroupId") {
        if (!member.is_int64() || member.as_int64() < 0) return MustBe(name, "a non-negative integer");
      } else {
        return Status::InvalidArgument("unknown member '" + name + "'");
      }
    }
    if (!has_group) return Status::InvalidArgument("member '" + prefix + "groupId' is required");
    if (top && !has_role) return Status::InvalidArgument("member 'groups.roleId' is required");
    out.group_ids.push_back(grant.group_id);
    if (grant.role_id != 0 || grant.is_blocked) out.grants.push_back(grant);
  }
  return Status::Ok();
}

Result<CpCodeRequest> ParseCpCodeRequest(const std::string& body) {
  auto reader = JsonObjectReader::Parse(body);
  if (!reader.ok()) return reader.status();
  if (auto s = reader->OnlyMembers({"clientType", "groups"}); !s.ok()) return s;
  auto client_type = reader->RequiredString("clientType");
  if (!client_type.ok()) return client_type.status();
  if (!IsClientType(*client_type)) return ClientTypeError("member 'clientType'");
  CpCodeRequest request;
  request.client_type = std::move(*client_type);
  boost::system::error_code ec;
  const value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  const value* groups = parsed.as_object().if_contains("groups");
  // H-3: groups are required only for SERVICE_ACCOUNT [go]; the others fall
  // back on the user's own groups. A null array is an absent one.
  if (groups && !groups->is_null()) {
    if (!groups->is_array()) return MustBe("groups", "an array");
    for (const value& item : groups->as_array()) {
      if (auto s = ReadGroupItem(item, request); !s.ok()) return s;
      request.has_groups = true;
    }
  }
  if (request.client_type == "SERVICE_ACCOUNT" && !request.has_groups) {
    return Status::InvalidArgument("member 'groups' needs at least one group for clientType SERVICE_ACCOUNT");
  }
  return request;
}

// Role id -> the roleId, roleName and roleDescription members of the user's
// grants as AuthGrantsJson renders them (U-19), so both answers name roles alike.
std::map<int64_t, object> RoleMembersOf(const UserRecord& user, const UserJsonContext& context) {
  std::map<int64_t, object> roles;
  const array rendered = AuthGrantsJson(user.grants, user.account_id, context);
  std::vector<const array*> pending = {&rendered};
  while (!pending.empty()) {
    const array* items = pending.back();
    pending.pop_back();
    for (const value& item : *items) {
      const object& o = item.as_object();
      if (const value* role = o.if_contains("roleId"); role && role->is_int64()) {
        object members{{"roleId", *role}};
        for (const char* name : {"roleName", "roleDescription"}) {
          if (const value* text = o.if_contains(name)) members[name] = *text;
        }
        roles.emplace(role->as_int64(), std::move(members));
      }
      if (const value* sub = o.if_contains("subGroups"); sub && sub->is_array()) pending.push_back(&sub->as_array());
    }
  }
  return roles;
}

// The H-4 schema's role members; a role without a name on record (none
// should be: assigned roles cannot be deleted, R-7) is named by its id so
// that the node still conforms.
void AddRoleMembers(object& node, int64_t role_id, const std::map<int64_t, object>& roles) {
  auto it = roles.find(role_id);
  const object none;
  const object& known = it == roles.end() ? none : it->second;
  const std::string fallback = "Role " + std::to_string(role_id);
  node["roleId"] = role_id;
  for (const char* name : {"roleName", "roleDescription"}) {
    const value* text = known.if_contains(name);
    node[name] = text && text->is_string() && !text->as_string().empty() ? *text : value(fallback);
  }
}

class HelperRoutes {
 public:
  explicit HelperRoutes(projections::ProjectionRunner& runner) : runner_(runner) {}

  // H-1: every user of the account may be a client's authorized user (owner).
  // Locked users are listed too: ownership outlives a lock (the clients of a
  // locked owner stop working, C-20, and resume on unlock); what the lock
  // withdraws is the user's API access (H-2, commands::MayGrantApis).
  void ListUsers(const std::shared_ptr<ApiCall>& call) {
    auto snapshot = TakeIdentitySnapshot(runner_, *call);
    if (!snapshot) return;
    const commands::GroupReach reach = snapshot->ReachOf(*call);
    array list;
    for (const UserRecord* user : snapshot->users->OfAccount(call->context.account_id)) {
      if (!reach.ReachesUser(*user, call->context.actor)) continue;  // the users the caller reaches
      list.push_back(object{{"username", user->ui_user_name},
                            {"firstName", user->profile.first_name},
                            {"lastName", user->profile.last_name},
                            {"email", user->profile.email},
                            {"uiIdentityId", user->ui_identity_id}});
    }
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

  // H-2: the whole catalogue, in catalogue order, each API with the
  // access levels it offers and whether this user may grant it.
  //
  // clientType and allowAccountSwitch are validated but change nothing: every
  // API of iamd's catalogue is open to all three client types, and none is
  // reserved to account-switching clients (commands/lookups/apis.json), so
  // the filters they name select the whole catalogue.
  void AllowedApis(const std::shared_ptr<ApiCall>& call) {
    if (auto type = call->query.Get("clientType"); type && !IsClientType(*type)) {
      return Refuse(*call, ClientTypeError("query parameter 'clientType'"));
    }
    auto switching = call->query.GetBool("allowAccountSwitch", false);
    if (!switching.ok()) return Refuse(*call, switching.status());
    auto snapshot = TakeIdentitySnapshot(runner_, *call);
    if (!snapshot) return;
    const UserRecord* user = UserNamed(*snapshot, *call);
    if (!user) return;
    const bool access = commands::MayGrantApis(*user);
    array list;
    for (const commands::ApiService& api : commands::Lookups::Get().Apis()) {
      list.push_back(object{{"apiId", api.id},
                            {"apiName", api.name},
                            {"description", api.description},
                            {"documentationUrl", api.documentation_url},
                            {"endPoint", api.end_point},  // the spec's spelling (H-2)
                            {"serviceProviderId", api.service_provider_id},
                            {"hasAccess", access},
                            {"accessLevels", array(api.access_levels.begin(), api.access_levels.end())}});
    }
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

  // H-3: a read despite POST (D-17); CP codes in ascending number.
  void AllowedCpCodes(const std::shared_ptr<ApiCall>& call) {
    auto request = ParseCpCodeRequest(call->request.body);
    if (!request.ok()) return Refuse(*call, request.status());
    auto snapshot = TakeIdentitySnapshot(runner_, *call);
    if (!snapshot) return;
    const UserRecord* user = UserNamed(*snapshot, *call);
    if (!user) return;
    // Groups of other accounts look unknown. The roleIds are checked for
    // shape only: a role does not change which CP codes a group holds, and a
    // client's roles are checked where they are stored (C-4).
    for (int64_t group_id : request->group_ids) {
      if (!snapshot->groups->Find(call->context.account_id, group_id)) {
        return Refuse(*call, Status::NotFound("group not found: " + std::to_string(group_id))
                                 .WithReason(commands::kGroupNotFound));
      }
    }
    array list;
    for (const auto& [code, name] : ReachableCpCodes(*user, request->grants, *snapshot->groups, *snapshot->assets)) {
      list.push_back(object{{"name", name}, {"value", code}});
    }
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

  // H-4.
  void GroupAccess(const std::shared_ptr<ApiCall>& call) {
    auto snapshot = TakeIdentitySnapshot(runner_, *call);
    if (!snapshot) return;
    const UserRecord* user = UserNamed(*snapshot, *call);
    if (!user) return;
    const array tree = GroupAccessJson(*user, snapshot->JsonContext(*call, *user, {}));
    call->respond(JsonResponse(200, boost::json::serialize(tree)));
  }

 private:
  static void Refuse(const ApiCall& call, const Status& status) { RespondWithError(call, status, kUserAdminErrors); }

  // The path's user of the caller's account, or nullptr after answering 404
  // (another account's user looks unknown, X-3) or 403 (one out of the
  // caller's reach, X-5).
  static const UserRecord* UserNamed(const IdentitySnapshot& snapshot, const ApiCall& call) {
    const std::string_view name = call.path.Get("username");
    const UserRecord* user = snapshot.users->FindByUserName(name);
    if (!user || user->account_id != call.context.account_id) {
      RespondUserNotFound(call, name);
      return nullptr;
    }
    if (!snapshot.Reaches(call, *user)) {
      Refuse(call, Status::PermissionDenied("Not Authorized to perform this action").WithReason(commands::kNotAuthorized));
      return nullptr;
    }
    return user;
  }

  projections::ProjectionRunner& runner_;
};

}  // namespace

array GroupAccessJson(const UserRecord& user, const UserJsonContext& context) {
  const projections::GroupDirectory& groups = context.groups;
  const std::map<int64_t, object> roles = RoleMembersOf(user, context);
  // The roots: groups with a role and no role granted above them.
  std::set<int64_t> granted;
  for (const events::AuthGrant& grant : user.grants) {
    if (grant.group_id != 0 && grant.role_id != 0 && groups.Find(user.account_id, grant.group_id)) {
      granted.insert(grant.group_id);
    }
  }
  std::vector<int64_t> roots;
  for (int64_t group_id : granted) {
    bool below_granted = false;
    for (int64_t ancestor : groups.PathToRoot(group_id)) {
      below_granted |= ancestor != group_id && granted.count(ancestor) > 0;
    }
    if (!below_granted) roots.push_back(group_id);
  }
  // Without the blocks, the same resolution finds the role a block withholds.
  std::vector<events::AuthGrant> unblocked = user.grants;
  for (events::AuthGrant& grant : unblocked) grant.is_blocked = false;
  auto node = [&](const projections::GroupRecord& group) {
    int64_t role_id = RoleOnGroup(groups, user.grants, group.group_id);
    const bool blocked = role_id == 0;
    if (blocked) role_id = RoleOnGroup(groups, unblocked, group.group_id);
    object o{{"groupId", group.group_id}, {"groupName", group.group_name}};
    AddRoleMembers(o, role_id, roles);
    o["isBlocked"] = blocked;
    o["subGroups"] = array();
    return o;
  };
  // Depth-first without recursion, as AuthGrantsJson: a node's subtree is
  // complete before its next sibling is added, so the array a pending frame
  // points into never grows (and moves) meanwhile.
  struct Frame {
    int64_t group_id;
    array* into;
  };
  array out;
  std::vector<Frame> pending;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) pending.push_back({*it, &out});
  while (!pending.empty()) {
    const Frame frame = pending.back();
    pending.pop_back();
    const projections::GroupRecord* group = groups.Find(user.account_id, frame.group_id);
    if (!group) continue;
    frame.into->push_back(node(*group));
    array& sub = frame.into->back().as_object()["subGroups"].as_array();
    for (auto it = group->subgroup_ids.rbegin(); it != group->subgroup_ids.rend(); ++it) pending.push_back({*it, &sub});
  }
  return out;
}

std::map<int64_t, std::string> ReachableCpCodes(const UserRecord& user,
                                                const std::vector<events::AuthGrant>& client_grants,
                                                const projections::GroupDirectory& groups,
                                                const projections::AssetDirectory& assets) {
  std::map<int64_t, std::string> codes;
  std::vector<int64_t> pending = groups.TopLevel(user.account_id);
  while (!pending.empty()) {
    const int64_t group_id = pending.back();
    pending.pop_back();
    const projections::GroupRecord* group = groups.Find(user.account_id, group_id);
    if (!group) continue;
    pending.insert(pending.end(), group->subgroup_ids.begin(), group->subgroup_ids.end());
    if (RoleOnGroup(groups, user.grants, group_id) == 0) continue;
    if (!client_grants.empty() && RoleOnGroup(groups, client_grants, group_id) == 0) continue;
    for (int64_t asset_id : assets.InGroup(group_id)) {
      if (user.IsBlockedFrom(asset_id)) continue;
      for (const projections::AssetResourceRecord& resource : assets.Resources(asset_id)) {
        if (resource.resource_type != "cpcode") continue;
        // The schema's name has minLength 1: an unnamed CP code goes by its number.
        codes.emplace(resource.resource_id,
                      resource.resource_name.empty() ? std::to_string(resource.resource_id) : resource.resource_name);
      }
    }
  }
  return codes;
}

void AddHelperRoutes(Router& router, projections::ProjectionRunner& runner) {
  auto routes = std::make_shared<HelperRoutes>(runner);
  const std::string base(kHelperPath);
  auto bind = [routes](void (HelperRoutes::*method)(const std::shared_ptr<ApiCall>&)) {
    return [routes, method](std::shared_ptr<ApiCall> call) { ((*routes).*method)(call); };
  };
  router.Add("GET", base, bind(&HelperRoutes::ListUsers));
  router.Add("GET", base + "/{username}/allowed-apis", bind(&HelperRoutes::AllowedApis));
  router.Add("POST", base + "/{username}/allowed-cpcodes", bind(&HelperRoutes::AllowedCpCodes));
  router.Add("GET", base + "/{username}/group-access", bind(&HelperRoutes::GroupAccess));
}

}  // namespace iam::api
