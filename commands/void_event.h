// VoidEvent: the operator's way out of a log holding an event that a read
// model cannot apply (D-22). It appends an EventVoided (events/log_events.h)
// naming the position; every read model skips that position from then on,
// and the projections that had failed on it rebuild by themselves. The log
// stays append-only: the voided event remains readable, with its void.
#pragma once

#include <cstdint>
#include <string>

#include "events/event_store.h"
#include "events/status.h"

namespace iam::commands {

// Voids the event at `position`. Only an event that a read model cannot apply
// (projections::CheckLogApplies names it) may be voided, once. The void is
// appended with the voids stream's expected version, so racing voids cannot
// both pass. Errors: kNotFound (no event at `position`), kFailedPrecondition
// (already void, a void itself, or an event every read model applies),
// kConflict (another void was recorded meanwhile), the store's errors.
// The void is recorded in `resource_owner`'s name (empty = the voided
// event's). Returns only after the void is durable.
Result<events::AppendResult> VoidEvent(events::EventStore& log, uint64_t position, const std::string& reason,
                                       const std::string& actor, const std::string& resource_owner,
                                       const std::string& request_id);

}  // namespace iam::commands
