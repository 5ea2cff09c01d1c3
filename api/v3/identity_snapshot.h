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
#include "projections/membership_directory.h"
#include "projections/projection_runner.h"

namespace iam::api {

// One ui-identity of an account as v3 shows it (seed-003 W-12: an account's
// ui-identities are exactly its memberships). The account's own users are
// shown as they are; a guest (a person whose identity belongs to another
// account, or to none, who joined through an invitation) is shown as a copy
// without Akamai grants or blocked properties, under this account's id.
class AccountIdentity {
 public:
  explicit AccountIdentity(const projections::UserRecord& own) : record_(&own) {}
  AccountIdentity(const projections::UserRecord& person, std::string_view account_id);

  const projections::UserRecord& record() const { return guest_view_ ? *guest_view_ : *record_; }
  bool guest() const { return guest_view_ != nullptr; }

 private:
  const projections::UserRecord* record_ = nullptr;
  std::shared_ptr<const projections::UserRecord> guest_view_;
};

struct IdentitySnapshot {
  std::shared_ptr<const projections::UserDirectory> users;
  std::shared_ptr<const projections::GroupDirectory> groups;
  std::shared_ptr<const projections::RoleDirectory> roles;
  std::shared_ptr<const projections::ApiClientDirectory> clients;
  std::shared_ptr<const projections::AssetDirectory> assets;
  std::shared_ptr<const projections::MembershipDirectory> memberships;

  // The user of `call`'s account, or nullptr (other accounts' look unknown, X-3).
  const projections::UserRecord* UserOfAccount(const ApiCall& call, std::string_view ui_identity_id) const;
  // The account's ui-identity `ui_identity_id`, guests included, or nullopt.
  std::optional<AccountIdentity> IdentityOfAccount(const ApiCall& call, std::string_view ui_identity_id) const;
  // Every ui-identity of `call`'s account, guests included, in id order.
  std::vector<AccountIdentity> IdentitiesOfAccount(const ApiCall& call) const;
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

// All six read models, or nullopt after `call` was answered with 503 (D-22).
std::optional<IdentitySnapshot> TakeIdentitySnapshot(const projections::ProjectionRunner& runner, const ApiCall& call);

// Answers 404 reason 1100 for an unknown user.
void RespondUserNotFound(const ApiCall& call, std::string_view ui_identity_id);

}  // namespace iam::api
