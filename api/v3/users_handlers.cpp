// The Users API (seed operations 20–26, 36, 38): create (and clone), list,
// get, basic info, grants, notifications, blocked properties, remove.
// Rules live in commands/user_commands.*, the data in projections/user_directory.*.
#include "api/v3/users_handlers.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/integer_ids.h"
#include "api/problem.h"
#include "api/v3/identity_snapshot.h"
#include "api/v3/user_json.h"
#include "api/v3/user_operations.h"
#include "commands/group_commands.h"
#include "commands/lookups.h"
#include "commands/password_hashing.h"
#include "commands/password_policy.h"
#include "commands/user_commands.h"
#include "commands/user_validation.h"
#include "events/clock.h"
#include "projections/grant_resolution.h"

namespace iam::api {
namespace {

using projections::UserRecord;

constexpr std::string_view kUsersPath = "/identity-management/v3/user-admin/ui-identities";

class UserRoutes {
 public:
  explicit UserRoutes(const UserOperations& operations)
      : operations_(operations),
        runner_(operations.runner()),
        processor_(operations.processor()),
        hashing_(operations.hashing()) {}

  void Create(const std::shared_ptr<ApiCall>& call) {
    auto body = ParseCreateUserBody(call->request.body);
    if (!body.ok()) return Refuse(*call, body.status());
    auto send_email = call->query.GetBool("sendEmail", true);
    if (!send_email.ok()) return Refuse(*call, send_email.status());
    commands::ApplyProfileDefaults(body->profile);
    if (auto s = commands::ValidateProfile(body->profile, commands::ProfileUse::kCreate); !s.ok()) return Refuse(*call, s);
    if (body->notifications) {
      if (auto s = commands::ValidateNotifications(*body->notifications); !s.ok()) return Refuse(*call, s);
    }
    const auto& policy = commands::Lookups::Get().password_policy();
    commands::NewUser user{commands::NewUiIdentityId(), std::move(body->profile), std::move(body->grants),
                           std::move(body->clone_from), std::move(body->notifications)};
    user.password_expires_ms = PasswordExpiryFromNow();
    // U-7, D-6: the one-time password is shown only when it is not mailed.
    std::string password = commands::NewOneTimePassword(policy);
    const bool show_password = !*send_email;
    if (!show_password) user.password_mail = UserOperations::OneTimePasswordMail(user.profile.email, password);
    // D-19: hashing costs tens of milliseconds; it runs on the hashing pool.
    auto job = [this, call, user = std::move(user), password, show_password]() mutable {
      auto hash = commands::HashPassword(password);
      if (!hash.ok()) return Refuse(*call, hash.status());
      user.password_hash = std::move(*hash);
      const std::string id = user.ui_identity_id;
      SubmitCommand(processor_, call, std::make_unique<commands::CreateUser>(std::move(user)), kUserAdminErrors,
                    [this, id, password, show_password](const std::shared_ptr<ApiCall>& call,
                                                        const commands::CommandOutcome& outcome) {
                      operations_.RespondWithUser(call, id, {true, true, true}, 201, &outcome,
                                                  show_password ? password : std::string());
                    });
    };
    if (!hashing_.Post(std::move(job))) return RespondHashingBusy(*call);
  }

