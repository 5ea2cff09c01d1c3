// The Groups API (seed operations 1–7): routes, request decoding, responses.
// Rules live in commands/group_commands.*, the data in projections/group_directory.*.
#include "api/v3/groups_handlers.h"

#include <boost/json.hpp>

#include <charconv>
#include <set>
#include <vector>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/integer_ids.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "api/read_models.h"
#include "api/v3/group_json.h"
#include "commands/group_access.h"
#include "commands/group_commands.h"
#include "events/clock.h"
#include "projections/assets_read_model.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"
#include "projections/move_impact.h"

namespace iam::api {
namespace {

using projections::GroupDirectory;
using projections::GroupRecord;

constexpr std::string_view kGroupsPath = "/identity-management/v3/user-admin/groups";


class GroupRoutes {
 public:
  GroupRoutes(projections::ProjectionRunner& runner, commands::CommandProcessor& processor)
      : runner_(runner), processor_(processor) {}

  void ListGroups(const std::shared_ptr<ApiCall>& call) {
    auto actions = call->query.GetBool("actions", false);
    if (!actions.ok()) return RespondWithError(*call, actions.status(), kUserAdminErrors);
    GroupActionsPredicate deletable;
    if (!Deletable(*call, *actions, deletable)) return;
    auto model = Groups(*call);
    if (!model) return;
    auto reach_models = ReachModels(*call);
    if (!reach_models) return;
    auto body = model->Read([&](const GroupDirectory& groups) {
      // the trees the caller reaches, each from its highest reached group.
      const commands::GroupReach reach(groups, *reach_models->first, *reach_models->second, call->context.client_id,
                                             call->context.account_id);
      std::string list = "[";
      std::vector<int64_t> pending = groups.TopLevel(call->context.account_id);
      for (size_t i = 0; i < pending.size(); ++i) {
        const GroupRecord* group = groups.Find(pending[i]);
        if (reach.Reaches(group->group_id)) {
          if (list.size() > 1) list += ',';
          list += GroupJson(groups, *group, deletable);
          continue;
        }
        pending.insert(pending.end(), group->subgroup_ids.begin(), group->subgroup_ids.end());
      }
      return list + "]";
    });
    call->respond(JsonResponse(200, std::move(body)));
  }

