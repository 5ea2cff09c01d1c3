// Events about the log itself (aggregate type "log", one stream "voids").
//
// An EventVoided is the compensating record for an event that a read model
// cannot apply (a damaged record, an impossible change): every read model
// skips the voided position from then on, on restore, catch-up and rebuild,
// while the log stays append-only and the voided event stays readable.
//
// Payload shape, revision 1:
//   EventVoided {"position", "eventType", "aggregateType", "aggregateId", "reason"}
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "events/event.h"
#include "events/event_store.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kLogAggregate = "log";
inline constexpr const char* kVoidsStream = "voids";
inline constexpr const char* kEventVoided = "EventVoided";

struct EventVoided {
  uint64_t position = 0;
  std::string event_type;
  std::string aggregate_type;
  std::string aggregate_id;
  std::string reason;
};

NewEvent ToNewEvent(const EventVoided& e);
// kCorruption naming the event's position when the payload does not match the type.
Result<EventVoided> ParseEventVoided(const Event& e);
bool IsEventVoided(const Event& e);

// The voids recorded in `log`, in the order they were recorded, and the
// voids stream's version (for an expected-version append of the next one).
struct Voids {
  std::set<uint64_t> positions;
  uint64_t stream_version = 0;
};
Result<Voids> ReadVoids(const EventStore& log);

}  // namespace iam::events
