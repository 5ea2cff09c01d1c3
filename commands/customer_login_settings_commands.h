// The command of the customer-login settings (seed-003 #5 … #21 odd; S-1 …
// S-14, CC-12): one for all nine kinds, driven by their description
// (customer_login_settings_schema.h). The context's account is the
// workspace; If-Match names the kind's entity tag (the settings aggregate's
// version at the kind's last change, 0 before the first save).
//
// Refusals (Status::reason()):
//   kVersionMismatch (code)              If-Match names another version (X-7, CC-12: the check and
//                                        the change are one step on the command processor's thread)
//   kSettingsDependentMember  kFailedPrecondition  a dependent member missing or forbidden once the
//                                        secrets are resolved (S-2, S-11: enabling Facebook without a
//                                        stored secret)
#pragma once

#include "commands/command.h"
#include "commands/customer_login_settings_schema.h"

namespace iam::commands {

// Replaces the settings of `proposal.kind` with `proposal` (S-1): kept
// secrets take the stored versions, and the result is stored unless it is
// what the workspace has already (then nothing is appended, X-6). The
// proposal's secrets must already be in the secret store, and hold no
// plaintext any more.
class UpdateCustomerLoginSettings final : public Command {
 public:
  explicit UpdateCustomerLoginSettings(SettingsProposal proposal) : proposal_(std::move(proposal)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  SettingsProposal proposal_;
};

}  // namespace iam::commands
