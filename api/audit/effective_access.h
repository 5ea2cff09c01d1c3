// Effective access: every unit of access an account grants at one state of
// the read models — what /audit/v1/access/changes compares between two
// instants, and what a reference fold of the log is checked against.
//
// A unit is (subject, resource, access):
//   user      <uiIdentityId>  group/<groupId>   role/<roleId>      v3 role on a group, inherited
//                                                                    down the tree (grant_resolution.h)
//   user      <uiIdentityId>  group/<groupId>   blocked/<assetId>  a property blocked for the user there
//   member    <uiIdentityId>  workspace         role/<roleId>      the workspace role of a member
//   member    <uiIdentityId>  workspace         permission/<name>  each permission that role gives
//   apiClient <clientId>      api/<apiId>|api/* <access level>     the client's API grants
//   apiClient <clientId>      group/<groupId>   role/<roleId>      the client's own group grants
// A locked user, a locked client, and a deactivated or expired membership
// hold nothing (their access is suspended, so gaining the lock loses it).
//
// Pure functions over immutable inputs: safe for concurrent use.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "events/status.h"
#include "projections/api_client_directory.h"
#include "projections/group_directory.h"
#include "projections/membership_directory.h"
#include "projections/read_model_view.h"
#include "projections/role_directory.h"
#include "projections/user_directory.h"
#include "projections/workspace_role_directory.h"

namespace iam::api {

struct AccessUnit {
  std::string subject_type;  // "user", "member", "apiClient"
  std::string subject_id;
  std::string resource;
  std::string access;
  auto operator<=>(const AccessUnit&) const = default;
};

// The read models effective access is computed from, at one state.
struct AccessState {
  std::shared_ptr<const projections::GroupDirectory> groups;
  std::shared_ptr<const projections::UserDirectory> users;
  std::shared_ptr<const projections::RoleDirectory> roles;
  std::shared_ptr<const projections::MembershipDirectory> memberships;
  std::shared_ptr<const projections::WorkspaceRoleDirectory> workspace_roles;
  std::shared_ptr<const projections::ApiClientDirectory> clients;
};

// The directories of `view` (a past state). kInternal when one is missing.
Result<AccessState> AccessStateOf(const projections::ReadModelView& view);

// Every unit of access account `account_id` grants in `state`, with
// memberships' expiry judged at `at_ms` (the state's instant).
std::set<AccessUnit> EffectiveAccess(const AccessState& state, std::string_view account_id, int64_t at_ms);

}  // namespace iam::api
