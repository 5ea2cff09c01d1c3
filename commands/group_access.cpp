#include "commands/group_access.h"

#include "projections/grant_resolution.h"

namespace iam::commands {

std::vector<events::AuthGrant> ClientGroupGrants(const projections::ApiClientRecord& client,
                                                 const projections::UserDirectory& users) {
  if (!client.definition.clone_authorized_user_groups) return client.definition.groups;
  const projections::UserRecord* owner = users.FindUser(client.definition.owner_ui_identity_id);
  return owner ? owner->grants : std::vector<events::AuthGrant>{};
}

GroupReach::GroupReach(const projections::GroupDirectory& groups, const projections::UserDirectory& users,
                       const projections::ApiClientDirectory& clients, const std::string& client_id,
                       const std::string& acting_account_id)
    : groups_(groups) {
  if (client_id.empty()) {
    everything_ = true;
    return;
  }
  if (const projections::ApiClientRecord* client = clients.FindClient(client_id)) {
    everything_ = client->account_id != acting_account_id;
    if (!everything_) grants_ = ClientGroupGrants(*client, users);
  }
  for (int64_t top : groups.TopLevel(acting_account_id)) reaches_top_ = reaches_top_ || Reaches(top);
}

bool GroupReach::Reaches(int64_t group_id) const {
  return everything_ || projections::RoleOnGroup(groups_, grants_, group_id) != 0;
}

bool GroupReach::ReachesUser(const projections::UserRecord& user, const std::string& actor) const {
  if (everything_ || user.ui_user_name == actor) return true;
  bool any_group = false;
  for (const events::AuthGrant& grant : user.grants) {
    if (grant.group_id == 0) continue;
    any_group = true;
    if (Reaches(grant.group_id)) return true;
  }
  return !any_group && reaches_top_;
}

Status GroupReach::Check(int64_t group_id) const {
  if (Reaches(group_id)) return Status::Ok();
  return Status::PermissionDenied("Not Authorized to perform this action").WithReason(kNotAuthorized);
}

}  // namespace iam::commands
