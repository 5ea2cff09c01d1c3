// What every directory needs: the version an event leaves its aggregate at,
// the error for an event that contradicts the state, and row keys in id order.
// Pure functions.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

// A durable event carries its aggregate version; a provisional one (the
// command processor's, before the store assigns it) is the next one.
inline uint64_t VersionAfter(const events::Event& e, uint64_t current) {
  return e.aggregate_version != 0 ? e.aggregate_version : current + 1;
}

// kCorruption naming the event's position and type: the read model cannot apply it.
inline Status Contradiction(const events::Event& e, const std::string& what) {
  return Status::Corruption("event at position " + std::to_string(e.position) + " (" + e.event_type + "): " + what);
}

// An integer id as a row key part that sorts in numeric order (20 digits).
inline std::string FixedWidthId(int64_t id) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%020lld", static_cast<long long>(id));
  return buffer;
}

}  // namespace iam::projections
