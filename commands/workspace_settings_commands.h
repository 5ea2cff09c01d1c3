// Commands of a workspace's access-control settings (seed-003 #23, #24, #27,
// #33; rules P-1 … P-7, I-1 … I-5, F-10 … F-12) and the policies they
// decide for a person: the effective password policy (P-7) and W-3's
// workspace access. Each setting is replaced as a whole; saving what is
// stored appends nothing. The context's account is the workspace;
// If-Match names the setting's entity tag (its last change's position).
//
// Refusals (Status::reason()):
//   kMfaNoAllowedMethod  kFailedPrecondition  the enabling administrator has none of the methods (F-11)
//   kVersionMismatch (code)                   If-Match names another state
//   and CheckStepUpCode's (mfa_commands.h)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "commands/mfa_commands.h"
#include "commands/sign_in_commands.h"
#include "events/workspace_settings_events.h"
#include "projections/membership_directory.h"
#include "projections/mfa_directory.h"
#include "projections/user_directory.h"
#include "projections/workspace_settings_directory.h"

namespace iam::commands {

inline constexpr int kMfaNoAllowedMethod = 5;

// P-7: the policy a person's next password must pass — the strongest merge
// (P-6) of the workspaces they belong to; the default (P-2) for a person of
// no workspace, and for nobody (`user` null: an unknown address, P-8).
events::WorkspacePasswordPolicy EffectivePasswordPolicy(const projections::UserRecord* user,
                                                        const projections::MembershipDirectory& memberships,
                                                        const projections::WorkspaceSettingsDirectory& settings);

// When a password set at `changed_ms` under `policy` expires (P-10): 0 for
// never, as the users read model keeps it.
int64_t PasswordExpiresAt(const events::WorkspacePasswordPolicy& policy, int64_t changed_ms);

// W-3 beyond the person's own state: whether the workspace's IP policy
// admits `client_address` (I-4; an unparsable address is not admitted).
bool IpPolicyAdmits(const events::WorkspaceIpPolicy& policy, std::string_view client_address);
// F-10: whether a session that passed `amr` meets the workspace's MFA
// requirement: nothing is required, or the session passed a second factor
// ("otp") and the person has one of the allowed methods enabled.
bool MeetsMfaRequirement(const projections::WorkspaceSettings& settings, const std::vector<std::string>& amr,
                         const projections::MfaRecord* factors);

class UpdateWorkspacePasswordPolicy final : public Command {
 public:
  explicit UpdateWorkspacePasswordPolicy(const events::WorkspacePasswordPolicy& policy) : policy_(policy) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  events::WorkspacePasswordPolicy policy_;
};

// I-5 (a policy that shuts the caller out) is the caller's to check first:
// the writer does not know the caller's address.
class UpdateWorkspaceIpPolicy final : public Command {
 public:
  explicit UpdateWorkspaceIpPolicy(events::WorkspaceIpPolicy policy) : policy_(std::move(policy)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  events::WorkspaceIpPolicy policy_;
};

// #23: requires MFA with `allowed_methods`, or replaces them; the enabling
// administrator (`ui_identity_id`, userId `user_number`) must have one of
// them enabled (F-11).
class EnableMfaRequirement final : public Command {
 public:
  EnableMfaRequirement(std::string ui_identity_id, int64_t user_number, std::vector<std::string> allowed_methods)
      : ui_identity_id_(std::move(ui_identity_id)), user_number_(user_number),
        allowed_methods_(std::move(allowed_methods)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
  int64_t user_number_;
  std::vector<std::string> allowed_methods_;
};

// #24 behind a step-up code (F-12, F-16; a wrong one counts toward the
// lockout). Idempotent: with no requirement only the code is spent.
class DisableMfaRequirement final : public Command {
 public:
  DisableMfaRequirement(std::shared_ptr<SignInGate::Ticket> ticket, events::SignInAttempt attempt,
                        CheckedCode step_up, int64_t user_number, int64_t now_ms, SignInLimits limits)
      : ticket_(std::move(ticket)), attempt_(std::move(attempt)), step_up_(std::move(step_up)),
        user_number_(user_number), now_ms_(now_ms), limits_(limits) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::shared_ptr<SignInGate::Ticket> ticket_;
  events::SignInAttempt attempt_;
  CheckedCode step_up_;
  int64_t user_number_;
  int64_t now_ms_;
  SignInLimits limits_;
};

}  // namespace iam::commands
