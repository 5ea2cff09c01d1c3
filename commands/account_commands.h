// Commands of accounts: which other accounts manage an account.
//
// A managing account's API clients that may switch accounts (C-20) act on
// the managed account through an accountSwitchKey (X-2, C-18). The managed
// account decides: these commands act on CommandContext::account_id, the
// account whose administrators ask.
//
// Refusals:
//   kNotFound            the managing account is unknown
//   kInvalidArgument     an account cannot manage itself
// Granting a manager the account has, or revoking one it lacks, changes
// nothing (no event, outcome sequence 0).
#pragma once

#include <string>

#include "commands/command.h"

namespace iam::commands {

class SetAccountManager final : public Command {
 public:
  SetAccountManager(std::string managing_account_id, bool manages)
      : managing_account_id_(std::move(managing_account_id)), manages_(manages) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string managing_account_id_;
  bool manages_;
};

}  // namespace iam::commands
