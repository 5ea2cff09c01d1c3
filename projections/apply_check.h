// ApplyCheck: folds the whole log into scratch copies of every registered
// read model (registered_projections.h: the core directories and the
// projections beside them) and names the events that cannot be applied —
// what `iamctl verify` reports and what may be voided (events/log_events.h),
// so that any read model stopped by an event has a way out.
//
// Reads the log only; writes nothing. Safe for concurrent use with the
// server (it works on its own directories).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/event_store.h"
#include "events/status.h"

namespace iam::projections {

struct UnappliableEvent {
  uint64_t position = 0;
  std::string event_type;
  std::string aggregate;  // "type/id"
  std::string error;      // why a read model refuses it
};

struct ApplyCheckReport {
  uint64_t events = 0;                     // events folded, voided ones excluded
  std::vector<uint64_t> voided;            // positions skipped as voided
  std::vector<UnappliableEvent> unappliable;
};

// Folds positions 1…Head() (skipping voided ones) one event at a time and
// goes on after a refusal, so every unappliable event is named. Errors: the
// log cannot be read (kCorruption / kIOError naming the position).
Result<ApplyCheckReport> CheckLogApplies(const events::EventStore& log);

}  // namespace iam::projections
