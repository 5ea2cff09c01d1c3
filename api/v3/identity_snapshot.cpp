#include "api/v3/identity_snapshot.h"

#include <map>

#include "api/problem.h"
#include "commands/api_client_commands.h"
#include "commands/group_access.h"
#include "commands/user_access_commands.h"
#include "commands/user_commands.h"
#include "projections/assets_read_model.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"
#include "projections/roles_read_model.h"

namespace iam::api {

std::optional<IdentitySnapshot> TakeIdentitySnapshot(const projections::ProjectionRunner& runner, const ApiCall& call) {
  IdentitySnapshot snapshot;
  auto users = ServingReadModel<projections::UsersReadModel>(runner, projections::kUsersProjection, call);
  if (!users) return std::nullopt;
  auto groups = ServingReadModel<projections::GroupsReadModel>(runner, projections::kGroupsProjection, call);
  if (!groups) return std::nullopt;
  auto roles = ServingReadModel<projections::RolesReadModel>(runner, projections::kRolesProjection, call);
  if (!roles) return std::nullopt;
  auto clients = ServingReadModel<projections::ApiClientsReadModel>(runner, projections::kApiClientsProjection, call);
  if (!clients) return std::nullopt;
  auto assets = ServingReadModel<projections::AssetsReadModel>(runner, projections::kAssetsProjection, call);
  if (!assets) return std::nullopt;
  auto memberships =
      ServingReadModel<projections::MembershipsReadModel>(runner, projections::kMembershipsProjection, call);
  if (!memberships) return std::nullopt;
  return IdentitySnapshot{users->Published(),  groups->Published(), roles->Published(),
                          clients->Published(), assets->Published(), memberships->Published()};
}

AccountIdentity::AccountIdentity(const projections::UserRecord& person, std::string_view account_id) {
  auto view = std::make_shared<projections::UserRecord>(person);
  view->account_id = std::string(account_id);
  view->grants.clear();
  view->blocked_properties.clear();
  guest_view_ = std::move(view);
}

std::optional<AccountIdentity> IdentitySnapshot::IdentityOfAccount(const ApiCall& call,
                                                                   std::string_view ui_identity_id) const {
  const projections::UserRecord* user = users->FindUser(ui_identity_id);
  if (!user) return std::nullopt;
  if (user->account_id == call.context.account_id) return AccountIdentity(*user);
  if (!memberships->Find(call.context.account_id, ui_identity_id)) return std::nullopt;
  return AccountIdentity(*user, call.context.account_id);
}

std::vector<AccountIdentity> IdentitySnapshot::IdentitiesOfAccount(const ApiCall& call) const {
  std::map<std::string_view, AccountIdentity> by_id;
  for (const projections::UserRecord* user : users->OfAccount(call.context.account_id)) {
    by_id.emplace(user->ui_identity_id, AccountIdentity(*user));
  }
  for (const projections::MembershipRecord* membership : memberships->OfAccount(call.context.account_id)) {
    if (by_id.count(membership->ui_identity_id)) continue;
    if (const projections::UserRecord* person = users->FindUser(membership->ui_identity_id)) {
      by_id.emplace(person->ui_identity_id, AccountIdentity(*person, call.context.account_id));
    }
  }
  std::vector<AccountIdentity> identities;
  identities.reserve(by_id.size());
  for (auto& [id, identity] : by_id) identities.push_back(std::move(identity));
  return identities;
}

const projections::UserRecord* IdentitySnapshot::UserOfAccount(const ApiCall& call,
                                                              std::string_view ui_identity_id) const {
  const projections::UserRecord* user = users->FindUser(ui_identity_id);
  return user && user->account_id == call.context.account_id ? user : nullptr;
}

commands::GroupReach IdentitySnapshot::ReachOf(const ApiCall& call) const {
  return commands::GroupReach(*groups, *users, *clients, call.context.client_id, call.context.account_id);
}

bool IdentitySnapshot::Reaches(const ApiCall& call, const projections::UserRecord& user) const {
  return ReachOf(call).ReachesUser(user, call.context.actor);
}

const projections::UserRecord* IdentitySnapshot::Caller(const ApiCall& call) const {
  const projections::UserRecord* user = users->FindByUserName(call.context.actor);
  return user && user->account_id == call.context.account_id ? user : nullptr;
}

UserActions IdentitySnapshot::ActionsFor(const ApiCall& call, const projections::UserRecord& user) const {
  UserActions actions;
  // the check every user command makes (UserOfAccount) before its own.
  const bool reached = Reaches(call, user);
  // W-12, W-13: a guest's identity belongs elsewhere; here it can only be removed.
  const projections::UserRecord* stored = users->FindUser(user.ui_identity_id);
  const bool guest = !stored || stored->account_id != call.context.account_id;
  actions.remove = reached && commands::CheckUserRemovable(user, *clients, call.context.actor).ok();
  actions.edit = reached && !guest;
  actions.reset_password = !user.locked && !guest;
  // U-3: a clone copies the grants, which must hold a group role.
  actions.is_cloneable = false;
  for (const events::AuthGrant& grant : user.grants) actions.is_cloneable |= grant.group_id != 0 && grant.role_id != 0;
  actions.third_party_access = false;  // extended (third-party) access is not part of iamd
  actions.api_client = commands::MayGrantApis(user);  // the check CreateApiClient makes of its owner
  actions.edit_profile = actions.edit;  // basic info has one rule set, whoever edits it
  // the values SetAdditionalAuthentication accepts.
  actions.can_edit_tfa = !guest && commands::CheckAdditionalAuthenticationValue("TFA").ok();
  actions.can_edit_mfa = !guest && commands::CheckAdditionalAuthenticationValue("MFA").ok();
  actions.can_edit_none = !guest && commands::CheckAdditionalAuthenticationValue("NONE").ok();
  return actions;
}

UserJsonContext IdentitySnapshot::JsonContext(const ApiCall& call, const projections::UserRecord& user,
                                              UserView view) const {
  return UserJsonContext{*groups, *roles, view, view.actions ? ActionsFor(call, user) : UserActions{}};
}

void RespondUserNotFound(const ApiCall& call, std::string_view ui_identity_id) {
  RespondWithError(call,
                   Status::NotFound("User not found: " + std::string(ui_identity_id)).WithReason(commands::kUserNotFound),
                   kUserAdminErrors);
}

}  // namespace iam::api
