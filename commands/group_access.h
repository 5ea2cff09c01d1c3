// Group access of the calling API client (iam-rules.md, C-4): a
// client acts on the groups its grants reach — a role on the group or on an
// ancestor, not cut by a block — and on nothing else of its account. Its
// grants are its own groupAccess, or its owner's when it clones them.
// Requests the server makes itself (no client) reach every group, as does a
// client acting on an account its own account manages (an accountSwitchKey,
// managing an account means administering it.
// Pure functions over directories the caller holds steady: safe for
// concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/status.h"
#include "projections/api_client_directory.h"
#include "projections/group_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {

// "Not Authorized to perform this action".
inline constexpr int kNotAuthorized = 1001;

// The grants `client` acts with.
std::vector<events::AuthGrant> ClientGroupGrants(const projections::ApiClientRecord& client,
                                                 const projections::UserDirectory& users);

// Which client asks, and what it reaches; built once per request or decision.
class GroupReach {
 public:
  // `client_id` "" = the server itself, which reaches everything;
  // `acting_account_id` is the account the request acts on.
  GroupReach(const projections::GroupDirectory& groups, const projections::UserDirectory& users,
             const projections::ApiClientDirectory& clients, const std::string& client_id,
             const std::string& acting_account_id);

  bool Reaches(int64_t group_id) const;
  // A user is reached through any group grant of theirs the caller reaches;
  // `actor` (the caller's own owner) is always reached. A user holding no
  // group grant here (a workspace member without Akamai grants, seed-003
  // W-12) hangs under no group: a caller reaching a top-level group of the
  // account reaches them.
  bool ReachesUser(const projections::UserRecord& user, const std::string& actor) const;
  // kPermissionDenied reason 1001 when the group is out of reach.
  Status Check(int64_t group_id) const;

 private:
  const projections::GroupDirectory& groups_;
  bool everything_ = false;
  bool reaches_top_ = false;
  std::vector<events::AuthGrant> grants_;
};

}  // namespace iam::commands
