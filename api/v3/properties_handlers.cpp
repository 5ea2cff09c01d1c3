#include "api/v3/properties_handlers.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/integer_ids.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "api/read_models.h"
#include "commands/asset_commands.h"
#include "commands/group_access.h"
#include "commands/group_commands.h"
#include "commands/user_commands.h"
#include "events/clock.h"
#include "projections/assets_read_model.h"
#include "projections/grant_resolution.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

using projections::AssetDirectory;
using projections::AssetRecord;
using projections::GroupDirectory;

constexpr std::string_view kPropertiesPath = "/identity-management/v3/user-admin/properties";

Status PropertyNotFound(int64_t id) {
  return Status::NotFound("Property not found: " + std::to_string(id)).WithReason(commands::kAssetNotFound);
}

// X-9 `actions.move`: MoveAsset needs another group in the asset's hierarchy.
bool Movable(const GroupDirectory& groups, const AssetRecord& asset) {
  const auto* root = groups.Find(groups.RootOf(asset.group_id));
  return root && !root->subgroup_ids.empty();
}

std::string GroupName(const GroupDirectory& groups, int64_t group_id) {
  const auto* group = groups.Find(group_id);
  return group ? group->group_name : std::string();
}

// P-5's userType: which of the users with access to list.
enum class UserType { kAll, kAssigned, kBlocked };

