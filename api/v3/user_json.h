// The JSON of users in the Users, user-profile and properties APIs: request
// bodies into commands' plain values, read models into the response schemas
// (closed objects, D-4; required members always present, D-5).
//
// Grants travel nested on the wire (a group item's subGroups) and are flat in
// the model: one AuthGrant per group that has a role or a block. Nesting in a
// request carries no meaning beyond that: the group's real place in the tree
// decides what it inherits. Items without role or block (echoes of the tree
// that GET shows) are dropped.
// Pure functions over what the caller holds steady: safe for concurrent use.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "events/user_events.h"
#include "projections/group_directory.h"
#include "projections/role_directory.h"
#include "projections/user_directory.h"

namespace iam::api {

// Which optional parts a user answer carries (U-10, U-11, N-4 query flags).
struct UserView {
  bool auth_grants = false;
  bool notifications = false;
  bool actions = false;
};

// The `actions` flags of one user, computed by the caller from the same
// checks the operations make.
struct UserActions {
  bool remove = false;
  bool edit = false;
  bool reset_password = false;
  bool is_cloneable = false;
  bool third_party_access = false;
  bool api_client = false;
  // Only in list items (their schema has these; a single user's has not).
  bool edit_profile = false;
  bool can_edit_tfa = false;
  bool can_edit_mfa = false;
  bool can_edit_none = false;
};

// Everything of a user answer beyond the user record.
struct UserJsonContext {
  const projections::GroupDirectory& groups;
  const projections::RoleDirectory& roles;
  UserView view;
  UserActions actions;
};

// The create-user body (U-1 … U-9). kInvalidArgument naming the member.
struct CreateUserBody {
  events::UserProfile profile;
  std::vector<events::AuthGrant> grants;
  std::string clone_from;
  std::optional<events::NotificationSettings> notifications;
};
Result<CreateUserBody> ParseCreateUserBody(const std::string& body);

// The basic-info body (U-12, N-5): the profile members only; read-only echoes
// a GET returned are tolerated (D-7).
Result<events::UserProfile> ParseBasicInfoBody(const std::string& body);

// Grant items (U-15) as a JSON array, flattened; API clients' group access
// also echoes parentGroupId, which `echoes` tolerates.
enum class GrantEchoes { kNone, kWithParentGroupId };
Result<std::vector<events::AuthGrant>> ParseGrantItems(const boost::json::value& list, GrantEchoes echoes);

// An auth-grants body (U-14): a non-empty array of grant items.
Result<std::vector<events::AuthGrant>> ParseAuthGrantsBody(const std::string& body);

// A notifications body (N-1): {enableEmailNotifications, options{…}}.
Result<events::NotificationSettings> ParseNotificationsBody(const std::string& body);

// An array of integers (blocked-properties PUT).
Result<std::vector<int64_t>> ParseIdArray(const std::string& body, const char* what);

// The user (get-ui-identity / user-profile schema) with the parts `context` asks for.
boost::json::object UserJson(const projections::UserRecord& user, const UserJsonContext& context);
// The list item of get-ui-identities.
boost::json::object UserListItemJson(const projections::UserRecord& user, const UserJsonContext& context);
// The basic-info PUT answer.
boost::json::object BasicInfoJson(const projections::UserRecord& user);
// The grants, nested per the group tree, with group and role names (U-19).
boost::json::array AuthGrantsJson(const std::vector<events::AuthGrant>& grants, std::string_view account_id,
                                  const UserJsonContext& context);
boost::json::object NotificationsJson(const events::NotificationSettings& notifications);

}  // namespace iam::api
