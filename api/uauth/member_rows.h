// The rows of a workspace's member listings (seed-003 rules M-10 … M-12):
// each member and each open invitation as the listings show them, the
// filters and orders of #39 and #40, and the read models they are read from.
// Shared by the listing, the cursor listing and the autocomplete.
//
// Pure functions over immutable read-model versions: safe for concurrent use.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/uauth/uauth_context.h"
#include "events/status.h"
#include "projections/group_directory.h"
#include "projections/invitation_directory.h"
#include "projections/managed_domain_directory.h"
#include "projections/membership_directory.h"
#include "projections/mfa_directory.h"
#include "projections/session_directory.h"
#include "projections/user_directory.h"
#include "projections/workspace_role_directory.h"

namespace iam::api {

// One consistent set of the read models the member routes read.
struct MemberViews {
  std::shared_ptr<const projections::MembershipDirectory> memberships;
  std::shared_ptr<const projections::InvitationDirectory> invitations;
  std::shared_ptr<const projections::UserDirectory> users;
  std::shared_ptr<const projections::MfaDirectory> mfa;
  std::shared_ptr<const projections::SessionDirectory> sessions;
  std::shared_ptr<const projections::ManagedDomainDirectory> domains;
  std::shared_ptr<const projections::GroupDirectory> groups;
  std::shared_ptr<const projections::WorkspaceRoleDirectory> roles;
};

// All of them, or nullopt while one cannot be read.
std::optional<MemberViews> ReadMemberViews(const UauthContext& context);

// A row of the listing: a member or an open invitation (M-10).
struct Row {
  const projections::MembershipRecord* membership = nullptr;
  const projections::UserRecord* person = nullptr;
  const projections::InvitationRecord* invitation = nullptr;
  std::string status;
  int64_t role_id = 0;
  std::string role_name;  // "" for none
  bool managed = false;
  bool mfa_enabled = false;
  int64_t last_login_ms = 0;
  int64_t created_ms = 0;

  const std::string& email() const { return person ? person->profile.email : invitation->email; }
  const std::string& first_name() const { return person ? person->profile.first_name : invitation->first_name; }
  const std::string& last_name() const { return person ? person->profile.last_name : invitation->last_name; }
  int64_t user_id() const { return person ? person->user_number : 0; }
  int64_t invitation_id() const { return invitation ? invitation->invitation_id : 0; }
};

boost::json::value RoleIdOrNull(int64_t role_id);
boost::json::value RoleNameOrNull(std::string_view role_name);
std::string Lower(std::string_view text);

// The member row of `membership` in `account_id` at `now_ms`.
Row MemberRow(const MemberViews& views, const projections::MembershipRecord& membership,
              const projections::UserRecord& person, std::string_view account_id, int64_t now_ms);
// Every member of the account and, with `with_invitations`, every open invitation.
std::vector<Row> RowsOf(const MemberViews& views, std::string_view account_id, int64_t now_ms, bool with_invitations);
// WorkspaceUserListItem (openapi.yaml).
boost::json::object ListItemJson(const Row& row);
// M-10's order by `key` (NAME, EMAIL, CREATED, LAST_LOGIN): nulls last,
// ties by userId, then invitationId.
bool RowBefore(const Row& a, const Row& b, std::string_view key, bool descending);

// The query parameter `name`: `fallback` when absent, else an integer in
// [minimum, maximum] (kInvalidArgument otherwise).
Result<int64_t> QueryInt(const ApiCall& call, std::string_view name, int64_t fallback, int64_t minimum, int64_t maximum);

// The filters and the order of a listing: #39's `status`, `roleId`,
// `accountType`, `search`, `sortBy`, and with `v2` #40's `roleIds`,
// `mfaEnabled` and `accessExpiresBefore`.
struct MemberQuery {
  std::string sort_key = "NAME";
  bool descending = false;
  std::vector<std::string> statuses;  // empty: any
  std::vector<int64_t> role_ids;      // empty: any
  std::optional<std::string> account_type;
  std::optional<std::string> search;  // lower case
  std::optional<bool> mfa_enabled;
  std::optional<int64_t> access_expires_before_ms;

  bool Matches(const Row& row) const;
};
// kInvalidArgument naming the malformed parameter.
Result<MemberQuery> ParseMemberQuery(const ApiCall& call, bool v2);

// The account's rows that `query` keeps, in its order.
std::vector<Row> ListedRows(const MemberViews& views, std::string_view account_id, int64_t now_ms,
                            const MemberQuery& query);

}  // namespace iam::api