  void GetGroup(const std::shared_ptr<ApiCall>& call) {
    auto id = ParseId(call->path.Get("groupId"), "groupId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    auto actions = call->query.GetBool("actions", false);
    if (!actions.ok()) return RespondWithError(*call, actions.status(), kUserAdminErrors);
    RespondWithGroup(call, *id, *actions, 200, nullptr);
  }

  void CreateGroup(const std::shared_ptr<ApiCall>& call) {
    auto parent = ParseId(call->path.Get("groupId"), "groupId");
    if (!parent.ok()) return RespondWithError(*call, parent.status(), kUserAdminErrors);
    auto name = GroupNameFromBody(call->request.body);
    if (!name.ok()) return RespondWithError(*call, name.status(), kUserAdminErrors);
    Submit(call, std::make_unique<commands::CreateGroup>(*parent, std::move(*name)),
           [this](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
             RespondWithGroup(call, outcome.created_id, false, 201, &outcome);
           });
  }

  void RenameGroup(const std::shared_ptr<ApiCall>& call) {
    auto id = ParseId(call->path.Get("groupId"), "groupId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    auto name = GroupNameFromBody(call->request.body);
    if (!name.ok()) return RespondWithError(*call, name.status(), kUserAdminErrors);
    const int64_t group_id = *id;
    Submit(call, std::make_unique<commands::RenameGroup>(group_id, std::move(*name)),
           [this, group_id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
             RespondWithGroup(call, group_id, false, 200, &outcome);
           });
  }

  void DeleteGroup(const std::shared_ptr<ApiCall>& call) {
    auto id = ParseId(call->path.Get("groupId"), "groupId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    Submit(call, std::make_unique<commands::DeleteGroup>(*id), RespondNoContent);
  }

  void MoveGroup(const std::shared_ptr<ApiCall>& call) {
    auto body = JsonObjectReader::Parse(call->request.body);
    if (!body.ok()) return RespondWithError(*call, body.status(), kUserAdminErrors);
    Status members = body->OnlyMembers({"sourceGroupId", "destinationGroupId"});
    if (!members.ok()) return RespondWithError(*call, members, kUserAdminErrors);
    auto source = body->RequiredInteger("sourceGroupId", 0);
    if (!source.ok()) return RespondWithError(*call, source.status(), kUserAdminErrors);
    auto destination = body->RequiredInteger("destinationGroupId", 0);
    if (!destination.ok()) return RespondWithError(*call, destination.status(), kUserAdminErrors);
    Submit(call, std::make_unique<commands::MoveGroup>(*source, *destination), RespondNoContent);
  }

  void AffectedUsers(const std::shared_ptr<ApiCall>& call) {
    auto source = ParseId(call->path.Get("sourceGroupId"), "sourceGroupId");
    if (!source.ok()) return RespondWithError(*call, source.status(), kUserAdminErrors);
    auto destination = ParseId(call->path.Get("destinationGroupId"), "destinationGroupId");
    if (!destination.ok()) return RespondWithError(*call, destination.status(), kUserAdminErrors);
    const auto user_type = call->query.Get("userType");
    if (user_type && *user_type != "lostAccess" && *user_type != "gainAccess") {
      return RespondWithError(
          *call, Status::InvalidArgument("query parameter 'userType' must be lostAccess or gainAccess"),
          kUserAdminErrors);
    }
    auto groups_model = Groups(*call);
    if (!groups_model) return;
    auto users = ServingReadModel<projections::UsersReadModel>(runner_, projections::kUsersProjection, *call);
    if (!users) return;
    // G-7: the grants of the account's users as the users read model has them.
    const auto users_version = users->Published();
    const std::vector<projections::UserGroupGrants> grants = users_version->GroupGrantsOf(call->context.account_id);
    auto affected = groups_model->Read([&](const GroupDirectory& groups) -> Result<std::vector<projections::AffectedUser>> {
      if (auto s = commands::CheckGroupMove(groups, call->context.account_id, *source, *destination); !s.ok()) return s;
      return projections::UsersAffectedByMove(groups, grants, *source, *destination);
    });
    if (!affected.ok()) return RespondWithError(*call, affected.status(), kUserAdminErrors);
    boost::json::array list;
    users->Read([&](const projections::UserDirectory& directory) {
      for (const auto& user : *affected) {
        const bool wanted = !user_type || (*user_type == "lostAccess") == (user.change == projections::AccessChange::kLostAccess);
        const projections::UserRecord* record = directory.FindUser(user.ui_identity_id);
        if (!wanted || !record) continue;
        boost::json::object item;
        item["accountId"] = record->account_id;
        item["email"] = record->profile.email;
        item["firstName"] = record->profile.first_name;
        item["lastName"] = record->profile.last_name;
        item["uiIdentityId"] = record->ui_identity_id;
        item["uiUserName"] = record->ui_user_name;
        list.push_back(std::move(item));
      }
      return 0;
    });
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

 private:
  static Result<std::string> GroupNameFromBody(const std::string& body) {
    auto reader = JsonObjectReader::Parse(body);
    if (!reader.ok()) return reader.status();
    if (auto s = reader->OnlyMembers({"groupName"}); !s.ok()) return s;
    auto name = reader->RequiredString("groupName");
    if (!name.ok()) return name.status();
    if (auto s = commands::ValidateGroupName(*name); !s.ok()) return s;
    return name;
  }

  // With ?actions, the X-9 flags: edit when the caller reaches the group (as
  // RenameGroup checks), delete when it also passes G-5, over the read models'
  // published versions. False when `call` was answered (503).
  bool Deletable(const ApiCall& call, bool actions, GroupActionsPredicate& out) const {
    if (!actions) return true;
    auto assets = ServingReadModel<projections::AssetsReadModel>(runner_, projections::kAssetsProjection, call);
    if (!assets) return false;
    auto groups = Groups(call);
    if (!groups) return false;
    auto reach_models = ReachModels(call);
    if (!reach_models) return false;
    auto group_version = groups->Published();
    auto reach = std::make_shared<commands::GroupReach>(*group_version, *reach_models->first, *reach_models->second,
                                                        call.context.client_id, call.context.account_id);
    out = [assets = assets->Published(), users = reach_models->first, clients = reach_models->second,
           group_version, reach](const GroupRecord& group) {
      const bool edit = reach->Reaches(group.group_id);
      return GroupActions{edit && commands::CheckGroupDelete(*assets, *users, group).ok(), edit};
    };
    return true;
  }

  // What group reach needs besides the groups (users for the owner's grants,
  // the API clients), or nullopt after answering 503 (D-22).
  std::optional<std::pair<std::shared_ptr<const projections::UserDirectory>,
                          std::shared_ptr<const projections::ApiClientDirectory>>>
  ReachModels(const ApiCall& call) const {
    auto users = ServingReadModel<projections::UsersReadModel>(runner_, projections::kUsersProjection, call);
    if (!users) return std::nullopt;
    auto clients = ServingReadModel<projections::ApiClientsReadModel>(runner_, projections::kApiClientsProjection, call);
    if (!clients) return std::nullopt;
    return std::make_pair(users->Published(), clients->Published());
  }

  // The groups read model, or nullptr after answering 503 (D-22).
  std::shared_ptr<projections::GroupsReadModel> Groups(const ApiCall& call) const {
    return ServingReadModel<projections::GroupsReadModel>(runner_, projections::kGroupsProjection, call);
  }

  void Submit(const std::shared_ptr<ApiCall>& call, std::unique_ptr<commands::Command> command, OnCommitted then) {
    SubmitCommand(processor_, call, std::move(command), kUserAdminErrors, std::move(then));
  }

  // The group as the read model has it now; with `outcome`, also the event
  // details (and Location for a 201).
  void RespondWithGroup(const std::shared_ptr<ApiCall>& call, int64_t group_id, bool actions, int status,
                        const commands::CommandOutcome* outcome) {
    GroupActionsPredicate deletable;
    if (!Deletable(*call, actions, deletable)) return;
    auto model = Groups(*call);
    if (!model) return;
    uint64_t version = 0;
    auto reach_models = ReachModels(*call);
    if (!reach_models) return;
    bool out_of_reach = false;
    auto body = model->Read([&](const GroupDirectory& groups) -> std::optional<std::string> {
      const GroupRecord* group = groups.Find(call->context.account_id, group_id);
      if (!group) return std::nullopt;
      const commands::GroupReach reach(groups, *reach_models->first, *reach_models->second, call->context.client_id,
                                             call->context.account_id);
      if (!reach.Reaches(group_id)) {
        out_of_reach = true;
        return std::nullopt;
      }
      version = group->version;
      return GroupJson(groups, *group, deletable);
    });
    if (out_of_reach) {
      return RespondWithError(
          *call, Status::PermissionDenied("Not Authorized to perform this action").WithReason(commands::kNotAuthorized),
          kUserAdminErrors);
    }
    if (!body) {
      return RespondWithError(*call,
                              Status::NotFound("group not found: " + std::to_string(group_id))
                                  .WithReason(commands::kGroupNotFound),
                              kUserAdminErrors);
    }
    HttpResponse response = JsonResponse(status, std::move(*body));
    response.SetHeader("ETag", ETagOf(version));
    if (outcome) AddEventDetails(response, *outcome);
    if (status == 201) response.SetHeader("Location", std::string(kGroupsPath) + "/" + std::to_string(group_id));
    call->respond(std::move(response));
  }

  projections::ProjectionRunner& runner_;
  commands::CommandProcessor& processor_;
};

}  // namespace

void AddGroupRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor) {
  auto routes = std::make_shared<GroupRoutes>(runner, processor);
  const std::string base(kGroupsPath);
  auto bind = [routes](void (GroupRoutes::*method)(const std::shared_ptr<ApiCall>&)) {
    return [routes, method](std::shared_ptr<ApiCall> call) { ((*routes).*method)(call); };
  };
  router.Add("GET", base, bind(&GroupRoutes::ListGroups));
  router.Add("POST", base + "/move", bind(&GroupRoutes::MoveGroup));
  router.Add("GET", base + "/move/{sourceGroupId}/{destinationGroupId}/affected-users",
             bind(&GroupRoutes::AffectedUsers));
  router.Add("POST", base + "/{groupId}", bind(&GroupRoutes::CreateGroup));
  router.Add("GET", base + "/{groupId}", bind(&GroupRoutes::GetGroup));
  router.Add("PUT", base + "/{groupId}", bind(&GroupRoutes::RenameGroup));
  router.Add("DELETE", base + "/{groupId}", bind(&GroupRoutes::DeleteGroup));
}

}  // namespace iam::api
