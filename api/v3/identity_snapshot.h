// IdentitySnapshot: the published versions of the read models a user answer
// joins (users, groups, roles, API clients, assets), taken together for one
// request. Each is immutable once published, so a snapshot is safe to read
// from any thread; the five need not be of one log position.
#pragma once

#include <memory>
#include <optional>

#include "api/read_models.h"
#include "api/request_context.h"
#include "api/v3/user_json.h"
#include "commands/group_access.h"
#include "projections/asset_directory.h"
#include "projections/api_client_directory.h"
#include "projections/projection_runner.h"

namespace iam::api {

struct IdentitySnapshot {
  std::shared_ptr<const projections::UserDirectory> users;
  std::shared_ptr<const projections::GroupDirectory> groups;
  std::shared_ptr<const projections::RoleDirectory> roles;
  std::shared_ptr<const projections::ApiClientDirectory> clients;
  std::shared_ptr<const projections::AssetDirectory> assets;

  // The user of `call`'s account, or nullptr (other accounts' look unknown, X-3).
  const projections::UserRecord* UserOfAccount(const ApiCall& call, std::string_view ui_identity_id) const;
  // what the caller reaches; build it once for a loop over many users.
  commands::GroupReach ReachOf(const ApiCall& call) const;
  // Whether the caller reaches `user` through a group (or is its owner).
  bool Reaches(const ApiCall& call, const projections::UserRecord& user) const;
  // The user who owns the calling API client (N-4), or nullptr.
  const projections::UserRecord* Caller(const ApiCall& call) const;
  // The X-9 flags of `user` for `call`'s caller, from the operations' own checks.
  UserActions ActionsFor(const ApiCall& call, const projections::UserRecord& user) const;
  UserJsonContext JsonContext(const ApiCall& call, const projections::UserRecord& user, UserView view) const;
};

// All five read models, or nullopt after `call` was answered with 503 (D-22).
std::optional<IdentitySnapshot> TakeIdentitySnapshot(const projections::ProjectionRunner& runner, const ApiCall& call);

// Answers 404 reason 1100 for an unknown user.
void RespondUserNotFound(const ApiCall& call, std::string_view ui_identity_id);

}  // namespace iam::api
