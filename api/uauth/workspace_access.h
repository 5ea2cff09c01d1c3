// Workspaces as the workspace surface sees iamd's accounts (seed-003 rules
// W-1, W-3, W-10, W-12, W-14): a workspace IS an account, and a person's
// place in it is their membership there.
//
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/uauth/uauth_context.h"
#include "commands/workspace_guid.h"
#include "events/status.h"
#include "projections/membership_directory.h"
#include "projections/mfa_directory.h"
#include "projections/user_directory.h"
#include "projections/workspace_role_directory.h"
#include "projections/workspace_settings_directory.h"

namespace iam::api {

using commands::WorkspaceGuid;

// The membership of `ui_identity_id` in the workspace whose guid is
// `workspace_guid`, or nullptr when they are no member of it.
const projections::MembershipRecord* MembershipByGuid(const projections::MembershipDirectory& memberships,
                                                      std::string_view ui_identity_id, std::string_view workspace_guid);

// What W-3 reads about one person in one workspace.
struct WorkspaceAccessFacts {
  const projections::UserRecord& user;
  const projections::MembershipRecord& membership;
  const projections::WorkspaceSettings& settings;
  const projections::MfaRecord* factors;  // nullptr: no second factor
  const std::vector<std::string>& session_amr;
  std::string_view client_address;
  int64_t now_ms;
};

// W-3's predicate, in its order: "DEACTIVATED" (M-8), "LOCKED" while an
// administrator's lock holds (W-14), "ACCESS_EXPIRED" from the membership's
// expiry on, by the clock (M-9, CC-15), "IP_NOT_ALLOWED" from an address the workspace's IP policy does
// not admit (I-4), "MFA_ENROLLMENT_REQUIRED" while the workspace requires a
// second factor the session did not pass (F-10), "PASSWORD_CHANGE_REQUIRED"
// past the password's expiry (P-10), else "ALLOWED".
std::string AccessStateOf(const WorkspaceAccessFacts& facts);

// The same for `user` in `membership`'s workspace now, reading the
// workspace's settings and the person's second factors from the read
// models; kUnavailable while they cannot be read.
Result<std::string> CurrentAccessState(const UauthContext& context, const projections::UserRecord& user,
                                       const projections::MembershipRecord& membership,
                                       const std::vector<std::string>& session_amr, std::string_view client_address);

// The caller of a workspace-scoped route: a workspace token
// (else 403 GEN-0403, or what AuthenticateBearer answers) whose member's
// current role grants `permission` (`feature:action`, commands::RoleGrants
// with the role's permissions as they are now; else 403 GEN-0403). Sets the call's account (the workspace) and actor.
// Answers itself and returns nullopt otherwise.
std::optional<BearerCaller> AuthenticateWorkspacePermission(const UauthContext& context, ApiCall& call,
                                                            std::string_view permission);

// The workspace roles' read model as it is now, or nullptr while it cannot be read.
std::shared_ptr<const projections::WorkspaceRoleDirectory> WorkspaceRolesNow(const UauthContext& context);

// The name listings show for role `role_id` of workspace `account_id` now
// ("" for none, an unknown role, or while the roles cannot be read).
std::string RoleNameNow(const UauthContext& context, std::string_view account_id, int64_t role_id);

// The same for the routes only PROFILE_ADMIN may call (the workspace's settings).
std::optional<BearerCaller> AuthenticateWorkspaceAdministrator(const UauthContext& context, ApiCall& call);

// P-7: the effective password policy of `user` (nullptr: nobody, the
// default) from the workspace settings now; kUnavailable while they cannot
// be read.
Result<events::WorkspacePasswordPolicy> EffectivePolicyNow(const UauthContext& context,
                                                          const projections::UserRecord* user);

// P-3 for a new password of `user` (nullptr: a person not made yet, who
// gets the default, P-7) under their effective policy: the policy when
// `password` passes it; otherwise answers 400 PWD-0001 listing every
// failure (or 503) itself and returns nullopt.
std::optional<events::WorkspacePasswordPolicy> AdmitNewPassword(const UauthContext& context, const ApiCall& call,
                                                                 const projections::UserRecord* user,
                                                                 std::string_view email, std::string_view password);

// I-4's refusal of a request from an address the workspace does not admit.
HttpResponse IpNotAllowedProblem(std::string_view instance);

// Whether the workspace `account_id` requires MFA now (the picker's mfaRequired).
bool WorkspaceRequiresMfa(const UauthContext& context, std::string_view account_id);

}  // namespace iam::api
