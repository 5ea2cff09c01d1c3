// The workspace surface's access-control settings (seed-003 tag "Access
// control", #23 … #28, #32, #33; rules P-1 … P-8, I-1 … I-5, F-10 … F-12):
//   POST, DELETE /uauth/business-profile/mfa/requirements    the workspace's MFA requirement
//   GET, POST    /uauth/settings/user-bp-ip-policy           its IP policy for JWT sessions
//   GET, POST    /uauth/settings/password-policy             its password policy
//   GET /uauth/users/my-account/strongest-password-settings  the caller's effective policy (P-7)
//   GET /uauth/strongest-password-settings-by-email/{email}  the same by address (P-8, public)
// Settings answer their entity tag (the position of their last change) as
// ETag and take it back as If-Match.
#include <boost/json.hpp>

#include <set>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/json_input.h"
#include "api/uauth/mfa_codes.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/cidr.h"
#include "commands/user_validation.h"
#include "commands/workspace_password_policy.h"
#include "commands/workspace_settings_commands.h"
#include "events/clock.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

constexpr size_t kMaxIpPolicyEntries = 1000;  // I-2

std::shared_ptr<const projections::WorkspaceSettingsDirectory> SettingsVersion(const UauthContext& context) {
  auto model = context.runner.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  return model ? model->Published() : nullptr;
}

HttpResponse SettingJson(boost::json::object body, uint64_t sequence, const commands::CommandOutcome* outcome) {
  HttpResponse response = JsonResponse(200, boost::json::serialize(body));
  response.SetHeader("ETag", ETagOf(sequence));
  if (outcome) AddEventDetails(response, *outcome);
  return response;
}

// The refusals every settings command shares.
HttpResponse SettingRefusal(const ApiCall& call, const Status& status) {
  if (status.code() == StatusCode::kVersionMismatch) {
    return UauthProblem({412, "precondition-failed", "GEN-0412", status.message(), call.request.path});
  }
  return UauthUnavailable(call.request.path, status.message());
}

// Submits a settings command and answers the setting as stored afterwards.
void SubmitSetting(const UauthContext& context, const std::shared_ptr<ApiCall>& call,
                   std::unique_ptr<commands::Command> command,
                   std::function<HttpResponse(const projections::WorkspaceSettings&, const commands::CommandOutcome&)>
                       answer) {
  SubmitCommand(context.processor, call, std::move(command),
                [](const ApiCall& call, const Status& status) { call.respond(SettingRefusal(call, status)); },
                [&context, answer = std::move(answer)](const std::shared_ptr<ApiCall>& call,
                                                      const commands::CommandOutcome& outcome) {
                  auto settings = SettingsVersion(context);
                  if (!settings) return call->respond(UauthUnavailable(call->request.path, "the settings cannot be read now"));
                  call->respond(answer(settings->Of(call->context.account_id), outcome));
                });
}

// ---------------------------------------------------------------- MFA requirement (#23, #24)

boost::json::object MfaRequirementJson(const projections::WorkspaceSettings& s) {
  boost::json::array methods;
  for (const std::string& method : s.mfa_methods) methods.emplace_back(method);
  return {{"required", s.mfa_required},
          {"allowedMfaMethods", std::move(methods)},
          {"enabledAt", s.mfa_required ? boost::json::value(FormatTimestampMillis(s.mfa_enabled_ms)) : nullptr},
          {"enabledBy", s.mfa_required ? boost::json::value(s.mfa_enabled_by) : nullptr}};
}