class PropertyRoutes {
 public:
  // P-5: the users whose grants reach the asset's group, with isBlocked.
  void Users(const std::shared_ptr<ApiCall>& call) {
    auto id = ParseId(call->path.Get("assetId"), "assetId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    UserType type = UserType::kAll;
    if (auto text = call->query.Get("userType")) {
      if (*text == "assigned") {
        type = UserType::kAssigned;
      } else if (*text == "blocked") {
        type = UserType::kBlocked;
      } else if (*text != "all") {
        return RespondWithError(
            *call, Status::InvalidArgument("query parameter 'userType' must be all, assigned or blocked"),
            kUserAdminErrors);
      }
    }
    RespondWithUsers(call, *id, type, nullptr);
  }

  // P-6: the complete list of users blocked from the asset.
  void BlockUsers(const std::shared_ptr<ApiCall>& call) {
    auto id = ParseId(call->path.Get("assetId"), "assetId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    boost::system::error_code ec;
    boost::json::value body = boost::json::parse(call->request.body, ec);
    if (ec || !body.is_array()) {
      return RespondWithError(*call, Status::InvalidArgument("the body must be an array of {uiIdentityId} objects"),
                              kUserAdminErrors);
    }
    std::vector<std::string> users;
    for (const auto& item : body.as_array()) {
      const auto* object = item.if_object();
      const auto* user = object ? object->if_contains("uiIdentityId") : nullptr;
      if (!user || !user->is_string() || object->size() != 1) {
        return RespondWithError(*call, Status::InvalidArgument("each item must be {\"uiIdentityId\": \"…\"}"),
                                kUserAdminErrors);
      }
      users.emplace_back(user->as_string());
    }
    const int64_t asset_id = *id;
    SubmitCommand(processor_, call, std::make_unique<commands::BlockPropertyUsers>(asset_id, std::move(users)),
                  kUserAdminErrors,
                  [this, asset_id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                    RespondWithUsers(call, asset_id, UserType::kAll, &outcome);
                  });
  }

 public:
  PropertyRoutes(projections::ProjectionRunner& runner, commands::CommandProcessor& processor)
      : runner_(runner), processor_(processor) {}

  // What the caller reaches, or nullopt after a 503. Keeps the read
  // models it reads alive as long as the answer.
  struct CallerReach {
    std::shared_ptr<const projections::UserDirectory> users;
    std::shared_ptr<const projections::ApiClientDirectory> clients;
    commands::GroupReach reach;
    bool Reaches(int64_t group_id) const { return reach.Reaches(group_id); }
  };
  std::optional<CallerReach> Reach(const ApiCall& call, const GroupDirectory& groups) const {
    auto users = ServingReadModel<projections::UsersReadModel>(runner_, projections::kUsersProjection, call);
    if (!users) return std::nullopt;
    auto clients = ServingReadModel<projections::ApiClientsReadModel>(runner_, projections::kApiClientsProjection, call);
    if (!clients) return std::nullopt;
    auto user_version = users->Published();
    auto client_version = clients->Published();
    return CallerReach{user_version, client_version,
                       commands::GroupReach(groups, *user_version, *client_version, call.context.client_id,
                                                          call.context.account_id)};
  }

  // Both read models, each its published version, or false after a 503.
  bool Models(const ApiCall& call, std::shared_ptr<const AssetDirectory>& assets,
              std::shared_ptr<const GroupDirectory>& groups) const {
    auto asset_model = ServingReadModel<projections::AssetsReadModel>(runner_, projections::kAssetsProjection, call);
    if (!asset_model) return false;
    auto group_model = ServingReadModel<projections::GroupsReadModel>(runner_, projections::kGroupsProjection, call);
    if (!group_model) return false;
    assets = asset_model->Published();
    groups = group_model->Published();
    return true;
  }

  // P-1: the account's assets, or one group's.
  void List(const std::shared_ptr<ApiCall>& call) {
    auto actions = call->query.GetBool("actions", false);
    if (!actions.ok()) return RespondWithError(*call, actions.status(), kUserAdminErrors);
    std::optional<int64_t> group_id;
    if (auto text = call->query.Get("groupId")) {
      auto id = ParseId(*text, "groupId");
      if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
      group_id = *id;
    }
    std::shared_ptr<const AssetDirectory> assets;
    std::shared_ptr<const GroupDirectory> groups;
    if (!Models(*call, assets, groups)) return;
    if (group_id && !groups->Find(call->context.account_id, *group_id)) {
      return RespondWithError(*call,
                              Status::NotFound("group not found: " + std::to_string(*group_id))
                                  .WithReason(commands::kGroupNotFound),
                              kUserAdminErrors);
    }
    auto reach = Reach(*call, *groups);
    if (!reach) return;
    boost::json::array list;
    for (int64_t id : group_id ? assets->InGroup(*group_id) : assets->OfAccount(call->context.account_id)) {
      const AssetRecord* asset = assets->Find(call->context.account_id, id);
      if (!asset || !reach->Reaches(asset->group_id)) continue;  // the assets of reached groups
      boost::json::object item{{"propertyId", asset->property_id},
                               {"propertyName", asset->property_name},
                               {"propertyTypeDescription", asset->property_type_description},
                               {"groupId", asset->group_id},
                               {"groupName", GroupName(*groups, asset->group_id)}};
      if (*actions) item["actions"] = boost::json::object{{"move", Movable(*groups, *asset)}};
      list.push_back(std::move(item));
    }
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

  // P-2 and P-4: the asset in `groupId` (required), or 404 1806.
  void Get(const std::shared_ptr<ApiCall>& call) { Answer(call, /*resources=*/false); }
  void Resources(const std::shared_ptr<ApiCall>& call) { Answer(call, /*resources=*/true); }

  // P-3: 204 with the event details.
  void Move(const std::shared_ptr<ApiCall>& call) {
    auto id = ParseId(call->path.Get("assetId"), "assetId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    auto body = JsonObjectReader::Parse(call->request.body);
    if (!body.ok()) return RespondWithError(*call, body.status(), kUserAdminErrors);
    if (auto s = body->OnlyMembers({"sourceGroupId", "destinationGroupId"}); !s.ok()) {
      return RespondWithError(*call, s, kUserAdminErrors);
    }
    auto source = body->RequiredInteger("sourceGroupId", 0);
    if (!source.ok()) return RespondWithError(*call, source.status(), kUserAdminErrors);
    auto destination = body->RequiredInteger("destinationGroupId", 0);
    if (!destination.ok()) return RespondWithError(*call, destination.status(), kUserAdminErrors);
    SubmitCommand(processor_, call, std::make_unique<commands::MoveAsset>(*id, *source, *destination),
                  kUserAdminErrors, RespondNoContent);
  }

 private:
  void Answer(const std::shared_ptr<ApiCall>& call, bool resources) {
    auto id = ParseId(call->path.Get("assetId"), "assetId");
    if (!id.ok()) return RespondWithError(*call, id.status(), kUserAdminErrors);
    auto group_text = call->query.Get("groupId");
    if (!group_text) {
      return RespondWithError(*call, Status::InvalidArgument("query parameter 'groupId' is required"),
                              kUserAdminErrors);
    }
    auto group_id = ParseId(*group_text, "groupId");
    if (!group_id.ok()) return RespondWithError(*call, group_id.status(), kUserAdminErrors);
    std::shared_ptr<const AssetDirectory> assets;
    std::shared_ptr<const GroupDirectory> groups;
    if (!Models(*call, assets, groups)) return;
    const AssetRecord* asset = assets->Find(call->context.account_id, *id);
    if (!asset || asset->group_id != *group_id) return RespondWithError(*call, PropertyNotFound(*id), kUserAdminErrors);
    auto reach = Reach(*call, *groups);
    if (!reach) return;
    if (!reach->Reaches(asset->group_id)) {
      return RespondWithError(
          *call, Status::PermissionDenied("Not Authorized to perform this action").WithReason(commands::kNotAuthorized),
          kUserAdminErrors);
    }
    if (resources) {
      boost::json::array list;
      for (const auto& r : assets->Resources(asset->property_id)) {
        list.push_back({{"resourceId", r.resource_id},
                        {"resourceName", r.resource_name},
                        {"resourceType", r.resource_type},
                        {"modifiedDate", FormatTimestampMillis(r.modified_ms)}});
      }
      return call->respond(JsonResponse(200, boost::json::serialize(list)));
    }
    boost::json::object body{{"propertyId", asset->property_id},
                             {"propertyName", asset->property_name},
                             {"groupId", asset->group_id},
                             {"groupName", GroupName(*groups, asset->group_id)},
                             {"arlConfigFile", asset->property_name + ".xml"},
                             {"createdDate", FormatTimestampMillis(asset->created_ms)},
                             {"createdBy", asset->created_by},
                             {"modifiedDate", FormatTimestampMillis(asset->modified_ms)},
                             {"modifiedBy", asset->modified_by}};
    HttpResponse response = JsonResponse(200, boost::json::serialize(body));
    response.SetHeader("ETag", ETagOf(asset->version));
    call->respond(std::move(response));
  }

  void RespondWithUsers(const std::shared_ptr<ApiCall>& call, int64_t asset_id, UserType type,
                        const commands::CommandOutcome* outcome) {
    std::shared_ptr<const AssetDirectory> assets;
    std::shared_ptr<const GroupDirectory> groups;
    if (!Models(*call, assets, groups)) return;
    auto users = ServingReadModel<projections::UsersReadModel>(runner_, projections::kUsersProjection, *call);
    if (!users) return;
    const AssetRecord* asset = assets->Find(call->context.account_id, asset_id);
    if (!asset) return RespondWithError(*call, PropertyNotFound(asset_id), kUserAdminErrors);
    boost::json::array list;
    const auto users_version = users->Published();
    for (const projections::UserRecord* user : users_version->OfAccount(call->context.account_id)) {
      if (projections::RoleOnGroup(*groups, user->grants, asset->group_id) == 0) continue;
      const bool blocked = user->IsBlockedFrom(asset_id);
      if ((type == UserType::kAssigned && blocked) || (type == UserType::kBlocked && !blocked)) continue;
      list.push_back({{"uiIdentityId", user->ui_identity_id},
                      {"uiUserName", user->ui_user_name},
                      {"firstName", user->profile.first_name},
                      {"lastName", user->profile.last_name},
                      {"isBlocked", blocked}});
    }
    HttpResponse response = JsonResponse(200, boost::json::serialize(list));
    if (outcome) AddEventDetails(response, *outcome);
    call->respond(std::move(response));
  }

  projections::ProjectionRunner& runner_;
  commands::CommandProcessor& processor_;
};

}  // namespace

void AddPropertyRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor) {
  auto routes = std::make_shared<PropertyRoutes>(runner, processor);
  const std::string base(kPropertiesPath);
  auto bind = [routes](void (PropertyRoutes::*method)(const std::shared_ptr<ApiCall>&)) {
    return [routes, method](std::shared_ptr<ApiCall> call) { ((*routes).*method)(call); };
  };
  router.Add("GET", base, bind(&PropertyRoutes::List));
  router.Add("GET", base + "/{assetId}", bind(&PropertyRoutes::Get));
  router.Add("PUT", base + "/{assetId}", bind(&PropertyRoutes::Move));
  router.Add("GET", base + "/{assetId}/resources", bind(&PropertyRoutes::Resources));
  router.Add("GET", base + "/{assetId}/users", bind(&PropertyRoutes::Users));
  router.Add("PUT", base + "/{assetId}/users/block", bind(&PropertyRoutes::BlockUsers));
}

}  // namespace iam::api
