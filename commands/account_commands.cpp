#include "commands/account_commands.h"

#include "events/access_events.h"
#include "projections/account_directory.h"

namespace iam::commands {

Result<Decision> SetAccountManager::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& accounts = state.Get<projections::AccountDirectory>();
  const projections::AccountRecord* account = accounts.FindAccount(context.account_id);
  if (!account) return Status::NotFound("account " + context.account_id + " does not exist");
  if (managing_account_id_ == context.account_id) {
    return Status::InvalidArgument("an account cannot manage itself");
  }
  if (!accounts.FindAccount(managing_account_id_)) {
    return Status::NotFound("account " + managing_account_id_ + " does not exist");
  }
  if (account->managed_by.contains(managing_account_id_) == manages_) return Decision{};
  if (Status s = CheckIfMatch(context, account->version); !s.ok()) return s;
  return OneEvent(StreamFor(events::kAccountAggregate, context.account_id, account->version, context),
                  events::ToNewEvent(manages_ ? events::kAccountManagerGranted : events::kAccountManagerRevoked,
                                     events::AccountManagerChange{context.account_id, managing_account_id_}));
}

}  // namespace iam::commands