  void List(const std::shared_ptr<ApiCall>& call) {
    auto view = UserViewFrom(*call, false);
    if (!view.ok()) return Refuse(*call, view.status());
    std::optional<int64_t> group_id;
    if (auto text = call->query.Get("groupId")) {
      auto id = ParseId(*text, "groupId");
      if (!id.ok()) return Refuse(*call, id.status());
      group_id = *id;
    }
    auto snapshot = TakeIdentitySnapshot(runner_, *call);
    if (!snapshot) return;
    if (group_id && !snapshot->groups->Find(call->context.account_id, *group_id)) {
      return Refuse(*call, Status::NotFound("group not found: " + std::to_string(*group_id))
                               .WithReason(commands::kGroupNotFound));
    }
    const commands::GroupReach reach = snapshot->ReachOf(*call);
    boost::json::array list;
    // W-12: the account's memberships, guests (without grants) included.
    for (const AccountIdentity& identity : snapshot->IdentitiesOfAccount(*call)) {
      const UserRecord& user = identity.record();
      // U-10: users with a role on the group, directly or inherited.
      if (group_id && projections::RoleOnGroup(*snapshot->groups, user.grants, *group_id) == 0) continue;
      if (!reach.ReachesUser(user, call->context.actor)) continue;  // only the users the caller reaches
      list.push_back(UserListItemJson(user, snapshot->JsonContext(*call, user, *view)));
    }
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

  void Get(const std::shared_ptr<ApiCall>& call) {
    operations_.Get(call, std::string(call->path.Get("uiIdentityId")), true);
  }

  void Remove(const std::shared_ptr<ApiCall>& call) {
    Submit(call, std::make_unique<commands::RemoveUser>(std::string(call->path.Get("uiIdentityId"))),
           RespondNoContent);
  }

  void UpdateBasicInfo(const std::shared_ptr<ApiCall>& call) {
    operations_.UpdateBasicInfo(call, std::string(call->path.Get("uiIdentityId")));
  }

  void ReplaceGrants(const std::shared_ptr<ApiCall>& call) {
    const std::string id(call->path.Get("uiIdentityId"));
    auto grants = ParseAuthGrantsBody(call->request.body);
    if (!grants.ok()) return Refuse(*call, grants.status());
    Submit(call, std::make_unique<commands::ReplaceAuthGrants>(id, std::move(*grants)),
           [this, id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
             operations_.RespondWithPart(
                 call, id, outcome, [](const IdentitySnapshot& snapshot, const ApiCall& call, const UserRecord& user) {
                   return AuthGrantsJson(user.grants, user.account_id, snapshot.JsonContext(call, user, {}));
                 });
           });
  }

  void ReplaceNotifications(const std::shared_ptr<ApiCall>& call) {
    operations_.ReplaceNotifications(call, std::string(call->path.Get("uiIdentityId")));
  }

  void GetBlocked(const std::shared_ptr<ApiCall>& call) {
    auto group_id = ParseId(call->path.Get("groupId"), "groupId");
    if (!group_id.ok()) return Refuse(*call, group_id.status());
    RespondWithBlocked(call, std::string(call->path.Get("uiIdentityId")), *group_id, nullptr);
  }

  void ReplaceBlocked(const std::shared_ptr<ApiCall>& call) {
    const std::string id(call->path.Get("uiIdentityId"));
    auto group_id = ParseId(call->path.Get("groupId"), "groupId");
    if (!group_id.ok()) return Refuse(*call, group_id.status());
    auto ids = ParseIdArray(call->request.body, "property ids");
    if (!ids.ok()) return Refuse(*call, ids.status());
    const int64_t group = *group_id;
    Submit(call, std::make_unique<commands::ReplaceBlockedProperties>(id, group, std::move(*ids)),
           [this, id, group](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
             RespondWithBlocked(call, id, group, &outcome);
           });
  }

 private:
  static void Refuse(const ApiCall& call, const Status& status) { RefuseUserCall(call, status); }

  void Submit(const std::shared_ptr<ApiCall>& call, std::unique_ptr<commands::Command> command, OnCommitted then) {
    SubmitCommand(processor_, call, std::move(command), kUserAdminErrors, std::move(then));
  }

  void RespondWithBlocked(const std::shared_ptr<ApiCall>& call, const std::string& id, int64_t group_id,
                          const commands::CommandOutcome* outcome) {
    auto snapshot = TakeIdentitySnapshot(runner_, *call);
    if (!snapshot) return;
    const UserRecord* user = snapshot->UserOfAccount(*call, id);
    if (!user) return RespondUserNotFound(*call, id);
    if (!snapshot->groups->Find(call->context.account_id, group_id)) {
      return Refuse(*call, Status::NotFound("group not found: " + std::to_string(group_id))
                               .WithReason(commands::kGroupNotFound));
    }
    boost::json::array list;
    auto blocked = user->blocked_properties.find(group_id);
    if (blocked != user->blocked_properties.end()) {
      for (int64_t asset : blocked->second) list.push_back(asset);
    }
    HttpResponse response = JsonResponse(200, boost::json::serialize(list));
    if (outcome) AddEventDetails(response, *outcome);
    call->respond(std::move(response));
  }

  UserOperations operations_;
  projections::ProjectionRunner& runner_;
  commands::CommandProcessor& processor_;
  commands::HashingPool& hashing_;
};

}  // namespace

void AddUserRoutes(Router& router, const UserOperations& operations) {
  auto routes = std::make_shared<UserRoutes>(operations);
  const std::string base(kUsersPath);
  auto bind = [routes](void (UserRoutes::*method)(const std::shared_ptr<ApiCall>&)) {
    return [routes, method](std::shared_ptr<ApiCall> call) { ((*routes).*method)(call); };
  };
  router.Add("POST", base, bind(&UserRoutes::Create));
  router.Add("GET", base, bind(&UserRoutes::List));
  router.Add("GET", base + "/{uiIdentityId}", bind(&UserRoutes::Get));
  router.Add("DELETE", base + "/{uiIdentityId}", bind(&UserRoutes::Remove));
  router.Add("PUT", base + "/{uiIdentityId}/basic-info", bind(&UserRoutes::UpdateBasicInfo));
  router.Add("PUT", base + "/{uiIdentityId}/auth-grants", bind(&UserRoutes::ReplaceGrants));
  router.Add("PUT", base + "/{uiIdentityId}/notifications", bind(&UserRoutes::ReplaceNotifications));
  router.Add("GET", base + "/{uiIdentityId}/groups/{groupId}/blocked-properties", bind(&UserRoutes::GetBlocked));
  router.Add("PUT", base + "/{uiIdentityId}/groups/{groupId}/blocked-properties", bind(&UserRoutes::ReplaceBlocked));
}

}  // namespace iam::api