void EnableMfaRequirement(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_mfa:update");
  if (!caller) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"allowedMfaMethods"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto methods = body->RequiredStrings("allowedMfaMethods");
  if (!methods.ok()) return call->respond(UauthBadRequest(call->request.path, methods.status().message()));
  const std::set<std::string> distinct(methods->begin(), methods->end());
  bool known = !methods->empty() && distinct.size() == methods->size();
  for (const std::string& method : *methods) known = known && (method == events::kTotpMethod || method == events::kEmailMethod);
  if (!known) {
    return call->respond(UauthBadRequest(
        call->request.path, "allowedMfaMethods must list TOTP_AUTHENTICATOR and/or EMAIL, each once"));
  }
  // Stored in F-1's order, so the same set is the same requirement.
  std::vector<std::string> ordered;
  for (const char* method : {events::kTotpMethod, events::kEmailMethod}) {
    if (distinct.count(method)) ordered.emplace_back(method);
  }
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::EnableMfaRequirement>(caller->user.ui_identity_id, caller->user.user_number,
                                                       std::move(ordered)),
      [](const ApiCall& call, const Status& status) {
        if (status.reason() == commands::kMfaNoAllowedMethod) {
          return call.respond(UauthProblem({400, "mfa-method-required", "MFA-0005", status.message(), call.request.path}));
        }
        call.respond(SettingRefusal(call, status));
      },
      [&context](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        auto settings = SettingsVersion(context);
        if (!settings) return call->respond(UauthUnavailable(call->request.path, "the settings cannot be read now"));
        HttpResponse response =
            JsonResponse(200, boost::json::serialize(MfaRequirementJson(settings->Of(call->context.account_id))));
        AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

void DisableMfaRequirement(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_mfa:update");
  if (!caller) return;
  const std::string code(call->request.Header("X-Mfa-Code"));
  if (code.empty()) {
    return call->respond(StepUpCodeMissing(call->request.path));
  }
  const std::string username = commands::EmailKey(caller->user.profile.email);
  AdmitAttempt(context, call, username, [&context, call, caller = *caller, username, code](auto ticket) {
    auto mfa = context.runner.LiveAs<projections::MfaReadModel>(projections::kMfaProjection);
    if (!mfa) {
      ticket->Release();
      return call->respond(UauthUnavailable(call->request.path, "second factors cannot be read now"));
    }
    const auto mfa_version = mfa->Published();
    const commands::CheckedCode checked = CheckCode(context, mfa_version->Find(caller.user.ui_identity_id), "", code);
    SubmitCommand(context.processor, call,
                  std::make_unique<commands::DisableMfaRequirement>(
                      ticket, events::SignInAttempt{username, caller.user.ui_identity_id, "WRONG_STEP_UP_CODE"}, checked,
                      caller.user.user_number, context.now_ms(), context.limits),
                  [&context, username](const ApiCall& call, const Status& status) {
                    if (status.reason() == commands::kSignInLockedOut) {
                      return call.respond(LockedOutResponse(context, call, username));
                    }
                    call.respond(SettingRefusal(call, status));
                  },
                  [&context, username](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                    if (outcome.refusal.reason() == commands::kSignInLockedOut) {
                      return call->respond(LockedOutResponse(context, *call, username));
                    }
                    if (!outcome.refusal.ok()) {
                      return call->respond(StepUpCodeWrong(call->request.path, outcome.refusal.message()));
                    }
                    RespondNoContent(call, outcome);
                  });
  });
}

// ---------------------------------------------------------------- IP policy (#26, #27)

boost::json::object IpPolicyJson(const events::WorkspaceIpPolicy& policy) {
  boost::json::array entries;
  for (const std::string& entry : policy.entries) entries.emplace_back(entry);
  return {{"enabled", policy.enabled}, {"enableSupportSubnets", policy.enable_support_subnets},
          {"ipPolicy", std::move(entries)}};
}

void GetIpPolicy(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_ip_policy:read")) return;
  auto settings = SettingsVersion(context);
  if (!settings) return call->respond(UauthUnavailable(call->request.path, "the settings cannot be read now"));
  const projections::WorkspaceSettings& s = settings->Of(call->context.account_id);
  call->respond(SettingJson(IpPolicyJson(s.ip_policy), s.ip_policy_version, nullptr));
}

void UpdateIpPolicy(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_ip_policy:update")) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"enabled", "enableSupportSubnets", "ipPolicy"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto enabled = body->RequiredBool("enabled");
  auto support = body->RequiredBool("enableSupportSubnets");
  auto entries = body->RequiredStrings("ipPolicy");
  for (const Status& s : {enabled.status(), support.status(), entries.status()}) {
    if (!s.ok()) return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto problem = [&call](const char* slug, const char* code, std::string detail) {
    call->respond(UauthProblem({400, slug, code, std::move(detail), call->request.path}));
  };
  if (entries->size() > kMaxIpPolicyEntries) return problem("ip-policy-too-long", "IPP-0003", "at most 1000 entries");
  std::set<std::string> networks;
  for (const std::string& entry : *entries) {
    auto network = commands::ParseCidr(commands::TrimCidrText(entry));
    if (!network.ok()) return problem("ip-policy-entry-malformed", "IPP-0001", entry + ": " + network.status().message());
    if (!networks.insert(network->ToString()).second) {
      return problem("ip-policy-entry-twice", "IPP-0002", entry + " names a network already listed");
    }
  }
  events::WorkspaceIpPolicy policy{*enabled, *support, std::move(*entries)};
  if (!commands::IpPolicyAdmits(policy, call->context.remote_address)) {  // I-5
    return problem("ip-policy-excludes-caller", "IPP-0005", "the policy would not admit your own address");
  }
  SubmitSetting(context, call, std::make_unique<commands::UpdateWorkspaceIpPolicy>(std::move(policy)),
                [](const projections::WorkspaceSettings& s, const commands::CommandOutcome& outcome) {
                  return SettingJson(IpPolicyJson(s.ip_policy), s.ip_policy_version, &outcome);
                });
}

// ---------------------------------------------------------------- password policy (#24, #28, #32, #33)

void GetPasswordPolicy(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_password_policy:read")) return;
  auto settings = SettingsVersion(context);
  if (!settings) return call->respond(UauthUnavailable(call->request.path, "the settings cannot be read now"));
  const projections::WorkspaceSettings& s = settings->Of(call->context.account_id);
  call->respond(SettingJson(commands::ToJson(s.password_policy), s.password_policy_version, nullptr));
}

void UpdatePasswordPolicy(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_password_policy:update")) return;
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(call->request.body, ec);
  if (ec || !body.is_object()) return call->respond(UauthBadRequest(call->request.path, "the body must be a JSON object"));
  auto policy = commands::ParseWorkspacePasswordPolicy(body.as_object());
  if (!policy.ok()) {
    if (policy.status().reason() == commands::kPolicyInconsistent) {
      return call->respond(
          UauthProblem({400, "password-policy-inconsistent", "PWD-0004", policy.status().message(), call->request.path}));
    }
    return call->respond(UauthBadRequest(call->request.path, policy.status().message()));
  }
  SubmitSetting(context, call, std::make_unique<commands::UpdateWorkspacePasswordPolicy>(*policy),
                [](const projections::WorkspaceSettings& s, const commands::CommandOutcome& outcome) {
                  return SettingJson(commands::ToJson(s.password_policy), s.password_policy_version, &outcome);
                });
}

// P-7 for the person of `email`, or P-8's default when it names nobody.
HttpResponse EffectivePolicyOf(const UauthContext& context, const ApiCall& call, const projections::UserRecord* user) {
  auto policy = EffectivePolicyNow(context, user);
  if (!policy.ok()) return UauthUnavailable(call.request.path, policy.status().message());
  return JsonResponse(200, boost::json::serialize(commands::ToEffectiveJson(*policy)));
}

}  // namespace

void AddAccessControlRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/business-profile/mfa/requirements",
             [&context](std::shared_ptr<ApiCall> call) { EnableMfaRequirement(context, call); });
  router.Add("DELETE", "/uauth/business-profile/mfa/requirements",
             [&context](std::shared_ptr<ApiCall> call) { DisableMfaRequirement(context, call); });
  router.Add("GET", "/uauth/settings/user-bp-ip-policy",
             [&context](std::shared_ptr<ApiCall> call) { GetIpPolicy(context, call); });
  router.Add("POST", "/uauth/settings/user-bp-ip-policy",
             [&context](std::shared_ptr<ApiCall> call) { UpdateIpPolicy(context, call); });
  router.Add("GET", "/uauth/settings/password-policy",
             [&context](std::shared_ptr<ApiCall> call) { GetPasswordPolicy(context, call); });
  router.Add("POST", "/uauth/settings/password-policy",
             [&context](std::shared_ptr<ApiCall> call) { UpdatePasswordPolicy(context, call); });
  router.Add("GET", "/uauth/users/my-account/strongest-password-settings", [&context](std::shared_ptr<ApiCall> call) {
    auto caller = AuthenticateBearer(context, *call, {kUserScope});
    if (caller) call->respond(EffectivePolicyOf(context, *call, &caller->user));
  });
  // P-8: public; an unknown address gets the default, as any person of no workspace.
  router.Add("GET", "/uauth/strongest-password-settings-by-email/{email}", [&context](std::shared_ptr<ApiCall> call) {
    if (!AdmitRate(context, *call, kPolicyByEmailPerIp, call->request.remote_address)) return;  // X-8, P-8
    const std::string email(call->path.Get("email"));
    if (!commands::IsValidEmail(email)) {
      return call->respond(UauthBadRequest(call->request.path, "the path must end with an e-mail address"));
    }
    auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
    if (!users) return call->respond(UauthUnavailable(call->request.path, "the users cannot be read now"));
    auto version = users->Published();
    const auto matches = version->AllWithEmail(commands::EmailKey(email));
    call->respond(EffectivePolicyOf(context, *call, matches.size() == 1 ? matches.front() : nullptr));
  });
}

}  // namespace iam::api
