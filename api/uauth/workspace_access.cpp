#include "api/uauth/workspace_access.h"

#include <openssl/sha.h>

#include <array>
#include <cstdio>

#include "api/uauth/uauth_problem.h"
#include "commands/account_administrators.h"
#include "commands/workspace_password_policy.h"
#include "commands/workspace_settings_commands.h"
#include "events/mfa_events.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

// The name space iamd's workspace guids are made in (a random UUID, fixed
// forever: changing it would rename every workspace).
constexpr std::array<unsigned char, 16> kWorkspaceNamespace = {0x6b, 0x1f, 0x3c, 0x0e, 0x94, 0x52, 0x4d, 0x7a,
                                                               0x8e, 0x21, 0x5c, 0xb3, 0x07, 0xd9, 0x64, 0xf8};

}  // namespace

std::string WorkspaceGuid(std::string_view account_id) {
  std::string input(reinterpret_cast<const char*>(kWorkspaceNamespace.data()), kWorkspaceNamespace.size());
  input.append(account_id);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof(text), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", digest[0],
                digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7], digest[8], digest[9],
                digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
  return text;
}

std::string AccessStateOf(const WorkspaceAccessFacts& facts) {
  if (facts.user.locked) return "LOCKED";
  if (!commands::IpPolicyAdmits(facts.settings.ip_policy, facts.client_address)) return "IP_NOT_ALLOWED";
  if (!commands::MeetsMfaRequirement(facts.settings, facts.session_amr, facts.factors)) return "MFA_ENROLLMENT_REQUIRED";
  if (facts.user.password_expires_ms != 0 && facts.now_ms >= facts.user.password_expires_ms) {
    return "PASSWORD_CHANGE_REQUIRED";
  }
  return "ALLOWED";
}

Result<std::string> CurrentAccessState(const UauthContext& context, const projections::UserRecord& user,
                                       const std::vector<std::string>& session_amr, std::string_view client_address) {
  auto settings = context.runner.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  auto mfa = context.runner.LiveAs<projections::MfaReadModel>(projections::kMfaProjection);
  if (!settings || !mfa) return Status::Unavailable("the workspace's settings cannot be read now");
  auto settings_version = settings->Published();
  auto mfa_version = mfa->Published();
  projections::WorkspaceSettings effective = settings_version->Of(user.account_id);
  // F-10: --require-mfa requires a second factor of every workspace, any method.
  if (context.require_mfa && !effective.mfa_required) {
    effective.mfa_required = true;
    effective.mfa_methods = {events::kTotpMethod, events::kEmailMethod};
  }
  return AccessStateOf({user, effective, mfa_version->Find(user.ui_identity_id), session_amr, client_address,
                        context.now_ms()});
}

std::optional<BearerCaller> AuthenticateWorkspaceAdministrator(const UauthContext& context, ApiCall& call) {
  auto caller = AuthenticateBearer(context, call, {kWorkspaceScope});
  if (!caller) return std::nullopt;
  auto groups = context.runner.LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection);
  if (!groups) {
    call.respond(UauthUnavailable(call.request.path, "the workspace's roles cannot be read now"));
    return std::nullopt;
  }
  if (!commands::AdministersOwnAccount(caller->user, *groups->Published())) {
    call.respond(UauthProblem({403, "forbidden", "GEN-0403", "the workspace's settings need its administrator role",
                               call.request.path}));
    return std::nullopt;
  }
  call.context.account_id = caller->user.account_id;
  call.context.actor = caller->user.ui_user_name;
  return caller;
}

Result<events::WorkspacePasswordPolicy> EffectivePolicyNow(const UauthContext& context,
                                                          const projections::UserRecord* user) {
  auto settings = context.runner.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  if (!settings) return Status::Unavailable("the password policies cannot be read now");
  return commands::EffectivePasswordPolicy(user, *settings->Published());
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

bool WorkspaceRequiresMfa(const UauthContext& context, const projections::UserRecord& user) {
  auto settings = context.runner.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  return context.require_mfa || (settings && settings->Published()->Of(user.account_id).mfa_required);
}

}  // namespace iam::api
