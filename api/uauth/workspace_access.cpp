#include "api/uauth/workspace_access.h"

#include "api/uauth/uauth_problem.h"
#include "commands/account_administrators.h"
#include "commands/workspace_password_policy.h"
#include "commands/workspace_roles.h"
#include "commands/workspace_settings_commands.h"
#include "events/mfa_events.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"

namespace iam::api {
const projections::MembershipRecord* MembershipByGuid(const projections::MembershipDirectory& memberships,
                                                      std::string_view ui_identity_id, std::string_view workspace_guid) {
  for (const projections::MembershipRecord* membership : memberships.OfPerson(ui_identity_id)) {
    if (WorkspaceGuid(membership->account_id) == workspace_guid) return membership;
  }
  return nullptr;
}

std::string AccessStateOf(const WorkspaceAccessFacts& facts) {
  if (facts.membership.deactivated) return "DEACTIVATED";
  if (facts.user.locked) return "LOCKED";
  if (facts.membership.ExpiredAt(facts.now_ms)) return "ACCESS_EXPIRED";
  if (!commands::IpPolicyAdmits(facts.settings.ip_policy, facts.client_address)) return "IP_NOT_ALLOWED";
  if (!commands::MeetsMfaRequirement(facts.settings, facts.session_amr, facts.factors)) return "MFA_ENROLLMENT_REQUIRED";
  if (facts.user.password_expires_ms != 0 && facts.now_ms >= facts.user.password_expires_ms) {
    return "PASSWORD_CHANGE_REQUIRED";
  }
  return "ALLOWED";
}

Result<std::string> CurrentAccessState(const UauthContext& context, const projections::UserRecord& user,
                                       const projections::MembershipRecord& membership,
                                       const std::vector<std::string>& session_amr, std::string_view client_address) {
  auto settings = context.runner.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  auto mfa = context.runner.LiveAs<projections::MfaReadModel>(projections::kMfaProjection);
  if (!settings || !mfa) return Status::Unavailable("the workspace's settings cannot be read now");
  auto settings_version = settings->Published();
  auto mfa_version = mfa->Published();
  projections::WorkspaceSettings effective = settings_version->Of(membership.account_id);
  // F-10: --require-mfa requires a second factor of every workspace, any method.
  if (context.require_mfa && !effective.mfa_required) {
    effective.mfa_required = true;
    effective.mfa_methods = {events::kTotpMethod, events::kEmailMethod};
  }
  return AccessStateOf({user, membership, effective, mfa_version->Find(user.ui_identity_id), session_amr, client_address,
                        context.now_ms()});
}

std::optional<BearerCaller> AuthenticateWorkspacePermission(const UauthContext& context, ApiCall& call,
                                                            std::string_view permission) {
  auto caller = AuthenticateBearer(context, call, {kWorkspaceScope});
  if (!caller) return std::nullopt;
  auto groups = context.runner.LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection);
  auto roles = WorkspaceRolesNow(context);
  if (!groups || !roles) {
    call.respond(UauthUnavailable(call.request.path, "the workspace's roles cannot be read now"));
    return std::nullopt;
  }
  // the role and its permissions as they are now, never as the token was issued.
  const int64_t role = commands::ActingWorkspaceRole(*caller->membership, caller->user, *groups->Published());
  if (!commands::RoleGrants(*roles, caller->membership->account_id, role, permission)) {
    call.respond(UauthProblem({403, "forbidden", "GEN-0403",
                               permission == commands::kAnyPermission
                                   ? std::string("this needs the workspace's administrator role")
                                   : "your role in this workspace lacks " + std::string(permission),
                               call.request.path}));
    return std::nullopt;
  }
  call.context.account_id = caller->membership->account_id;
  ActAs(call.context, caller->user);
  return caller;
}

std::shared_ptr<const projections::WorkspaceRoleDirectory> WorkspaceRolesNow(const UauthContext& context) {
  auto roles = context.runner.LiveAs<projections::WorkspaceRolesReadModel>(projections::kWorkspaceRolesProjection);
  return roles ? roles->Published() : nullptr;
}

std::string RoleNameNow(const UauthContext& context, std::string_view account_id, int64_t role_id) {
  auto roles = WorkspaceRolesNow(context);
  return roles ? commands::WorkspaceRoleName(*roles, account_id, role_id) : "";
}

std::optional<BearerCaller> AuthenticateWorkspaceAdministrator(const UauthContext& context, ApiCall& call) {
  return AuthenticateWorkspacePermission(context, call, commands::kAnyPermission);
}

Result<events::WorkspacePasswordPolicy> EffectivePolicyNow(const UauthContext& context,
                                                          const projections::UserRecord* user) {
  auto settings = context.runner.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  if (!settings || !memberships) return Status::Unavailable("the password policies cannot be read now");
  return commands::EffectivePasswordPolicy(user, *memberships->Published(), *settings->Published());
}

std::optional<events::WorkspacePasswordPolicy> AdmitNewPassword(const UauthContext& context, const ApiCall& call,
                                                                 const projections::UserRecord* user,
                                                                 std::string_view email, std::string_view password) {
  auto policy = EffectivePolicyNow(context, user);
  if (!policy.ok()) {
    call.respond(UauthUnavailable(call.request.path, policy.status().message()));
    return std::nullopt;
  }
  if (auto s = commands::CheckPassword(password, *policy, email); !s.ok()) {
    call.respond(UauthProblem({400, "password-policy", "PWD-0001", s.message(), call.request.path}));
    return std::nullopt;
  }
  return *policy;
}

HttpResponse IpNotAllowedProblem(std::string_view instance) {
  return UauthProblem({403, "ip-not-allowed", "IPP-0403", "the workspace does not admit this address",
                       std::string(instance)});
}

bool WorkspaceRequiresMfa(const UauthContext& context, std::string_view account_id) {
  auto settings = context.runner.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  const auto settings_version = settings ? settings->Published() : nullptr;
  return context.require_mfa || (settings && settings_version->Of(account_id).mfa_required);
}

}  // namespace iam::api
