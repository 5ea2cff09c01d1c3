#include "commands/signing_key_commands.h"

#include "events/signing_key_events.h"
#include "projections/account_directory.h"

namespace iam::commands {

Result<Decision> RecordSigningKeyRotation::Decide(const WorkingState& state, const CommandContext& context) const {
  CommandContext owner = context;
  if (owner.account_id.empty()) {
    const auto& accounts = state.Get<projections::AccountDirectory>();
    int64_t first_ms = 0;
    for (const std::string& id : accounts.AccountIds()) {
      const projections::AccountRecord* account = accounts.FindAccount(id);
      if (owner.account_id.empty() || account->created_ms < first_ms) {
        owner.account_id = id;
        first_ms = account->created_ms;
      }
    }
  }
  if (owner.account_id.empty()) return Status::FailedPrecondition("no account exists yet");
  return OneEvent(StreamFor(events::kSigningKeyAggregate, events::kJwtSigningKeyStream,
                            events::StreamAppend::kAnyVersion, owner),
                  events::JwtSigningKeyRotatedEvent(kid_));
}

}  // namespace iam::commands
