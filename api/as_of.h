// Time travel on reads (`asOf`, decisions D-13, seed-003 X-7): a GET that
// names a past point of the log is answered by its usual handler, run
// against the read models as they stood at that point
// (projections::HistoricalStates, installed for the call by
// projections::ScopedReadModelView), so the answer has the same shape as
// today's. Authentication and the caller's API grants are today's.
#pragma once

#include <cstdint>
#include <string_view>

#include "events/event_store.h"
#include "events/status.h"

namespace iam::api {

// The log position `value` names:
// - a log position: decimal digits, 1 … the log's head;
// - an RFC 3339 date-time: the last position committed at or before it.
// Errors: kInvalidArgument for anything else, a position beyond the head and
// an instant after `now_ms` (the future has no state yet); kNotFound for an
// instant before the log's first event (nothing existed then); kIOError /
// kCorruption from reading the log.
Result<uint64_t> ResolveAsOf(std::string_view value, const events::EventStore& log, int64_t now_ms);

}  // namespace iam::api
