#include "commands/signing_key_commands.h"

#include "events/signing_key_events.h"
#include "projections/account_directory.h"

namespace iam::commands {

Result<Decision> RecordSigningKeyRotation::Decide(const WorkingState& state, const CommandContext& context) const {
  CommandContext owner = context;
  if (owner.account_id.empty()) owner.account_id = state.Get<projections::AccountDirectory>().FirstAccountId();
  if (owner.account_id.empty()) return Status::FailedPrecondition("no account exists yet");
  return OneEvent(StreamFor(events::kSigningKeyAggregate, events::kJwtSigningKeyStream,
                            events::StreamAppend::kAnyVersion, owner),
                  events::JwtSigningKeyRotatedEvent(kid_));
}

}  // namespace iam::commands
