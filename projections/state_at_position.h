// The read models' state at a log position: a DirectorySet folded from
// position 1 (or from an earlier folded state) up to a given position, with
// the same Apply code the live read models use. What seed-003 M-11's cursor
// pages read (every page of a traversal at the position of its first), and
// what checks that the live read models agree with the log.
//
// Pure functions over the log: safe for concurrent use; the state a caller
// folds into is the caller's to guard.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "events/event.h"
#include "events/event_store.h"
#include "events/status.h"

namespace iam::projections {

// Calls `apply` with the events in positions (after, position], in order,
// page by page, leaving out voided positions as the projection runner does
// (events/log_events.h), so that a fold gives what a rebuild would give.
// Errors: kInvalidArgument when `position` is beyond the log's head or before
// `after`; kCorruption / kIOError from reading the log; the first error
// `apply` returns (the fold then stops part way).
Status ForEachLogPage(const events::EventStore& log, uint64_t after, uint64_t position,
                      const std::function<Status(std::span<const events::Event>)>& apply);

// Brings `state` (a DirectorySet that has applied exactly the events up to
// `after`) to `position`. Errors as ForEachLogPage, and kCorruption as the
// directories report it; on error `state` is partly folded and must be
// dropped.
template <typename Set>
Status FoldLogInto(const events::EventStore& log, uint64_t after, uint64_t position, Set& state) {
  return ForEachLogPage(log, after, position, [&](std::span<const events::Event> page) { return state.Apply(page); });
}

// A fresh `Set` folded from position 1 to `position`.
template <typename Set>
Result<Set> FoldLogTo(const events::EventStore& log, uint64_t position) {
  Set state;
  if (auto s = FoldLogInto(log, 0, position, state); !s.ok()) return s;
  return state;
}

}  // namespace iam::projections
