#include "commands/workspace_settings_commands.h"

#include <algorithm>

#include "commands/cidr.h"
#include "commands/workspace_password_policy.h"
#include "events/access_events.h"
#include "projections/account_directory.h"

namespace iam::commands {
namespace {

using projections::WorkspaceSettings;
using projections::WorkspaceSettingsDirectory;

const WorkspaceSettings& SettingsOf(const WorkingState& state, const CommandContext& context) {
  return state.Get<WorkspaceSettingsDirectory>().Of(context.account_id);
}

// The next append to the workspace's account aggregate.
Result<events::StreamAppend> AccountStream(const WorkingState& state, const CommandContext& context) {
  const projections::AccountRecord* account = state.Get<projections::AccountDirectory>().FindAccount(context.account_id);
  if (!account) return Status::NotFound("the workspace does not exist");
  return StreamFor(events::kAccountAggregate, context.account_id, account->version, context);
}

Result<Decision> SettingEvent(const WorkingState& state, const CommandContext& context, events::NewEvent event) {
  auto stream = AccountStream(state, context);
  if (!stream.ok()) return stream.status();
  stream->events.push_back(std::move(event));
  Decision decision;
  decision.appends.push_back(std::move(*stream));
  return decision;
}

}  // namespace

events::WorkspacePasswordPolicy EffectivePasswordPolicy(const projections::UserRecord* user,
                                                        const projections::MembershipDirectory& memberships,
                                                        const WorkspaceSettingsDirectory& settings) {
  std::vector<events::WorkspacePasswordPolicy> policies;
  if (user) {
    for (const projections::MembershipRecord* membership : memberships.OfPerson(user->ui_identity_id)) {
      policies.push_back(settings.Of(membership->account_id).password_policy);
    }
  }
  return StrongestOf(policies);
}

int64_t PasswordExpiresAt(const events::WorkspacePasswordPolicy& policy, int64_t changed_ms) {
  constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;
  return policy.expiration_days ? changed_ms + *policy.expiration_days * kDayMs : 0;
}

bool IpPolicyAdmits(const events::WorkspaceIpPolicy& policy, std::string_view client_address) {
  if (!policy.enabled) return true;
  for (const std::string& entry : policy.entries) {
    auto network = ParseCidr(TrimCidrText(entry));
    if (network.ok() && Contains(*network, client_address)) return true;
  }
  return false;
}

bool MeetsMfaRequirement(const WorkspaceSettings& settings, const std::vector<std::string>& amr,
                         const projections::MfaRecord* factors) {
  if (!settings.mfa_required) return true;
  if (std::find(amr.begin(), amr.end(), "otp") == amr.end() || !factors) return false;
  return std::any_of(settings.mfa_methods.begin(), settings.mfa_methods.end(),
                     [factors](const std::string& method) { return factors->enabled.count(method) > 0; });
}

Result<Decision> UpdateWorkspacePasswordPolicy::Decide(const WorkingState& state, const CommandContext& context) const {
  const WorkspaceSettings& settings = SettingsOf(state, context);
  if (auto s = CheckIfMatch(context, settings.password_policy_version); !s.ok()) return s;
  if (settings.password_policy == policy_) return Decision{};
  return SettingEvent(state, context, events::ToNewEvent(events::WorkspacePasswordPolicyUpdated{policy_}));
}

Result<Decision> UpdateWorkspaceIpPolicy::Decide(const WorkingState& state, const CommandContext& context) const {
  const WorkspaceSettings& settings = SettingsOf(state, context);
  if (auto s = CheckIfMatch(context, settings.ip_policy_version); !s.ok()) return s;
  if (settings.ip_policy == policy_) return Decision{};
  return SettingEvent(state, context, events::ToNewEvent(events::WorkspaceIpPolicyUpdated{policy_}));
}

Result<Decision> EnableMfaRequirement::Decide(const WorkingState& state, const CommandContext& context) const {
  const projections::MfaRecord* factors = state.Get<projections::MfaDirectory>().Find(ui_identity_id_);
  const bool has_one = factors && std::any_of(allowed_methods_.begin(), allowed_methods_.end(),
                                              [factors](const std::string& m) { return factors->enabled.count(m) > 0; });
  if (!has_one) {
    return Status::FailedPrecondition("enable one of the allowed methods for yourself first")
        .WithReason(kMfaNoAllowedMethod);
  }
  const WorkspaceSettings& settings = SettingsOf(state, context);
  if (settings.mfa_required && settings.mfa_methods == allowed_methods_) return Decision{};
  return SettingEvent(state, context,
                      events::ToNewEvent(events::WorkspaceMfaRequirementSet{true, settings.mfa_required,
                                                                            allowed_methods_, user_number_}));
}

Result<Decision> DisableMfaRequirement::Decide(const WorkingState& state, const CommandContext& context) const {
  ticket_->Release();
  Decision decision;
  auto mfa_stream = MfaStreamOf(state, attempt_.ui_identity_id, context);
  auto valid = CheckStepUpCode(state, context, attempt_, step_up_, now_ms_, limits_, mfa_stream, decision);
  if (!valid.ok()) return valid.status();
  if (!*valid) return decision;
  if (!mfa_stream.events.empty()) decision.appends.push_back(std::move(mfa_stream));
  if (SettingsOf(state, context).mfa_required) {
    auto stream = AccountStream(state, context);
    if (!stream.ok()) return stream.status();
    stream->events.push_back(events::ToNewEvent(events::WorkspaceMfaRequirementSet{false, false, {}, user_number_}));
    decision.appends.push_back(std::move(*stream));
  }
  return decision;
}

}  // namespace iam::commands
